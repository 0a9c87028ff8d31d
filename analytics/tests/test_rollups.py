"""Hourly rollups: folded every minute by id watermark, recomputable for any range with identical rows."""

import datetime as dt
import io
import random

import pytest
from django.core.management import call_command

from analytics.models import HourlyStat, Watermark
from analytics.models.rollups import METRICS
from analytics.services import attribution_run_pending, rollups_fold, rollups_recompute
from analytics.tests.factories import (
    MIN,
    T0,
    H,
    bid_token,
    cancellation,
    ingest,
    organic,
    promoted_listing,
    promoted_listings,
    purchase,
    sponsored,
)
from campaigns.services import charge_refund
from core import clock

HOUR0 = T0.replace(minute=0)


@pytest.fixture
def closet(db):
    clock.set_now(T0)
    campaign, (first, second) = promoted_listings(2, weekly_budget_micros=100_000_000)
    return campaign, first, second


def table():
    return sorted(HourlyStat.objects.values_list("campaign_id", "listing_id", "hour", *METRICS))


def stat(campaign, listing, hour) -> dict:
    row = HourlyStat.objects.get(campaign=campaign, listing=listing, hour=hour)
    return {m: getattr(row, m) for m in METRICS if getattr(row, m)}


def test_a_fold_counts_impressions_clicks_spend_and_sales_per_campaign_listing_and_hour(closet):
    campaign, first, second = closet
    token = bid_token(campaign, first, price_micros=300_000)
    ingest(impressions=[sponsored(token), sponsored(bid_token(campaign, first)), organic(first)],
           clicks=[sponsored(token, user="u"), sponsored(token, user="v")])  # the second is a duplicate
    clock.advance(H)
    ingest(purchases=[purchase(first, second, user="u", unit_price="20.00")])
    attribution_run_pending()
    result = rollups_fold()
    assert result.folded == {"rollups.impressions": 2, "rollups.clicks": 2, "rollups.ledger": 1,
                             "rollups.credits": 2}
    assert stat(campaign, first, HOUR0) == {"impressions": 2, "clicks": 2, "charged_clicks": 1,
                                            "spend_micros": 300_000}
    assert stat(campaign, first, HOUR0 + H) == {"direct_orders": 1, "direct_sales_micros": 20_000_000,
                                                "halo_orders": 1, "halo_sales_micros": 20_000_000}
    assert HourlyStat.objects.count() == 2


def test_folding_again_changes_nothing(closet):
    campaign, first, _ = closet
    ingest(impressions=[sponsored(bid_token(campaign, first))])
    rollups_fold()
    before = table()
    assert sum(rollups_fold().folded.values()) == 0
    assert table() == before


def test_a_late_event_is_folded_into_its_own_past_hour(closet):
    campaign, first, _ = closet
    clock.advance(3 * H)
    ingest(impressions=[sponsored(bid_token(campaign, first))])
    rollups_fold()
    ingest(impressions=[sponsored(bid_token(campaign, first, issued_at=T0), at=T0 + 5 * MIN)])
    rollups_fold()
    assert stat(campaign, first, HOUR0) == {"impressions": 1}
    assert stat(campaign, first, HOUR0 + 3 * H) == {"impressions": 1}


def test_a_refund_takes_the_click_back_in_the_hour_it_is_made(closet):
    campaign, first, _ = closet
    ingest(clicks=[sponsored(bid_token(campaign, first, price_micros=500_000), user="u")])
    rollups_fold()
    clock.advance(2 * H)
    from analytics.models import Click

    assert charge_refund(Click.objects.get().ledger_entry_id).refunded
    rollups_fold()
    assert stat(campaign, first, HOUR0) == {"clicks": 1, "charged_clicks": 1, "spend_micros": 500_000}
    assert stat(campaign, first, HOUR0 + 2 * H) == {"charged_clicks": -1, "spend_micros": -500_000}


def test_a_cancellation_takes_the_sale_back_on_the_purchase_date(closet):
    campaign, first, _ = closet
    ingest(clicks=[sponsored(bid_token(campaign, first), user="u")])
    clock.advance(H)
    ingest(purchases=[purchase(first, id="ord-1", user="u")])
    attribution_run_pending()
    rollups_fold()
    assert stat(campaign, first, HOUR0 + H)["direct_orders"] == 1
    clock.advance(30 * H)
    ingest(cancellations=[cancellation("ord-1")])
    attribution_run_pending()
    rollups_fold()
    assert stat(campaign, first, HOUR0 + H) == {}


