"""How the simulator talks to ClosetAds: in-process services, or the HTTP API.

Both adapters expose the same four calls, with the API's JSON bodies, so a run drives the
same code paths either way.
"""

from __future__ import annotations

import http.client
import json
from typing import Any, Protocol
from urllib.parse import urlparse


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

        return auctions_run({"auctions": [request]}, holdout=holdout)

    def events(self, body: dict) -> dict:
        from analytics.services import events_ingest

        return events_ingest(body)


class HttpPlatform:
    """The storefront API over HTTP with one keep-alive connection."""

    def __init__(self, base_url: str, api_key: str, timeout: float = 30.0) -> None:
        parsed = urlparse(base_url)
        if parsed.scheme not in {"http", "https"} or not parsed.hostname:
            raise ValueError(f"--http needs a URL such as http://127.0.0.1:8000, not {base_url!r}")
        self.scheme, self.host, self.port = parsed.scheme, parsed.hostname, parsed.port
        self.prefix = parsed.path.rstrip("/")
        self.api_key = api_key
        self.timeout = timeout
        self._conn: http.client.HTTPConnection | None = None

    def _connection(self) -> http.client.HTTPConnection:
        if self._conn is None:
            cls = http.client.HTTPSConnection if self.scheme == "https" else http.client.HTTPConnection
            self._conn = cls(self.host, self.port, timeout=self.timeout)
        return self._conn

    def _post(self, path: str, body: dict) -> dict:
        payload = json.dumps(body).encode()
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {self.api_key}"}
        for attempt in range(2):
            conn = self._connection()
            try:
                conn.request("POST", self.prefix + path, body=payload, headers=headers)
                response = conn.getresponse()
                data = response.read()
            except (http.client.HTTPException, ConnectionError, OSError):
                self._conn = None
                if attempt:
                    raise
                continue
            if response.status >= 400:
                raise RuntimeError(f"POST {path} answered {response.status}: {data[:500]!r}")
            return json.loads(data)
        raise RuntimeError("unreachable")

    def sync_sellers(self, items: list[dict]) -> dict:
        return self._post("/api/v1/catalog/sellers", {"sellers": items})

    def sync_listings(self, items: list[dict]) -> dict:
        return self._post("/api/v1/catalog/listings", {"listings": items})

    def auction(self, request: dict, *, holdout: bool) -> dict:
        # Over HTTP there is no holdout flag: the simulator hides the winners itself.
        response = self._post("/api/v1/auctions", {"auctions": [request]})
        if holdout:
            for result in response.get("results", []):
                result["winners"] = []
        return response

    def events(self, body: dict) -> dict:
        return self._post("/api/v1/events", body)


def result_winners(response: dict[str, Any]) -> list[dict]:
    results = response.get("results") or [{}]
    return results[0].get("winners") or []
