"""Shoppers' tastes (brands, sizes) and price levels: recorded from their searches, clicks
and purchases, learnt as lifts and factors, used by the score and the gate."""

import datetime as dt
import math
from dataclasses import replace

import pytest

from analytics.services import events_ingest
from auction import affinity
from auction.index import auction_index
from auction.models import ShopperTaste
from auction.position import power_curve
from auction.ranking import Shopper, run_auction
from auction.tests.factories import OPEN, SEARCH, UNKNOWN, organic, promoted
from core import clock
from learning import affinity as learnt_affinity
from sellers.tests.factories import ListingFactory, SellerFactory

T0 = dt.datetime(2026, 11, 2, tzinfo=dt.UTC)
GATE = replace(OPEN, substitution_share=0.3, margin=0.5)
SHORT = power_curve(1.0, 6)


def iso(moment):
    return moment.isoformat().replace("+00:00", "Z")


def click(n, user, listing, at):
    return {"id": f"c{n}", "occurredAt": iso(at), "opaqueUserId": user,
            "entity": {"type": "listing", "id": listing.marketplace_id},
            "placement": {"placementId": "search", "position": 1}}


# --- the gate ------------------------------------------------------------------------------


def test_a_listing_of_the_shoppers_brand_can_pass_the_gate_where_another_cannot():
    # The organic result ahead weighs as much as the ad (w); pushing it down from position 1
    # takes half its sales, and the ad must add 1.5 times that: 0.7 w < 0.75 w, refused.
    # Three times likelier to be clicked (a brand this shopper keeps buying): 2.1 w, passes.
    page = [organic(10, ctr=0.02), UNKNOWN, UNKNOWN, UNKNOWN, UNKNOWN, UNKNOWN, promoted(1, ctr=0.02)]
    page[-1] = replace(page[-1], listing=replace(page[-1].listing, tastes=("brand:Frye", "")))

    def run(brands, lift):
        return run_auction(page, placement=SEARCH, slots=1, organic_top_k=0, settings=GATE, curve=SHORT,
                           shopper=Shopper(frozenset(f"brand:{b}" for b in brands), lift))

    assert run(frozenset(), 3.0).winners == []
    assert run(frozenset({"Frye"}), 1.0).winners == []  # no lift learnt yet: the brand changes nothing
    assert [w.listing_id for w in run(frozenset({"Frye"}), 3.0).winners] == [1]
    assert run(frozenset({"Nike"}), 3.0).winners == []


def test_the_shoppers_brand_counts_for_the_results_pushed_down_too():
    # Now the organic result ahead is the shopper's brand: it weighs three times as much.
    ahead = organic(10, ctr=0.02)
    ahead = replace(ahead, listing=replace(ahead.listing, tastes=("brand:Frye", "")))
    ad = promoted(1, ctr=0.05)
    page = [ahead, UNKNOWN, UNKNOWN, UNKNOWN, UNKNOWN, UNKNOWN, ad]
    kwargs = {"placement": SEARCH, "slots": 1, "organic_top_k": 0, "settings": GATE, "curve": SHORT}
    # The ad weighs 2.5 w: 0.7 x 2.5 w = 1.75 w against 1.5 x w/2 without the brand, 1.5 x 3w/2 with it.
    assert [w.listing_id for w in run_auction(page, **kwargs).winners] == [1]
    assert run_auction(page, shopper=Shopper(frozenset({"brand:Frye"}), 3.0), **kwargs).winners == []


# --- recording and the index ---------------------------------------------------------------------


