from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "alerts"

    def ready(self) -> None:
        from core import periodic

        def alerts() -> dict:
            from alerts.services import alerts_run

            return alerts_run()

        # After rollups (order 30): the weekly return check reads the rollups one tick has folded.
        periodic.register("alerts", alerts, order=40,
                          description="tell sellers: budget spent early, low return, campaign stopped, refund")
