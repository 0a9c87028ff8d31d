"""The auction benchmark: gunicorn (3 sync workers) on PostgreSQL + Redis, 10,000 promoted
listings, auctions of 100 candidates and 4 slots, load generator on the same machine.

Figures (section "auction" of dev/bench/results.json):

- ``healthz_rps`` and ``auction_rps``: throughput at 16 connections (wrk), same server,
  measured in alternating rounds (/healthz, auctions, /healthz, ...) so that both see the
  same conditions on a shared machine; ``auction_to_healthz_ratio`` from the totals, and
  its lowest and highest round; ``saturated_p50_ms``/``p99_ms`` from the median round;
- ``c4_*``: the same at 4 connections (the design card's calibration point);
- ``fixed_rate_*``: an open-loop generator sending 300 auctions/s for ``FIXED_SECONDS``;
  latency counts from each request's scheduled send time, so a slow server cannot hide
  queueing behind a slower client (no coordinated omission); ``fixed_rate_client_cpu_share``
  is the share of one core the generator itself used;
- ``*_failed_open``: auctions answered ``error: true`` (deadline or fault): they are
  counted apart so that a fast failure cannot pass for throughput;
- ``index_*`` and ``in_process_*``: the cost of the index (build time, memory, a refresh
  with no change) and of one auction without HTTP, measured in a separate process.

Run: ``python -m dev.bench.run --only auction`` (or ``make bench`` for every benchmark).
``python -m dev.bench.auction seed|probe`` are the subprocess steps (bench environment).
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from dev.bench import server

PORT = 8100
WORKERS = 3
PROMOTED_SELLERS = 1000
LISTINGS_PER_SELLER = 10
PROMOTED_LISTINGS = PROMOTED_SELLERS * LISTINGS_PER_SELLER
ORGANIC_LISTINGS = 10_000
CANDIDATES = 100
SLOTS = 4
FIXED_RATE = 300
FIXED_SECONDS = 60
WINDOW_SECONDS = 10  # the fixed-rate p99 is also reported per window of this many seconds
WRK_SECONDS = 15
ROUNDS = 3
ROUND_SECONDS = 8
PROMOTED_PREFIX = "BL"
LUA = Path(__file__).resolve().parent / "wrk" / "closetads.lua"

# --- subprocess steps (bench environment, Django configured) --------------------------------


def _django() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()


def seed() -> None:
    """10,000 promoted listings (1,000 closets with live campaigns) and 10,000 organic ones.

    Deterministic; skipped when the bench database already holds exactly this catalog.
    """
    _django()
    from campaigns.models import Campaign, CampaignListing
    from campaigns.services import budget_period_current
    from core import clock
    from dev.simulator.vocabulary import BRANDS, CATEGORIES
    from sellers.models import Listing, Seller

    marker = f"{PROMOTED_PREFIX}{PROMOTED_LISTINGS - 1}"
    if (Listing.objects.filter(marketplace_id=marker).exists()
            and Listing.objects.count() == PROMOTED_LISTINGS + ORGANIC_LISTINGS
            and Campaign.objects.filter(status=Campaign.Status.ACTIVE).count() == PROMOTED_SELLERS):
        for campaign in Campaign.objects.filter(status=Campaign.Status.ACTIVE):
            budget_period_current(campaign)  # this week's period, if the week turned
        print("bench catalog already seeded")
        return
    server.manage("flush", "--noinput", env=None)
    rng = random.Random(2026)
    now = clock.now()
    sellers = Seller.objects.bulk_create([
        Seller(marketplace_id=f"BS{i}", username=f"bench_seller_{i}", email=f"s{i}@example.com")
        for i in range(PROMOTED_SELLERS + ORGANIC_LISTINGS // LISTINGS_PER_SELLER)
    ])
    listings = []
    for i in range(PROMOTED_LISTINGS + ORGANIC_LISTINGS):
        promoted = i < PROMOTED_LISTINGS
        category, (low, high), sizes = rng.choice(CATEGORIES)
        listings.append(Listing(
            marketplace_id=f"{PROMOTED_PREFIX}{i}" if promoted else f"BO{i - PROMOTED_LISTINGS}",
            seller=sellers[i // LISTINGS_PER_SELLER], title=f"Bench item {i}", brand=rng.choice(BRANDS),
            category=category, size=rng.choice(sizes), condition=rng.choice(["nwt", "like_new", "good", "fair"]),
            price_micros=rng.randint(low, high) * 1_000_000, listed_at=now, created_at=now, updated_at=now,
        ))
    listings = Listing.objects.bulk_create(listings, batch_size=2000)
    campaigns = []
    for i, seller in enumerate(sellers[:PROMOTED_SELLERS]):
        manual = i % 5 == 0
        campaigns.append(Campaign(
            seller=seller, status=Campaign.Status.ACTIVE, weekly_budget_micros=rng.choice([25, 50, 100, 500]) * 10**6,
            bidding=Campaign.Bidding.MANUAL if manual else Campaign.Bidding.AUTO,
            max_cpc_micros=rng.randint(20, 150) * 10_000 if manual else None,
            selection=Campaign.Selection.CHOSEN if i % 10 == 1 else Campaign.Selection.ALL,
            pacing_multiplier=round(rng.uniform(0.6, 1.4), 3), pacing_throttle=0.8 if i % 10 == 3 else 1.0,
            launched_at=now,
        ))
    campaigns = Campaign.objects.bulk_create(campaigns)
    CampaignListing.objects.bulk_create([
        CampaignListing(campaign=campaign, listing=listing)
        for i, campaign in enumerate(campaigns) if campaign.selection == Campaign.Selection.CHOSEN
        for listing in listings[i * LISTINGS_PER_SELLER:(i + 1) * LISTINGS_PER_SELLER]
    ])
    for campaign in campaigns:
        budget_period_current(campaign)
    # A bulk-loaded table has no planner statistics until autovacuum gets to it; a live
    # database has them.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"seeded {len(listings)} listings, {len(campaigns)} active campaigns")


def probe() -> None:
    """In-process costs, printed as JSON: index build and memory, a no-change refresh, an auction."""
    _django()
    import gc

    from auction.index import AuctionIndex
    from auction.recording import recorder
    from auction.services import auctions_run
    from core import clock

    def rss_mb() -> float:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * 4096 / 1024 / 1024

    gc.collect()
    before = rss_mb()
    index = AuctionIndex()
    started = time.perf_counter()
    view = index.refresh(clock.now())
    build_ms = (time.perf_counter() - started) * 1000
    gc.collect()
    memory_mb = rss_mb() - before
    started = time.perf_counter()
    for _ in range(2000):
        index.refresh(clock.now())
    refresh_ms = (time.perf_counter() - started) * 1000 / 2000
    # auctions_run uses the process's shared index: warm it, then time auctions only.
    bodies = [json.loads(body) for body in auction_bodies(300, seed=5)]
    auctions_run(bodies[0], flush=False)
    started = time.perf_counter()
    for body in bodies:
        auctions_run(body, flush=False)
    auction_ms = (time.perf_counter() - started) * 1000 / len(bodies)
    recorder.clear()
    print(json.dumps({
        "index_listings": len(view.listings), "index_campaigns": len(view.campaigns),
        "index_build_ms": round(build_ms, 1), "index_rss_mb": round(memory_mb, 1),
        "index_refresh_no_change_ms": round(refresh_ms, 3), "in_process_auction_ms": round(auction_ms, 3),
    }))


# --- load generation -------------------------------------------------------------------------


def auction_bodies(count: int, *, seed: int) -> list[str]:
    """Request bodies like the wrk script's: 100 distinct promoted ids, falling quality."""
    rng = random.Random(seed)
    bodies = []
    for r in range(count):
        ids = rng.sample(range(PROMOTED_LISTINGS), CANDIDATES)
        bodies.append(json.dumps({"auctions": [{
            "type": "listings", "slots": SLOTS, "placementId": "search", "opaqueUserId": f"u-{seed}-{r}",
            "products": {"ids": [f"{PROMOTED_PREFIX}{n}" for n in ids],
                         "qualityScores": [round(1.0 - 0.75 * k / CANDIDATES, 3) for k in range(CANDIDATES)]},
        }]}, separators=(",", ":")))
    return bodies


