"""Several web nodes agree within a second: two gunicorns on one PostgreSQL and Redis.

    python -m dev.bench.run --only nodes

Two gunicorn instances (separate processes, ports 8210 and 8211, two sync workers each,
production settings: the PostgreSQL change listener and the per-process auction index)
serve one database. Three promoted listings, one per seller, each win their own auction on
both nodes; then, one at a time:

- **budget**: a sponsored click on a winning bid is reported to node A, and it spends what
  was left of its campaign's budget week (the period was seeded near its end);
- **pause**: the campaign is paused in the Django admin (the list's "pause" action, over
  HTTP on node A, logged in as a superuser);
- **sold**: the marketplace marks the listing sold through the catalog API on node A.

Both nodes are polled, alternately, every ~20 ms until the winner has gone on each and
stayed gone for half a second (two workers per node: one poll may reach either). A node's
delay runs from the moment the change was *sent* to node A (so it includes that request's
own time: an upper bound on the delay after the commit) to the first poll of the run of
polls without the winner that lasts to the end. ``auction/tests/test_nodes.py`` runs the
same scenario in the suite and asserts each delay is at most 1 s.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlparse

from dev.bench import server

NOTE = ("Two gunicorns (2 sync workers each, ports 8210/8211) on one PostgreSQL and Redis; a change sent "
        "to node A (a click that spends the budget, an admin pause, a catalog sale), then both nodes "
        "polled every ~20 ms: ms from sending the change until the winner has gone for good on each node.")

PORTS = (8210, 8211)
WORKERS = 2
POLL_SECONDS = 0.02
SETTLED_SECONDS = 0.5  # a winner gone this long on a node (every worker asked) is gone for good
GIVE_UP_SECONDS = 10.0
ORGANIC_AHEAD = 20  # unknown organic ids ahead of the promoted one: the ad lifts it well up the page
WEEKLY_MICROS = 50_000_000
LEFT_MICROS = 150_000  # what is left of the budget week: one click at >= the $0.10 reserve spends it
SCENARIOS = ("budget", "pause", "sold")
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/closetads_bench_nodes"


def seed() -> dict[str, Any]:
    """Three sellers, each with one listing promoted by an active campaign, an API key and a
    superuser; the ``budget`` campaign's week has only ``LEFT_MICROS`` left. Runs with Django
    set up (the test's process, or a subprocess of the benchmark); returns what the driver needs.
    """
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import PBKDF2PasswordHasher

    from auction.models import AuctionSettings
    from campaigns.models import BudgetPeriod, Campaign
    from campaigns.services import campaign_create, campaign_launch
    from core import changes
    from core.services import api_key_create
    from sellers.models import Listing, Seller

    rules = AuctionSettings.load()
    rules.holdout_share = 0.0  # every shopper sees the ads
    rules.deadline_ms = 1000  # a loaded 2-core machine: an auction must not fail open and look "gone"
    rules.save()
    run = secrets.token_hex(4)
    seeded: dict[str, Any] = {}
    for name in SCENARIOS:
        seller = Seller.objects.create(marketplace_id=f"nodes-{run}-{name}", username=f"nodes_{run}_{name}",
                                       email=f"nodes-{run}-{name}@example.com")
        listing = Listing.objects.create(
            marketplace_id=f"nodes-{run}-{name}-1", seller=seller, title="Vintage denim jacket", brand="Levi's",
            category="Women/Jackets", size="M", condition=Listing.Condition.GOOD, price_micros=45_000_000,
            status=Listing.Status.AVAILABLE)
        campaign = campaign_create(seller, weekly_budget_micros=WEEKLY_MICROS)
        period = campaign_launch(campaign)
        # As pacing leaves a campaign that is behind: in every auction, at its full bid. The
        # week's budget is whole whatever the day (a launch prorates it).
        Campaign.objects.filter(pk=campaign.pk).update(pacing_throttle=1.0, pacing_multiplier=1.0)
        spent = WEEKLY_MICROS - LEFT_MICROS if name == "budget" else 0
        BudgetPeriod.objects.filter(pk=period.pk).update(budget_micros=WEEKLY_MICROS, spent_micros=spent)
        seeded[name] = {"listing": listing.marketplace_id, "campaign": campaign.pk, "seller": seller.marketplace_id}
    # Written behind the services' backs (the throttle, the period, listings by the ORM): tell
    # the running nodes, as the catalog API and pacing do.
    for topic in (changes.CATALOG, changes.CAMPAIGNS, changes.BUDGETS):
        changes.bump(topic)
    _, key = api_key_create(f"nodes {run}", ["auctions", "events", "catalog"])
    password = secrets.token_urlsafe(16)
    user_model = get_user_model()
    admin, _ = user_model.objects.get_or_create(username="nodes-admin", defaults={"email": "nodes@example.com"})
    admin.is_staff = admin.is_superuser = admin.is_active = True
    # Hashed as production hashes (the test settings use a faster hasher that the nodes do not list).
    hasher = PBKDF2PasswordHasher()
    admin.password = hasher.encode(password, hasher.salt())
    admin.save()
    return {"key": key, "admin": {"username": "nodes-admin", "password": password}, **seeded}


# --- the HTTP driver ------------------------------------------------------------------------


def _post_json(url: str, body: dict, key: str) -> dict:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST", headers={  # noqa: S310 - local URL
        "Content-Type": "application/json", "Authorization": f"Bearer {key}"})
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - local URL
        return json.loads(response.read())


def auction_body(listing_id: str) -> dict:
    ids = [f"organic-{i}" for i in range(ORGANIC_AHEAD)] + [listing_id]
    return {"auctions": [{"type": "listings", "slots": 4, "products": {"ids": ids}, "organicTopK": ORGANIC_AHEAD,
                          "placementId": "search", "opaqueUserId": "nodes-shopper"}]}


def winner(base: str, key: str, listing_id: str) -> dict | None:
    """The listing's winning entry in one auction on ``base``, or None."""
    (result,) = _post_json(base + "/api/v1/auctions", auction_body(listing_id), key)["results"]
    if result.get("error"):
        raise RuntimeError(f"the auction on {base} failed open: {result}")
    return next((w for w in result["winners"] if w["id"] == listing_id), None)


class AdminSession:
    """A Django admin login over plain HTTP (cookies kept by hand: production marks them Secure)."""

    def __init__(self, base: str, username: str, password: str) -> None:
        self.base = base
        self.cookies: dict[str, str] = {}
        token = self._csrf(self._request("/admin/login/"))
        page = self._request("/admin/login/", {"csrfmiddlewaretoken": token, "username": username,
                                               "password": password, "next": "/admin/"})
        if "sessionid" not in self.cookies:
            raise RuntimeError("admin login refused: " + page[:500])

    def _request(self, path: str, form: dict[str, str] | list[tuple[str, str]] | None = None) -> str:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        data = None
        if form is not None:
            data = urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = self.base + path
        request = urllib.request.Request(self.base + path, data=data, headers=headers)  # noqa: S310 - local URL
        opener = urllib.request.build_opener(_NoRedirect)
        try:
            with opener.open(request, timeout=10) as response:
                self._keep(response.headers.get_all("Set-Cookie") or [])
                return response.read().decode()
        except urllib.error.HTTPError as exc:  # a redirect after a successful POST
            if exc.code not in (301, 302, 303):
                raise
            self._keep(exc.headers.get_all("Set-Cookie") or [])
            return ""

    def _keep(self, set_cookies: list[str]) -> None:
        for header in set_cookies:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]

    @staticmethod
    def _csrf(page: str) -> str:
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if not match:
            raise RuntimeError("no CSRF token on the admin page")
        return match.group(1)

    def campaign_pause(self, campaign_id: int) -> None:
        """The campaign list's "pause" action (campaigns/admin.py), as a marketplace admin runs it."""
        token = self._csrf(self._request("/admin/campaigns/campaign/"))
        self._request("/admin/campaigns/campaign/", [
            ("csrfmiddlewaretoken", token), ("action", "pause_selected"), ("index", "0"),
            ("_selected_action", str(campaign_id))])


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


