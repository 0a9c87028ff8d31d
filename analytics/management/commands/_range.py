"""--since/--until parsing and the range command shared by the analytics commands."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from core.validation import parse_datetime


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


class RangeCommand(BaseCommand):
    """A command over [--since, --until) (UTC) that recomputes idempotently, or without a range
    does what its minute task does. Subclasses set ``help`` and the two services below (as
    ``staticmethod(service)``)."""

    pending: Callable[[], Any]  # what the minute task does
    recompute: Callable[[dt.datetime, dt.datetime], Any]  # the range, idempotently

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--since", help="Date (YYYY-MM-DD, UTC) or RFC 3339 timestamp.")
        parser.add_argument("--until", help="Date (YYYY-MM-DD, UTC) or RFC 3339 timestamp; exclusive.")

    def handle(self, *args: Any, since: str | None, until: str | None, **options: Any) -> None:
        if since is None and until is None:
            result = self.pending()
        elif since is None or until is None:
            raise CommandError("give both --since and --until (or neither)")
        else:
            result = self.recompute(*parse_range(since, until))
        self.stdout.write(json.dumps(result.as_dict(), sort_keys=True))