def test_clicks_and_purchases_record_the_shoppers_brands_and_sizes(db):
    seller = SellerFactory()
    frye = ListingFactory(seller=seller, brand="Frye", category="Women/Shoes/Boots", size="8",
                          marketplace_id="L-frye")
    nike = ListingFactory(seller=seller, brand="Nike", category="Men/Shoes/Sneakers", size="",
                          marketplace_id="L-nike")
    blank = ListingFactory(seller=seller, brand="", category="Women/Tops", size="S", marketplace_id="L-blank")
    clock.set_now(T0)
    events_ingest({"clicks": [click(1, "u-1", frye, T0), click(2, "u-1", blank, T0), click(3, "", nike, T0)],
                   "purchases": [{"id": "o-1", "occurredAt": iso(T0), "opaqueUserId": "u-2",
                                  "items": [{"listingId": nike.marketplace_id, "unitPrice": "10.00",
                                             "quantity": 1}]}]})
    assert sorted(ShopperTaste.objects.values_list("opaque_user_id", "taste")) == [
        ("u-1", "brand:Frye"), ("u-1", "size:Women/Shoes/Boots:8"), ("u-1", "size:Women/Tops:S"),
        ("u-2", "brand:Nike")]
    # Again, later: the same pair is updated, not repeated.
    later = T0 + dt.timedelta(hours=2)
    clock.set_now(later)
    events_ingest({"clicks": [click(4, "u-1", frye, later)]})
    row = ShopperTaste.objects.get(opaque_user_id="u-1", taste="brand:Frye")
    assert (row.first_at, row.last_at) == (T0, later) and ShopperTaste.objects.count() == 4


def test_the_index_knows_a_shoppers_brands_after_their_click(db, django_capture_on_commit_callbacks, monkeypatch):
    seller = SellerFactory()
    frye = ListingFactory(seller=seller, brand="Frye", category="", marketplace_id="L-frye")
    clock.set_now(T0)
    index = auction_index()
    monkeypatch.setattr(index, "background_reloads", False)  # read when signalled (the simulator's way)
    assert index.refresh(T0).shoppers == {}
    builds = index.stats["full_builds"]
    with django_capture_on_commit_callbacks(execute=True):  # the shoppers topic moves on commit
        events_ingest({"clicks": [click(1, "u-1", frye, T0)]})
    assert index.refresh(T0).shoppers == {"u-1": frozenset({"brand:Frye"})}
    assert index.stats["full_builds"] == builds  # a patch, not a rebuild
    # Brands older than AFFINITY_DAYS are forgotten at the next full build.
    later = T0 + dt.timedelta(days=affinity.AFFINITY_DAYS + 1)
    index.reset()
    assert index.refresh(later).shoppers == {}


def test_a_web_process_reads_shoppers_tastes_off_the_request_path(db, django_capture_on_commit_callbacks):
    seller = SellerFactory()
    frye = ListingFactory(seller=seller, brand="Frye", category="", marketplace_id="L-frye")
    clock.set_now(T0)
    index = auction_index()
    index.refresh(T0)
    with django_capture_on_commit_callbacks(execute=True):
        events_ingest({"clicks": [click(1, "u-1", frye, T0)]})
    # Every batch of clicks moves the tastes: the request does not wait for them ...
    assert index.refresh(T0).shoppers == {}
    # ... the periodic budget reload (a background thread every few seconds) brings them.
    index._reload_campaigns(T0)
    assert index.refresh(T0).shoppers == {"u-1": frozenset({"brand:Frye"})}


# --- learning the lift -----------------------------------------------------------------------------


def ingest_traffic(groups, history, *, shoppers: int = 60) -> None:
    """Each shopper's ``history(user)`` clicks at T0; a day later they see every listing of
    ``groups`` (``(listings, click share)``) and click that share of each group."""
    impressions, clicks, n = [], [], 0
    for s in range(shoppers):
        user = f"u-{s}"
        clicks += [click(f"h{s}-{k}", user, listing, T0) for k, listing in enumerate(history(user))]
        at = T0 + dt.timedelta(days=1, minutes=s)
        for listings, share in groups:
            for i, listing in enumerate(listings):
                n += 1
                impressions.append({"id": f"i{n}", "occurredAt": iso(at), "opaqueUserId": user,
                                    "entity": {"type": "listing", "id": listing.marketplace_id},
                                    "placement": {"placementId": "search", "position": i + 1}})
                if (s * 10 + i) % 100 < share * 100:
                    clicks.append(click(f"c{n}", user, listing, at + dt.timedelta(seconds=20)))
    clock.set_now(T0 + dt.timedelta(days=2))
    for start in range(0, len(impressions), 500):
        events_ingest({"impressions": impressions[start:start + 500]})
    for start in range(0, len(clicks), 500):
        events_ingest({"clicks": clicks[start:start + 500]})


