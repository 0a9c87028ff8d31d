import atexit

from django.apps import AppConfig
from django.conf import settings
from django.core.signals import request_finished


class AuctionConfig(AppConfig):
    name = "auction"

    def ready(self) -> None:
        # Decision counts are folded in beside the requests, never inside one.
        request_finished.connect(_flush_decisions, dispatch_uid="auction.flush_decisions")
        if not settings.TESTING:
            atexit.register(_flush_at_exit)


def _flush_decisions(**kwargs) -> None:
    from auction.recording import recorder

    recorder.flush_soon()


def _flush_at_exit() -> None:
    from auction.recording import recorder

    recorder.wait_for_flush(10)
    recorder.flush()
