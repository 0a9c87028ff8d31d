from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "analytics"

    def ready(self) -> None:
        from closetads import periodic

        def attribution() -> dict:
            from analytics.services import attribution_run_pending

            return attribution_run_pending().as_dict()

        def rollups() -> dict:
            from analytics.services import rollups_fold

            return rollups_fold().as_dict()

        # Attribution first, so one tick folds the credits it has just written.
        periodic.register("attribution", attribution, order=20, description="credit new purchases to clicks")
        periodic.register("rollups", rollups, order=30, description="fold new events into hourly rollups")
