from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "alerts"

    def ready(self) -> None:
        from alerts.services import alerts_run
        from core import periodic

        # After rollups (order 30): the weekly return check reads the rollups one tick has folded.
        periodic.register("alerts", alerts_run, order=40,
                          description="tell sellers: budget spent early, low return, campaign stopped, refund")
