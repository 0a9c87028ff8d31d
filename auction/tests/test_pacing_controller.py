"""The pacing controller on a toy market: spend = traffic x demand x multiplier**0.8 x throttle."""

import itertools
import math
from collections import deque

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from auction.pacing_rules import (
    MAX_LOG_STEP,
    MULTIPLIER_MAX,
    MULTIPLIER_MIN,
    THROTTLE_MIN,
    PacingState,
    desired_rate,
    pacing_step,
)

BUDGET = 100_000_000
HOURS = 168
STEPS_PER_HOUR = 4  # the simulator's step; production steps every minute


def simulate(traffic, demand: float, manual: bool = False, noise: float = 0.0, seed: int = 0,
             catch_up_hours: int | None = None, start: PacingState | None = None):
    """Returns the states after each step and (spent share, ideal share) after each hour.

    ``catch_up_hours``: aim back at the ideal curve this many hours ahead (None: at the
    week's end)."""
    rng = np.random.default_rng(seed)
    state, spent, states, curve = start or PacingState(), 0.0, [], []
    total = sum(traffic)
    ahead = np.cumsum(traffic) / total  # share passed at the end of each hour
    passed = 0.0
    window = deque(maxlen=STEPS_PER_HOUR)  # (spend, traffic) of the last hour
    for hour in range(HOURS):
        for _ in range(STEPS_PER_HOUR):
            rate = traffic[hour] / STEPS_PER_HOUR
            bid_effect = 1.0 if manual else state.multiplier ** 0.8
            spend = demand * (rate / total) * bid_effect * state.throttle  # demand: a week at x1, unthrottled
            if noise:
                spend *= max(0.0, rng.normal(1.0, noise))
            spend = min(BUDGET - spent, spend)
            spent += spend
            passed += rate
            window.append((spend, rate / total))
            tau_ahead = 1.0 if catch_up_hours is None else float(ahead[min(hour + catch_up_hours, HOURS - 1)])
            state = pacing_step(state, budget_micros=BUDGET, spent_micros=int(spent), tau=passed / total,
                                window_spent_micros=int(sum(s for s, _ in window)),
                                window_traffic=sum(t for _, t in window), manual=manual, tau_ahead=tau_ahead)
            states.append(state)
        curve.append((spent / BUDGET, passed / total))
    return states, curve


def flat(hours=HOURS):
    return [1.0] * hours


def worst_error(curve, from_hour):
    return max(abs(spent - tau) for spent, tau in curve[from_hour:])


def test_converges_to_the_ideal_curve_when_demand_is_three_times_the_budget():
    # Unpaced, this campaign would spend its whole budget by Tuesday night.
    states, curve = simulate(flat(), demand=3 * BUDGET)
    assert worst_error(curve, 12) < 0.03
    assert curve[-1][0] > 0.97
    # It settles near the multiplier at which demand matches the budget, a little below it
    # because the first hours' overspend is paid back over the rest of the week.
    needed = (1 / 3) ** (1 / 0.8)
    assert 0.8 * needed < states[-1].multiplier < needed


def test_a_campaign_with_too_little_demand_bids_up_to_the_cap_and_never_throttles():
    states, _ = simulate(flat(), demand=0.1 * BUDGET)
    assert states[-1].multiplier == MULTIPLIER_MAX
    assert all(s.throttle == 1.0 for s in states)


def test_manual_campaigns_are_paced_by_the_throttle_alone():
    states, curve = simulate(flat(), demand=3 * BUDGET, manual=True)
    assert all(s.multiplier == 1.0 for s in states)
    assert 0.8 / 3 < states[-1].throttle < 1 / 3
    assert worst_error(curve, 12) < 0.03


def test_very_high_demand_floors_the_multiplier_then_throttles():
    states, curve = simulate(flat(), demand=200 * BUDGET)
    assert states[-1].multiplier == MULTIPLIER_MIN
    assert states[-1].throttle < 0.2
    assert curve[-1][0] > 0.95


def test_no_oscillation_after_a_step_change_in_traffic():
    traffic = [1.0] * 84 + [2.0] * 84  # traffic doubles mid-week (an unexpected surge)
    states, curve = simulate(traffic, demand=3 * BUDGET)
    settled = [s.multiplier for s in states[84 * STEPS_PER_HOUR + 24:]]
    moves = [b - a for a, b in itertools.pairwise(settled) if abs(b - a) > 1e-12]
    sign_changes = sum(1 for a, b in itertools.pairwise(moves) if (a > 0) != (b > 0))
    assert sign_changes <= 1  # at most one correction of an overshoot, no oscillation
    assert worst_error(curve, 12) < 0.05
    assert curve[-1][0] > 0.95


def test_noisy_spend_still_lands_on_the_budget_without_overspending():
    _, curve = simulate(flat(), demand=3 * BUDGET, noise=0.5, seed=4)
    assert 0.93 < curve[-1][0] <= 1.0
    assert worst_error(curve, 24) < 0.06


