"""Attribution applied to stored events: the minute task, the recompute command, idempotency."""

import datetime as dt
import io
import itertools

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analytics.models import AttributionCredit, PurchaseItem
from analytics.services import attribution_apply, attribution_recompute, attribution_run_pending, events_ingest
from analytics.tests.factories import (
    T0,
    ClickFactory,
    D,
    H,
    PurchaseFactory,
    PurchaseItemFactory,
    bid_token,
    cancellation,
    ingest,
    promoted_listing,
    promoted_listings,
    purchase,
    sponsored,
)
from auction.models import AuctionSettings
from core import clock
from sellers.tests.factories import ListingFactory, SellerFactory


@pytest.fixture
def closet(db):
    """Two promoted listings of one seller, and a listing of another seller."""
    clock.set_now(T0)
    campaign, (first, second) = promoted_listings(2)
    return campaign, first, second, ListingFactory()


def live_credits():
    return sorted(AttributionCredit.objects.filter(reversed_at__isnull=True, reversal_of__isnull=True)
                  .values_list("purchase__order_id", "kind", "click__event_id", "amount_micros"))


def test_the_minute_task_credits_new_purchases(closet):
    campaign, first, second, elsewhere = closet
    ingest(clicks=[sponsored(bid_token(campaign, first), id="c1", user="u")])
    clock.advance(H)
    ingest(purchases=[purchase(first, id="direct", user="u"), purchase(second, id="halo", user="u"),
                      purchase(elsewhere, id="none", user="u"), purchase(second, id="stranger", user="v")])
    result = attribution_run_pending()
    assert (result.purchases, result.credited, result.reversed) == (4, 2, 0)
    assert live_credits() == [("direct", "direct", "c1", 45_000_000), ("halo", "halo", "c1", 45_000_000)]
    credit = AttributionCredit.objects.get(kind="halo")
    assert (credit.campaign_id, credit.listing_id, credit.seller_id, credit.purchased_at) == (
        campaign.pk, first.pk, first.seller_id, T0 + H)


def test_running_it_again_changes_nothing(closet):
    campaign, first, *_ = closet
    ingest(clicks=[sponsored(bid_token(campaign, first), id="c1", user="u")])
    clock.advance(H)
    ingest(purchases=[purchase(first, user="u")])
    attribution_run_pending()
    rows = list(AttributionCredit.objects.values())
    assert attribution_run_pending().as_dict() == {"purchases": 0, "credited": 0, "reversed": 0}
    assert attribution_recompute(T0 - D, T0 + D).as_dict() == {"purchases": 1, "credited": 0, "reversed": 0}
    assert list(AttributionCredit.objects.values()) == rows


def test_a_cancellation_reverses_the_credit_on_the_next_run(closet):
    campaign, first, *_ = closet
    ingest(clicks=[sponsored(bid_token(campaign, first), id="c1", user="u")])
    clock.advance(H)
    ingest(purchases=[purchase(first, id="ord-1", user="u")])
    attribution_run_pending()
    clock.advance(D)
    ingest(cancellations=[cancellation("ord-1")])
    assert attribution_run_pending().reversed == 1
    assert live_credits() == []
    original, reversal = AttributionCredit.objects.order_by("pk")
    assert original.reversed_at == clock.now()
    assert (reversal.reversal_of_id, reversal.amount_micros, reversal.order_count, reversal.purchased_at) == (
        original.pk, -original.amount_micros, -1, original.purchased_at)


def test_a_cancelled_order_attributed_later_is_never_credited(closet):
    campaign, first, *_ = closet
    ingest(clicks=[sponsored(bid_token(campaign, first), user="u")])
    clock.advance(H)
    ingest(purchases=[purchase(first, id="ord-1", user="u")], cancellations=[cancellation("ord-1")])
    attribution_run_pending()
    assert AttributionCredit.objects.count() == 0


