"""``make screenshots``: PNGs of the seller pages for the README, from demo data in a throwaway SQLite DB.

    python -m analytics.screenshots [--out docs/screenshots]

Creates its own temporary data directory (SQLite, no services), loads the demo
marketplace, gives the demo seller 90 days of synthetic results, serves the project on a
free local port in a thread and drives Debian's Chromium with Playwright (no download).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _django(data_dir: str) -> None:
    for name in ("DATABASE_URL", "REDIS_URL"):
        os.environ.pop(name, None)
    os.environ["CLOSETADS_DATA_DIR"] = data_dir
    os.environ["DJANGO_SETTINGS_MODULE"] = "closetads.settings"
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    import django

    django.setup()


def _demo() -> dict:
    import datetime as dt

    from sellers.demo import load_demo

    from analytics import demo
    from campaigns.tests.factories import launched_campaign
    from closetads import clock
    from sellers.models import Seller

    result = load_demo()
    seller = Seller.objects.get(marketplace_id=result.demo_seller_id)
    newcomer = Seller.objects.exclude(pk=seller.pk).order_by("marketplace_id").first()
    listings = list(seller.listings.order_by("id"))
    with clock.frozen(clock.now() - dt.timedelta(days=100)):
        campaign = launched_campaign(seller, weekly_budget_micros=40_000_000)
    demo.rollups_create(campaign, [x.pk for x in listings], days=100, cells_per_hour=18, seed=3)
    demo.credits_create(campaign, listings, count=24, seed=3)
    demo.auction_days_create(listings[5], seed=3)
    return {"seller": seller, "newcomer": newcomer, "why_listing": listings[5]}


def _serve() -> str:
    from django.core.handlers.wsgi import WSGIHandler
    from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler

    class Quiet(WSGIRequestHandler):
        def log_message(self, *args) -> None:
            pass

    server = ThreadedWSGIServer(("127.0.0.1", 0), Quiet, allow_reuse_address=True)
    server.set_app(WSGIHandler())
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="closetads-shots-") as data_dir:
        _django(data_dir)
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        data = _demo()
        base = _serve()
        from django.urls import reverse
        from playwright.sync_api import sync_playwright

        from closetads.browser import launch_kwargs
        from sellers.services import sso_link_create

        shots = [
            ("dashboard", reverse("analytics:dashboard") + "?range=30", "[data-chart='ctr'] svg.main-svg"),
            ("listings", reverse("analytics:listings") + "?range=30", "#listing-table"),
            ("receipts", reverse("analytics:receipts") + "?range=30", "#receipt-table"),
            ("why-not-showing", reverse("analytics:why", args=[data["why_listing"].pk]), "#why-reasons"),
            ("campaign", reverse("campaigns:home"), "#campaign-title"),
        ]
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(**launch_kwargs())
            page = browser.new_page(viewport={"width": 1280, "height": 900}, device_scale_factor=1)
            page.goto(sso_link_create(data["seller"], base_url=base))
            for name, path, ready in shots:
                page.goto(base + path)
                page.wait_for_selector(ready)
                page.wait_for_timeout(300)
                page.screenshot(path=str(out / f"{name}.png"), full_page=True)
                print(f"saved {out / f'{name}.png'}")
            fresh = browser.new_page(viewport={"width": 1280, "height": 900})
            fresh.goto(sso_link_create(data["newcomer"], base_url=base))
            fresh.wait_for_selector("#wizard-next")
            fresh.screenshot(path=str(out / "onboarding.png"), full_page=True)
            print(f"saved {out / 'onboarding.png'}")
            browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
