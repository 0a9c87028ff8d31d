from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.models import SCOPES
from core.services import api_key_create


class Command(BaseCommand):
    help = "Create a storefront API key and print it once (only its hash is stored)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="Who uses the key, e.g. storefront-prod.")
        parser.add_argument(
            "--scopes", default=",".join(SCOPES),
            help=f"Comma-separated scopes among {', '.join(SCOPES)} (default: all).",
        )

    def handle(self, *args: Any, name: str, scopes: str, **options: Any) -> None:
        try:
            key, raw = api_key_create(name, [s.strip() for s in scopes.split(",") if s.strip()])
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        self.stderr.write(f"Created API key {key.name!r} with scopes {', '.join(key.scopes)}. "
                          "It is shown only now; store it safely:")
        self.stdout.write(raw)
