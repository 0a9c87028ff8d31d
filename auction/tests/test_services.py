"""auctions_run, the in-process auction: rules from the settings, tokens, holdout, deadline."""

import datetime as dt
from time import perf_counter

import pytest

from auction.holdout import exposures, holdout_bucket, is_held_out
from auction.models import AdExposure, AuctionSettings
from auction.recording import recorder
from auction.selectors import listing_auction_stats
from auction.services import auctions_run
from auction.tests.factories import MONDAY, ORGANIC_AHEAD, auction_body, page_body, page_ids, promoted_closet
from auction.tokens import TokenError, verify
from core import clock
from core.validation import FieldError

pytestmark = pytest.mark.django_db


def closets(count, **kwargs):
    """``count`` promoted closets of one listing each; their marketplace ids in order."""
    return [promoted_closet(1, **kwargs)[1][0] for _ in range(count)]


def won(result, index=0):
    return [w["id"] for w in result["results"][index]["winners"]]


def test_a_bad_body_raises_a_field_error():
    with pytest.raises(FieldError) as err:
        auctions_run({"auctions": [{"type": "listings", "slots": 0, "products": {"ids": ["L1"]}}]})
    assert err.value.field == "auctions[0].slots"


def test_the_resolved_bid_carries_the_price_and_expires_after_the_admin_lifetime():
    listings = closets(2)
    result = auctions_run(page_body([x.marketplace_id for x in listings], slots=2))
    tokens = [w["resolvedBidId"] for w in result["results"][0]["winners"]]
    first = verify(tokens[0], MONDAY)
    assert first.issued_at == MONDAY and first.expires_at == MONDAY + dt.timedelta(seconds=3600)
    assert first.slot == 1 and first.placement == "search"
    assert {verify(t, MONDAY).auction_id for t in tokens} == {first.auction_id}
    with pytest.raises(TokenError) as err:
        verify(tokens[0], MONDAY + dt.timedelta(hours=1))
    assert err.value.reason == "expired"
    with pytest.raises(TokenError) as err:
        verify(tokens[0][:-3] + ("AAA" if not tokens[0].endswith("AAA") else "BBB"), MONDAY)
    assert err.value.reason == "bad_signature"


def test_each_auction_has_its_own_id():
    (listing,) = closets(1)
    body = page_body([listing.marketplace_id])
    body["auctions"] *= 2
    results = auctions_run(body)["results"]
    ids = {verify(r["winners"][0]["resolvedBidId"], MONDAY).auction_id for r in results}
    assert len(ids) == 2


def test_admin_settings_bound_slots_and_set_the_default_organic_top_k():
    listings = closets(6)
    ids = [x.marketplace_id for x in listings]
    AuctionSettings.objects.filter(pk=AuctionSettings.load().pk).update(max_slots=3,
                                                                        organic_top_k=ORGANIC_AHEAD + 2)
    result = auctions_run({"auctions": [{"type": "listings", "slots": 40, "products": {"ids": page_ids(ids)}}]})
    assert won(result) == ids[2:5]


def test_requested_slot_positions_are_cut_to_the_slots_the_admin_allows():
    ids = [x.marketplace_id for x in closets(3)]
    AuctionSettings.objects.filter(pk=AuctionSettings.load().pk).update(max_slots=2)
    result = auctions_run(page_body(ids, slots=4, slotPositions=[2, 7, 11, 15]))
    assert [(w["rank"], w["position"], w["id"]) for w in result["results"][0]["winners"]] == [
        (1, 2, ids[0]), (2, 7, ids[1])]


def test_quality_scores_below_the_floor_do_not_win():
    listings = closets(2)
    ids = [x.marketplace_id for x in listings]
    result = auctions_run({"auctions": [{"type": "listings", "slots": 4, "organicTopK": 0,
                                         "products": {"ids": ids, "qualityScores": [0.1, 0.9]}}]})
    assert won(result) == [ids[1]]


def test_now_defaults_to_the_clock_and_can_be_given():
    (listing,) = closets(1)
    later = MONDAY + dt.timedelta(days=2)
    token = auctions_run(page_body([listing.marketplace_id]), now=later)["results"][0]["winners"][0]
    assert verify(token["resolvedBidId"], later).issued_at == later
    assert clock.now() == MONDAY


