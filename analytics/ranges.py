"""Date ranges of the seller pages: presets (last 7/14/30/90 days) or a custom start..end.

Plain functions over plain data. Days are the seller's local days; a range is inclusive
of both ends (as a seller reads "Nov 1 - Nov 7") and is turned into a half-open UTC
interval [start 00:00 local, day after end 00:00 local) for the rollups.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass

from django.conf import settings
from django.utils import formats
from django.utils.translation import gettext as _

from core.validation import FieldError

PRESETS = (7, 14, 30, 90)
DEFAULT_PRESET = 30
MAX_DAYS = 731  # two years, leap day included


class RangeError(FieldError):
    """A range a person asked for that cannot be served; ``field`` names the parameter."""


@dataclass(frozen=True)
class DayRange:
    """Local days [start, end], both included, in ``tz``; ``preset`` is N for "last N days"."""

    start: dt.date
    end: dt.date
    tz: dt.tzinfo
    preset: int | None = None

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def dates(self) -> list[dt.date]:
        return [self.start + dt.timedelta(days=i) for i in range(self.days)]

    def utc_bounds(self) -> tuple[dt.datetime, dt.datetime]:
        """[start of the first day, start of the day after the last) as UTC instants."""
        return local_midnight(self.start, self.tz), local_midnight(self.end + dt.timedelta(days=1), self.tz)

    def previous(self) -> DayRange:
        """The period of equal length just before this one (what the KPI changes compare with)."""
        return DayRange(self.start - dt.timedelta(days=self.days), self.start - dt.timedelta(days=1), self.tz)

    def query(self) -> str:
        if self.preset:
            return f"range={self.preset}"
        return f"start={self.start.isoformat()}&end={self.end.isoformat()}"


def local_midnight(day: dt.date, tz: dt.tzinfo) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), tzinfo=tz).astimezone(dt.UTC)


def seller_tz(seller) -> dt.tzinfo:
    """The seller's time zone (``Seller.time_zone``), else the marketplace's; an unknown name falls back too."""
    name = (getattr(seller, "time_zone", "") or "").strip()
    if name:
        try:
            return zoneinfo.ZoneInfo(name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            pass
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def _date(params, field: str) -> dt.date:
    raw = (params.get(field) or "").strip()
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise RangeError(field, _("“%(text)s” is not a date: use YYYY-MM-DD, e.g. 2026-11-30.")
                         % {"text": raw[:40]}) from None


def parse_range(params, *, today: dt.date, tz: dt.tzinfo, default: int | None = DEFAULT_PRESET) -> DayRange:
    """The range asked for by ``range=N`` (a preset) or ``start``/``end`` (YYYY-MM-DD, both included).

    Neither given: the last ``default`` days (a RangeError when ``default`` is None).
    Raises RangeError for an unknown preset, a malformed or reversed date, only one end,
    or a range longer than two years. The end may be in the future (up to today's range).
    """
    has_start, has_end = bool(params.get("start")), bool(params.get("end"))
    preset = (params.get("range") or "").strip()
    if has_start or has_end:
        if not (has_start and has_end):
            missing = "end" if has_start else "start"
            raise RangeError(missing, _("Give both a start and an end date (the end is missing).") if missing == "end"
                             else _("Give both a start and an end date (the start is missing)."))
        start, end = _date(params, "start"), _date(params, "end")
        if end < start:
            day_format = _("M j, Y")
            raise RangeError("end", _("The end date (%(end)s) is before the start date (%(start)s).")
                             % {"end": formats.date_format(end, day_format),
                                "start": formats.date_format(start, day_format)})
        if (end - start).days + 1 > MAX_DAYS:
            raise RangeError("end", _("A range can be at most two years long: pick a shorter one."))
        return DayRange(start, end, tz)
    if preset:
        try:
            days = int(preset)
        except ValueError:
            days = 0
        if days not in PRESETS:
            raise RangeError("range", _("Choose one of the last %(presets)s days or a custom range.")
                             % {"presets": ", ".join(map(str, PRESETS))})
        return last_days(days, today=today, tz=tz)
    if default is None:
        raise RangeError("start", _("Give a start and an end date (YYYY-MM-DD)."))
    return last_days(default, today=today, tz=tz)


def last_days(days: int, *, today: dt.date, tz: dt.tzinfo) -> DayRange:
    """The last ``days`` days, today included."""
    return DayRange(today - dt.timedelta(days=days - 1), today, tz, preset=days)
