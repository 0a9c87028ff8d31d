"""``make screenshots``: PNGs of the seller pages for the README, from ``make demo``'s own data.

    python -m dev.screenshots [--out docs/screenshots]

Creates its own temporary data directory (SQLite, no services), loads the demo
marketplace exactly as ``make demo`` does (``load_demo``: four weeks played by the
simulator), serves the project on a free local port in a thread and drives Debian's
Chromium with Playwright (no download), at desktop width (1280 px) and phone width
(390 px, ``*-phone.png``).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
from pathlib import Path
from typing import TYPE_CHECKING

ROOT = Path(__file__).resolve().parent.parent
if TYPE_CHECKING:
    from playwright.sync_api import ViewportSize

DESKTOP: ViewportSize = {"width": 1280, "height": 900}
PHONE: ViewportSize = {"width": 390, "height": 844}


def _django(data_dir: str) -> None:
    for name in ("DATABASE_URL", "REDIS_URL"):
        os.environ.pop(name, None)
    os.environ["CLOSETADS_DATA_DIR"] = data_dir
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    import django

    django.setup()


def _demo() -> dict:
    from django.core.management import call_command
    from django.db.models import Sum

    from auction.models import ListingAuctionDay
    from campaigns.models import Campaign
    from sellers.models import Seller

    call_command("load_demo", verbosity=0)
    seller = Seller.objects.get(user__username="demo")
    newcomer = (Seller.objects.exclude(pk__in=Campaign.objects.values("seller_id")).order_by("marketplace_id")
                .first())
    # The demo seller's listing that was a candidate in the most auctions: the "why" page has reasons to show.
    busiest = (ListingAuctionDay.objects.filter(listing__seller=seller).values("listing_id")
               .annotate(seen=Sum("candidate")).order_by("-seen", "listing_id").first())
    why = busiest["listing_id"] if busiest else seller.listings.order_by("id").values_list("id", flat=True)[0]
    return {"seller": seller, "newcomer": newcomer, "why_listing": why}


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


def _save(page, path: Path) -> None:
    """The page from the top, at most two screens tall (a long table is cut, not shrunk)."""
    width, height = page.viewport_size["width"], page.viewport_size["height"]
    full = page.evaluate("document.documentElement.scrollHeight")
    page.screenshot(path=str(path), full_page=True, clip={"x": 0, "y": 0, "width": width,
                                                          "height": min(full, 2 * height)})
    print(f"saved {path}")


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
        from sellers.models import Listing
        from sellers.services import listing_demo_photos_set

        listing_demo_photos_set(Listing.objects.all(), base_url=base)  # the photos, from this server's port
        from django.urls import reverse
        from playwright.sync_api import sync_playwright

        from dev.browser import launch_kwargs
        from sellers.services import sso_link_create

        shots = [
            ("dashboard", reverse("analytics:dashboard") + "?range=30", "[data-chart='ctr'] svg.main-svg"),
            ("listings", reverse("analytics:listings") + "?range=30", "#listing-table"),
            ("receipts", reverse("analytics:receipts") + "?range=30", "#receipt-table"),
            ("why-not-showing", reverse("analytics:why", args=[data["why_listing"]]), "#why-reasons"),
            ("campaign", reverse("campaigns:home"), "#campaign-title"),
        ]
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(**launch_kwargs())
            for suffix, viewport in (("", DESKTOP), ("-phone", PHONE)):
                page = browser.new_page(viewport=viewport, device_scale_factor=1)
                page.goto(sso_link_create(data["seller"], base_url=base))
                for name, path, ready in shots:
                    page.goto(base + path)
                    page.wait_for_selector(ready)
                    page.wait_for_timeout(300)
                    _save(page, out / f"{name}{suffix}.png")
                page.close()
                if data["newcomer"] is not None:
                    fresh = browser.new_page(viewport=viewport, device_scale_factor=1)
                    fresh.goto(sso_link_create(data["newcomer"], base_url=base))
                    fresh.wait_for_selector("#wizard-next")
                    _save(fresh, out / f"onboarding{suffix}.png")
                    fresh.close()
            browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
