import pytest

from auction.index import auction_index
from auction.recording import recorder


@pytest.fixture(autouse=True)
def _fresh_auction_state():
    """Each test starts with an empty index and no pending decision counts (both are
    per-process and would otherwise outlive the test's database)."""
    auction_index().reset()
    recorder.clear()
    yield
    auction_index().wait_for_background(30)
    auction_index().reset()
    recorder.clear()
