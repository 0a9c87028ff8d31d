"""Page layout and the position curve: where ads go on a page and what a place is worth.

Plain functions over plain data (no database).

- ``slot_positions_for(defaults, slots)``: the page positions (1-based, counting organic
  and sponsored items together) of sponsored slots 1..n when the request names none: the
  placement's admin default, continued at its last spacing when more slots are asked.
- ``PositionCurve``: ``v(k)``, a shopper's chance to click an item at page position ``k``
  relative to position 1 (design.md, Auction). Learnt from organic clicks by position
  (``fit_position_curve``) and stored with each click model version; ``DEFAULT_CURVE``
  stands in until there is one. ``v(k) = 0`` past ``depth``: shoppers do not scan that far.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

DEFAULT_SLOT_POSITIONS = (1, 5, 9, 13)
MAX_POSITION = 1000


def slot_positions_for(defaults: Sequence[int], slots: int) -> tuple[int, ...]:
    """The first ``slots`` page positions of ``defaults``, continued at its last spacing
    (every 4th position for a single default) when more slots are asked than it lists."""
    if slots <= 0:
        return ()
    positions = list(defaults[:slots]) or [1]
    step = positions[-1] - positions[-2] if len(positions) >= 2 else 4
    step = max(1, step)
    while len(positions) < slots:
        positions.append(positions[-1] + step)
    return tuple(min(p, MAX_POSITION + slots) for p in positions)


@dataclass(frozen=True, slots=True)
class PositionCurve:
    """``values[k - 1]`` is ``v(k)`` for page positions ``k = 1..depth`` (``v(1) = 1``,
    never rising); past the depth, 0. ``exponent``: the power law ``v(k) = k ** -exponent``
    the values follow; ``source``: where it came from (a model version, or the default)."""

    values: tuple[float, ...]
    exponent: float
    source: str = "default"

    @property
    def depth(self) -> int:
        return len(self.values)

    def at(self, position: int) -> float:
        """``v(position)`` (1-based); 0 past the depth."""
        return self.values[position - 1] if 1 <= position <= len(self.values) else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {"exponent": self.exponent, "depth": self.depth, "source": self.source}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None, source: str = "") -> PositionCurve | None:
        """The curve stored on a model version (``as_dict`` plus the fit's figures), or None."""
        if not data or "exponent" not in data or "depth" not in data:
            return None
        return power_curve(float(data["exponent"]), int(data["depth"]), source or str(data.get("source", "")))


def power_curve(exponent: float, depth: int, source: str = "default") -> PositionCurve:
    """``v(k) = k ** -exponent`` for ``k = 1..depth``."""
    exponent = max(0.0, float(exponent))
    depth = max(1, min(int(depth), MAX_POSITION))
    return PositionCurve(tuple(k ** -exponent for k in range(1, depth + 1)), exponent, source)


# Before any click model has learnt one: a steep curve (clicks halve from position 1 to 2),
# which counts displacement high, so that an unmeasured marketplace errs on showing fewer
# ads. 40 positions: two screens of a phone's two-column grid.
DEFAULT_CURVE = power_curve(1.0, 40)

MIN_CLICKS_PER_POSITION = 5
MIN_POSITIONS = 3
# Fewer organic clicks than this in all (a first night's training on a few hours of
# traffic) fit a curve on noise: the simulator's first one came out nearly flat (exponent
# 0.25 against about 0.8 a day later) and let ads push good results down all day.
MIN_TOTAL_CLICKS = 500
# Depth: the deepest position still getting this share of position 1's impressions, at
# most MAX_DEPTH (each slot's gate walks the page to the depth: it must stay short).
DEPTH_SHARE = 0.01
MAX_DEPTH = 200


def fit_position_curve(impressions: Mapping[int, int], clicks: Mapping[int, int],
                       source: str = "", exclude: Collection[int] = ()) -> PositionCurve | None:
    """The power law ``v(k) = k ** -a`` that fits organic clicks per page position.

    ``impressions`` and ``clicks`` count organic events by 1-based position. Fitted on
    ``log clicks(k) = b - a log k`` over the positions with at least
    ``MIN_CLICKS_PER_POSITION`` clicks, each weighted by its clicks (a position's log count
    has variance about 1/clicks). The intercept absorbs the level, so positions where
    sponsored slots often sit (fewer organic events there) pull the slope little. Clicks
    per position, not per impression: a place's worth includes the chance of being seen.
    The depth is the deepest position with ``DEPTH_SHARE`` of position 1's impressions.
    ``exclude``: positions left out of the slope fit, the sponsored slots' positions: ads
    sit there on some pages, so those places show fewer organic clicks than their worth
    (filling 30% of them pulled a true exponent of 0.65 down to 0.58).
    None when there is too little data (fewer than ``MIN_TOTAL_CLICKS`` clicks, or fewer
    than ``MIN_POSITIONS`` usable positions).
    """
    if sum(n for k, n in clicks.items() if k >= 1) < MIN_TOTAL_CLICKS:
        return None
    skip = set(exclude)
    usable = sorted(k for k, n in clicks.items()
                    if k >= 1 and n >= MIN_CLICKS_PER_POSITION and k not in skip)
    if len(usable) < MIN_POSITIONS:
        return None
    xs = [math.log(k) for k in usable]
    ys = [math.log(clicks[k]) for k in usable]
    ws = [float(clicks[k]) for k in usable]
    total = sum(ws)
    mx = sum(w * x for w, x in zip(ws, xs, strict=True)) / total
    my = sum(w * y for w, y in zip(ws, ys, strict=True)) / total
    sxx = sum(w * (x - mx) ** 2 for w, x in zip(ws, xs, strict=True))
    if sxx <= 0:
        return None
    slope = sum(w * (x - mx) * (y - my) for w, x, y in zip(ws, xs, ys, strict=True)) / sxx
    top = max(impressions.get(1, 0), max(impressions.values(), default=0))
    seen = [k for k, n in impressions.items() if k >= 1 and top and n >= DEPTH_SHARE * top]
    depth = min(max(seen) if seen else max(usable), MAX_DEPTH)
    return power_curve(round(max(0.0, -slope), 4), depth, source)
