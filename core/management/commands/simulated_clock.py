from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.models import SimulatedClock
from core.services import simulated_clock_set


class Command(BaseCommand):
    help = ("Show, set or clear the simulated time that servers started with CLOSETADS_SIMULATED_CLOCK=1 "
            "follow (simulate --http sets it during a run and clears it at the end).")

    def add_arguments(self, parser: CommandParser) -> None:
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--set", dest="moment", metavar="DATETIME",
                           help="ISO date-time with a zone, e.g. 2027-01-04T09:00Z.")
        group.add_argument("--clear", action="store_true", help="Back to the real time.")

    def handle(self, *args: Any, moment: str | None, clear: bool, **options: Any) -> None:
        if moment is not None:
            try:
                value = dt.datetime.fromisoformat(moment)
            except ValueError:
                raise CommandError(f"--set {moment!r} is not an ISO date-time") from None
            if value.tzinfo is None:
                raise CommandError("--set needs a zone, e.g. 2027-01-04T09:00Z")
            simulated_clock_set(value, run="manage.py simulated_clock")
        elif clear:
            simulated_clock_set(None)
        row = SimulatedClock.objects.filter(pk=1).first()
        if row is None or row.now is None:
            self.stdout.write("real time")
        else:
            self.stdout.write(f"{row.now.isoformat()} (set by {row.run or 'unknown'})")