def test_a_click_reported_after_the_purchase_is_credited_on_the_next_run(closet):
    campaign, first, *_ = closet
    clock.advance(H)
    ingest(purchases=[purchase(first, id="ord-1", user="u")])
    assert attribution_run_pending().credited == 0
    ingest(clicks=[sponsored(bid_token(campaign, first, issued_at=T0), id="late", user="u",
                             at=T0 + dt.timedelta(minutes=10))])
    assert attribution_run_pending().credited == 1
    assert live_credits() == [("ord-1", "direct", "late", 45_000_000)]


def test_a_late_direct_click_replaces_a_halo_credit(closet):
    campaign, first, second, _ = closet
    ingest(clicks=[sponsored(bid_token(campaign, second), id="halo-click", user="u")])
    clock.advance(H)
    ingest(purchases=[purchase(first, id="ord-1", user="u")])
    attribution_run_pending()
    assert live_credits() == [("ord-1", "halo", "halo-click", 45_000_000)]
    ingest(clicks=[sponsored(bid_token(campaign, first, issued_at=T0), id="direct-click", user="u",
                             at=T0 + 30 * dt.timedelta(minutes=1))])
    result = attribution_run_pending()
    assert (result.credited, result.reversed) == (1, 1)
    assert live_credits() == [("ord-1", "direct", "direct-click", 45_000_000)]


def test_halo_off_and_window_come_from_the_settings(closet):
    campaign, first, second, _ = closet
    ingest(clicks=[sponsored(bid_token(campaign, first), id="c1", user="u")])
    clock.advance(3 * D)
    ingest(purchases=[purchase(second, id="halo", user="u"), purchase(first, id="direct", user="u")])
    settings_row = AuctionSettings.load()
    settings_row.halo_enabled = False
    settings_row.attribution_window_days = 2
    settings_row.save()
    attribution_run_pending()
    assert live_credits() == []
    settings_row.attribution_window_days = 7
    settings_row.save()
    attribution_recompute(T0, T0 + 7 * D)
    assert live_credits() == [("direct", "direct", "c1", 45_000_000)]
    settings_row.halo_enabled = True
    settings_row.save()
    attribution_recompute(T0, T0 + 7 * D)
    assert [c[:2] for c in live_credits()] == [("direct", "direct"), ("halo", "halo")]


def test_invalid_clicks_earn_nothing(closet):
    campaign, first, *_ = closet
    token = bid_token(campaign, first)
    ingest(clicks=[sponsored(token, id="c1", user="u"), sponsored(token, id="dup", user="u",
                                                                 at=T0 + dt.timedelta(minutes=1))])
    clock.advance(H)
    ingest(purchases=[purchase(first, user="u")])
    attribution_run_pending()
    assert [c[2] for c in live_credits()] == ["c1"]


def test_an_order_of_two_items_of_the_clicked_closet_counts_one_order_per_kind(closet):
    campaign, first, second, _ = closet
    _, third = promoted_listing(seller=first.seller)
    ingest(clicks=[sponsored(bid_token(campaign, first), id="c1", user="u")])
    clock.advance(H)
    ingest(purchases=[purchase(first, second, third, id="bundle", user="u")])
    attribution_run_pending()
    rows = sorted(AttributionCredit.objects.values_list("kind", "order_count"))
    assert rows == [("direct", 1), ("halo", 0), ("halo", 1)]


def test_the_attribute_command_recomputes_a_range(closet):
    campaign, first, *_ = closet
    ingest(clicks=[sponsored(bid_token(campaign, first), id="c1", user="u")])
    clock.advance(H)
    ingest(purchases=[purchase(first, user="u")])
    out = io.StringIO()
    call_command("attribute", "--since", "2026-11-30", "--until", "2026-12-01T00:00:00Z", stdout=out)
    assert '"credited": 1' in out.getvalue()
    out = io.StringIO()
    call_command("attribute", "--since", "2026-11-30", "--until", "2026-12-01", stdout=out)
    assert '"credited": 0' in out.getvalue()
    assert len(live_credits()) == 1


