import atexit

from django.apps import AppConfig
from django.conf import settings
from django.core.signals import request_finished


class AuctionConfig(AppConfig):
    name = "auction"

    def ready(self) -> None:
        from closetads import periodic

        periodic.register("pacing", _pacing, order=10, description="move bid multipliers and throttles")
        periodic.register("training", _training, order=50, description="retrain click and purchase models")

        if getattr(settings, "SIMULATED_CLOCK", False):
            from auction.traffic import counter

            counter.write_through = True

        # Decision counts are folded in beside the requests, never inside one.
        request_finished.connect(_flush_decisions, dispatch_uid="auction.flush_decisions")
        if not settings.TESTING:
            atexit.register(_flush_at_exit)


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
    from auction.budget_pacing import pacing_run

    result = pacing_run()
    return {"campaigns": result.campaigns, "changed": result.changed}


def _training():
    from auction.learning.service import models_train

    return [result.message for result in models_train()]