def wrk(base: str, args: list[str], *, connections: int, seconds: int, threads: int = 2) -> dict:
    """Run wrk with the ClosetAds script; its summary as a dict."""
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "5s", "-s", str(LUA),
               base, "--", *args]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    for line in done.stdout.splitlines():
        if line.startswith("WRK_JSON "):
            summary = json.loads(line[len("WRK_JSON "):])
            summary["rps"] = summary["requests"] / (summary["duration_us"] / 1e6)
            return summary
    raise RuntimeError(f"wrk printed no summary:\n{done.stdout}\n{done.stderr}")


async def _open_loop(host: str, port: int, requests: list[bytes], rate: float, seconds: float) -> dict:
    loop = asyncio.get_running_loop()
    latencies: list[float] = []
    by_window: dict[int, list[float]] = {}  # WINDOW_SECONDS window of the scheduled time -> latencies
    counts = {"bad_status": 0, "failed_open": 0, "winners": 0, "client_errors": 0}

    async def one(request: bytes, scheduled: float) -> None:
        try:
            reader, writer = await asyncio.open_connection(host, port)
            writer.write(request)
            await writer.drain()
            # Like any HTTP client: the response ends at Content-Length, not when the
            # server gets round to closing the socket.
            head = await reader.readuntil(b"\r\n\r\n")
            length = int(head.lower().split(b"content-length:", 1)[1].split(b"\r\n", 1)[0])
            data = head + await reader.readexactly(length)
            writer.close()
        except (OSError, asyncio.IncompleteReadError, IndexError, ValueError):
            counts["client_errors"] += 1
            return
        latencies.append(loop.time() - scheduled)
        by_window.setdefault(int((scheduled - start) // WINDOW_SECONDS), []).append(latencies[-1])
        if not data.startswith(b"HTTP/1.1 201"):
            counts["bad_status"] += 1
        elif b'"error":true' in data:
            counts["failed_open"] += 1
        counts["winners"] += data.count(b'"rank":')

    total = int(rate * seconds)
    start = loop.time() + 0.05
    tasks = []
    for i in range(total):
        scheduled = start + i / rate
        delay = scheduled - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(requests[i % len(requests)], scheduled)))
    await asyncio.gather(*tasks)
    elapsed = loop.time() - start
    latencies.sort()

    def percentile(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))] * 1000 if latencies else float("nan")

    # Where the tail comes from: spread over the run, or a few bursts (a stall, a flush).
    windows = [sorted(values)[int(0.99 * len(values))] * 1000 for _, values in sorted(by_window.items())]
    return {"sent": total, "completed": len(latencies), "achieved_rps": len(latencies) / elapsed,
            "p99_ms_per_window": [round(v, 1) for v in windows],
            "p50_ms": percentile(50), "p90_ms": percentile(90), "p99_ms": percentile(99),
            "max_ms": latencies[-1] * 1000 if latencies else float("nan"),
            "mean_ms": statistics.fmean(latencies) * 1000 if latencies else float("nan"), **counts}