def shoppers(share, held_out, count=1):
    """``count`` opaque user ids that the holdout at ``share`` holds out (or not)."""
    ids = (f"shopper-{i}" for i in range(10_000))
    return [u for u in ids if (holdout_bucket(u) < share) == held_out][:count]


def test_a_held_out_shopper_sees_no_winners_and_the_would_be_winners_are_recorded_as_ghost_wins():
    listings = closets(2)
    ids = [x.marketplace_id for x in listings]
    rules = AuctionSettings.load()
    rules.holdout_share = 0.5
    rules.save()
    (ghost,), (shown,) = shoppers(0.5, True), shoppers(0.5, False)
    body = page_body(ids, opaqueUserId=ghost)
    body["auctions"].append(page_body(ids, opaqueUserId=shown)["auctions"][0])
    body["auctions"].append(page_body(ids)["auctions"][0])  # anonymous: never held out
    result = auctions_run(body)
    held, seen, _anonymous = result["results"]
    assert held == {"resultType": "listings", "winners": [], "error": False, "heldOut": True}
    assert won(result, 1) == won(result, 2) == ids and "heldOut" not in seen
    exposures.flush()
    sellers = [x.seller_id for x in listings]
    assert set(AdExposure.objects.values_list("opaque_user_id", "held_out", "seller_id")) == {
        (ghost, True, sellers[0]), (ghost, True, sellers[1]), (shown, False, sellers[0]), (shown, False, sellers[1])}
    recorder.flush()
    stats = listing_auction_stats(listings[0].pk, MONDAY.date(), MONDAY.date() + dt.timedelta(days=1))
    assert (stats["candidate"], stats["eligible"], stats["won"], stats["reasons"]["held_out"]) == (3, 3, 2, 1)


def test_the_first_win_stays_and_a_share_of_zero_holds_nobody_out(django_capture_on_commit_callbacks):
    listings = closets(1)
    ids = [x.marketplace_id for x in listings]
    (user,) = shoppers(0.5, True)
    # The default share is 0: shown, and nothing recorded (no held-out group to compare with).
    assert won(auctions_run(page_body(ids, opaqueUserId=user))) == ids
    exposures.flush()
    assert not AdExposure.objects.exists()
    rules = AuctionSettings.load()
    rules.holdout_share = 0.5
    with django_capture_on_commit_callbacks(execute=True):  # the settings change reaches the index
        rules.save()
    (shown,) = shoppers(0.5, False)
    auctions_run(page_body(ids, opaqueUserId=shown))
    later = MONDAY + dt.timedelta(hours=3)
    assert won(auctions_run(page_body(ids, opaqueUserId=shown), now=later)) == ids
    exposures.flush()
    assert list(AdExposure.objects.values_list("held_out", "first_at")) == [(False, MONDAY)]


def test_the_holdout_split_is_stable_about_the_share_and_nested():
    users = [f"u{i}" for i in range(20_000)]
    tenth = {u for u in users if is_held_out(u, 0.1)}
    assert 0.09 < len(tenth) / len(users) < 0.11
    assert tenth <= {u for u in users if is_held_out(u, 0.3)}  # raising the share keeps the held out
    assert not is_held_out("", 0.5) and not is_held_out(None, 0.5) and not is_held_out(users[0], 0.0)


def test_past_the_deadline_every_auction_fails_open():
    (listing,) = closets(1)
    body = auction_body([listing.marketplace_id])
    body["auctions"] *= 2
    result = auctions_run(body, started_at=perf_counter() - 10)
    assert result == {"results": [{"resultType": "listings", "winners": [], "error": True}] * 2}
    recorder.flush()
    stats = listing_auction_stats(listing.pk, MONDAY.date(), MONDAY.date() + dt.timedelta(days=1))
    assert stats["candidate"] == 0


def test_an_auction_in_a_new_week_bids_from_the_new_budget():
    campaign, (listing,) = promoted_closet(1, weekly_budget_micros=5_000_000)
    from campaigns.models import BudgetPeriod

    BudgetPeriod.objects.filter(campaign=campaign).update(spent_micros=5_000_000, exhausted_at=MONDAY)
    assert won(auctions_run(page_body([listing.marketplace_id]))) == []
    next_week = MONDAY + dt.timedelta(days=7, hours=1)
    assert won(auctions_run(page_body([listing.marketplace_id]), now=next_week)) == [listing.marketplace_id]