def organic_traffic(clicked_share_affine: float, clicked_share_other: float, *, shoppers: int = 60):
    """Each shopper first clicks one Frye listing; a day later sees 10 Frye and 10 Nike listings,
    clicking the given shares of each."""
    seller = SellerFactory()
    frye = [ListingFactory(seller=seller, brand="Frye", category="", marketplace_id=f"F-{i}") for i in range(11)]
    nike = [ListingFactory(seller=seller, brand="Nike", category="", marketplace_id=f"N-{i}") for i in range(10)]
    ingest_traffic([(frye[:10], clicked_share_affine), (nike, clicked_share_other)], lambda user: [frye[10]],
                   shoppers=shoppers)


def test_the_lift_is_the_click_rate_of_the_shoppers_brands_over_the_others(db):
    organic_traffic(0.3, 0.1)
    figures = learnt_affinity.affinity_learn(T0, T0 + dt.timedelta(days=2))["brand"]
    assert figures.impressions_affine == 600 and figures.impressions_other == 600
    assert figures.click_lift == pytest.approx(3.0, rel=0.05)
    assert figures.purchase_lift == 1.0  # no purchases: no evidence either way
    assert figures.lift == pytest.approx(figures.click_lift * figures.purchase_lift)


def test_too_little_affine_traffic_learns_no_lift(db):
    organic_traffic(0.3, 0.1, shoppers=5)  # 50 affine impressions
    assert learnt_affinity.affinity_learn(T0, T0 + dt.timedelta(days=2)) == {}


def test_training_stores_the_lift_and_the_auction_uses_it(db, django_capture_on_commit_callbacks):
    from learning.service import active_shopper_figures, models_train

    organic_traffic(0.3, 0.1)
    assert active_shopper_figures() == (1.0, 1.0, ())
    with django_capture_on_commit_callbacks(execute=True):
        models_train(now=T0 + dt.timedelta(days=2))
    assert active_shopper_figures()[0] == pytest.approx(3.0, rel=0.05)
    assert auction_index().refresh(T0 + dt.timedelta(days=2)).rules.brand_lift == pytest.approx(3.0, rel=0.05)


# --- brands in searches ------------------------------------------------------------------------------


def test_brand_names_are_found_word_for_word_in_a_search():
    names = affinity.BrandNames(["Nike", "Free People", "A.P.C.", "On", ""])
    assert names.in_query("free people boho dress") == {"Free People"}
    assert names.in_query("NIKE Women/Shoes/Sneakers") == {"Nike"}
    assert names.in_query("a.p.c. jeans") == {"A.P.C."}
    assert names.in_query("nikes") == set()  # whole words only
    assert names.in_query("people") == set() and names.in_query(None) == set()


def test_a_searched_brand_is_known_to_the_next_auction_and_written_for_the_others(db):
    from auction.services import auctions_run
    from auction.tests.factories import page_body, promoted_closet

    _, listings = promoted_closet(2)
    ListingFactory(brand="Frye", marketplace_id="L-frye")
    clock.set_now(T0)
    ids = [x.marketplace_id for x in listings]
    body = page_body(ids)
    body["auctions"][0].update(searchQuery="frye boots", opaqueUserId="u-1")
    auctions_run(body, flush=False)
    assert auction_index().refresh(T0).shoppers["u-1"] == frozenset({"brand:Frye"})
    assert not ShopperTaste.objects.exists()  # written with the next flush, not per auction
    assert affinity.query_tastes.flush(T0) == 1
    row = ShopperTaste.objects.get()
    assert (row.opaque_user_id, row.taste, row.first_at) == ("u-1", "brand:Frye", T0)