def fixed_rate(base: str, key: str, rate: float, seconds: float) -> dict:
    """Open-loop load at ``rate`` auctions/s; latency from each scheduled send time."""
    host, port = base.removeprefix("http://").split(":")
    requests = []
    for body in auction_bodies(400, seed=11):
        payload = body.encode()
        requests.append(
            (f"POST /api/v1/auctions HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {key}\r\n"
             f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\nConnection: close\r\n\r\n")
            .encode() + payload)
    cpu, wall = time.process_time(), time.perf_counter()
    figures = asyncio.run(_open_loop(host, int(port), requests, rate, seconds))
    figures["client_cpu_share"] = (time.process_time() - cpu) / (time.perf_counter() - wall)
    return figures


def run(quick: bool = False) -> dict:
    """The whole auction benchmark; returns the figures (also printed as it goes)."""
    if shutil.which("wrk") is None:
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=False, capture_output=True)
        if shutil.which("wrk") is None:
            raise RuntimeError("wrk is needed: apt-get install wrk")
    load_at_start = os.getloadavg()[0]
    seconds = 5 if quick else WRK_SECONDS
    round_seconds = 3 if quick else ROUND_SECONDS
    fixed_seconds = 8 if quick else FIXED_SECONDS
    server.ensure_database()
    subprocess.run([sys.executable, "-m", "dev.bench.auction", "seed"], cwd=server.ROOT, env=server.bench_env(),
                   check=True)
    probe_out = subprocess.run([sys.executable, "-m", "dev.bench.auction", "probe"], cwd=server.ROOT,
                               env=server.bench_env(), check=True, capture_output=True, text=True).stdout
    figures: dict = json.loads(probe_out.strip().splitlines()[-1])
    print("in-process:", figures, flush=True)
    key = server.api_key("auctions")
    auction_args = ["auctions", key, str(PROMOTED_LISTINGS), str(CANDIDATES), str(SLOTS), PROMOTED_PREFIX]
    with server.gunicorn(PORT, WORKERS) as base:
        wrk(base, auction_args, connections=10, seconds=3)  # warm-up: every worker builds its index
        rounds = []
        for _ in range(2 if quick else ROUNDS):
            healthz = wrk(base, ["healthz"], connections=16, seconds=round_seconds)
            auctions = wrk(base, auction_args, connections=16, seconds=round_seconds)
            rounds.append((healthz, auctions))
            print(f"/healthz {healthz['rps']:.0f}/s, auctions {auctions['rps']:.0f}/s (16 connections) "
                  f"p50 {auctions['p50_us'] / 1000:.1f} ms p99 {auctions['p99_us'] / 1000:.1f} ms "
                  f"failed open {auctions['failed_open']}", flush=True)
        c4 = wrk(base, auction_args, connections=4, seconds=seconds)
        print(f"auctions, 4 connections: {c4['rps']:.0f}/s p50 {c4['p50_us'] / 1000:.1f} ms", flush=True)
        fixed = fixed_rate(base, key, FIXED_RATE, fixed_seconds)
        print(f"auctions at {FIXED_RATE}/s: achieved {fixed['achieved_rps']:.0f}/s p50 {fixed['p50_ms']:.1f} ms "
              f"p99 {fixed['p99_ms']:.1f} ms failed open {fixed['failed_open']}", flush=True)
    def rate(runs: list[dict]) -> float:
        return sum(r["requests"] for r in runs) / (sum(r["duration_us"] for r in runs) / 1e6)

    healthz_rps, auction_rps = rate([h for h, _ in rounds]), rate([a for _, a in rounds])
    ratios = [a["rps"] / h["rps"] for h, a in rounds]
    median = sorted((a for _, a in rounds), key=lambda a: a["rps"])[len(rounds) // 2]
    auctions_all = [a for _, a in rounds]
    completed = max(1, sum(a["responses"] - a["bad_status"] for a in auctions_all))
    figures.update({
        "promoted_listings": PROMOTED_LISTINGS, "organic_listings": ORGANIC_LISTINGS, "candidates": CANDIDATES,
        "slots": SLOTS, "gunicorn_workers": WORKERS,
        "healthz_rps": round(healthz_rps, 1),
        "auction_rps": round(auction_rps, 1),
        "auction_to_healthz_ratio": round(auction_rps / healthz_rps, 3),
        "ratio_lowest_round": round(min(ratios), 3),
        "ratio_highest_round": round(max(ratios), 3),
        "saturated_p50_ms": round(median["p50_us"] / 1000, 2),
        "saturated_p99_ms": round(median["p99_us"] / 1000, 2),
        "saturated_failed_open": sum(a["failed_open"] for a in auctions_all),
        "saturated_errors": sum(a["bad_status"] + a["errors_connect"] + a["errors_timeout"] for a in auctions_all),
        "winners_per_auction": round(sum(a["winners"] for a in auctions_all) / completed, 2),
        "c4_rps": round(c4["rps"], 1),
        "c4_p50_ms": round(c4["p50_us"] / 1000, 2),
        "c4_p99_ms": round(c4["p99_us"] / 1000, 2),
        "fixed_rate_target_rps": FIXED_RATE,
        "fixed_rate_seconds": fixed_seconds,
        "fixed_rate_achieved_rps": round(fixed["achieved_rps"], 1),
        "fixed_rate_p50_ms": round(fixed["p50_ms"], 2),
        "fixed_rate_p90_ms": round(fixed["p90_ms"], 2),
        "fixed_rate_p99_ms": round(fixed["p99_ms"], 2),
        "fixed_rate_max_ms": round(fixed["max_ms"], 2),
        f"fixed_rate_p99_ms_per_{WINDOW_SECONDS}s": fixed["p99_ms_per_window"],
        "fixed_rate_failed_open": fixed["failed_open"],
        "fixed_rate_errors": fixed["bad_status"] + fixed["client_errors"],
        "fixed_rate_client_cpu_share": round(fixed["client_cpu_share"], 3),
        # The machine is shared: load from other work at the start and end says how much to trust a run.
        "load_avg_1m_at_start": round(load_at_start, 2),
        "load_avg_1m_at_end": round(os.getloadavg()[0], 2),
    })
    return figures


NOTE = (
    "gunicorn, 3 sync workers, PostgreSQL + Redis, production settings (`DEBUG=0`); 10,000 promoted listings "
    "(1,000 closets, auto and manual bidding, some chosen selections, some throttled) plus 10,000 organic ones; "
    "each auction has 100 promoted candidate ids (random, distinct) and 4 slots. Throughput and saturated latency "
    "come from wrk (2 threads, Lua script `dev/bench/wrk/closetads.lua`), /healthz and auctions in alternating "
    f"rounds; the fixed-rate latency from an open-loop asyncio client for {FIXED_SECONDS} s (latency from the "
    f"scheduled send time; `fixed_rate_p99_ms_per_{WINDOW_SECONDS}s` is its p99 in each {WINDOW_SECONDS} s window). "
    "`*_failed_open` counts auctions answered `error: true`. `index_*`/`in_process_*` are measured in a separate "
    "process without HTTP. The machine is shared with other work (see `load_avg_*`), so figures move between "
    "runs; docs/architecture/auction.md explains where an auction request's time goes."
)

if __name__ == "__main__":
    step = sys.argv[1] if len(sys.argv) > 1 else ""
    if step == "seed":
        seed()
    elif step == "probe":
        probe()
    else:
        raise SystemExit("usage: python -m dev.bench.auction seed|probe "
                         "(the benchmark itself: python -m dev.bench.run)")
