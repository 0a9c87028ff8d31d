"""The seller dashboard benchmark: server time of the dashboard and the per-listing table on PostgreSQL.

A seller with 1,000 listings and a year of hourly rollups (about 40 listing cells per hour,
evening-heavy: ~300k ``HourlyStat`` rows, ~8,800 ``CampaignHourlyStat`` rows), plus 50 other sellers' campaigns so the
(campaign, hour) index is not the seller's alone. Requests go through Django's test
client in one process with production settings (DEBUG off, PostgreSQL, Redis,
collected static files): the figure is the server's time for the whole request (URL
resolution, session and auth, queries, template rendering), without HTTP parsing or the
network, which gunicorn would add for every page alike (~1 ms on this machine).

Figures (section "dashboard" of dev/bench/results.json), each over ``REQUESTS`` requests after a warm-up:
``<page>_p50_ms``, ``<page>_p95_ms`` for the dashboard (30, 90 and 365 days) and the
listing table (30 days by spend; 90 days by CTR, page 10). And what a seller's browser
moves over the wire on a first visit to the 30-day dashboard (``first_load_*``): Chromium
with an empty cache against gunicorn with production settings (whitenoise serving the
collected, compressed static files), every response's headers and encoded body summed,
until the charts are drawn.

Run: ``python -m dev.bench.run --only dashboard`` (or ``make bench``).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time

from dev.bench import server
from dev.browser import launch_kwargs

REQUESTS = 200
LISTINGS = 1000
CELLS_PER_HOUR = 60
OTHER_SELLERS = 50
DATABASE_URL = "postgres://postgres@127.0.0.1:5432/closetads_bench_dashboard"
SELLER_ID = "BENCH-DASH"
PAGES = {
    "dashboard_30d": "/analytics/?range=30",
    "dashboard_90d": "/analytics/?range=90",
    "dashboard_365d": "/analytics/?start={year_ago}&end={today}",
    "listings_30d": "/analytics/listings/?range=30",
    "listings_90d_ctr_page10": "/analytics/listings/?range=90&sort=-ctr&page=10",
}
NOTE = (f"Django test client in-process, production settings (DEBUG off, PostgreSQL, Redis, collected static); "
        f"a seller with {LISTINGS:,} listings and a year of hourly rollups (~40 listing cells per hour) among "
        f"{OTHER_SELLERS} other sellers' campaigns; {REQUESTS} requests per page after a warm-up. "
        "Target p95 <= 150 ms. `first_load_bytes`: a first visit to the 30-day dashboard in Chromium (empty cache) "
        "against gunicorn with production settings, every response's headers and encoded body until the charts are "
        "drawn; target <= 1.5 MB.")


def _env() -> dict[str, str]:
    os.environ.setdefault("BENCH_DATABASE_URL", DATABASE_URL)
    return server.bench_env(ALLOWED_HOSTS="127.0.0.1,localhost,testserver")


def seed() -> None:
    """Create the seller and the year of rollups unless they are there (idempotent)."""
    import django

    django.setup()
    from campaigns.tests.factories import launched_campaign
    from core import clock
    from dev import demo
    from sellers.models import Listing, Seller

    if Seller.objects.filter(marketplace_id=SELLER_ID).exists():
        print(json.dumps({"seeded": False}))
        return
    import datetime as dt

    started = time.perf_counter()
    year_ago = clock.now() - dt.timedelta(days=366)
    rows = 0
    for n in range(OTHER_SELLERS + 1):
        mid = SELLER_ID if n == 0 else f"BENCH-OTHER-{n}"
        seller = Seller.objects.create(marketplace_id=mid, username=mid.lower())
        size = LISTINGS if n == 0 else 40
        Listing.objects.bulk_create([Listing(seller=seller, marketplace_id=f"{mid}-L{i}", title=f"Listing {i}",
                                             price_micros=(10 + i % 90) * 1_000_000) for i in range(size)])
        with clock.frozen(year_ago):
            campaign = launched_campaign(seller)
        listing_ids = list(seller.listings.values_list("id", flat=True))
        rows += demo.rollups_create(campaign, listing_ids, days=365, cells_per_hour=CELLS_PER_HOUR if n == 0 else 4,
                                    seed=n)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(json.dumps({"seeded": True, "rows": rows, "seconds": round(time.perf_counter() - started, 1)}))


def measure(requests: int) -> None:
    """Time each page ``requests`` times with the test client; print the figures as JSON."""
    import django

    django.setup()
    import datetime as dt

    from django.contrib.auth import get_user_model
    from django.test import Client

    from analytics.models import CampaignHourlyStat, HourlyStat
    from core import clock
    from sellers.models import Seller

    seller = Seller.objects.get(marketplace_id=SELLER_ID)
    if seller.user is None:
        seller.user = get_user_model().objects.create_user(f"bench-{seller.pk}")
        seller.save(update_fields=["user"])
    client = Client()
    client.force_login(seller.user)
    today = clock.now().date()
    figures: dict[str, float] = {
        "seller_rollup_rows": HourlyStat.objects.filter(campaign__seller=seller).count(),
        "seller_campaign_rollup_rows": CampaignHourlyStat.objects.filter(campaign__seller=seller).count(),
        "listings": seller.listings.count(),
    }
    for name, template in PAGES.items():
        url = template.format(today=today, year_ago=today - dt.timedelta(days=364))
        for _ in range(10):
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
        times = []
        for _ in range(requests):
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
        times.sort()
        figures[f"{name}_p50_ms"] = round(statistics.median(times), 1)
        figures[f"{name}_p95_ms"] = round(times[int(0.95 * (len(times) - 1))], 1)
    print(json.dumps(figures))


def first_load(base: str) -> None:
    """A seller's first visit to the 30-day dashboard over HTTP (empty cache): bytes moved, as JSON."""
    import django

    django.setup()
    from sellers.models import Seller
    from sellers.services import sso_link_create

    link = sso_link_create(Seller.objects.get(marketplace_id=SELLER_ID), base_url=base)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(**launch_kwargs())
        signed_in = browser.new_context()
        signed_in.new_page().goto(link)  # the session cookie, from a context whose cache is then thrown away
        state = signed_in.storage_state()
        signed_in.close()
        context = browser.new_context(storage_state=state)
        page = context.new_page()
        seen: list = []
        page.on("requestfinished", lambda request: seen.append(request))
        page.goto(f"{base}/analytics/?range=30")
        page.wait_for_selector("[data-chart='roas'] svg.main-svg")
        page.wait_for_load_state("networkidle")
        sizes = [(request.url, request.sizes()) for request in seen]
        browser.close()
    body = sum(max(0, s["responseBodySize"]) for _, s in sizes)
    headers = sum(max(0, s["responseHeadersSize"]) for _, s in sizes)
    largest = max(sizes, key=lambda item: item[1]["responseBodySize"])
    print(json.dumps({"first_load_bytes": body + headers, "first_load_requests": len(sizes),
                      "first_load_largest": f"{largest[0].rsplit('/', 1)[-1]} {largest[1]['responseBodySize']:,} B"}))


def _inner(step: str, env: dict[str, str], *args: str) -> dict:
    done = subprocess.run([sys.executable, "-m", "dev.bench.dashboard", step, *args], cwd=server.ROOT, env=env,
                          capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"dev.bench.dashboard {step} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def run(quick: bool = False) -> dict:
    env = _env()
    server.ensure_database()
    server.manage("collectstatic", "--noinput", env=env)
    seeded = _inner("seed", env)
    print(f"seed: {seeded}", flush=True)
    figures = _inner("measure", env, str(30 if quick else REQUESTS))
    with server.gunicorn(8792, workers=2, env=env) as base:
        figures.update(_inner("first_load", env, base))
    return figures


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    if sys.argv[1] == "seed":
        seed()
    elif sys.argv[1] == "measure":
        measure(int(sys.argv[2]))
    elif sys.argv[1] == "first_load":
        first_load(sys.argv[2])
