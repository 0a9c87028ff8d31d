"""Decision counters: what each auction decided, per listing and day, and the selector."""

import datetime as dt
import threading

import pytest
from django.db import OperationalError, connection, transaction

from auction import ranking, recording
from auction.models import ListingAuctionDay
from auction.recording import COUNTERS, recorder
from auction.selectors import REASON_COUNTERS, listing_auction_stats
from auction.services import auctions_run
from auction.tests.factories import MONDAY, auction_body, page_body, promoted_closet
from campaigns.services import campaign_pause
from core import clock
from sellers.tests.factories import ListingFactory

pytestmark = pytest.mark.django_db

DAY = MONDAY.date()
NEXT_DAY = DAY + dt.timedelta(days=1)


def stats(listing):
    return listing_auction_stats(listing.pk, DAY, NEXT_DAY)


def test_each_candidate_counts_once_as_a_win_or_under_one_reason():
    _, (top, winner, loser) = promoted_closet(3)
    paused_campaign, (paused,) = promoted_closet(1)
    campaign_pause(paused_campaign)
    organic = ListingFactory()
    ids = [top.marketplace_id, winner.marketplace_id, loser.marketplace_id, paused.marketplace_id,
           organic.marketplace_id, "unknown-id"]
    for _ in range(3):
        auctions_run(page_body(ids, organic_top_k=1), flush=False)
    assert recorder.flush() == 4  # the organic and the unknown listing are not counted
    assert stats(top)["reasons"]["organic_top_k"] == 3
    assert (stats(winner)["won"], stats(winner)["eligible"]) == (3, 3)
    assert stats(loser)["reasons"]["seller_cap"] == 3 and stats(loser)["eligible"] == 3
    assert stats(paused)["top_reason"] == "campaign_paused" and stats(paused)["eligible"] == 0
    assert not ListingAuctionDay.objects.filter(listing=organic).exists()
    for row in ListingAuctionDay.objects.values(*COUNTERS):
        assert row["candidate"] == row["won"] + sum(row[r] for r in REASON_COUNTERS)


def test_flushes_add_up_into_the_same_row():
    _, (listing,) = promoted_closet(1)
    for _ in range(2):
        auctions_run(page_body([listing.marketplace_id]), flush=False)
        recorder.flush()
    assert ListingAuctionDay.objects.get(listing=listing).won == 2


def test_days_follow_the_marketplace_time_zone(settings):
    settings.TIME_ZONE = "America/New_York"
    _, (listing,) = promoted_closet(1)
    clock.set_now(dt.datetime(2026, 12, 2, 3, 0, tzinfo=dt.UTC))  # still Dec 1st in New York
    auctions_run(page_body([listing.marketplace_id]), flush=False)
    recorder.flush()
    assert ListingAuctionDay.objects.get(listing=listing).day == dt.date(2026, 12, 1)
    as_datetimes = listing_auction_stats(listing.pk, dt.datetime(2026, 12, 1, 12, tzinfo=dt.UTC),
                                         dt.datetime(2026, 12, 2, 12, tzinfo=dt.UTC))
    assert as_datetimes["won"] == 1 and [d["day"] for d in as_datetimes["days"]] == [dt.date(2026, 12, 1)]


def test_the_selector_sums_a_range_of_days_and_names_the_top_reason():
    _, (listing,) = promoted_closet(1)
    for offset, won, outranked in [(0, 2, 5), (1, 1, 1), (3, 9, 9)]:
        ListingAuctionDay.objects.create(listing=listing, day=DAY + dt.timedelta(days=offset),
                                         candidate=won + outranked, eligible=won + outranked, won=won,
                                         outranked=outranked)
    result = listing_auction_stats(listing.pk, DAY, DAY + dt.timedelta(days=3))
    assert (result["candidate"], result["eligible"], result["won"]) == (9, 9, 3)
    assert result["reasons"]["outranked"] == 6 and result["top_reason"] == "outranked"
    assert set(result["reasons"]) == set(REASON_COUNTERS)
    assert [d["day"] for d in result["days"]] == [DAY, DAY + dt.timedelta(days=1)]
    empty = listing_auction_stats(listing.pk, DAY - dt.timedelta(days=9), DAY)
    assert empty["candidate"] == 0 and empty["top_reason"] is None and empty["days"] == []


def test_a_flush_is_due_after_enough_auctions_or_seconds(monkeypatch):
    _, (listing,) = promoted_closet(1)
    body = auction_body([listing.marketplace_id])
    auctions_run(body)
    assert recorder.pending() == 1  # neither old nor full yet
    monkeypatch.setattr(recording, "FLUSH_AUCTIONS", 2)
    auctions_run(body)
    assert recorder.pending() == 0
    assert ListingAuctionDay.objects.get(listing=listing).candidate == 2
    monkeypatch.setattr(recording, "FLUSH_AUCTIONS", 10**6)
    monkeypatch.setattr(recording, "FLUSH_SECONDS", 0.0)
    recorder.flush()  # the next one is due FLUSH_SECONDS after this one
    auctions_run(body)
    assert recorder.pending() == 0
    assert ListingAuctionDay.objects.get(listing=listing).candidate == 3


@pytest.mark.django_db(transaction=True)
def test_the_endpoint_flushes_in_the_background_after_its_response(api, monkeypatch):
    _, (listing,) = promoted_closet(1)
    monkeypatch.setattr(recording, "FLUSH_AUCTIONS", 1)
    assert api.post("/api/v1/auctions", page_body([listing.marketplace_id])).status_code == 201
    recorder.wait_for_flush(30)
    assert ListingAuctionDay.objects.get(listing=listing).won == 1


def test_a_failed_flush_drops_the_batch_and_never_raises(monkeypatch, caplog):
    candidate = ranking.Candidate(ranking.ListingState(987_654, 1, 1_000_000, True, ((0.1, 0.1),) * 5), 1.0,
                                  ranking.CampaignState(1, 1, True, False, None, 1.0, 1.0, 10**8, False, None))
    recorder.record(DAY, [candidate.listing], [candidate.campaign], [None])

    def database_down(rows):
        raise OperationalError("database is down")

    monkeypatch.setattr(recording, "_upsert", database_down)
    assert recorder.flush() == 0
    assert recorder.pending() == 0
    assert "dropped" in caplog.text


@pytest.mark.postgres
def test_a_process_finding_another_flushing_keeps_its_counts_for_later():
    _, (listing,) = promoted_closet(1)
    auctions_run(auction_body([listing.marketplace_id]), flush=False)
    holding, release = threading.Event(), threading.Event()

    def other_process_flushing():
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [recording._LOCK_KEY])
                holding.set()
                release.wait(30)
        finally:
            connection.close()

    other = threading.Thread(target=other_process_flushing)
    other.start()
    try:
        assert holding.wait(30)
        assert recorder.flush() == 0
        assert recorder.pending() == 1
    finally:
        release.set()
        other.join(30)
    auctions_run(auction_body([listing.marketplace_id]), flush=False)
    assert recorder.flush() == 1
    assert ListingAuctionDay.objects.get(listing=listing).candidate == 2


def test_a_big_flush_is_written_in_chunks(monkeypatch):
    _, listings = promoted_closet(5)
    monkeypatch.setattr(recording, "CHUNK_ROWS", 2)
    auctions_run(auction_body([x.marketplace_id for x in listings], organic_top_k=0), flush=False)
    assert recorder.flush() == 5
    assert ListingAuctionDay.objects.filter(listing__in=listings).count() == 5
