from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from analytics.management.commands._range import parse_range
from analytics.services import attribution_recompute, attribution_run_pending


class Command(BaseCommand):
    help = ("Recompute attribution for purchases made in [--since, --until) (UTC), idempotently; "
            "without a range, attribute what is new (what the minute task does).")

    def add_arguments(self, parser):
        parser.add_argument("--since", help="Date (YYYY-MM-DD, UTC) or RFC 3339 timestamp.")
        parser.add_argument("--until", help="Date (YYYY-MM-DD, UTC) or RFC 3339 timestamp; exclusive.")

    def handle(self, *args, since: str | None, until: str | None, **options):
        if since is None and until is None:
            result = attribution_run_pending()
        else:
            if since is None or until is None:
                raise CommandError("give both --since and --until (or neither)")
            result = attribution_recompute(*parse_range(since, until))
        self.stdout.write(json.dumps(result.as_dict(), sort_keys=True))