# --- price against the shopper's usual price ----------------------------------------------------------


def test_a_listing_far_above_what_the_shopper_pays_is_worth_less_to_them():
    # Two candidates alike but for price: $20 and $200 (with the same predicted rates, the
    # dearer one looks ten times as valuable). The shopper pays about $20; far above that, the
    # learnt factor is 0.05.
    edges = affinity.PRICE_EDGES
    factors = (1.0, 1.0, 1.0, 1.0, 0.5, 0.05)
    cheap, dear = promoted(1, price=20_000_000), promoted(2, price=200_000_000)
    page = [organic(10, price=20_000_000), *[UNKNOWN] * 5, cheap, dear]
    kwargs = {"placement": SEARCH, "slots": 1, "organic_top_k": 0, "settings": replace(GATE, margin=0.0),
              "curve": SHORT}
    shopper = Shopper(price_level=math.log(20.0), price_edges=edges, price_factors=factors)
    assert shopper.factor(dear.listing) == 0.05 and shopper.factor(cheap.listing) == 1.0
    no_commission = replace(kwargs["settings"], beta=0.0)
    kwargs["settings"] = no_commission
    # Unknown shopper: both pass the gate, the dearer scores higher (a higher bid) and wins.
    assert [w.listing_id for w in run_auction(page, **kwargs).winners] == [2]
    # Known shopper: the dear one is worth 0.05 x 10 = half the cheap one; the cheap one wins.
    assert [w.listing_id for w in run_auction(page, shopper=shopper, **kwargs).winners] == [1]


def test_clicks_record_the_shoppers_price_level(db):
    from auction.models import ShopperPrice

    seller = SellerFactory()
    a = ListingFactory(seller=seller, price_micros=20_000_000, marketplace_id="L-a")
    b = ListingFactory(seller=seller, price_micros=80_000_000, marketplace_id="L-b")
    clock.set_now(T0)
    events_ingest({"clicks": [click(1, "u-1", a, T0), click(2, "u-1", b, T0)]})
    events_ingest({"clicks": [click(3, "u-1", a, T0)]})
    events_ingest({"clicks": [click(1, "u-1", a, T0), click(2, "u-1", b, T0)]})  # a replay adds nothing
    row = ShopperPrice.objects.get(opaque_user_id="u-1")
    assert row.events == 3
    assert row.log_price_sum / row.events == pytest.approx((2 * math.log(20) + math.log(80)) / 3)
    assert affinity.shopper_price_levels() == {"u-1": pytest.approx(row.log_price_sum / 3)}


def test_the_price_factors_are_learnt_from_clicks_against_the_shoppers_usual_price(db):
    seller = SellerFactory()
    usual = [ListingFactory(seller=seller, price_micros=20_000_000, marketplace_id=f"U-{i}") for i in range(12)]
    dear = [ListingFactory(seller=seller, price_micros=200_000_000, marketplace_id=f"D-{i}") for i in range(10)]
    ingest_traffic([(usual[:10], 0.3), (dear, 0.03)], lambda user: [usual[10], usual[11]])
    fit = learnt_affinity.price_fit_learn(T0, T0 + dt.timedelta(days=2))
    at_level = affinity.price_band(0.0, 0.0)
    far_above = affinity.price_band(math.log(10.0), 0.0)
    assert fit["impressions"][at_level] == 600 and fit["impressions"][far_above] == 600
    overall = (0.3 + 0.03) / 2
    assert fit["factors"][at_level] == pytest.approx(0.3 / overall, rel=0.05)
    assert fit["factors"][far_above] == pytest.approx(0.03 / overall, rel=0.1)


