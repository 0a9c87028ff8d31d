"""Attribution receipts (which click earned which order) and "why isn't my listing showing?"."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from analytics.diagnosis import EXPLANATIONS, diagnose
from analytics.tests.conftest import NOW, credit
from auction import ranking
from auction.models import ListingAuctionDay
from auction.recording import COUNTERS
from campaigns.services import campaign_pause


def test_receipts_list_each_credited_order_with_its_click_newest_first(shop_client, shop):
    a, b, _ = shop["listings"]
    campaign = shop["campaign"]
    credit(campaign, a, a, clicked_at=NOW - dt.timedelta(days=3), purchased_at=NOW - dt.timedelta(days=1),
           order_id="ORD-DIRECT")
    credit(campaign, a, b, kind="halo", clicked_at=NOW - dt.timedelta(days=2, hours=12),
           purchased_at=NOW - dt.timedelta(hours=2), order_id="ORD-HALO", amount_micros=30_000_000)
    page = shop_client.get(f"{reverse('analytics:receipts')}?range=7")
    rows = page.context["page"].object_list
    assert [r.order_id for r in rows] == ["ORD-HALO", "ORD-DIRECT"]
    halo, direct = rows
    assert (halo.kind, halo.bought_title, halo.clicked_title) == ("halo", "Listing 1", "Listing 0")
    assert halo.days_before_purchase == 2.5 - 2 / 24
    assert direct.days_before_purchase == 2.0
    html = page.content.decode()
    assert "$30.00" in html and "Halo" in html and "Direct" in html


def test_receipt_pages_link_to_each_other_keeping_the_range(shop_client, shop):
    from analytics.selectors.receipts import RECEIPTS_PER_PAGE

    a = shop["listings"][0]
    for n in range(RECEIPTS_PER_PAGE + 1):  # newest first: ORD-0 leads, the last one is alone on page 2
        credit(shop["campaign"], a, a, clicked_at=NOW - dt.timedelta(days=3),
               purchased_at=NOW - dt.timedelta(days=1, minutes=n), order_id=f"ORD-{n}")
    url = reverse("analytics:receipts")
    first = shop_client.get(f"{url}?range=7").content.decode()
    assert "Page 1 of 2" in first and 'href="?range=7&page=2" rel="next"' in first
    second = shop_client.get(f"{url}?range=7&page=2")
    assert [r.order_id for r in second.context["page"].object_list] == [f"ORD-{RECEIPTS_PER_PAGE}"]
    assert 'href="?range=7&page=1" rel="prev"' in second.content.decode()


def test_a_receipt_shows_the_order_the_item_and_the_click_that_earned_it(shop_client, shop):
    a, b, _ = shop["listings"]
    c = credit(shop["campaign"], a, b, kind="halo", clicked_at=NOW - dt.timedelta(days=4),
               purchased_at=NOW - dt.timedelta(days=1), order_id="ORD-9")
    html = shop_client.get(reverse("analytics:receipt", args=[c.pk])).content.decode()
    assert "Receipt for order ORD-9" in html
    assert "Halo sale" in html
    assert "Listing 1" in html and "V1" in html  # bought
    assert "on Listing 0" in html and "V0" in html  # clicked
    assert '<span id="days-before">3 days</span>' in html


def test_a_reversed_credit_has_no_receipt(shop_client, shop):
    a = shop["listings"][0]
    c = credit(shop["campaign"], a, a, clicked_at=NOW - dt.timedelta(days=2), purchased_at=NOW - dt.timedelta(days=1))
    c.reversed_at = NOW
    c.save()
    assert shop_client.get(reverse("analytics:receipt", args=[c.pk])).status_code == 404
    assert not shop_client.get(reverse("analytics:receipts")).context["page"].object_list


def _auction_day(listing, day, **counts):
    row = dict.fromkeys(COUNTERS, 0)
    row.update(counts)
    return ListingAuctionDay.objects.create(listing=listing, day=day, **row)


def test_why_not_showing_counts_the_last_7_days_and_explains_the_main_reasons(shop_client, shop):
    listing = shop["listings"][0]
    today = NOW.date()
    _auction_day(listing, today, candidate=10, eligible=6, won=2, budget_exhausted=4, outranked=4)
    _auction_day(listing, today - dt.timedelta(days=6), candidate=5, eligible=1, won=1, below_relevance_floor=4)
    _auction_day(listing, today - dt.timedelta(days=7), candidate=100, below_relevance_floor=100)  # 8 days ago
    response = shop_client.get(reverse("analytics:why", args=[listing.pk]))
    assert response.status_code == 200
    diagnosis = response.context["diagnosis"]
    assert (diagnosis.candidate, diagnosis.eligible, diagnosis.won) == (15, 7, 3)
    assert [r.code for r in diagnosis.reasons] == ["below_relevance_floor", "budget_exhausted", "outranked"]
    html = response.content.decode()
    assert "Your weekly budget had run out." in html
    assert "Raise your weekly budget" in html
    assert 'data-reason="outranked"' in html
    assert "budget_exhausted</" not in html  # codes stay out of the seller's sight


def test_why_not_showing_says_what_blocks_the_listing_right_now(shop_client, shop):
    listing = shop["listings"][0]
    campaign_pause(shop["campaign"])
    html = shop_client.get(reverse("analytics:why", args=[listing.pk])).content.decode()
    assert "Your campaign is paused" in html
    assert "It was not a candidate in any auction" in html


def test_every_reason_the_auction_counts_has_plain_words_and_advice():
    reasons = (*ranking.INELIGIBLE_REASONS, *ranking.ELIGIBLE_LOSS_REASONS)
    assert set(reasons) <= set(EXPLANATIONS)
    for what, advice in EXPLANATIONS.values():
        assert what.endswith(".") and advice.endswith(".")
        assert "_" not in what + advice


def test_diagnose_headline_for_a_listing_that_always_won():
    stats = {"candidate": 4, "eligible": 4, "won": 4, "reasons": dict.fromkeys(ranking.INELIGIBLE_REASONS, 0)}
    assert diagnose(stats).headline == "It won every auction it was a candidate in."


def test_a_listing_the_incrementality_gate_refused_is_explained_in_sales_the_seller_understands():
    reasons = dict.fromkeys(ranking.REASONS, 0) | {ranking.NOT_INCREMENTAL: 3, ranking.OUTRANKED: 1}
    diagnosis = diagnose({"candidate": 5, "eligible": 5, "won": 1, "reasons": reasons})
    assert diagnosis.headline == ("Main reason it did not show: shown there, it would have taken more sales from "
                                  "the results it pushes down than it would add.")
    assert diagnosis.reasons[0].advice.startswith("It wins where it is a better fit for the shopper")


@pytest.mark.parametrize("wait, words", [
    (dt.timedelta(seconds=20), "under a minute"),
    (dt.timedelta(minutes=1), "1 minute"),
    (dt.timedelta(minutes=59, seconds=59), "59 minutes"),
    (dt.timedelta(hours=1), "1 hour"),
    (dt.timedelta(hours=23, minutes=50), "23 hours"),
    (dt.timedelta(days=1), "1 day"),
    (dt.timedelta(days=2), "2 days"),
    (dt.timedelta(days=2, hours=12), "2.5 days"),
])
def test_the_wait_before_a_purchase_reads_in_plain_words(wait, words):
    from analytics.selectors.receipts import wait_words

    assert wait_words(wait) == words
