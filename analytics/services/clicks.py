"""Clicks: stored once each; a sponsored click is judged by ``click_rules.click_reason`` and, if
valid, charged through ``campaigns.services.click_charge``.

What is decided without the database (bad signature, expired, click before its auction,
organic clicks) is written in bulk. The clicks of a batch that may be charged are judged
and charged in one transaction:

1. claim each resolved bid for its first click (one multi-row INSERT into ``ClickBid`` ...
   ON CONFLICT DO NOTHING, in bid key order) and insert the claiming clicks (one statement on
   PostgreSQL, ``analytics.sql.insert_claimed``); every other click of a claimed bid is
   stored as ``duplicate`` (a concurrent second claim waits for the first to commit, then
   conflicts), in one insert with the batch's clicks decided without the database. The claims
   have their own table because clicks are partitioned by week, and a unique key on them
   could not span weeks;
2. the caller's ``before_charge`` (events_ingest records the shoppers' tastes), before any
   budget period is locked;
3. on PostgreSQL, take transaction-scoped advisory locks on each (buyer, listing) and read the
   reserve and the dedup window (one statement), then read the buyers' charged clicks around
   them and the buyers that are sellers (SellerIdentity; one query): a charged click on the
   same listing within the dedup window, either side, makes a ``repeat_click`` (either side,
   so a click reported late is judged like one on time); ``self_click`` when the buyer's
   opaque id is the listing's seller;
4. read the campaigns and lock the clicks' budget periods, and charge each remaining click
   against them, campaign by campaign, as ``click_charge`` would (``campaigns.charging``:
   decided in memory on the locked rows, then the spend, exhaustion times and ledger entries
   keyed by the click id written at once); a refusal (budget exhausted, campaign paused)
   leaves the click free with that reason;
5. write the outcomes and ledger links (one UPDATE); the caller commits.

Deadlock-free by lock order: every such transaction takes the bid keys (sorted), then the
shoppers' rows (sorted), then the advisory locks (sorted), then the campaigns' budget periods
(in campaign id order), so
no two can wait on each other in a cycle. One transaction per batch rather than per click
saves a commit (an fsync) and several round trips per click; it holds a campaign's budget
period for the rest of the batch's clicks (milliseconds).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection, transaction

from analytics import parsing
from analytics.click_rules import DUPLICATE, ClickFacts, click_reason
from analytics.models import Click, ClickBid, SellerIdentity
from analytics.services.common import AD_EVENT_FIELDS, AdEvent, IngestResult, Listings, ad_event_row, ad_events_organic
from analytics.sql import insert_claimed, insert_ignore, update_by_pk
from auction import tokens
from auction.models import AuctionSettings
from campaigns.charging import charges_open
from core.db import select_bound
from core.marketplace_rules import click_dedup_window

CLICK_FIELDS = (*AD_EVENT_FIELDS, "seller", "charged", "reason")


@dataclass(frozen=True)
class _Candidate:
    event: parsing.AdEventIn
    bid: tokens.ResolvedBid
    seller_id: int | None


def _nothing() -> None:
    pass


def _lock_key(user: str, listing_id: int) -> int:
    digest = hashlib.blake2b(f"click:{user}\x00{listing_id}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def _row(event: parsing.AdEventIn, bid, listing_id, seller_id, reason: str | None) -> tuple:
    return (*ad_event_row(event, listing_id, bid), seller_id, False, reason)


def _bid_key(bid: tokens.ResolvedBid) -> str:
    return f"{bid.auction_id}:{bid.listing_id}"[:100]


def _buyers_read(winners: list[_Candidate], window: dt.timedelta
                 ) -> tuple[dict[tuple[str, int], list[dt.datetime]], dict[str, int]]:
    """The buyers' charged clicks around these clicks, {(buyer, listing): [times]}, and which
    buyers are sellers, {buyer: seller pk} (SellerIdentity): one query on PostgreSQL."""
    users = sorted({c.event.user for c in winners if c.event.user})
    if not users:
        return {}, {}
    times = [c.event.occurred_at for c in winners]
    low, high = min(times) - window, max(times) + window
    nearby: dict[tuple[str, int], list[dt.datetime]] = {}
    identities: dict[str, int] = {}
    if connection.vendor == "postgresql":
        identity_sql = f"SELECT opaque_user_id, seller_id, NULL FROM {SellerIdentity._meta.db_table} " \
                       "WHERE opaque_user_id = ANY(%b::text[])"  # noqa: S608 - the model's names
        if window > dt.timedelta(0):
            # Per buyer, an index scan of click_user_charged_time (OFFSET 0 keeps the join a
            # loop over the buyers): as one ``= ANY`` the planner read every click in the
            # window through the time index and kept the buyers' (1.3 ms a batch at 3,600
            # clicks in the window, growing with them, against 0.15 ms).
            sql = (f"SELECT c.* FROM unnest(%b::text[]) AS buyer(opaque_user_id) CROSS JOIN LATERAL "  # noqa: S608
                   f"(SELECT opaque_user_id, listing_id, occurred_at FROM {Click._meta.db_table} "
                   "WHERE charged AND opaque_user_id = buyer.opaque_user_id AND occurred_at > %b "
                   f"AND occurred_at < %b OFFSET 0) AS c UNION ALL {identity_sql}")
            params: list = [users, low, high, users]
        else:
            sql, params = identity_sql, [users]
        for user, value, at in select_bound(sql, params):
            if at is None:
                identities[user] = value
            else:
                nearby.setdefault((user, value), []).append(at)
        return nearby, identities
    identities = dict(SellerIdentity.objects.filter(opaque_user_id__in=users)
                      .values_list("opaque_user_id", "seller_id"))
    if window > dt.timedelta(0):
        for user, listing_id, at in Click.objects.filter(
                charged=True, opaque_user_id__in=users, occurred_at__gt=low,
                occurred_at__lt=high).values_list("opaque_user_id", "listing_id", "occurred_at"):
            nearby.setdefault((user, listing_id), []).append(at)
    return nearby, identities


def _judge_and_charge(candidates: list[_Candidate], result: IngestResult, *, received_at: dt.datetime,
                      decided: list[tuple],
                      stored: Callable[[set[str]], None]) -> None:
    """Insert, judge and charge the batch's chargeable clicks in one transaction (module docstring),
    and store the ``decided`` rows (the clicks judged without the database) with the
    duplicates; ``stored`` is called with the event ids stored now (a click stored before, as
    in a replayed batch, is a duplicate) before anything is charged."""
    by_bid = sorted(candidates, key=lambda c: (_bid_key(c.bid), c.event.occurred_at, c.event.index))
    first_of_bid: dict[str, _Candidate] = {}
    for candidate in by_bid:
        first_of_bid.setdefault(_bid_key(candidate.bid), candidate)
    with transaction.atomic(savepoint=False):  # no savepoint inside events_ingest's transaction
        # The claims, in bid key order, and the claiming clicks; a bid claimed before (another
        # batch, or this very click in a replayed batch) is not claimed again.
        claims = sorted(first_of_bid.items())
        inserted = dict(insert_claimed(
            ClickBid, ("bid_key", "claimed_at"), [(key, c.event.occurred_at) for key, c in claims],
            Click, (*CLICK_FIELDS, "bid_key"),
            [(*_row(c.event, c.bid, None, c.seller_id, None), key) for key, c in claims],
            returning=("event_id", "id")))
        # Not in: another click holds the bid, or (a replay) the event id is stored already.
        losers = [c for c in by_bid if c.event.event_id not in inserted]
        # With the batch's other clicks that need no judging: one insert for both.
        new = {event_id for (event_id,) in insert_ignore(
            Click, CLICK_FIELDS, [*decided, *(_row(c.event, c.bid, None, c.seller_id, DUPLICATE) for c in losers)],
            conflict=None, returning=("event_id",))}
        loser_ids = {c.event.event_id for c in losers}
        duplicates = new & loser_ids
        result.stored(len(new) - len(duplicates), len(decided))
        result.stored(len(inserted) + len(duplicates), len(candidates))
        stored(set(inserted) | new)
        winners = [c for c in candidates if c.event.event_id in inserted]
        if not winners:
            return
        if connection.vendor == "postgresql":
            reserve, window = _locks_and_settings(
                sorted({_lock_key(c.event.user, c.bid.listing_id) for c in winners if c.event.user}))
        else:
            reserve, window = _click_settings_read()
        nearby, identities = _buyers_read(winners, window)
        charges = charges_open([(c.bid.campaign_id, c.event.occurred_at) for c in winners], reserve_micros=reserve)
        judged: list[tuple[int, str | None]] = []
        for candidate in sorted(winners, key=lambda c: (c.bid.campaign_id, c.event.occurred_at, c.event.index)):
            event, bid, pk = candidate.event, candidate.bid, inserted[candidate.event.event_id]
            gaps = [event.occurred_at - t for t in nearby.get((event.user, bid.listing_id), ())] if event.user else []
            facts = ClickFacts(
                occurred_at=event.occurred_at, received_at=received_at, issued_at=bid.issued_at,
                expires_at=bid.expires_at, bid_clicked_before=False,
                nearest_charged_click=min(gaps, key=abs) if gaps else None, dedup_window=window,
                clicker_is_seller=(bool(event.user) and candidate.seller_id is not None
                                   and identities.get(event.user) == candidate.seller_id),
            )

            def charge(bid=bid, pk=pk, at=event.occurred_at) -> str | None:
                outcome = charges.charge(bid.campaign_id, bid.price_micros, click_id=pk, at=at)
                return None if outcome.charged else outcome.reason

            reason = click_reason(facts, charge)
            if reason is None and event.user:
                nearby.setdefault((event.user, bid.listing_id), []).append(event.occurred_at)
            judged.append((pk, reason))
        entries = charges.write()
        update_by_pk(Click, ("reason", "charged", "ledger_entry"),
                     [(pk, reason, reason is None, entries[pk] if reason is None else None) for pk, reason in judged])


def _click_settings_read() -> tuple[int, dt.timedelta]:
    """The two values, not the settings row's every column as ``AuctionSettings.load()`` reads it."""
    values = AuctionSettings.objects.filter(pk=1).values_list("reserve_cpc_micros", "click_dedup_minutes").first()
    if values is None:  # not created yet: load() creates it with the defaults
        rules = AuctionSettings.load().marketplace_rules()
        return rules.reserve_cpc_micros, rules.click_dedup_window
    return values[0], click_dedup_window(values[1])


