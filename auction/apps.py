import atexit

from django.apps import AppConfig
from django.conf import settings
from django.core.signals import request_finished


class AuctionConfig(AppConfig):
    name = "auction"

    def ready(self) -> None:
        from auction.recording import recorder

        # Decision counts are folded in after a response has been sent, never before it.
        request_finished.connect(_flush_decisions, dispatch_uid="auction.flush_decisions")
        if not settings.TESTING:
            atexit.register(recorder.flush)


def _flush_decisions(**kwargs) -> None:
    from auction.recording import recorder

    recorder.flush_if_due()
