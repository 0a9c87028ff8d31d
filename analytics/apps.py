from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "analytics"

    def ready(self) -> None:
        from core import periodic

        def attribution() -> dict:
            from analytics.services import attribution_run_pending

            return attribution_run_pending().as_dict()

        def rollups() -> dict:
            from analytics.services import rollups_fold

            return rollups_fold().as_dict()

        def lift() -> dict:
            from analytics.services.lift import lift_estimates_store

            return lift_estimates_store()

        # Attribution first, so one tick folds the credits it has just written.
        periodic.register("attribution", attribution, order=20, description="credit new purchases to clicks")
        periodic.register("rollups", rollups, order=30, description="fold new events into hourly rollups")
        periodic.register("lift", lift, order=60,
                          description="what the ads added: exposed against held-out shoppers (ghost ads)")