def _locks_and_settings(keys: list[int]) -> tuple[int, dt.timedelta]:
    """PostgreSQL: take the transaction's advisory locks on ``keys`` (sorted) and read the
    reserve and the repeat-click window in the same statement (a round trip less than a
    settings query of its own). The one-row join makes the locks run exactly once."""
    settings_table = AuctionSettings._meta.db_table
    # The keys bound by the server, not quoted into the statement in Python (core.db).
    [(_, reserve, minutes)] = select_bound(
        "SELECT (SELECT count(pg_advisory_xact_lock(k)) FROM unnest(%b::bigint[]) AS k), "  # noqa: S608
        "s.reserve_cpc_micros, s.click_dedup_minutes FROM (SELECT 1) AS one "  # and a table name:
        f"LEFT JOIN {settings_table} s ON s.id = 1", [keys])
    if reserve is None:  # not created yet: load() creates it with the defaults
        return _click_settings_read()
    return reserve, click_dedup_window(minutes)


def clicks_ingest(clicks: list[AdEvent], listings: Listings, result: IngestResult, *, now: dt.datetime,
                  before_charge: Callable[[], None] = _nothing) -> None:
    """Store clicks (read by ``ad_events_read``); charge each valid sponsored click once (see the
    module docstring). The shoppers' tastes of the clicks stored now are added to
    ``result.tastes``, then ``before_charge`` is called, before any budget period is locked
    (when there is a click to charge)."""
    clicks = ad_events_organic(clicks, "clicks", listings, result)
    if not clicks:
        return
    sellers = listings.seller_by_pk

    bulk_rows, candidates = [], []
    tastes: list[tuple[str, str, int, dt.datetime]] = []  # (event, shopper, listing, when): auction.affinity

    def stored(new: set[str]) -> None:
        # Recorded once per batch by events_ingest, for clicks not stored before.
        result.tastes.extend((user, listing_id, at) for event_id, user, listing_id, at in tastes if event_id in new)
        before_charge()

    for read in clicks:
        event, bid = read.event, read.bid
        if read.listing_id is not None:
            bulk_rows.append(_row(event, None, read.listing_id, read.seller_id, None))
            tastes.append((event.event_id, event.user, read.listing_id, event.occurred_at))
            continue
        if bid is None:
            # Nothing in a forged token is trusted: no campaign, no listing.
            bulk_rows.append((event.event_id, event.occurred_at, event.user, None, "", None, "", None, None, None,
                              None, False, click_reason(ClickFacts(event.occurred_at, now, bad_signature=True))))
            continue
        reason = click_reason(ClickFacts(event.occurred_at, now, issued_at=bid.issued_at, expires_at=bid.expires_at))
        seller_id = sellers.get(bid.listing_id)
        if reason is not None:
            bulk_rows.append(_row(event, bid, None, seller_id, reason))
        else:
            candidates.append(_Candidate(event, bid, seller_id))
            tastes.append((event.event_id, event.user, bid.listing_id, event.occurred_at))

    if candidates:
        _judge_and_charge(candidates, result, received_at=now, decided=bulk_rows, stored=stored)
        return
    # Any unique key: the storefront's id is unique with the time (weekly partitions on PostgreSQL).
    inserted = insert_ignore(Click, CLICK_FIELDS, bulk_rows, conflict=None, returning=("event_id",))
    result.stored(len(inserted), len(bulk_rows))
    stored({event_id for (event_id,) in inserted})
