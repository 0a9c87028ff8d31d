"""How the simulator talks to ClosetAds: the storefront API, in-process or over HTTP.

The calls take and return the API's JSON bodies, so a run drives the same code paths as
the storefront does (validation, charging, attribution): ``InProcessPlatform`` calls the
services behind the API in this process (fast); ``HttpPlatform`` sends the same bodies to a
running server (``simulate --http URL --api-key KEY``).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any, Protocol

from core import clock
from core.simulated_clock import HEADER as SIMULATED_CLOCK_HEADER


class Platform(Protocol):
    def sync_sellers(self, items: list[dict]) -> dict: ...
    def sync_listings(self, items: list[dict]) -> dict: ...
    def auction(self, request: dict) -> dict: ...
    def events(self, body: dict) -> dict: ...


class InProcessPlatform:
    """Calls the same services the API views call, in this process (fast, no HTTP)."""

    def sync_sellers(self, items: list[dict]) -> dict:
        from sellers import catalog

        return catalog.sellers_upsert(items).as_dict()

    def sync_listings(self, items: list[dict]) -> dict:
        from sellers import catalog

        return catalog.listings_upsert(items).as_dict()

    def auction(self, request: dict) -> dict:
        from auction.services import auctions_run

        # No wall-clock deadline: a run must not depend on how busy the machine is.
        return auctions_run({"auctions": [request]}, deadline_seconds=math.inf)

    def events(self, body: dict) -> dict:
        from analytics.services import events_ingest

        return events_ingest(body)


class PlatformError(Exception):
    """The server could not be reached, refused a call, or does not follow the simulated clock."""


class HttpPlatform:
    """The storefront API of a running server, over HTTP, on the simulated clock.

    Before each call whose simulated time moved, the time is stored in the database the
    server shares (``core.services.simulated_clock_set``); a server started with
    ``CLOSETADS_SIMULATED_CLOCK=1`` pins each request to it and echoes it in a response
    header, which is checked on every answer: a server on the real time, or on another
    database, stops the run with a clear error instead of producing wrong figures.

    Catalog and event calls are idempotent (ids), so they are retried on a 5xx or a broken
    connection; an auction is never retried (the server would count it twice).

    Holdout: the API holds nobody out, so a held-out buyer's auction is sent like any other
    and its winners are dropped here (ghost ads decided by the storefront): the buyer sees
    no ads, the auction still counts in pacing's traffic, and the server's decision counters
    record those listings as won rather than ``held_out``.
    """

    ATTEMPTS = 3

    def __init__(self, base_url: str, api_key: str, *, run: str = "", timeout: float = 120.0) -> None:
        if urllib.parse.urlparse(base_url).scheme not in ("http", "https"):
            raise PlatformError(f"--http needs an http:// or https:// URL, not {base_url!r}")
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.run = run
        self.timeout = timeout
        self._published: dt.datetime | None = None
        self.calls = 0
        self.seconds = 0.0  # wall time spent waiting for the server

    # -- the Platform protocol -------------------------------------------------------------
    def sync_sellers(self, items: list[dict]) -> dict:
        return self._post("/api/v1/catalog/sellers", {"sellers": items}, retry=True)

    def sync_listings(self, items: list[dict]) -> dict:
        return self._post("/api/v1/catalog/listings", {"listings": items}, retry=True)

    def auction(self, request: dict) -> dict:
        return self._post("/api/v1/auctions", {"auctions": [request]}, retry=False)

    def events(self, body: dict) -> dict:
        return self._post("/api/v1/events", body, retry=True)

    # -- before a run -------------------------------------------------------------------------
    def check(self) -> None:
        """Fail early and clearly: the server answers, follows this database's simulated clock,
        and the key carries the catalog, auctions and events scopes (an empty body is a 400
        once the key passed, so nothing is stored)."""
        self._publish_clock()
        self._call("GET", "/healthz", None)
        for path, scope in (("/api/v1/catalog/sellers", "catalog"), ("/api/v1/auctions", "auctions"),
                            ("/api/v1/events", "events")):
            status, payload = self._call("POST", path, {})
            if status in (401, 403):
                raise PlatformError(f"the server refused the API key for {path} (HTTP {status}: "
                                    f"{_messages(payload)}); it needs the scope {scope!r}: create one with "
                                    "manage.py create_api_key NAME --scopes catalog,auctions,events")
            if status not in (200, 201, 400):
                raise PlatformError(f"POST {path} answered HTTP {status}: {_messages(payload)}")

    def clear_clock(self) -> None:
        """Give the server back the real time."""
        from core.services import simulated_clock_set

        simulated_clock_set(None)
        self._published = None

    # -- plumbing -------------------------------------------------------------------------------
    def _publish_clock(self) -> None:
        now = clock.now()
        if now != self._published:
            from core.services import simulated_clock_set

            simulated_clock_set(now, run=self.run)
            self._published = now

    def _post(self, path: str, body: dict, *, retry: bool) -> dict:
        self._publish_clock()
        for attempt in range(1, self.ATTEMPTS + 1):
            try:
                status, payload = self._call("POST", path, body)
            except PlatformError:
                if not retry or attempt == self.ATTEMPTS:
                    raise
                time.sleep(0.5 * attempt)
                continue
            if status >= 500 and retry and attempt < self.ATTEMPTS:
                time.sleep(0.5 * attempt)
                continue
            if status >= 400:
                raise PlatformError(f"POST {path} answered HTTP {status}: {_messages(payload)}")
            return payload
        raise AssertionError("unreachable")

    def _call(self, method: str, path: str, body: dict | None) -> tuple[int, Any]:
        data = None if body is None else json.dumps(body, separators=(",", ":")).encode()
        request = urllib.request.Request(self.base_url + path, data=data, method=method, headers={  # noqa: S310
            "Authorization": f"Bearer {self.api_key}", "Content-Type": "application/json",
            "Accept": "application/json"})
        began = time.perf_counter()
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:  # noqa: S310 - http(s) only
                status, headers, raw = answer.status, answer.headers, answer.read()
        except urllib.error.HTTPError as exc:
            status, headers, raw = exc.code, exc.headers, exc.read()
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise PlatformError(f"cannot reach {self.base_url}: {reason}") from None
        finally:
            self.calls += 1
            self.seconds += time.perf_counter() - began
        self._check_clock(headers.get(SIMULATED_CLOCK_HEADER), f"{method} {path} (HTTP {status})")
        try:
            payload = json.loads(raw) if raw else {}
        except ValueError:
            payload = {"errors": [{"field": "", "message": raw[:200].decode(errors="replace")}]}
        return status, payload

    def _check_clock(self, echoed: str | None, call: str) -> None:
        if echoed is None:
            raise PlatformError(
                f"{self.base_url} does not follow the simulated clock ({call} carried no "
                f"{SIMULATED_CLOCK_HEADER} header): start the server with CLOSETADS_SIMULATED_CLOCK=1 "
                "(make demo and make run do)")
        seen = None if echoed == "real" else dt.datetime.fromisoformat(echoed)
        if seen != self._published:
            raise PlatformError(
                f"{self.base_url} runs at {echoed}, not at the simulated {_iso_or_real(self._published)} this run "
                "stored: it reads another database. Run simulate with the server's settings (the same "
                "CLOSETADS_DATA_DIR or DATABASE_URL)")


def _iso_or_real(moment: dt.datetime | None) -> str:
    return moment.isoformat() if moment is not None else "real"


def _messages(payload: Any) -> str:
    errors = payload.get("errors") if isinstance(payload, dict) else None
    if isinstance(errors, list) and errors:
        return "; ".join(f"{e.get('field') or '-'}: {e.get('message')}" if isinstance(e, dict) else str(e)
                         for e in errors[:5])
    if isinstance(payload, dict) and "detail" in payload:
        return str(payload["detail"])
    return json.dumps(payload)[:300]


def result_winners(response: dict[str, Any]) -> list[dict]:
    results = response.get("results") or [{}]
    return results[0].get("winners") or []