@pytest.mark.parametrize("args, message", [
    (["--since", "yesterday", "--until", "2026-12-01"], "--since"),
    (["--since", "2026-12-02", "--until", "2026-12-01"], "after"),
    (["--since", "2026-12-01"], "both"),
])
def test_the_attribute_command_explains_a_bad_range(db, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("attribute", *args)


# --- hypothesis over stored rows ----------------------------------------------------------------

_worlds = itertools.count()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 1), st.integers(-400, 50)), max_size=12),
       st.lists(st.tuples(st.integers(0, 3), st.integers(0, 1), st.integers(0, 60), st.booleans()), max_size=8),
       st.booleans())
def test_stored_attribution_properties(db, click_specs, purchase_specs, halo):
    """Each item credited at most once, attributed sales never exceed purchases, recompute gives identical rows."""
    world = next(_worlds)  # examples share the test's database: each gets its own buyers
    seller_a, seller_b = SellerFactory(), SellerFactory()
    listings = [ListingFactory(seller=seller_a), ListingFactory(seller=seller_a), ListingFactory(seller=seller_b),
                ListingFactory(seller=seller_b)]
    for listing_index, user, hours in click_specs:
        ClickFactory(listing=listings[listing_index], opaque_user_id=f"w{world}u{user}", occurred_at=T0 + hours * H)
    purchases = []
    for listing_index, user, hours, cancelled in purchase_specs:
        bought = PurchaseFactory(opaque_user_id=f"w{world}u{user}", occurred_at=T0 + hours * H)
        item = PurchaseItemFactory(listing=listings[listing_index], purchase=bought)
        purchases.append(item.purchase_id)
        if cancelled:
            events_ingest({"cancellations": [cancellation(item.purchase.order_id)]})
    settings_row = AuctionSettings.load()
    settings_row.halo_enabled = halo
    settings_row.save()
    attribution_apply(purchases)
    live = AttributionCredit.objects.filter(purchase_id__in=purchases, reversed_at__isnull=True,
                                            reversal_of__isnull=True)
    items = list(live.values_list("item_id", flat=True))
    assert len(items) == len(set(items))
    total_sales = sum(i.sales_micros for i in PurchaseItem.objects.filter(purchase_id__in=purchases))
    assert sum(live.values_list("amount_micros", flat=True)) <= total_sales
    snapshot = list(AttributionCredit.objects.filter(purchase_id__in=purchases).order_by("pk").values())
    again = attribution_apply(purchases)
    assert (again.credited, again.reversed) == (0, 0)
    assert list(AttributionCredit.objects.filter(purchase_id__in=purchases).order_by("pk").values()) == snapshot


def test_credits_do_not_depend_on_how_the_purchases_are_chunked(closet, monkeypatch):
    """Each chunk reads its purchases by id and by the id range (analytics.services.attribution):
    sparse ids, chunk boundaries and one by one give the same credits."""
    from analytics.services import attribution

    campaign, first, second, elsewhere = closet
    ingest(clicks=[sponsored(bid_token(campaign, first), id=f"c{u}", user=f"u{u}") for u in range(6)])
    clock.advance(H)
    ingest(purchases=[purchase(listing, id=f"o{u}-{n}", user=f"u{u}")
                      for u in range(6) for n, listing in enumerate((first, second, elsewhere))])
    ids = sorted(PurchaseItem.objects.values_list("purchase_id", flat=True))
    sparse = ids[::2]  # every other purchase: ranges that hold ids not asked for
    monkeypatch.setattr(attribution, "CHUNK", 4)
    attribution_apply(sparse)
    chunked = live_credits()
    AttributionCredit.objects.all().delete()
    for purchase_id in sparse:
        attribution_apply([purchase_id])
    assert live_credits() == chunked
    assert len(chunked) == sum(1 for pk in sparse
                               if PurchaseItem.objects.get(purchase_id=pk).listing_id != elsewhere.pk)