def test_the_rollups_command_folds_and_recomputes(closet):
    campaign, first, _ = closet
    ingest(impressions=[sponsored(bid_token(campaign, first))])
    out = io.StringIO()
    call_command("rollups", stdout=out)
    assert '"rollups.impressions": 1' in out.getvalue()
    HourlyStat.objects.all().delete()
    call_command("rollups", "--since", "2026-11-30", "--until", "2026-12-01", stdout=io.StringIO())
    assert stat(campaign, first, HOUR0) == {"impressions": 1}


def _traffic(rnd: random.Random, campaign, listings, steps: int) -> None:
    """Random traffic, late events, purchases, cancellations, refunds, folds and attribution runs."""
    from analytics.models import Click

    orders = []
    for step in range(steps):
        clock.advance(rnd.choice([MIN, 7 * MIN, 50 * MIN, 3 * H]))
        now = clock.now()
        listing = rnd.choice(listings)
        late = now - rnd.choice([dt.timedelta(0), 2 * MIN, 2 * H])
        issued = late - MIN
        lists = {
            "impressions": [sponsored(bid_token(campaign, rnd.choice(listings), issued_at=issued), at=late)
                            for _ in range(rnd.randint(0, 4))],
            "clicks": [sponsored(bid_token(campaign, listing, issued_at=issued,
                                           price_micros=rnd.choice([100_000, 250_000])),
                                 at=late, user=rnd.choice("abc")) for _ in range(rnd.randint(0, 2))],
        }
        if rnd.random() < 0.4:
            order_id = f"ord-{step}"
            orders.append(order_id)
            lists["purchases"] = [purchase(rnd.choice(listings), id=order_id, user=rnd.choice("abc"),
                                           unit_price=rnd.choice(["10.00", "33.50"]))]
        if orders and rnd.random() < 0.15:
            lists["cancellations"] = [cancellation(rnd.choice(orders))]
        ingest(**lists)
        if rnd.random() < 0.1:
            charged = list(Click.objects.filter(charged=True).values_list("ledger_entry_id", flat=True))
            if charged:
                charge_refund(rnd.choice(charged))
        if rnd.random() < 0.5:
            attribution_run_pending()
        if rnd.random() < 0.5:
            rollups_fold()
    attribution_run_pending()
    rollups_fold()


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_incremental_folding_equals_a_full_recompute(closet, seed):
    campaign, first, second = closet
    listings = [first, second] + [promoted_listing(seller=first.seller)[1] for _ in range(4)]
    _traffic(random.Random(seed), campaign, listings, steps=40)
    incremental = table()
    assert incremental, "the scenario produced no rollups"
    rollups_recompute(T0 - 24 * H, clock.now() + H)
    assert table() == incremental


def test_a_recompute_of_part_of_the_range_leaves_the_rest_identical(closet):
    campaign, first, second = closet
    _traffic(random.Random(7), campaign, [first, second], steps=30)
    incremental = table()
    HourlyStat.objects.filter(hour__gte=T0 + 5 * H, hour__lt=T0 + 20 * H).update(impressions=999_999)
    rollups_recompute(T0 + 5 * H, T0 + 20 * H)
    assert table() == incremental


def test_a_recompute_counts_only_rows_up_to_the_watermarks_so_the_next_fold_adds_the_rest(closet):
    campaign, first, _ = closet
    ingest(impressions=[sponsored(bid_token(campaign, first))])
    rollups_fold()
    ingest(impressions=[sponsored(bid_token(campaign, first))])
    rollups_recompute(T0 - H, T0 + H)
    assert stat(campaign, first, HOUR0) == {"impressions": 1}
    rollups_fold()
    assert stat(campaign, first, HOUR0) == {"impressions": 2}


def test_a_backlog_is_folded_in_steps(closet):
    campaign, first, _ = closet
    ingest(impressions=[sponsored(bid_token(campaign, first)) for _ in range(25)])
    result = rollups_fold(max_ids_per_step=10)
    assert result.folded["rollups.impressions"] == 25
    assert stat(campaign, first, HOUR0) == {"impressions": 25}
    assert Watermark.objects.get(name="rollups.impressions").position > 0
