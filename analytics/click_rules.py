"""The rules that decide whether a sponsored click is charged: one function, plain data.

``click_reason`` returns why a click must not be charged, or None when it must. The
service (analytics.services.clicks) gathers the facts (the resolved bid, whether the bid
was already clicked, the same buyer's nearest charged click on the listing, whether the
buyer is the seller) and passes the charge itself as the last step, so that a refusal of
the budget (``budget_exhausted``) is reported by the same function as every other reason.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

# The storefront's clock and ours may differ by a little: a click a few seconds "before"
# its auction is skew, not fraud.
CLOCK_SKEW = dt.timedelta(seconds=5)
# A click must have happened before its resolved bid expired AND be reported soon after:
# an old token replayed with a made-up occurredAt is not charged.
REPORT_GRACE = dt.timedelta(minutes=15)

BAD_SIGNATURE = "bad_signature"
EXPIRED = "expired"
CLICK_BEFORE_AUCTION = "click_before_auction"
DUPLICATE = "duplicate"
REPEAT_CLICK = "repeat_click"
SELF_CLICK = "self_click"
BUDGET_EXHAUSTED = "budget_exhausted"
CAMPAIGN_NOT_ACTIVE = "campaign_not_active"

# click_charge's refusals, as click reasons.
_CHARGE_REFUSALS = {
    "budget_exhausted": BUDGET_EXHAUSTED,
    "campaign_not_active": CAMPAIGN_NOT_ACTIVE,
    "already_charged": DUPLICATE,
}


@dataclass(frozen=True)
class ClickFacts:
    """What is known about one sponsored click when it is judged.

    ``bad_signature``: the resolved bid did not verify (then nothing else in it is trusted).
    ``bid_clicked_before``: another click already claimed this resolved bid.
    ``nearest_charged_click``: how far in time the same buyer's nearest charged click on the
    same listing is (None: there is none). ``clicker_is_seller``: the buyer's opaque id is
    the listing's seller. None for a fact means "not looked up yet": the rule is skipped.
    """

    occurred_at: dt.datetime
    received_at: dt.datetime
    bad_signature: bool = False
    issued_at: dt.datetime | None = None
    expires_at: dt.datetime | None = None
    bid_clicked_before: bool | None = None
    nearest_charged_click: dt.timedelta | None = None
    dedup_window: dt.timedelta = dt.timedelta(minutes=30)
    clicker_is_seller: bool | None = None


def click_reason(facts: ClickFacts, charge: Callable[[], str | None] | None = None) -> str | None:
    """Why this click is not charged (a Click.Reason value), or None when it is (or may be).

    Rules in order: bad_signature, expired, click_before_auction, duplicate, repeat_click,
    self_click; then, only when all pass and ``charge`` is given, ``charge()`` runs (it
    charges and returns click_charge's refusal, if any: budget_exhausted,
    campaign_not_active). Without ``charge`` a None answer means "passes what is known".
    """
    if facts.bad_signature:
        return BAD_SIGNATURE
    if facts.expires_at is not None and (
        facts.occurred_at >= facts.expires_at or facts.received_at >= facts.expires_at + REPORT_GRACE
    ):
        return EXPIRED
    if facts.issued_at is not None and facts.occurred_at < facts.issued_at - CLOCK_SKEW:
        return CLICK_BEFORE_AUCTION
    if facts.bid_clicked_before:
        return DUPLICATE
    if facts.nearest_charged_click is not None and abs(facts.nearest_charged_click) < facts.dedup_window:
        return REPEAT_CLICK
    if facts.clicker_is_seller:
        return SELF_CLICK
    if charge is None:
        return None
    refusal = charge()
    if refusal is None:
        return None
    return _CHARGE_REFUSALS.get(refusal, refusal)
