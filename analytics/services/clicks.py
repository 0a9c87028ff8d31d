"""Clicks: stored once each; a sponsored click is judged by ``click_rules.click_reason`` and, if
valid, charged through ``campaigns.services.click_charge`` in the same short transaction.

What is decided without the database (bad signature, expired, click before its auction,
organic clicks) is written in bulk. A click that may be charged gets one transaction:

1. insert it with ``bid_key`` = its resolved bid: the unique index lets only the first
   click of a bid in (a second one is stored as ``duplicate``; a concurrent second one
   waits for the first to commit, then conflicts);
2. on PostgreSQL, take a transaction-scoped advisory lock on (buyer, listing), then look
   for the buyer's charged clicks on the listing within the dedup window either side
   (``repeat_click``; either side, so a click reported late is judged like one on time);
3. ``self_click`` when the buyer's opaque id is the listing's seller (SellerIdentity);
4. charge (``click_charge``: atomic conditional update + ledger entry keyed by the click
   id); a refusal (budget exhausted, campaign paused) leaves the click free with that reason;
5. store the outcome and the ledger entry on the click, then commit.

Locks are always taken in that order (bid key, buyer-listing, campaign/period), so two
click transactions cannot deadlock.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from django.db import connection, transaction

from analytics import parsing
from analytics.click_rules import DUPLICATE, ClickFacts, click_reason
from analytics.models import Click, SellerIdentity
from analytics.services.common import (
    AD_EVENT_FIELDS,
    IngestResult,
    ad_event_row,
    listings_by_marketplace_id,
    parse_batch,
    unknown_listing,
    verify_signature,
)
from analytics.sql import insert_ignore
from auction import tokens
from auction.models import AuctionSettings
from campaigns.services import ChargeResult, click_charge
from sellers.models import Listing

CLICK_FIELDS = (*AD_EVENT_FIELDS, "seller", "charged", "reason")


@dataclass(frozen=True)
class _Candidate:
    event: parsing.AdEventIn
    bid: tokens.ResolvedBid
    seller_id: int | None


def _lock_key(user: str, listing_id: int) -> int:
    digest = hashlib.blake2b(f"click:{user}\x00{listing_id}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def _nearest_charged_click(user: str, listing_id: int, at: dt.datetime, window: dt.timedelta,
                           exclude_pk: int) -> dt.timedelta | None:
    if not user or window <= dt.timedelta(0):
        return None
    times = (Click.objects.filter(opaque_user_id=user, charged=True, occurred_at__gt=at - window,
                                  occurred_at__lt=at + window, listing_id=listing_id)
             .exclude(pk=exclude_pk).values_list("occurred_at", flat=True)[:20])
    gaps = [at - t for t in times]
    return min(gaps, key=abs) if gaps else None


def _row(event: parsing.AdEventIn, bid, listing_id, seller_id, reason: str | None) -> tuple:
    return (*ad_event_row(event, listing_id, bid), seller_id, False, reason)


def _charge_one(candidate: _Candidate, *, received_at: dt.datetime, window: dt.timedelta,
                identities: dict[str, int]) -> bool | None:
    """Insert, judge and maybe charge one sponsored click. True: stored; None: its id was already stored."""
    event, bid = candidate.event, candidate.bid
    with transaction.atomic():
        bid_key = f"{bid.auction_id}:{bid.listing_id}"[:100]
        inserted = insert_ignore(Click, (*CLICK_FIELDS, "bid_key"),
                                 [(*_row(event, bid, None, candidate.seller_id, None), bid_key)],
                                 conflict=None, returning=("id",))
        if not inserted:
            # Either this event id is already stored, or another click holds the bid.
            duplicate = insert_ignore(Click, CLICK_FIELDS, [_row(event, bid, None, candidate.seller_id, DUPLICATE)],
                                      conflict="event_id", returning=("id",))
            return True if duplicate else None
        pk = inserted[0][0]
        if event.user and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_lock_key(event.user, bid.listing_id)])
        facts = ClickFacts(
            occurred_at=event.occurred_at, received_at=received_at, issued_at=bid.issued_at,
            expires_at=bid.expires_at, bid_clicked_before=False,
            nearest_charged_click=_nearest_charged_click(event.user, bid.listing_id, event.occurred_at, window, pk),
            dedup_window=window,
            clicker_is_seller=bool(event.user) and identities.get(event.user) == candidate.seller_id,
        )
        outcome: list[ChargeResult] = []

        def charge() -> str | None:
            result = click_charge(bid.campaign_id, bid.price_micros, click_id=pk, at=event.occurred_at)
            outcome.append(result)
            return None if result.charged else result.reason

        reason = click_reason(facts, charge)
        entry_id = outcome[0].entry_id if outcome and outcome[0].charged else None
        Click.objects.filter(pk=pk).update(reason=reason, charged=reason is None, ledger_entry_id=entry_id)
    return True


def clicks_ingest(items: list, result: IngestResult, *, now: dt.datetime) -> None:
    """Store clicks; charge each valid sponsored click once (see the module docstring)."""
    parsed = parse_batch(items, "clicks", parsing.parse_ad_event, result)
    if not parsed:
        return
    settings = AuctionSettings.load()
    window = dt.timedelta(minutes=settings.click_dedup_minutes)
    listings = listings_by_marketplace_id([e.entity_id for e in parsed if e.entity_id is not None])
    bids: dict[int, tokens.ResolvedBid | None] = {}
    for event in parsed:
        if event.token is not None:
            try:
                bids[event.index] = verify_signature(event.token)
            except tokens.TokenError:
                bids[event.index] = None
    sellers = dict(Listing.objects.filter(pk__in={b.listing_id for b in bids.values() if b})
                   .values_list("pk", "seller_id")) if bids else {}

    bulk_rows, candidates = [], []
    for event in parsed:
        if event.token is None:
            found = listings.get(event.entity_id)
            if found is None:
                result.reject("clicks", event.index, event.event_id,
                              unknown_listing(f"clicks[{event.index}].entity.id", event.entity_id))
                continue
            bulk_rows.append(_row(event, None, found[0], found[1], None))
            continue
        bid = bids[event.index]
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

    inserted = insert_ignore(Click, CLICK_FIELDS, bulk_rows, conflict="event_id")
    result.stored(len(inserted), len(bulk_rows))
    if not candidates:
        return
    # A replayed batch costs one query, not a transaction per click.
    known = set(Click.objects.filter(event_id__in=[c.event.event_id for c in candidates])
                .values_list("event_id", flat=True))
    result.duplicates += sum(1 for c in candidates if c.event.event_id in known)
    candidates = [c for c in candidates if c.event.event_id not in known]
    users = {c.event.user for c in candidates if c.event.user}
    identities = dict(SellerIdentity.objects.filter(opaque_user_id__in=users)
                      .values_list("opaque_user_id", "seller_id")) if users else {}
    # In time order, so that of two clicks in one batch the earlier is the charged one.
    for candidate in sorted(candidates, key=lambda c: (c.event.occurred_at, c.event.index)):
        stored = _charge_one(candidate, received_at=now, window=window, identities=identities)
        result.stored(1 if stored else 0, 1)
