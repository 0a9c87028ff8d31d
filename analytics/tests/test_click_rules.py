"""click_reason: one function, every rule, in order (plain data, no database)."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from analytics.click_rules import CLOCK_SKEW, REPORT_GRACE, ClickFacts, click_reason

T = dt.datetime(2026, 11, 30, 10, 0, tzinfo=dt.UTC)
S = dt.timedelta(seconds=1)
M = dt.timedelta(minutes=1)


def facts(**overrides) -> ClickFacts:
    values = dict(occurred_at=T + 10 * S, received_at=T + 20 * S, issued_at=T, expires_at=T + 60 * M,
                  bid_clicked_before=False, nearest_charged_click=None, dedup_window=30 * M,
                  clicker_is_seller=False)
    values.update(overrides)
    return ClickFacts(**values)


@pytest.mark.parametrize("overrides, charge_says, reason", [
    ({}, None, None),
    ({"bad_signature": True}, None, "bad_signature"),
    ({"occurred_at": T + 60 * M}, None, "expired"),
    ({"received_at": T + 60 * M + REPORT_GRACE}, None, "expired"),
    ({"received_at": T + 60 * M + REPORT_GRACE - S}, None, None),
    ({"occurred_at": T - CLOCK_SKEW - S}, None, "click_before_auction"),
    ({"occurred_at": T - CLOCK_SKEW + S}, None, None),
    ({"bid_clicked_before": True}, None, "duplicate"),
    ({"nearest_charged_click": 29 * M}, None, "repeat_click"),
    ({"nearest_charged_click": -29 * M}, None, "repeat_click"),
    ({"nearest_charged_click": 30 * M}, None, None),
    ({"nearest_charged_click": 5 * M, "dedup_window": dt.timedelta(0)}, None, None),
    ({"clicker_is_seller": True}, None, "self_click"),
    ({}, "budget_exhausted", "budget_exhausted"),
    ({}, "campaign_not_active", "campaign_not_active"),
    ({}, "already_charged", "duplicate"),
], ids=lambda v: repr(v)[:40])
def test_each_rule_gives_its_reason(overrides, charge_says, reason):
    assert click_reason(facts(**overrides), lambda: charge_says) == reason


def test_a_bad_signature_wins_over_everything_else():
    assert click_reason(facts(bad_signature=True, occurred_at=T + 90 * M, bid_clicked_before=True,
                              clicker_is_seller=True)) == "bad_signature"


def test_the_charge_runs_only_when_every_other_rule_passes():
    calls = []

    def charge():
        calls.append(1)

    assert click_reason(facts(bid_clicked_before=True), charge) == "duplicate"
    assert click_reason(facts(clicker_is_seller=True), charge) == "self_click"
    assert calls == []
    assert click_reason(facts(), charge) is None
    assert calls == [1]


def test_without_a_charge_a_valid_click_passes_what_is_known():
    assert click_reason(facts()) is None


def test_facts_not_looked_up_yet_skip_their_rule():
    unknown = ClickFacts(occurred_at=T, received_at=T, issued_at=T, expires_at=T + M)
    assert click_reason(unknown) is None


@given(st.integers(-3600, 7200), st.integers(0, 7200))
def test_a_click_is_never_charged_after_its_bid_expired(offset_s, delay_s):
    at = T + dt.timedelta(seconds=offset_s)
    reason = click_reason(facts(occurred_at=at, received_at=at + dt.timedelta(seconds=delay_s)), lambda: None)
    if at >= T + 60 * M:
        assert reason == "expired"
    if reason is None:
        assert T - CLOCK_SKEW <= at < T + 60 * M
