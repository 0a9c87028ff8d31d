"""Fixtures shared by every app's tests.

The suite runs on SQLite by default and on PostgreSQL + Redis when DATABASE_URL and
REDIS_URL are set (the Redis database named there is flushed between tests). Tests marked
``postgres`` (real concurrency) are deselected, visibly, on SQLite.
"""

from __future__ import annotations

import os
from pathlib import Path

import django
import pytest
from django.conf import settings

# Test mode, said explicitly and before Django starts: the settings read CLOSETADS_TESTING
# (a process a test spawns as a stand-in for production leaves it out). The project's apps
# are set up here, before the apps' own conftest.py files import their models; pytest-django
# then finds Django set up and blocks database access outside tests as usual.
os.environ["CLOSETADS_TESTING"] = "1"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
if not settings.TESTING:
    raise pytest.UsageError("Django's settings were loaded before conftest.py could set CLOSETADS_TESTING=1: "
                            "run pytest without DJANGO_SETTINGS_MODULE in the environment.")
django.setup()

from core import state  # noqa: E402 - after the test mode is set


def pytest_sessionstart(session):
    """Build any translation (.mo) older than its catalog (.po), as `make test` does, so that a
    bare `pytest` also sees the current Spanish strings (GNU msgfmt where installed, else
    core.pofile's compiler)."""
    from core import pofile

    stale = [po for po in Path(__file__).parent.glob("locale/*/LC_MESSAGES/django.po")
             if not po.with_suffix(".mo").exists() or po.with_suffix(".mo").stat().st_mtime < po.stat().st_mtime]
    for po in stale:
        pofile.build_mo(po, po.with_suffix(".mo"))


def pytest_collection_modifyitems(config, items):
    # Browser tests need a Chromium: without one, stop now with one line saying what to
    # install (`make test` gets one first: dev/browser.py), not a page of fixture errors.
    if any(item.get_closest_marker("browser") for item in items):
        from dev.browser import MISSING, chromium_launch

        if chromium_launch() is None:
            pytest.exit(MISSING, returncode=1)
    if settings.USING_POSTGRES:
        return
    deselected = [item for item in items if item.get_closest_marker("postgres")]
    if deselected:
        items[:] = [item for item in items if not item.get_closest_marker("postgres")]
        config.hook.pytest_deselected(items=deselected)


@pytest.fixture(autouse=True)
def _fresh_process_state(settings, monkeypatch):
    """Process-wide state must not outlive a test's database (a new database's change
    counters can equal the last one's, and the index would serve the old catalog; a
    background write would meet the next test's transaction on SQLite's shared in-memory
    database): every piece registered in core/state.py is reset before and after (a
    module registers its state when imported, so nothing here names them)."""
    # The change listener is off in tests but its own (core/tests/test_change_listener.py):
    # each test's counters are read per request, from that test's database.
    settings.CHANGE_LISTENER = False
    # Auctions get the longest deadline the admin allows (2 s) unless a test sets one: the
    # default 100 ms, counted from the start of the call, includes the index's first build,
    # and on a loaded CI machine that alone made an auction fail open now and then. The
    # deadline's own tests set it (or start the clock early) explicitly.
    from auction.models import AuctionSettings

    monkeypatch.setattr(AuctionSettings._meta.get_field("deadline_ms"), "default", 2000)
    state.reset_all()
    yield
    state.reset_all()


@pytest.fixture
def api_key(db):
    """A raw API key with every scope."""
    from core.services import api_key_create

    _, raw = api_key_create("tests", ["auctions", "events", "catalog"])
    return raw


@pytest.fixture
def api(client, api_key):
    """A Django test client that posts JSON with a Bearer key."""

    class Api:
        def __init__(self, key: str) -> None:
            self.key = key

        def post(self, path: str, body=None, *, raw: bytes | str | None = None, key: str | None = "default"):
            headers = {}
            token = self.key if key == "default" else key
            if token is not None:
                headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"
            import json

            data = raw if raw is not None else json.dumps(body)
            return client.post(path, data=data, content_type="application/json", **headers)

    return Api(api_key)
