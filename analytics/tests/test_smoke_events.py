import pytest

from analytics.models import Click, Impression
from analytics.services import events_ingest
from analytics.tests.factories import T0, bid_token, organic, promoted_listing, sponsored
from closetads import clock


@pytest.fixture
def promoted(db):
    clock.set_now(T0)
    return promoted_listing()


def test_smoke(promoted):
    campaign, listing = promoted
    token = bid_token(campaign, listing)
    result = events_ingest({"impressions": [sponsored(token), organic(listing)], "clicks": [sponsored(token)]})
    assert result == {"accepted": 3, "duplicates": 0, "rejected": []}
    assert Impression.objects.count() == 2
    click = Click.objects.get()
    assert click.charged, click.reason