def test_a_listing_in_the_shoppers_size_is_worth_more_to_them():
    ad = promoted(1, ctr=0.02)
    ad = replace(ad, listing=replace(ad.listing, tastes=("brand:Frye", "size:Women/Shoes/Boots:8")))
    shopper = Shopper(frozenset({"size:Women/Shoes/Boots:8"}), brand_lift=3.0, size_lift=2.0)
    assert shopper.factor(ad.listing) == 2.0
    both = Shopper(frozenset({"size:Women/Shoes/Boots:8", "brand:Frye"}), brand_lift=3.0, size_lift=2.0)
    assert both.factor(ad.listing) == 6.0
    assert Shopper(frozenset({"size:Women/Shoes/Boots:9"}), size_lift=2.0).factor(ad.listing) == 1.0


# --- sizes the request names ("My Size") ----------------------------------------------------------


def test_a_size_the_request_names_counts_as_the_shoppers_in_every_category():
    boots = replace(promoted(1).listing, tastes=("brand:Frye", "size:Women/Shoes/Boots:8"), size="8")
    tee = replace(promoted(2).listing, tastes=("", "size:Women/Tops/T-Shirts:M"), size="M")
    sized = Shopper(size_lift=2.0, sizes=frozenset({"8", "M"}))
    assert sized.knows() and sized.factor(boots) == 2.0 and sized.factor(tee) == 2.0
    assert Shopper(size_lift=2.0, sizes=frozenset({"9"})).factor(boots) == 1.0
    assert Shopper(size_lift=2.0, sizes=frozenset({"Boots:8"})).factor(boots) == 1.0  # a size, not a key
    # Known from a click and named by the request: one size, counted once.
    both = Shopper(frozenset({"size:Women/Shoes/Boots:8"}), size_lift=2.0, sizes=frozenset({"8"}))
    assert both.factor(boots) == 2.0
    assert not Shopper(sizes=frozenset({"8"})).knows()  # no size lift learnt: it changes nothing
    assert Shopper(size_lift=2.0).factor(replace(boots, tastes=("", ""))) == 1.0  # a listing with no size


def test_the_requested_size_lets_an_ad_in_the_shoppers_size_pass_the_gate(db):
    from auction.models import AuctionSettings, ModelVersion
    from auction.services import auctions_run
    from auction.tests.factories import promoted_closet

    clock.set_now(T0)
    _, (ad,) = promoted_closet(1)  # size 8, $45
    ListingFactory(size="9", price_micros=ad.price_micros, marketplace_id="ahead")
    AuctionSettings.objects.filter(pk=AuctionSettings.load().pk).update(substitution_share=0.3,
                                                                        incrementality_margin=0.5)
    ModelVersion.objects.create(kind="click", blob=b"", position_curve={"affinity": {"size": {"lift": 3.0}}})
    # The result ahead weighs as much as the ad; the ad sits past the curve's 40 positions
    # (no organic sales of its own). Slot 1 pushes the result ahead from 1 to 2 and takes
    # half its sales: 0.7 w < 1.5 x w/2 without the size, 0.7 x 3w passes with it.
    ids = ["ahead", *[f"organic-{i}" for i in range(44)], ad.marketplace_id]

    def winners(**extra):
        body = {"auctions": [{"type": "listings", "slots": 1, "products": {"ids": ids}, "organicTopK": 0,
                              "slotPositions": [1], **extra}]}
        return [w["id"] for w in auctions_run(body, flush=False)["results"][0]["winners"]]

    assert winners() == []
    assert winners(shopperSizes=["8"]) == [ad.marketplace_id]  # no opaqueUserId needed
    assert winners(shopperSizes=["9"]) == []  # the result ahead is in the shopper's size: it weighs more


def test_requested_sizes_are_trimmed_and_counted_once():
    from auction.parsing import parse_auctions

    def sizes(value):
        item = {"type": "listings", "slots": 1, "products": {"ids": ["L1"]}}
        if value is not ...:
            item["shopperSizes"] = value
        return parse_auctions({"auctions": [item]})[0].shopper_sizes

    assert sizes([" 8 ", "8", "M"]) == frozenset({"8", "M"})
    assert sizes(...) == sizes(None) == sizes([]) == frozenset()