@given(
    multiplier=st.floats(MULTIPLIER_MIN, MULTIPLIER_MAX), throttle=st.floats(THROTTLE_MIN, 1.0),
    spent=st.integers(0, BUDGET), tau=st.floats(0, 1), window_spent=st.integers(0, BUDGET),
    window_traffic=st.floats(0, 1), manual=st.booleans(),
)
def test_the_state_stays_within_bounds_and_moves_one_bounded_step(multiplier, throttle, spent, tau, window_spent,
                                                                  window_traffic, manual):
    before = PacingState(multiplier, throttle)
    after = pacing_step(before, budget_micros=BUDGET, spent_micros=spent, tau=tau,
                        window_spent_micros=window_spent, window_traffic=window_traffic, manual=manual)
    assert MULTIPLIER_MIN <= after.multiplier <= MULTIPLIER_MAX
    assert THROTTLE_MIN <= after.throttle <= 1.0
    if not manual:
        assert abs(math.log(after.multiplier / before.multiplier)) <= MAX_LOG_STEP + 1e-9
    else:
        assert after.multiplier == 1.0
    assert abs(math.log(after.throttle / before.throttle)) <= MAX_LOG_STEP + 1e-9


def mean_error(curve):
    return float(np.mean([abs(spent - tau) for spent, tau in curve]))


def test_a_catch_up_horizon_brings_an_early_gap_back_to_the_curve():
    # Bidding at full value at first, the campaign runs ahead of its curve on Monday.
    eager = PacingState(multiplier=1.0, throttle=1.0)
    _, to_week_end = simulate(flat(), demand=3 * BUDGET, start=eager)
    _, in_a_day = simulate(flat(), demand=3 * BUDGET, start=eager, catch_up_hours=12)
    assert worst_error(in_a_day, 24) < 0.6 * worst_error(to_week_end, 24)
    assert mean_error(in_a_day) < 0.6 * mean_error(to_week_end)
    assert 0.97 < in_a_day[-1][0] <= 1.0


def test_the_catch_up_horizon_does_not_oscillate_after_a_step_change_in_traffic():
    traffic = [1.0] * 84 + [2.0] * 84
    states, curve = simulate(traffic, demand=3 * BUDGET, catch_up_hours=12)
    # From the surge to the week's last hour. In its last hour every variant (the one
    # without a catch-up horizon too) makes one final cut to land on the budget: what is
    # left over a sliver of traffic; that is not a swing.
    settled = [s.multiplier for s in states[84 * STEPS_PER_HOUR + 24:(HOURS - 1) * STEPS_PER_HOUR]]
    moves = [(b - a) / a for a, b in itertools.pairwise(settled) if abs(b - a) > 1e-12]
    assert sum(1 for a, b in itertools.pairwise(moves) if (a > 0) != (b > 0)) <= 1
    assert all(abs(move) < 0.05 for move in moves)  # small corrections, no swings
    assert worst_error(curve, 12) < 0.02
    assert curve[-1][0] > 0.95


def test_desired_rate_aims_at_the_curve_ahead():
    # A quarter through the week, 10 points ahead: to be back on the curve at 0.5 it
    # spends at 0.15 / 0.25 of the budget per unit of traffic, not 0.65 / 0.75.
    assert desired_rate(BUDGET, 35 * BUDGET // 100, 0.25, 0.5) == pytest.approx(BUDGET * 0.15 / 0.25)
    assert desired_rate(BUDGET, 35 * BUDGET // 100, 0.25) == pytest.approx(BUDGET * 0.65 / 0.75)
    assert desired_rate(BUDGET, 60 * BUDGET // 100, 0.25, 0.5) == 0.0


def test_desired_rate_absorbs_past_overspend():
    assert desired_rate(BUDGET, BUDGET // 2, 0.25) < desired_rate(BUDGET, BUDGET // 4, 0.25)
    assert desired_rate(BUDGET, BUDGET, 0.5) == 0


SMALL_BUDGET = 7_000_000
CLICK = 300_000
CAUTIOUS = PacingState(multiplier=0.25, throttle=0.2)  # where a new campaign starts


def _steps(state, *, spent_at, window_spent_at, until_tau, every=1 / 672):
    """Pacing steps every ``every`` of the week's (flat) traffic up to ``until_tau``: the
    spend so far and in the last two hours as functions of tau; the states after each step."""
    states, tau = [], 0.0
    window = 2 / 168
    while tau < until_tau:
        tau += every
        state = pacing_step(state, budget_micros=SMALL_BUDGET, spent_micros=spent_at(tau), tau=tau,
                            window_spent_micros=window_spent_at(tau), window_traffic=min(window, tau),
                            click_micros=CLICK, tau_ahead=min(1.0, tau + 12 / 168))
        states.append(state)
    return states


def test_a_small_campaign_that_buys_nothing_opens_up_within_a_day():
    # $7 a week at $0.30 a click: two hours should buy a tenth of a click, so a quiet two
    # hours says nothing; the day so far says the campaign is behind, and it opens up.
    states = _steps(CAUTIOUS, spent_at=lambda tau: 0, window_spent_at=lambda tau: 0, until_tau=1 / 7)
    assert states[-1].throttle == 1.0
    assert states[-1].multiplier > CAUTIOUS.multiplier
    assert states[3] == CAUTIOUS  # the first hour could not have bought a click either way


def test_a_small_campaign_on_its_curve_sits_still_through_a_quiet_spell():
    # A click every few hours keeps it on the curve; the hours between clicks are quiet.
    def spent(tau):
        return min(SMALL_BUDGET, int(tau * SMALL_BUDGET) // CLICK * CLICK)

    def recent(tau):
        return spent(tau) - spent(max(0.0, tau - 2 / 168))

    state = PacingState(multiplier=0.6, throttle=1.0)
    states = _steps(state, spent_at=spent, window_spent_at=recent, until_tau=0.9)
    multipliers = [s.multiplier for s in states[100:]]
    assert max(multipliers) / min(multipliers) < 1.5  # no bidding up in every quiet spell
    assert all(s.throttle == 1.0 for s in states)
