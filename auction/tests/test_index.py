"""The in-process index: what it loads, and that it reloads only what changed."""

import datetime as dt

import pytest

from auction import index as index_module
from auction.index import auction_index
from auction.models import AuctionSettings
from auction.tests.factories import MONDAY, promoted_closet
from campaigns.models import BudgetPeriod, Campaign
from campaigns.services import budget_period_current, campaign_listings_set, campaign_pause
from core import changes, clock
from core.models import ChangeCounter
from sellers.tests.factories import ListingFactory, SellerFactory

pytestmark = pytest.mark.django_db


def refresh():
    return auction_index().refresh(clock.now())


def test_the_index_holds_every_available_listing_and_live_campaigns_by_seller():
    campaign, listings = promoted_closet(2)
    organic = ListingFactory(marketplace_id="ORG-1")
    ListingFactory(marketplace_id="GONE-1", status="sold")
    view = refresh()
    assert set(view.listings) == {listings[0].marketplace_id, listings[1].marketplace_id, "ORG-1"}
    assert view.listings["ORG-1"].seller_id == organic.seller_id
    state = view.campaigns[campaign.seller_id]
    assert state.campaign_id == campaign.pk and state.active and state.chosen is None
    assert state.remaining_micros == 50_000_000
    assert organic.seller_id not in view.campaigns
    assert len(view.listings[listings[0].marketplace_id].scores) == 5


def test_a_refresh_with_no_change_is_one_query(django_assert_num_queries):
    promoted_closet(2)
    refresh()
    with django_assert_num_queries(1):
        refresh()
    assert auction_index().stats["full_builds"] == 1


def test_a_catalog_change_patches_listings_without_a_rebuild(django_capture_on_commit_callbacks):
    campaign, _ = promoted_closet(2)
    refresh()
    with django_capture_on_commit_callbacks(execute=True):
        ListingFactory(seller=campaign.seller, marketplace_id="NEW-1")
        changes.bump(changes.CATALOG)
    view = refresh()
    assert "NEW-1" in view.listings
    assert auction_index().stats == {"full_builds": 1, "listing_patches": 1, "campaign_loads": 1,
                                     "budget_loads": 1}


def test_a_chosen_selection_is_loaded_with_the_campaign(django_capture_on_commit_callbacks):
    campaign, listings = promoted_closet(3)
    refresh()
    with django_capture_on_commit_callbacks(execute=True):
        campaign_listings_set(campaign, Campaign.Selection.CHOSEN, [listings[1].pk])
    state = refresh().campaigns[campaign.seller_id]
    assert state.chosen == frozenset({listings[1].pk})


@pytest.mark.django_db(transaction=True)
def test_budget_state_is_reloaded_every_few_seconds_in_the_background(monkeypatch):
    monkeypatch.setattr(index_module, "CAMPAIGN_REFRESH_SECONDS", 0.0)
    campaign, _ = promoted_closet(1)
    refresh()
    BudgetPeriod.objects.filter(campaign=campaign).update(spent_micros=49_000_000)  # no change signal
    try:
        assert refresh().campaigns[campaign.seller_id].remaining_micros == 50_000_000  # the copy in use
        auction_index().wait_for_background(30)
        assert refresh().campaigns[campaign.seller_id].remaining_micros == 1_000_000
    finally:
        auction_index().wait_for_background(30)


@pytest.mark.django_db(transaction=True)
def test_a_background_reload_never_brings_back_state_older_than_a_signalled_change(monkeypatch):
    campaign, _ = promoted_closet(1)
    index = auction_index()
    index.refresh(clock.now())
    # A reload that read the campaigns before a pause and swaps its copy in after it.
    stale_versions = index_module._read_versions()
    stale_campaigns, week = index._campaign_states(clock.now())
    campaign_pause(campaign)
    assert not index.refresh(clock.now()).campaigns[campaign.seller_id].active
    monkeypatch.setattr(index_module, "_read_versions", lambda: stale_versions)
    monkeypatch.setattr(index, "_campaign_states", lambda now: (stale_campaigns, week))
    index._reload_campaigns(clock.now())
    assert index._campaigns[campaign.seller_id].active  # the stale copy is in...
    monkeypatch.undo()
    assert not index.refresh(clock.now()).campaigns[campaign.seller_id].active  # ...and never served


def test_a_new_budget_week_starts_with_a_fresh_budget():
    campaign, _ = promoted_closet(1)
    BudgetPeriod.objects.filter(campaign=campaign).update(spent_micros=50_000_000, exhausted_at=MONDAY)
    assert refresh().campaigns[campaign.seller_id].exhausted
    clock.set_now(MONDAY + dt.timedelta(days=7))
    state = refresh().campaigns[campaign.seller_id]
    assert not state.exhausted and state.remaining_micros == campaign.weekly_budget_micros
    assert state.budget_micros == campaign.weekly_budget_micros  # caps a click at a twentieth of it


