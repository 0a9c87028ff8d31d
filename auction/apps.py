import atexit

from django.apps import AppConfig
from django.conf import settings
from django.core.signals import request_finished


class AuctionConfig(AppConfig):
    name = "auction"

    def ready(self) -> None:
        from auction.models import AuctionSettings
        from core import marketplace_rules, periodic

        # The rules below campaigns and the auction read the admin's values from here.
        marketplace_rules.rules_source_set(lambda: AuctionSettings.load().marketplace_rules())
        # Campaigns' admin shows spend against pacing's curve, which lives here.
        from campaigns import admin as campaigns_admin

        campaigns_admin.traffic_share_set(_traffic_share)

        periodic.register("pacing", _pacing, order=10, description="move bid multipliers and throttles")

        if getattr(settings, "SIMULATED_CLOCK", False):
            from auction.traffic import counter

            counter.write_through = True

        # Decision counts are folded in beside the requests, never inside one.
        request_finished.connect(_flush_decisions, dispatch_uid="auction.flush_decisions")
        if not settings.TESTING:
            atexit.register(_flush_at_exit)


def _traffic_share(week_start, now) -> float:
    from auction.traffic import traffic_profile, week_share

    return week_share(traffic_profile(now), week_start, now)


def _flush_decisions(**kwargs) -> None:
    from auction.recording import recorder

    recorder.flush_soon()


def _flush_at_exit() -> None:
    from auction.affinity import query_tastes
    from auction.recording import recorder

    recorder.wait_for_flush(10)
    recorder.flush()
    query_tastes.flush()


def _pacing():
    from auction.pacing_service import pacing_run

    result = pacing_run()
    return {"campaigns": result.campaigns, "changed": result.changed}
