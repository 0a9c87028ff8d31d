from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "campaigns"

    def ready(self) -> None:
        from core import periodic

        def forecasts() -> dict:
            from campaigns.services import forecasts_record_week

            return forecasts_record_week()

        # After pacing (which opens the week's budget periods).
        periodic.register("forecasts", forecasts, order=15,
                          description="record each campaign's forecast as its budget week opens")
