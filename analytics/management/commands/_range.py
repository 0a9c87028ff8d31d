"""--since/--until parsing shared by the analytics commands."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import CommandError

from closetads.validation import parse_datetime


def parse_moment(value: str, option: str) -> dt.datetime:
    """A date (YYYY-MM-DD, midnight UTC) or an RFC 3339 timestamp with a zone, as aware UTC."""
    value = value.strip()
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        moment = parse_datetime(value)
        if moment is None:
            raise CommandError(f"{option} {value!r}: give a date (2026-11-30) or a timestamp with a zone "
                               "(2026-11-30T10:00:00Z)") from None
        return moment
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


def parse_range(since: str, until: str) -> tuple[dt.datetime, dt.datetime]:
    start, end = parse_moment(since, "--since"), parse_moment(until, "--until")
    if end <= start:
        raise CommandError("--until must be after --since")
    return start, end
