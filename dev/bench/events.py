"""Events benchmark on PostgreSQL: ingest rate over HTTP, attribution rate, rollup lag.

    python -m dev.bench.events [--quick]     # prints one JSON object

* Ingest: gunicorn (sync workers) on 127.0.0.1:8200 against its own database; batches of
  500 events through POST /api/v1/events over real HTTP, from client threads in this
  process (pre-built bodies, so the client does little more than write sockets). Two
  mixes: impressions only, and a realistic batch (sponsored and organic impressions, ~2.4%
  sponsored clicks, each charged, organic clicks, purchases, a cancellation). The realistic
  run is one minute of traffic at the 5,000 events/s target (300,000 events), which the
  rollup measure then folds.
* Ceiling: in the same run and the same gunicorn, the rows of every realistic batch again
  through a bench-only endpoint that only inserts them, one multi-row insert per table
  (dev/bench/events_ceiling.py). The two alternate in ``ROUNDS`` rounds, each round posting
  the next slice of the realistic batches and the same slice's rows to the ceiling, in ABBA
  order (ceiling then mix, mix then ceiling, ...): both see the same machine (a burst of
  other work lands on both, not on one phase) and, on average, the same table sizes.
  ``ingest_to_ceiling_ratio`` is the mix's total rate over the ceiling's (events over the
  summed seconds of their rounds); ``ingest_to_ceiling_ratio_rounds_*`` are the per-round
  ratios' spread. The ceiling's rows are the realistic rows under other event ids and
  shoppers' ids (prefixed ``k``, so the mix's repeat-click reads and attribution never meet
  them) and with negative primary keys, below every fold and attribution watermark (which
  start at 0 and follow the id sequences): the fold measured below reads the minute of
  realistic traffic alone, as before, though the tables also hold the ceiling's rows.
* Rollup lag: the time ``rollups_fold`` takes to fold that minute of traffic (after the
  attribution run that credits its purchases).
* Attribution: 60,000 new purchases by buyers with sponsored clicks, attributed by the
  minute task's code path (``attribution_run_pending``); purchases per second.

Like the other benchmarks, the process driving it never configures Django: setup and the
in-process measures run in ``python -m dev.bench.events --inner PHASE`` subprocesses with the
bench environment. Database: ``BENCH_EVENTS_DATABASE_URL`` (default
postgres://postgres@127.0.0.1:5432/closetads_bench_events, created and migrated if
missing; its analytics tables are emptied at each run). Redis: ``BENCH_EVENTS_REDIS_URL``
(default db 4). Port: ``BENCH_EVENTS_PORT`` (default 8200), so two checkouts can run it at once.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import secrets
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from dev.bench import server

ROOT = Path(__file__).resolve().parent.parent.parent
OUT = ROOT / "dev" / "bench" / "out"
PYTHON = sys.executable
PORT = int(os.environ.get("BENCH_EVENTS_PORT", "8200"))
WORKERS = 4
CLIENTS = 8
BATCH = 500
TARGET_EVENTS_PER_S = 5_000
# The ceiling and the realistic mix alternate in this many rounds (dev/bench/events.py docstring).
ROUNDS = 5
# Long enough (about 4 s each on this machine) that a second of machine noise does not move
# the figure by a third: 100 batches and 20,000 purchases (1.5-2 s) did, in runs a few
# minutes apart (docs/decisions/0009-event-ingest.md).
IMPRESSIONS_BATCHES = 300
ATTRIBUTION_PURCHASES = 60_000
CEILING_PATH = "/bench/events-ceiling"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/closetads_bench_events"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/4"
_SECRET = "bench-events-" + secrets.token_urlsafe(40)
NOTE = (f"POST /api/v1/events over HTTP to gunicorn ({WORKERS} sync workers) on PostgreSQL, batches of {BATCH}, "
        f"{CLIENTS} client threads on the same 2-core machine; the realistic mix is one minute of traffic at "
        f"{TARGET_EVENTS_PER_S:,} events/s, then folded (rollup lag) and attributed. `ingest_ceiling_*`: the same "
        f"rows through a bench-only endpoint of the same gunicorn that only inserts them, one multi-row insert per "
        f"table. The ceiling and the mix alternate in {ROUNDS} rounds (ABBA order, each round an equal slice "
        f"of the batches), so both see the same machine and table sizes; `ingest_to_ceiling_ratio` is the mix's total "
        f"rate over the ceiling's, `ingest_to_ceiling_ratio_rounds_*` the per-round ratios. The ceiling's rows "
        f"have negative ids (below the fold's watermarks): the fold is the minute of realistic traffic alone.")


def _env(**extra: str) -> dict[str, str]:
    """The bench environment (``server.bench_env``) on this benchmark's own database, Redis and data folder."""
    secret = os.environ.get("BENCH_EVENTS_SECRET", _SECRET)
    return server.bench_env(
        data_dir=OUT / "events-data",
        database_url=os.environ.get("BENCH_EVENTS_DATABASE_URL", DEFAULT_DATABASE_URL),
        redis_url=os.environ.get("BENCH_EVENTS_REDIS_URL", DEFAULT_REDIS_URL),
        secret=secret, BENCH_EVENTS_SECRET=secret, **extra)