def test_each_campaign_reads_its_own_period_of_the_current_week():
    first, _ = promoted_closet(1)
    second, _ = promoted_closet(1, weekly_budget_micros=80_000_000)
    ended, _ = promoted_closet(1)
    BudgetPeriod.objects.filter(campaign=first).update(spent_micros=10_000_000)
    BudgetPeriod.objects.filter(campaign=second).update(spent_micros=30_000_000)
    Campaign.objects.filter(pk=ended.pk).update(status=Campaign.Status.ENDED)
    clock.set_now(MONDAY + dt.timedelta(days=7))  # next week: only `second` has a period yet
    BudgetPeriod.objects.filter(pk=budget_period_current(second).pk).update(spent_micros=5_000_000)
    view = refresh()
    assert view.campaigns[first.seller_id].remaining_micros == 50_000_000  # last week's spend is not this week's
    assert view.campaigns[second.seller_id].remaining_micros == 75_000_000
    assert ended.seller_id not in view.campaigns
    clock.set_now(MONDAY)
    view = refresh()
    assert view.campaigns[first.seller_id].remaining_micros == 40_000_000
    assert view.campaigns[second.seller_id].remaining_micros == 50_000_000


def test_a_pending_budget_change_applies_to_a_week_without_a_period_yet():
    campaign, _ = promoted_closet(1)
    Campaign.objects.filter(pk=campaign.pk).update(next_weekly_budget_micros=80_000_000)
    clock.set_now(MONDAY + dt.timedelta(days=7))
    assert refresh().campaigns[campaign.seller_id].remaining_micros == 80_000_000


def test_a_counter_that_goes_back_or_an_unknown_topic_rebuilds_everything():
    promoted_closet(1)
    ChangeCounter.objects.create(topic=changes.CATALOG, version=5)
    refresh()
    ChangeCounter.objects.filter(topic=changes.CATALOG).update(version=2)
    refresh()
    assert auction_index().stats["full_builds"] == 2
    ChangeCounter.objects.create(topic="a_topic_from_a_newer_release", version=1)
    refresh()
    assert auction_index().stats["full_builds"] == 3
    # New models are a known topic: a web process rebuilds for them in the background
    # (learning/tests/test_position_curve_learning.py), not on the request.


def test_settings_changes_reach_the_rules(django_capture_on_commit_callbacks):
    promoted_closet(1)
    assert refresh().rules.ranking.reserve_micros == 100_000
    with django_capture_on_commit_callbacks(execute=True):
        row = AuctionSettings.load()
        row.reserve_cpc_micros = 250_000
        row.deadline_ms = 40
        row.save()
    rules = refresh().rules
    assert rules.ranking.reserve_micros == 250_000 and rules.deadline_seconds == pytest.approx(0.04)


def test_a_draft_campaign_is_live_but_not_active():
    seller = SellerFactory()
    ListingFactory(seller=seller)
    Campaign.objects.create(seller=seller, weekly_budget_micros=10_000_000)
    state = refresh().campaigns[seller.pk]
    assert not state.active


@pytest.mark.django_db(transaction=True)
def test_the_periodic_rebuild_runs_in_the_background_and_is_swapped_in(monkeypatch):
    monkeypatch.setattr(index_module, "FULL_REFRESH_SECONDS", 0.0)
    campaign, _ = promoted_closet(1)
    index = auction_index()
    index.refresh(clock.now())
    ListingFactory(seller=campaign.seller, marketplace_id="QUIET-1")  # no change signal
    try:
        assert "QUIET-1" not in index.refresh(clock.now()).listings  # answered from the copy in use
        index.wait_for_background(30)
        assert "QUIET-1" in index.refresh(clock.now()).listings
        assert index.stats["full_builds"] >= 2
    finally:
        index.wait_for_background(30)


@pytest.mark.django_db(transaction=True)
def test_web_processes_freeze_what_a_full_build_leaves_out_of_the_collectors_full_collections(monkeypatch):
    import gc
    import importlib
    import sys

    from auction.index import AuctionIndex

    monkeypatch.setattr(index_module, "FULL_REFRESH_SECONDS", 0.0)
    monkeypatch.setattr(AuctionIndex, "freeze_after_build", False)
    promoted_closet(1)
    gc.unfreeze()
    index = auction_index()
    try:
        index.refresh(clock.now())
        assert gc.get_freeze_count() == 0  # off unless a web process turns it on
        switch_interval = sys.getswitchinterval()
        importlib.reload(importlib.import_module("config.wsgi"))  # what gunicorn loads
        sys.setswitchinterval(switch_interval)
        assert AuctionIndex.freeze_after_build is True
        index.reset()
        index.refresh(clock.now())  # first build, on the request path
        assert gc.get_freeze_count() > 0
        gc.unfreeze()
        index.refresh(clock.now())  # due: starts the periodic rebuild in the background
        index.wait_for_background(30)
        assert index.stats["full_builds"] >= 1 and gc.get_freeze_count() > 0
    finally:
        index.wait_for_background(30)
        gc.unfreeze()
