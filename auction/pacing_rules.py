"""Budget pacing: move each campaign's bid multiplier and throttle toward the ideal curve.

The ideal spend after a share ``tau`` of the week's expected traffic is ``budget * tau``.
Rather than integrating the gap to that curve (which winds up and oscillates: measured in
tests/test_pacing_controller.py), each step compares two *rates*, per unit of traffic:

- desired: what is left of the budget over what is left of the week's traffic,
  ``(budget - spent) / (1 - tau)``; it absorbs past over- or under-spend by itself;
- observed: what was spent over the recent window per unit of traffic in that window.

Their ratio says how much more or less to spend from now on. Moving the controls by a
damped share of its logarithm, bounded per step, with a dead band, converges in a few
steps without chasing noise:

- spend less: lower the multiplier (cheaper bids, fewer wins); at its floor, lower the
  throttle (enter fewer auctions);
- spend more: raise the throttle back to 1 first, then the multiplier.

Manual-CPC campaigns keep their multiplier at 1 and are paced by the throttle alone.
The hard budget cap is elsewhere (the atomic charge); pacing only shapes the spend.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

MULTIPLIER_MIN = 0.05
# Never bid above what a click is expected to be worth to the seller (lambda = 1).
MULTIPLIER_MAX = 1.0
THROTTLE_MIN = 0.02
DAMPING = 0.5  # move by half the log-ratio each step: robust to overlapping windows and noise
MAX_LOG_STEP = 0.35  # at most x1.42 or /1.42 in one step
DEAD_BAND = 0.05  # |log ratio| below this: leave the controls alone
# Bid response: spend grows roughly like multiplier ** BID_ELASTICITY (fewer, cheaper wins).
BID_ELASTICITY = 0.8


@dataclass(frozen=True)
class PacingState:
    multiplier: float = 1.0
    throttle: float = 1.0


def desired_rate(budget_micros: int, spent_micros: int, tau: float, tau_ahead: float = 1.0) -> float:
    """Micros to spend per unit of the week's traffic from now on to be back on the ideal
    curve when the share ``tau_ahead`` of the week's traffic has passed (1: at the week's
    end, which spreads a gap over the whole rest of the week)."""
    tau = min(max(tau, 0.0), 1.0)
    tau_ahead = min(max(tau_ahead, tau), 1.0)
    if tau_ahead >= 1.0:
        return max(0, budget_micros - spent_micros) / max(1.0 - tau, 1e-3)
    return max(0.0, budget_micros * tau_ahead - spent_micros) / max(tau_ahead - tau, 1e-3)


def pacing_step(state: PacingState, *, budget_micros: int, spent_micros: int, tau: float,
                window_spent_micros: int, window_traffic: float, manual: bool = False,
                click_micros: int = 0, tau_ahead: float = 1.0) -> PacingState:
    """The next multiplier and throttle for one campaign.

    ``tau_ahead``: the share of the week's traffic passed at the end of the catch-up
    horizon (``desired_rate``); 1 aims at the budget at the week's end.

    ``window_spent_micros`` was spent while ``window_traffic`` (a share of the week's
    traffic) passed, over a recent look-back window (a couple of hours, say).
    ``click_micros`` is what a click typically costs this campaign: when the window should
    have bought less than one click, it says too little, and the period so far (``tau``,
    spent ``spent_micros``) is the window instead. A small budget buys a click every few
    hours: judged on a quiet two hours alone, the controller bid up during every quiet
    spell and overshot at the next click; ignoring such windows altogether left a small
    campaign that never got a click at its cautious start for most of the week.
    When even the period so far should have bought less than one click, the controls stay put.
    """
    multiplier = 1.0 if manual else state.multiplier
    throttle = state.throttle
    if window_traffic < 1e-9 or budget_micros <= 0:
        return PacingState(multiplier, throttle)
    want = desired_rate(budget_micros, spent_micros, tau, tau_ahead)
    if want * window_traffic < click_micros:
        window_spent_micros, window_traffic = spent_micros, max(tau, window_traffic)
        if window_spent_micros <= 0 and want * window_traffic < click_micros:
            return PacingState(multiplier, throttle)
    seen = window_spent_micros / window_traffic
    if want <= 0:
        log_ratio = -MAX_LOG_STEP
    elif seen <= 0:
        log_ratio = MAX_LOG_STEP  # nothing spent lately: reach further
    else:
        log_ratio = math.log(want / seen)
    if abs(log_ratio) < DEAD_BAND:
        return PacingState(multiplier, throttle)
    step = max(-MAX_LOG_STEP, min(MAX_LOG_STEP, DAMPING * log_ratio))
    bid_step = max(-MAX_LOG_STEP, min(MAX_LOG_STEP, step / BID_ELASTICITY))
    if step < 0:  # spend less: cheaper bids first, then fewer auctions
        if not manual and multiplier > MULTIPLIER_MIN:
            multiplier = max(MULTIPLIER_MIN, multiplier * math.exp(bid_step))
        else:
            throttle = max(THROTTLE_MIN, throttle * math.exp(step))
    else:  # spend more: all auctions first, then dearer bids
        if throttle < 1.0:
            throttle = min(1.0, throttle * math.exp(step))
        elif not manual:
            multiplier = min(MULTIPLIER_MAX, multiplier * math.exp(bid_step))
    return PacingState(multiplier=multiplier, throttle=throttle)
