"""The attribution rules of design.md as a table (Acceptance 1), plus hypothesis properties."""

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analytics.attribution_rules import AdClick, PurchasedItem, attribute

T = dt.datetime(2026, 12, 10, 12, 0, tzinfo=dt.UTC)
H = dt.timedelta(hours=1)
D = dt.timedelta(days=1)
WINDOW = 14 * D

# Listings: 1 and 2 belong to seller 10, listing 3 to seller 20.
SELLER = {1: 10, 2: 10, 3: 20}
CAMPAIGN = {10: 100, 20: 200}


def click(click_id, listing, at, user="u"):
    return AdClick(click_id, user, listing, SELLER[listing], CAMPAIGN[SELLER[listing]], at)


def bought(listing, at=T, user="u", cancelled=False, item_id=1, purchase_id=1, price=45_000_000):
    return PurchasedItem(item_id, purchase_id, user, listing, SELLER[listing], at, price, cancelled=cancelled)


def outcome(items, clicks, window=WINDOW, halo=True):
    return [(c.item_id, c.kind, c.click_id) for c in attribute(items, clicks, window=window, halo=halo)]


@pytest.mark.parametrize("name, items, clicks, options, expected", [
    ("click then purchase of the same listing: direct",
     [bought(1)], [click(7, 1, T - H)], {}, [(1, "direct", 7)]),
    ("click then purchase of another listing of the same seller: halo",
     [bought(2)], [click(7, 1, T - H)], {}, [(1, "halo", 7)]),
    ("click then purchase of another seller's listing: none",
     [bought(3)], [click(7, 1, T - H)], {}, []),
    ("two clicks on the listing: the latest wins",
     [bought(1)], [click(7, 1, T - 3 * H), click(8, 1, T - H)], {}, [(1, "direct", 8)]),
    ("two halo clicks: the latest wins",
     [bought(2)], [click(8, 1, T - H), click(7, 1, T - 3 * H)], {}, [(1, "halo", 8)]),
    ("click after the purchase: none",
     [bought(1)], [click(7, 1, T + H)], {}, []),
    ("click at the very instant of the purchase: none (the window is [t - w, t))",
     [bought(1)], [click(7, 1, T)], {}, []),
    ("click outside the window: none",
     [bought(1)], [click(7, 1, T - WINDOW - H)], {}, []),
    ("click exactly at the window's start: still in",
     [bought(1)], [click(7, 1, T - WINDOW)], {}, [(1, "direct", 7)]),
    ("the window comes from the settings",
     [bought(1)], [click(7, 1, T - 3 * D)], {"window": 2 * D}, []),
    ("direct beats a later halo click",
     [bought(1)], [click(7, 1, T - 5 * H), click(8, 2, T - H)], {}, [(1, "direct", 7)]),
    ("cancellation reverses: a cancelled order earns nothing",
     [bought(1, cancelled=True)], [click(7, 1, T - H)], {}, []),
    ("halo off: another listing of the seller earns nothing",
     [bought(2)], [click(7, 1, T - H)], {"halo": False}, []),
    ("halo off: direct still counts",
     [bought(1)], [click(7, 1, T - H)], {"halo": False}, [(1, "direct", 7)]),
    ("another buyer's click: none",
     [bought(1, user="u")], [click(7, 1, T - H, user="v")], {}, []),
    ("a purchase without a buyer id: none",
     [bought(1, user="")], [click(7, 1, T - H, user="")], {}, []),
    ("two items of one order: each credited once, to its own best click",
     [bought(1, item_id=1), bought(2, item_id=2), bought(3, item_id=3)],
     [click(7, 1, T - 2 * H), click(8, 2, T - H)], {}, [(1, "direct", 7), (2, "direct", 8)]),
    ("equal times: the higher click id wins, whatever the input order",
     [bought(1)], [click(9, 1, T - H), click(7, 1, T - H)], {}, [(1, "direct", 9)]),
])
def test_attribution_rule(name, items, clicks, options, expected):
    assert outcome(items, clicks, **options) == expected
    assert outcome(items, list(reversed(clicks)), **options) == expected


def test_sales_are_on_the_purchase_date_and_credited_to_the_clicked_listing():
    [credit] = attribute([bought(2, at=T)], [click(7, 1, T - 3 * D)], window=WINDOW)
    assert credit.purchased_at == T
    assert credit.listing_id == 1 and credit.campaign_id == 100 and credit.seller_id == 10
    assert credit.amount_micros == 45_000_000


def test_an_order_is_counted_once_per_click_and_kind():
    items = [bought(1, item_id=1), bought(2, item_id=2), bought(2, item_id=3)]
    credits = attribute(items, [click(7, 1, T - H)], window=WINDOW)
    assert [(c.item_id, c.kind, c.order_count) for c in credits] == [(1, "direct", 1), (2, "halo", 1), (3, "halo", 0)]


# --- properties -------------------------------------------------------------------------------

users = st.sampled_from(["a", "b", "c"])
listings = st.sampled_from([1, 2, 3])
offsets = st.integers(-20 * 24, 2 * 24).map(lambda h: T + dt.timedelta(hours=h))


@st.composite
def worlds(draw):
    clicks = [click(i + 1, draw(listings), draw(offsets), draw(users)) for i in range(draw(st.integers(0, 25)))]
    items = []
    for i in range(draw(st.integers(0, 15))):
        listing = draw(listings)
        items.append(PurchasedItem(i + 1, draw(st.integers(1, 5)), draw(users), listing, SELLER[listing],
                                   draw(offsets), draw(st.integers(1, 10**9)), cancelled=draw(st.booleans())))
    return items, clicks


@settings(max_examples=300)
@given(worlds(), st.booleans(), st.integers(1, 30))
def test_each_item_is_credited_at_most_once_and_never_more_than_it_sold(world, halo, window_days):
    items, clicks = world
    credits = attribute(items, clicks, window=dt.timedelta(days=window_days), halo=halo)
    credited = [c.item_id for c in credits]
    assert len(credited) == len(set(credited))
    by_item = {i.item_id: i for i in items}
    assert sum(c.amount_micros for c in credits) <= sum(i.sales_micros for i in items if not i.cancelled)
    clicks_by_id = {c.click_id: c for c in clicks}
    for credit in credits:
        item, clicked = by_item[credit.item_id], clicks_by_id[credit.click_id]
        assert not item.cancelled
        assert clicked.user == item.user
        assert item.purchased_at - dt.timedelta(days=window_days) <= clicked.occurred_at < item.purchased_at
        assert clicked.seller_id == item.seller_id
        assert (credit.kind == "direct") == (clicked.listing_id == item.listing_id)
        assert halo or credit.kind == "direct"


@settings(max_examples=200)
@given(worlds(), st.randoms(use_true_random=False))
def test_the_result_does_not_depend_on_input_order(world, rnd):
    items, clicks = world
    first = attribute(items, clicks, window=WINDOW)
    shuffled_items, shuffled_clicks = list(items), list(clicks)
    rnd.shuffle(shuffled_items)
    rnd.shuffle(shuffled_clicks)
    assert attribute(shuffled_items, shuffled_clicks, window=WINDOW) == first
