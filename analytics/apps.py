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

        def partitions() -> dict:
            from analytics.services.partitions import partitions_maintain

            return partitions_maintain().as_dict()

        # Attribution first, so one tick folds the credits it has just written.
        periodic.register("attribution", attribution, order=20, description="credit new purchases to clicks")
        periodic.register("rollups", rollups, order=30, description="fold new events into hourly rollups")
        # After the fold, so a week it has just finished folding can go in the same tick.
        periodic.register("partitions", partitions, order=35,
                          description="PostgreSQL: create the coming weeks' event partitions, drop expired ones")
        periodic.register("lift", lift, order=60,
                          description="what the ads added: exposed against held-out shoppers (ghost ads)")