def _ensure_database(env: dict[str, str]) -> None:
    import psycopg

    url = urlparse(env["DATABASE_URL"])
    name = url.path.lstrip("/")
    with psycopg.connect(url._replace(path="/postgres").geturl(), autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    subprocess.run([PYTHON, "manage.py", "migrate", "--noinput"], cwd=ROOT, env=env, check=True,
                   capture_output=True)


def _inner(phase: str, env: dict[str, str], *args: str) -> dict:
    done = subprocess.run([PYTHON, "-m", "dev.bench.events", "--inner", phase, *args], cwd=ROOT, env=env, check=True,
                          capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


@dataclass
class Posted:
    """Batches posted and answered: how many events were accepted, in how many seconds of wall
    time, and each batch's latency."""

    events: float
    seconds: float
    latencies: list[float]

    @property
    def events_per_s(self) -> float:
        return self.events / self.seconds

    @property
    def p50_ms(self) -> float:
        return 1000 * statistics.median(self.latencies)

    @property
    def p99_ms(self) -> float:
        ordered = sorted(self.latencies)
        return 1000 * ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]

    @classmethod
    def total(cls, parts: list[Posted]) -> Posted:
        """Several posts as one: their events over their summed seconds (the gaps between them not counted)."""
        return cls(sum(p.events for p in parts), sum(p.seconds for p in parts),
                   [latency for p in parts for latency in p.latencies])


def _post_all(bodies: list[bytes], key: str, clients: int, path: str = "/api/v1/events") -> Posted:
    """POST every body to ``path`` from ``clients`` threads; events accepted, wall time, per-batch latency."""
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {key}"}
    cursor = iter(range(len(bodies)))
    lock = threading.Lock()
    latencies: list[float] = []
    accepted = [0]
    failures: list[str] = []

    def worker() -> None:
        while True:
            with lock:
                index = next(cursor, None)
            if index is None:
                return
            started = time.perf_counter()
            conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=120)
            try:
                conn.request("POST", path, body=bodies[index], headers=headers)
                response = conn.getresponse()
                payload = response.read()
            finally:
                conn.close()
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                if response.status != 200:
                    failures.append(f"{response.status}: {payload[:200]!r}")
                else:
                    result = json.loads(payload)
                    accepted[0] += result["accepted"]
                    if result["rejected"]:
                        failures.append(f"rejected: {result['rejected'][:2]}")

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    if failures:
        raise RuntimeError(f"{len(failures)} batches failed, first: {failures[0]}")
    return Posted(float(accepted[0]), wall, latencies)


