from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core import periodic
from core.simulated_clock import pinned_to_stored


class Command(BaseCommand):
    help = ("Run the periodic work (pacing, attribution, rollups, ...) once, now (the simulated time "
            "stored by simulate --http when CLOSETADS_SIMULATED_CLOCK is on).")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--only", default=None,
            help="Comma-separated job names, e.g. rollups,attribution (default: every registered job).",
        )

    def handle(self, *args: Any, only: str | None, **options: Any) -> None:
        try:
            selected = periodic.select(only.split(",") if only is not None else None)
        except periodic.UnknownJob as exc:
            raise CommandError(str(exc)) from None
        if not selected:
            raise CommandError("no periodic job selected; registered: "
                               + (", ".join(job.name for job in periodic.jobs()) or "none"))
        with pinned_to_stored():
            for job in selected:
                result = job.func()
                self.stdout.write(f"{job.name}: {json.dumps(result, default=str, sort_keys=True)}")