@dataclass
class Delay:
    """How long each node kept showing the winner after the change was sent."""

    scenario: str
    ms: dict[str, float] = field(default_factory=dict)  # node name -> delay
    action_ms: float = 0.0  # the change's own request to node A
    polls: int = 0


def measure(nodes: dict[str, str], key: str, listing_id: str, scenario: str,
            change: Callable[[], object]) -> Delay:
    """Send ``change`` and poll every node until the listing's winner is gone for good on each."""
    for base in nodes.values():  # present on every node (and worker) first
        deadline = time.monotonic() + GIVE_UP_SECONDS
        wins = 0
        while wins < 2 * WORKERS:
            wins = wins + 1 if winner(base, key, listing_id) is not None else 0
            if time.monotonic() > deadline:
                raise RuntimeError(f"{listing_id} does not win on {base} before the change")
    delay = Delay(scenario)
    started = time.monotonic()
    change()
    delay.action_ms = (time.monotonic() - started) * 1000
    gone_since: dict[str, float | None] = dict.fromkeys(nodes)
    while True:
        now = time.monotonic()
        for name, base in nodes.items():
            seen = winner(base, key, listing_id) is not None
            delay.polls += 1
            at = time.monotonic()
            if seen:
                gone_since[name] = None
            elif gone_since[name] is None:
                gone_since[name] = at
        if all(g is not None and now - g >= SETTLED_SECONDS for g in gone_since.values()):
            break
        if now - started > GIVE_UP_SECONDS:
            raise AssertionError(f"{scenario}: the winner still shows after {GIVE_UP_SECONDS} s: {gone_since}")
        time.sleep(POLL_SECONDS)
    delay.ms = {name: round(((g or started) - started) * 1000, 1) for name, g in gone_since.items()}
    return delay