def _rounds(mixed: list[bytes], ceiling: list[bytes], key: str, rounds: int) -> tuple[list[Posted], list[Posted]]:
    """The realistic batches and their ceiling (the same batches' rows, ``ceiling[i]`` being
    ``mixed[i]``'s) in ``rounds`` alternating rounds: round k posts the k-th slice of both, the
    ceiling first in even rounds and second in odd ones (ABBA), so that neither is always the
    one on the larger tables. The mix's and the ceiling's posts, per round."""
    mix_parts: list[Posted] = []
    ceiling_parts: list[Posted] = []
    for k in range(rounds):
        part = slice(k * len(mixed) // rounds, (k + 1) * len(mixed) // rounds)
        for posting_ceiling in ((True, False) if k % 2 == 0 else (False, True)):
            if posting_ceiling:
                ceiling_parts.append(_post_all(ceiling[part], key, CLIENTS, path=CEILING_PATH))
            else:
                mix_parts.append(_post_all(mixed[part], key, CLIENTS))
    return mix_parts, ceiling_parts


def run(quick: bool = False) -> dict[str, float]:
    """Measure ingest, attribution and rollup lag on PostgreSQL; returns flat figures."""
    env = _env()
    _ensure_database(env)
    minute = TARGET_EVENTS_PER_S * 60 // BATCH
    plan = {"impressions_batches": 10 if quick else IMPRESSIONS_BATCHES, "mixed_batches": 12 if quick else minute,
            "attribution_purchases": 2_000 if quick else ATTRIBUTION_PURCHASES}
    rounds = 2 if quick else ROUNDS
    setup = _inner("prepare", env, json.dumps(plan))
    bodies = {name: Path(path).read_bytes().split(b"\n") for name, path in setup["files"].items()}
    # The ceiling's URL exists only in this gunicorn (dev/bench/events_ceiling.py).
    with server.gunicorn(PORT, WORKERS, env={**env, "DJANGO_SETTINGS_MODULE": "dev.bench.events_settings"}):
        _post_all(bodies["warmup"], setup["key"], CLIENTS)
        impressions = _post_all(bodies["impressions"], setup["key"], CLIENTS)
        _inner("settle", env, "{}")  # fold what came before, so the measured fold is the minute alone
        mix_parts, ceiling_parts = _rounds(bodies["mixed"], bodies["ceiling"], setup["key"], rounds)
    measured = _inner("measure", env, json.dumps(plan))
    mixed, ceiling = Posted.total(mix_parts), Posted.total(ceiling_parts)
    ratios = [m.events_per_s / c.events_per_s for m, c in zip(mix_parts, ceiling_parts, strict=True)]
    figures = {
        "ingest_events_per_s": round(mixed.events_per_s, 1),
        "ingest_batch_p50_ms": round(mixed.p50_ms, 1),
        "ingest_batch_p99_ms": round(mixed.p99_ms, 1),
        "ingest_ceiling_events_per_s": round(ceiling.events_per_s, 1),
        "ingest_ceiling_batch_p50_ms": round(ceiling.p50_ms, 1),
        "ingest_to_ceiling_ratio": round(mixed.events_per_s / ceiling.events_per_s, 2),
        "ingest_to_ceiling_ratio_rounds_min": round(min(ratios), 2),
        "ingest_to_ceiling_ratio_rounds_median": round(statistics.median(ratios), 2),
        "ingest_to_ceiling_ratio_rounds_max": round(max(ratios), 2),
        "ingest_rounds": float(rounds),
        "ingest_impressions_only_events_per_s": round(impressions.events_per_s, 1),
        "ingest_impressions_only_batch_p50_ms": round(impressions.p50_ms, 1),
        "ingest_events_measured": mixed.events + impressions.events,
        "ingest_ceiling_events_measured": ceiling.events,
        # The realistic run is one minute of traffic at the target rate: folding it is the lag.
        "rollups_fold_seconds_for_one_minute": round(measured["fold_seconds"], 3),
        "rollups_minute_events": mixed.events,
        "rollups_rows_folded": float(measured["events_folded"]),
        "attribution_purchases_per_s": round(measured["attribution_purchases_per_s"], 1),
        "attribution_purchases_measured": float(measured["attribution_purchases"]),
        "http_workers": float(WORKERS),
        "client_threads": float(CLIENTS),
    }
    return figures


# --- inner phases (run in a subprocess with the bench environment) -----------------------------

def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def _truncate() -> None:
    from django.apps import apps
    from django.db import connection

    tables = [m._meta.db_table for m in apps.get_app_config("analytics").get_models()]
    tables += ["campaigns_ledgerentry", "campaigns_budgetperiod", "campaigns_campaignlisting", "campaigns_campaign",
               "sellers_listing", "sellers_seller"]
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")


def _prepare(plan: dict) -> dict:
    import datetime as dt
    import itertools
    import random

    from auction.tokens import ResolvedBid, sign
    from campaigns.models import BudgetPeriod, Campaign
    from campaigns.services import budget_period_current
    from core import clock
    from core.services import api_key_create
    from sellers.models import Listing, Seller

    _truncate()
    rnd = random.Random(1)
    now = clock.now()
    sellers = Seller.objects.bulk_create([Seller(marketplace_id=f"BS{i}", username=f"bench_seller_{i}")
                                          for i in range(200)])
    listings = Listing.objects.bulk_create([
        Listing(marketplace_id=f"BL{s.pk}-{j}", seller=s, title=f"Bench item {j}", price_micros=rnd.choice(
            [15, 25, 45, 80, 120]) * 1_000_000) for s in sellers for j in range(50)])
    campaigns = Campaign.objects.bulk_create([
        Campaign(seller=s, status=Campaign.Status.ACTIVE, weekly_budget_micros=1_000_000_000, launched_at=now)
        for s in sellers])
    for campaign in campaigns:
        budget_period_current(campaign, now)
    BudgetPeriod.objects.update(budget_micros=10**12)  # never the bottleneck here
    campaign_of = {c.seller_id: c.pk for c in campaigns}
    _, key = api_key_create("bench-events", ["events"])
    counter = iter(range(10**9))
    auction = iter(range(10**9))
    stamp = now.isoformat().replace("+00:00", "Z")

    expires = now + dt.timedelta(hours=1)

    def bid(listing) -> ResolvedBid:
        return ResolvedBid(f"ba{next(auction)}", campaign_of[listing.seller_id], listing.pk,
                           rnd.choice([100_000, 200_000, 300_000]), 1, now, expires, "search")

    # Each event with the row the endpoint stores for it, for the ceiling's body: event and
    # shopper ids prefixed "k" (no read of the mix's meets them), the primary key prepended by
    # ``mixed_batch`` (negative: below every watermark, so neither folded nor attributed).
    def sponsored(listing, kind: str) -> tuple[dict, list]:
        resolved = bid(listing)
        event: dict[str, Any] = {"id": f"{kind}{next(counter)}", "occurredAt": stamp,
                                 "opaqueUserId": f"b{rnd.randrange(50_000)}", "resolvedBidId": sign(resolved)}
        row = ["k" + event["id"], stamp, "k" + event["opaqueUserId"], listing.pk, resolved.placement, None,
               resolved.auction_id, resolved.campaign_id, resolved.price_micros, resolved.slot]
        if kind == "c":
            row += [listing.seller_id, True, None, f"k{resolved.auction_id}:{listing.pk}"]
        return event, row

    def organic(listing, kind: str) -> tuple[dict, list]:
        event: dict[str, Any] = {
            "id": f"{kind}{next(counter)}", "occurredAt": stamp, "opaqueUserId": f"b{rnd.randrange(50_000)}",
            "entity": {"type": "listing", "id": listing.marketplace_id},
            "placement": {"placementId": "search", "position": rnd.randint(1, 48)}}
        row = ["k" + event["id"], stamp, "k" + event["opaqueUserId"], listing.pk, "search",
               event["placement"]["position"], "", None, None, None]
        if kind == "c":
            row += [listing.seller_id, False, None, None]
        return event, row

    def impressions_batch() -> tuple[dict, dict]:
        pairs = [sponsored(rnd.choice(listings), "i") if k % 2 else organic(rnd.choice(listings), "i")
                 for k in range(BATCH)]
        return {"impressions": [e for e, _ in pairs]}, {"impressions": [r for _, r in pairs]}

    ceiling_pk = {table: itertools.count(-1, -1) for table in ("impressions", "clicks", "purchases", "items",
                                                                "cancellations")}

    def mixed_batch() -> tuple[dict, dict]:
        bought = [rnd.choice(listings) for _ in range(2)]
        purchases: list[dict[str, Any]] = [
            {"id": f"o{next(counter)}", "occurredAt": stamp, "opaqueUserId": f"b{rnd.randrange(50_000)}",
             "items": [{"listingId": listing.marketplace_id, "unitPrice": "45.00"}]} for listing in bought]
        impressions = ([sponsored(rnd.choice(listings), "i") for _ in range(250)]
                       + [organic(rnd.choice(listings), "i") for _ in range(225)])
        clicks = ([sponsored(rnd.choice(listings), "c") for _ in range(12)]
                  + [organic(rnd.choice(listings), "c") for _ in range(10)])
        cancellation: dict[str, Any] = {"id": f"x{next(counter)}", "purchaseId": purchases[0]["id"],
                                        "occurredAt": stamp}
        body = {"impressions": [e for e, _ in impressions], "clicks": [e for e, _ in clicks],
                "purchases": purchases, "cancellations": [cancellation]}
        rows = {"impressions": [[next(ceiling_pk["impressions"]), *r] for _, r in impressions],
                "clicks": [[next(ceiling_pk["clicks"]), *r] for _, r in clicks],
                "purchases": [[next(ceiling_pk["purchases"]), "k" + p["id"], stamp, "k" + p["opaqueUserId"],
                               [[next(ceiling_pk["items"]), listing.pk, listing.seller_id, 45_000_000, 1]]]
                              for p, listing in zip(purchases, bought, strict=True)],
                "cancellations": [[next(ceiling_pk["cancellations"]), "k" + cancellation["id"],
                                   "k" + purchases[0]["id"], stamp]]}
        return body, rows

    OUT.mkdir(parents=True, exist_ok=True)
    files = {}
    for name, make, count in (("warmup", impressions_batch, 8), ("impressions", impressions_batch,
                                                                 plan["impressions_batches"]),
                              ("mixed", mixed_batch, plan["mixed_batches"])):
        made = [make() for _ in range(count)]
        path = OUT / f"events-{name}.jsonl"
        path.write_bytes(b"\n".join(json.dumps(body, separators=(",", ":")).encode() for body, _ in made))
        files[name] = str(path)
        if name == "mixed":  # the ceiling stores every batch's rows again, under other ids
            path = OUT / "events-ceiling.jsonl"
            path.write_bytes(b"\n".join(json.dumps(rows, separators=(",", ":")).encode() for _, rows in made))
            files["ceiling"] = str(path)
    return {"key": key, "files": files}


def _settle(plan: dict) -> dict:
    from analytics.services import attribution_run_pending, rollups_fold

    attribution_run_pending()
    return rollups_fold().as_dict()


def _measure(plan: dict) -> dict:
    import datetime as dt
    import random

    from django.db import connection

    from analytics.models import Click, Impression, Purchase, PurchaseItem
    from analytics.services import attribution_run_pending, rollups_fold
    from core import clock
    from sellers.models import Listing

    # The minute of traffic just ingested: credit its purchases, then time the fold.
    attribution_run_pending()
    events = Impression.objects.count() + Click.objects.count()
    started = time.perf_counter()
    fold = rollups_fold()
    fold_seconds = time.perf_counter() - started
    folded = sum(fold.folded.values())

    # Attribution: new purchases by buyers with sponsored clicks in the window.
    rnd = random.Random(2)
    now = clock.now()
    listings = list(Listing.objects.values_list("pk", "seller_id"))
    by_seller: dict[int, list[int]] = {}
    for pk, seller in listings:
        by_seller.setdefault(seller, []).append(pk)
    campaign_of = dict(Click.objects.filter(campaign__isnull=False).values_list("seller_id", "campaign_id")
                       .distinct())
    count = plan["attribution_purchases"]
    clicks: list[Click] = []
    purchases: list[Purchase] = []
    sellers_clicked: list[int] = []
    for i in range(count):
        buyer = f"ab{i}"
        seller = rnd.choice(list(campaign_of))
        sellers_clicked.append(seller)
        for _ in range(3):
            clicks.append(Click(
                event_id=f"ac{len(clicks)}", occurred_at=now - dt.timedelta(hours=rnd.randint(1, 300)),
                opaque_user_id=buyer, listing_id=rnd.choice(by_seller[seller]), seller_id=seller,
                campaign_id=campaign_of[seller], auction_id=f"aa{len(clicks)}", price_micros=200_000, charged=True))
        purchases.append(Purchase(order_id=f"ap{i}", occurred_at=now, opaque_user_id=buyer))
    Click.objects.bulk_create(clicks, batch_size=2000)
    attribution_run_pending()  # the clicks above are "new": let them be looked at first
    created = Purchase.objects.bulk_create(purchases, batch_size=2000)
    items = []
    for purchase, buyer_seller in zip(created, sellers_clicked, strict=True):
        # A third buy from the closet they clicked (direct or halo), the rest elsewhere.
        seller = buyer_seller if rnd.random() < 0.3 else rnd.choice(list(by_seller))
        items.append(PurchaseItem(purchase=purchase, purchased_at=purchase.occurred_at,
                                  listing_id=rnd.choice(by_seller[seller]), seller_id=seller,
                                  unit_price_micros=45_000_000, quantity=1))
    PurchaseItem.objects.bulk_create(items, batch_size=2000)
    # Planner statistics as autovacuum keeps them in production: without them the 80,000 rows
    # just loaded are invisible to the planner, which then reads whole tables (this made the
    # figure swing between 6,400 and 10,300/s, whether autovacuum had come by or not).
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE analytics_click, analytics_purchase, analytics_purchaseitem, "
                       "analytics_attributioncredit, analytics_cancellation")
    started = time.perf_counter()
    result = attribution_run_pending()
    attribution_seconds = time.perf_counter() - started
    return {"fold_seconds": fold_seconds, "events_folded": folded, "events_in_tables": events,
            "attribution_purchases": result.purchases,
            "attribution_purchases_per_s": result.purchases / attribution_seconds,
            "attribution_credited": result.credited}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="shorter runs (a smoke test, not a measurement)")
    parser.add_argument("--inner", help=argparse.SUPPRESS)
    parser.add_argument("plan", nargs="?", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.inner:
        _setup_django()
        phase = {"prepare": _prepare, "settle": _settle, "measure": _measure}[args.inner]
        print(json.dumps(phase(json.loads(args.plan))))
        return 0
    print(json.dumps(run(quick=args.quick), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
