import atexit

from django.apps import AppConfig
from django.conf import settings
from django.core.signals import request_finished


class AuctionConfig(AppConfig):
    name = "auction"

    def ready(self) -> None:
        from auction.models import AuctionSettings
        from core import marketplace_rules, periodic, web_start

        # The rules below campaigns and the auction read the admin's values from here.
        marketplace_rules.rules_source_set(lambda: AuctionSettings.load().marketplace_rules())
        # Campaigns' admin shows spend against pacing's curve, which lives here.
        from campaigns import admin as campaigns_admin

        campaigns_admin.traffic_share_set(_traffic_share)

        # A web process builds its index before its first request (core.web_start).
        web_start.register("auction.index", _web_process_start)
        periodic.register("pacing", _pacing, order=10, description="move bid multipliers and throttles")

        if getattr(settings, "SIMULATED_CLOCK", False):
            from auction.traffic import counter

            counter.write_through = True

        # Decision counts are folded in beside the requests, never inside one.
        request_finished.connect(_flush_decisions, dispatch_uid="auction.flush_decisions")
        if not settings.TESTING:
            atexit.register(_flush_at_exit)


def _web_process_start() -> None:
    """Each web worker builds its auction index before it accepts a connection: built inside
    the first request, it took about 360 ms against the 100 ms deadline, and every fresh
    worker's first auction failed open. The index also freezes what the process holds after
    each full build (``gc.freeze``), so that the collector's full collections skip it:
    100-250 ms pauses otherwise (docs/architecture/auction.md)."""
    from auction.index import AuctionIndex, auction_index

    AuctionIndex.freeze_after_build = True
    if settings.WARM_INDEX_AT_START:
        auction_index().warm_up()


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
