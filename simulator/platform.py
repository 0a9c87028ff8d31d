"""How the simulator talks to ClosetAds: the services behind the storefront API.

The calls take and return the API's JSON bodies, so a run drives the same code paths as
the storefront does (validation, charging, attribution), in-process and fast.
"""

from __future__ import annotations

import math
from typing import Any, Protocol


class Platform(Protocol):
    def sync_sellers(self, items: list[dict]) -> dict: ...
    def sync_listings(self, items: list[dict]) -> dict: ...
    def auction(self, request: dict, *, holdout: bool) -> dict: ...
    def events(self, body: dict) -> dict: ...


class InProcessPlatform:
    """Calls the same services the API views call, in this process (fast, no HTTP)."""

    def sync_sellers(self, items: list[dict]) -> dict:
        from sellers import catalog

        return catalog.sellers_upsert(items).as_dict()

    def sync_listings(self, items: list[dict]) -> dict:
        from sellers import catalog

        return catalog.listings_upsert(items).as_dict()

    def auction(self, request: dict, *, holdout: bool) -> dict:
        from auction.services import auctions_run

        # No wall-clock deadline: a run must not depend on how busy the machine is.
        return auctions_run({"auctions": [request]}, holdout=(lambda _user: True) if holdout else None,
                            deadline_seconds=math.inf)

    def events(self, body: dict) -> dict:
        from analytics.services import events_ingest

        return events_ingest(body)


def result_winners(response: dict[str, Any]) -> list[dict]:
    results = response.get("results") or [{}]
    return results[0].get("winners") or []
