from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "campaigns"

    def ready(self) -> None:
        from campaigns.services import forecasts_record_week
        from core import periodic

        # After pacing (which opens the week's budget periods).
        periodic.register("forecasts", forecasts_record_week, order=15,
                          description="record each campaign's forecast as its budget week opens")