def scenarios(nodes: dict[str, str], seeded: dict[str, Any]) -> list[Delay]:
    """The three changes, sent to the first node, measured on all."""
    key = seeded["key"]
    first = next(iter(nodes.values()))
    delays = []

    budget = seeded["budget"]["listing"]

    def click() -> None:
        won = winner(first, key, budget)
        assert won is not None
        at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        answer = _post_json(first + "/api/v1/events", {"clicks": [
            {"id": f"click-{secrets.token_hex(6)}", "occurredAt": at, "opaqueUserId": "nodes-shopper",
             "resolvedBidId": won["resolvedBidId"]}]}, key)
        if answer.get("accepted") != 1:
            raise RuntimeError(f"the click was not accepted: {answer}")

    delays.append(measure(nodes, key, budget, "budget", click))

    admin = AdminSession(first, seeded["admin"]["username"], seeded["admin"]["password"])
    delays.append(measure(nodes, key, seeded["pause"]["listing"], "pause",
                          lambda: admin.campaign_pause(seeded["pause"]["campaign"])))

    sold = seeded["sold"]

    def sell() -> None:
        answer = _post_json(first + "/api/v1/catalog/listings", {"listings": [
            {"id": sold["listing"], "sellerId": sold["seller"], "title": "Vintage denim jacket",
             "condition": "good", "price": "45.00", "status": "sold"}]}, key)
        if answer.get("rejected"):
            raise RuntimeError(f"the sale was rejected: {answer}")

    delays.append(measure(nodes, key, sold["listing"], "sold", sell))
    return delays


def node_env(database_url: str, **extra: str) -> dict[str, str]:
    """Production settings (``server.bench_env``) on ``database_url``; static files served from
    the source folders (the admin pages need no ``collectstatic`` first: not what is measured)."""
    return {**server.bench_env(database_url=database_url, CLOSETADS_COMPRESSED_STATIC="0"), **extra}


@contextmanager
def two_nodes(env: dict[str, str], ports: tuple[int, int] = PORTS) -> Iterator[dict[str, str]]:
    """Two gunicorn instances on ``env``'s database and Redis: {"A": url, "B": url}."""
    with ExitStack() as stack:
        yield {name: stack.enter_context(server.gunicorn(port, workers=WORKERS, env=env))
               for name, port in zip("AB", ports, strict=True)}


def figures(delays: list[Delay]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for d in delays:
        out[f"{d.scenario}_ms"] = max(d.ms.values())
        out[f"{d.scenario}_by_node_ms"] = d.ms
        out[f"{d.scenario}_change_request_ms"] = round(d.action_ms, 1)
    out["max_ms"] = max(max(d.ms.values()) for d in delays)
    return out


def run(quick: bool = False) -> dict[str, Any]:
    """Seed a fresh bench database, start two nodes, measure the three changes (three rounds
    unless ``quick``); the worst delay of each change over the rounds."""
    database_url = os.environ.get("BENCH_NODES_DATABASE_URL", DEFAULT_DATABASE_URL)
    env = node_env(database_url)
    _database_recreate(database_url)
    server.manage("migrate", "--noinput", env=env)
    rounds = 1 if quick else 3
    all_delays: list[list[Delay]] = []
    with two_nodes(env) as nodes:
        for _ in range(rounds):
            seeded = json.loads(subprocess.run(
                [server.PYTHON, "-c", "import django, json; django.setup(); from dev.bench.nodes import seed; "
                                      "print(json.dumps(seed()))"],
                cwd=server.ROOT, env={**env, "DJANGO_SETTINGS_MODULE": "config.settings"}, check=True,
                capture_output=True, text=True).stdout.strip().splitlines()[-1])
            all_delays.append(scenarios(nodes, seeded))
    result: dict[str, Any] = {"rounds": rounds, "workers_per_node": WORKERS, "poll_ms": POLL_SECONDS * 1000}
    for i, name in enumerate(SCENARIOS):
        worst = [max(r[i].ms.values()) for r in all_delays]
        result[f"{name}_ms"] = max(worst)
        result[f"{name}_runs_ms"] = worst
        result[f"{name}_change_request_ms"] = max(round(r[i].action_ms, 1) for r in all_delays)
        # After node A answered the change (committed by then): what the other processes add.
        result[f"{name}_after_answer_ms"] = max(round(max(0.0, max(r[i].ms.values()) - r[i].action_ms), 1)
                                                for r in all_delays)
    result["max_ms"] = max(result[f"{name}_ms"] for name in SCENARIOS)
    result["target_ms"] = 1000
    return result


def _database_recreate(url: str) -> None:
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    with psycopg.connect(parsed._replace(path="/postgres").geturl(), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
