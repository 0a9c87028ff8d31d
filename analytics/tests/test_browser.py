"""The seller pages in a real browser: Playwright driving Debian's Chromium, or Playwright's own
where Debian's is missing (dev/browser.py; `make test` gets one first).

Data is created before the browser is driven; the live server runs in a thread of this
process, so the pinned clock applies to it too. Playwright's sync API runs an event loop
in this thread, so Django's async-safety check is lifted for these tests only.
"""

from __future__ import annotations

import datetime as dt
import os
import re

import pytest
from django.urls import reverse

from alerts.tests.factories import AlertFactory
from analytics.tests.conftest import NOW, credit, stat
from auction.models import ListingAuctionDay
from auction.recording import COUNTERS
from campaigns.models import Campaign
from campaigns.tests.factories import launched_campaign
from core import clock
from dev.browser import launch_kwargs
from sellers.services import sso_link_create
from sellers.tests.factories import ListingFactory, SellerFactory

pytestmark = pytest.mark.browser



@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(**launch_kwargs())
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(accept_downloads=True, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    tab = context.new_page()
    yield tab
    context.close()


def _sign_in(page, live_server, seller) -> None:
    page.goto(sso_link_create(seller, base_url=live_server.url))


def test_a_seller_signs_in_through_sso_and_launches_a_campaign(page, live_server, transactional_db):
    clock.set_now(NOW)
    seller = SellerFactory(username="nora_new")
    ListingFactory.create_batch(6, seller=seller)
    _sign_in(page, live_server, seller)
    page.wait_for_url(re.compile(r"/campaign/start/"))
    page.click("#wizard-next")  # start -> budget
    page.wait_for_selector("#budget-form")
    page.click("#wizard-next")  # budget (recommended) -> listings
    page.wait_for_selector("#selection-form")
    page.click("#wizard-next")  # listings (whole closet) -> review
    page.wait_for_selector("#launch-form")
    page.click("#launch")
    page.wait_for_selector("#campaign-title")
    assert Campaign.objects.get(seller=seller).status == Campaign.Status.ACTIVE
    page.click("#nav-dashboard")
    page.wait_for_selector("#dashboard-body")
    assert page.locator("#empty-no-data").is_visible()


@pytest.fixture
def shop_with_results(transactional_db, live_server):
    """A seller with a month of rollups, a credited order and a week of auction counts; V0 and
    V2 have photos (the site's generated ones), V1 none."""
    clock.set_now(NOW - dt.timedelta(days=60))
    seller = SellerFactory(username="vintage_vera")
    listings = [ListingFactory(seller=seller, title=f"Denim jacket {i}", marketplace_id=f"V{i}",
                               image_url="" if i == 1 else f"{live_server.url}/demo/photos/V{i}.svg")
                for i in range(3)]
    campaign = launched_campaign(seller)
    clock.set_now(NOW)
    for days_ago in range(30):
        hour = NOW.replace(hour=10) - dt.timedelta(days=days_ago)
        # Busier in the last week, so switching 30 -> 7 days changes every count.
        scale = 1 if days_ago >= 7 else 3
        stat(campaign, listings[0], hour, impressions=80 * scale, clicks=3 * scale, charged_clicks=3 * scale,
             spend_micros=900_000 * scale, direct_orders=1 if days_ago % 5 == 0 else 0,
             direct_sales_micros=40_000_000 if days_ago % 5 == 0 else 0)
    receipt = credit(campaign, listings[0], listings[1], kind="halo", clicked_at=NOW - dt.timedelta(days=3),
                     purchased_at=NOW - dt.timedelta(days=1), order_id="ORD-1001")
    ListingAuctionDay.objects.create(listing=listings[2], day=NOW.date(), **{
        **dict.fromkeys(COUNTERS, 0), "candidate": 12, "eligible": 4, "won": 1, "paced_out": 8, "outranked": 3})
    AlertFactory(seller=seller)  # the bell shows a count, the alert list an alert
    return {"seller": seller, "listings": listings, "receipt": receipt}


def test_dashboard_charts_range_switch_csv_receipt_and_why(page, live_server, shop_with_results, tmp_path):
    blocked = []  # the Content-Security-Policy must block nothing these pages need
    page.on("console", lambda message: blocked.append(message.text)
            if "Content Security Policy" in message.text else None)
    _sign_in(page, live_server, shop_with_results["seller"])
    page.goto(f"{live_server.url}{reverse('analytics:dashboard')}?range=30")
    page.wait_for_selector("[data-chart='money'] svg.main-svg")
    assert page.locator("svg.main-svg").count() >= 3
    before = page.inner_text("#kpi-impressions .kpi-value")

    # The range switches through htmx: no reload (the marker survives), the URL follows.
    page.evaluate("window.__dashboardMarker = 'kept'")
    page.click("a[data-range='7']")
    page.wait_for_function("(old) => document.querySelector('#kpi-impressions .kpi-value').textContent !== old",
                           arg=before)
    assert page.evaluate("window.__dashboardMarker") == "kept"
    assert page.url.endswith("range=7")
    assert page.inner_text("#kpi-impressions .kpi-value") == f"{80 * 3 * 7:,}"
    page.wait_for_selector("[data-chart='ctr'] svg.main-svg")

    with page.expect_download() as download_info:
        page.click("#export-link")
    path = tmp_path / "export.csv"
    download_info.value.save_as(path)
    lines = path.read_text().splitlines()
    assert lines[0] == "date,listing_id,impressions,clicks,spend,orders_direct,sales_direct,orders_halo,sales_halo"
    assert len(lines) == 1 + 7
    assert sum(int(line.split(",")[2]) for line in lines[1:]) == 80 * 3 * 7

    page.goto(f"{live_server.url}{reverse('analytics:receipts')}?range=7")
    page.click("a.receipt-link")
    page.wait_for_selector("#receipt")
    assert "Halo sale" in page.inner_text("#receipt")
    assert page.inner_text("#days-before") == "2 days"

    page.goto(f"{live_server.url}{reverse('analytics:listings')}?range=7")
    page.locator("tr[data-listing='V2'] a.why-link").click()
    page.wait_for_selector("#why-reasons")
    assert page.inner_text("#why-candidate") == "12"
    assert "spread your budget evenly" in page.inner_text("#why-reasons")
    assert blocked == []


def test_results_and_picker_show_the_listing_photos_from_this_site_only(page, live_server, shop_with_results):
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    _sign_in(page, live_server, shop_with_results["seller"])
    page.goto(f"{live_server.url}{reverse('analytics:listings')}?range=30")
    photo = page.locator("tr[data-listing='V0'] img.thumb")
    photo.scroll_into_view_if_needed()
    page.wait_for_function("(img) => img.complete && img.naturalWidth > 0", arg=photo.element_handle())
    assert photo.get_attribute("loading") == "lazy" and photo.get_attribute("alt") == ""
    assert photo.bounding_box()["width"] == 44 and photo.bounding_box()["height"] == 44
    assert page.locator("tr[data-listing='V1'] .thumb-none").bounding_box()["width"] == 44

    campaign = Campaign.objects.get(seller=shop_with_results["seller"])
    page.goto(f"{live_server.url}{reverse('campaigns:detail', args=[campaign.pk])}")
    thumbs = page.locator("#listing-picker img.thumb")
    thumbs.first.scroll_into_view_if_needed()
    page.wait_for_function("(img) => img.complete && img.naturalWidth > 0", arg=thumbs.first.element_handle())
    assert thumbs.count() == 2 and page.locator("#listing-picker .thumb-none").count() == 1
    assert any("/demo/photos/V0.svg" in url for url in requests)
    outside = [url for url in requests if not url.startswith((live_server.url, "data:"))]
    assert outside == []


def test_lift_card_forecast_against_outcome_and_a_higher_budget_never_forecasts_less(page, live_server,
                                                                                      transactional_db):
    from analytics.models import LiftEstimate
    from auction.models import AuctionSettings
    from campaigns.services import click_charge, forecasts_record_week

    last_monday = dt.datetime(2026, 12, 7, tzinfo=dt.UTC)  # the Monday before NOW
    clock.set_now(last_monday)
    seller = SellerFactory(username="busy_bea")
    ListingFactory.create_batch(30, seller=seller)
    campaign = launched_campaign(seller, weekly_budget_micros=25_000_000)
    forecasts_record_week()
    for i in range(9):  # a week that left most of its budget: 9 clicks
        click_charge(campaign.pk, 300_000, click_id=i)
    clock.set_now(NOW)
    forecasts_record_week()  # this week's, from last week's evidence
    rules = AuctionSettings.load()
    rules.holdout_share = 0.1
    rules.save()
    _sign_in(page, live_server, seller)

    page.goto(f"{live_server.url}{reverse('analytics:dashboard')}")
    card = page.inner_text("#lift-card")
    assert "Not enough data yet" in card and "ROAS" in card  # no estimate yet
    LiftEstimate.objects.create(
        key=f"seller:{seller.pk}", scope="seller", seller=seller, window_start=NOW - dt.timedelta(days=28),
        window_end=NOW, horizon_days=14, exposed_shoppers=900, held_out_shoppers=100,
        incremental_sales_micros=120_000_000, incremental_sales_low_micros=80_000_000,
        incremental_sales_high_micros=160_000_000, incremental_orders=3.0, incremental_orders_low=1.0,
        incremental_orders_high=5.0, lift=0.4, lift_low=0.1, lift_high=0.8)
    page.reload()
    assert "+$80.00 to +$160.00" in page.inner_text("#lift-sales")

    page.goto(f"{live_server.url}{reverse('campaigns:home')}")
    check = page.inner_text("#forecast-check")
    assert "you got 9" in check

    def forecast_clicks() -> tuple[int, int]:
        text = page.inner_text("#campaign-budget")
        low, high = re.search(r"(\d[\d,]*)\u2013(\d[\d,]*) clicks", text).groups()
        return int(low.replace(",", "")), int(high.replace(",", ""))

    last = forecast_clicks()
    for amount in ("30", "45", "80"):
        page.fill("#id_weekly_budget", amount)
        page.click("#budget-save")
        page.wait_for_selector("#budget-notice")
        page.wait_for_function("(a) => document.querySelector('#campaign-budget').innerText.includes('$' + a + '.00:')",
                               arg=amount)
        now = forecast_clicks()
        assert now[0] >= last[0] and now[1] >= last[1], (amount, last, now)
        last = now

    # A refused budget (a 400 fragment) is swapped in, naming the field, and the page stays.
    page.fill("#id_weekly_budget", "5000")
    page.click("#budget-save")
    page.wait_for_selector("#campaign-budget .errorlist")
    assert "at most" in page.inner_text("#campaign-budget .errorlist")


PHONE = {"width": 390, "height": 844}
# The innermost elements that reach past the viewport's right edge (what to fix when a page is too wide).
_OFFENDERS = """() => [...document.querySelectorAll('body *')].filter(e => {
  const wide = x => x.getBoundingClientRect().right > 390.5;
  return wide(e) && ![...e.children].some(wide);
}).slice(0, 6).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className ? '.' + e.className : '')
  + ' ' + Math.round(e.getBoundingClientRect().right))"""


def _phone_pages(shop) -> list[str]:
    from campaigns.models import BudgetPeriod

    seller, listings, receipt = shop["seller"], shop["listings"], shop["receipt"]
    campaign = Campaign.objects.get(seller=seller)
    period = BudgetPeriod.objects.filter(campaign=campaign).first()
    return [
        reverse("home"),
        reverse("campaigns:home"),
        reverse("campaigns:detail", args=[campaign.pk]),
        reverse("campaigns:statements"),
        reverse("campaigns:statement", args=[period.pk]),
        f"{reverse('analytics:dashboard')}?range=30",
        f"{reverse('analytics:listings')}?range=30",
        reverse("analytics:why", args=[listings[2].pk]),
        f"{reverse('analytics:receipts')}?range=30",
        reverse("analytics:receipt", args=[receipt.pk]),
        reverse("alerts:list"),
        reverse("alerts:preferences"),
    ]


@pytest.mark.parametrize("language", ["en", "es"])
def test_every_seller_page_fits_a_phone_with_no_console_error(browser, live_server, shop_with_results, language):
    """At 390 px nothing scrolls sideways (a wide table scrolls inside its own box), and no
    page logs a console error (a missing favicon included); in English and, for a browser
    asking for Spanish, in Spanish (every page says so in <html lang>)."""
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True,
                                  locale={"en": "en-US", "es": "es-ES"}[language])
    context.set_default_timeout(15_000)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("console", lambda message: errors.append(f"{tab.url}: {message.text}")
           if message.type == "error" else None)
    tab.on("response", lambda response: errors.append(f"{response.url}: {response.status}")
           if response.status >= 400 else None)
    tab.goto(f"{live_server.url}{reverse('login')}")
    too_wide, squeezed, wrong_language = {}, {}, {}
    width = tab.evaluate("document.documentElement.scrollWidth")
    if width > PHONE["width"]:
        too_wide["login"] = width
    if tab.evaluate("document.documentElement.lang") != language:
        wrong_language["login"] = tab.evaluate("document.documentElement.lang")
    _sign_in(tab, live_server, shop_with_results["seller"])
    for path in _phone_pages(shop_with_results):
        tab.goto(f"{live_server.url}{path}")
        tab.wait_for_load_state("networkidle")
        if tab.evaluate("document.documentElement.lang") != language:
            wrong_language[path] = tab.evaluate("document.documentElement.lang")
        width = tab.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            too_wide[path] = (width, tab.evaluate(_OFFENDERS))
        # A table scrolls in its own box rather than squeezing a title to a letter a line.
        narrowest = tab.evaluate("Math.min(...[...document.querySelectorAll('.table .with-thumb')]"
                                 ".map(e => e.getBoundingClientRect().width), 1e9)")
        if narrowest < 150:
            squeezed[path] = narrowest
    context.close()
    assert too_wide == {}, "\n".join(f"{path}: {found}" for path, found in too_wide.items())
    assert squeezed == {}
    assert errors == []
    assert wrong_language == {}


def test_the_campaign_wizard_fits_a_phone(browser, live_server, transactional_db):
    seller = SellerFactory(username="nora_phone")
    ListingFactory.create_batch(6, seller=seller)
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    context.set_default_timeout(15_000)
    tab = context.new_page()
    _sign_in(tab, live_server, seller)
    tab.wait_for_url(re.compile(r"/campaign/start/"))
    too_wide = {}
    for step, ready in (("start", "#wizard-next"), ("budget", "#budget-form"), ("listings", "#selection-form"),
                        ("review", "#launch-form")):
        tab.wait_for_selector(ready)
        width = tab.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            too_wide[step] = (width, tab.evaluate(_OFFENDERS))
        if step != "review":
            tab.click("#wizard-next")
    context.close()
    assert too_wide == {}


def test_a_spanish_seller_types_a_budget_with_a_decimal_comma(browser, live_server, transactional_db):
    """Accept-Language: es. The wizard is in Spanish, "25,50" is 25.50 (stored in micros) and is
    shown back as 25,50 $."""
    clock.set_now(NOW)
    seller = SellerFactory(username="lola_es")
    ListingFactory.create_batch(6, seller=seller)
    context = browser.new_context(locale="es-ES")
    context.set_default_timeout(15_000)
    tab = context.new_page()
    _sign_in(tab, live_server, seller)
    tab.wait_for_url(re.compile(r"/campaign/start/"))
    assert tab.evaluate("document.documentElement.lang") == "es"
    tab.click("#wizard-next")
    tab.wait_for_selector("#budget-form")
    assert "Tu presupuesto semanal" in tab.inner_text("#wizard-title")
    tab.check("#budget-choice-own")
    tab.fill("#id_weekly_budget", "25,50")
    tab.click("#wizard-next")
    tab.wait_for_selector("#selection-form")
    tab.click("#wizard-next")
    tab.wait_for_selector("#launch-form")
    assert tab.inner_text("#review-budget") == "25,50\u00a0$"
    tab.click("#launch")
    tab.wait_for_selector("#campaign-title")
    campaign = Campaign.objects.get(seller=seller)
    assert campaign.status == Campaign.Status.ACTIVE and campaign.weekly_budget_micros == 25_500_000
    assert "25,50\u00a0$" in tab.inner_text("#weekly-budget")
    context.close()


def test_the_language_switcher_choice_outlives_a_new_accept_language(browser, live_server, transactional_db):
    """A browser asking for English gets English until the seller picks Spanish in the header;
    the choice is stored on the seller, so a new browser asking for English gets Spanish."""
    from sellers.models import Seller

    clock.set_now(NOW)
    seller = SellerFactory(username="pick_pia")
    ListingFactory.create_batch(3, seller=seller)
    launched_campaign(seller)
    english = browser.new_context(locale="en-US")
    english.set_default_timeout(15_000)
    tab = english.new_page()
    _sign_in(tab, live_server, seller)
    tab.goto(f"{live_server.url}{reverse('campaigns:statements')}")
    assert tab.evaluate("document.documentElement.lang") == "en"
    tab.select_option("#language-select", "es")
    tab.click("#language-save")
    tab.wait_for_function("document.documentElement.lang === 'es'")
    assert tab.url.endswith(reverse("campaigns:statements"))
    assert "Extractos semanales" in tab.inner_text("h1")
    assert Seller.objects.get(pk=seller.pk).language == "es"
    english.close()

    fresh = browser.new_context(locale="en-US")  # no cookie: only the stored choice can say Spanish
    fresh.set_default_timeout(15_000)
    tab = fresh.new_page()
    _sign_in(tab, live_server, seller)
    tab.goto(f"{live_server.url}{reverse('campaigns:statements')}")
    assert tab.evaluate("document.documentElement.lang") == "es"
    assert tab.evaluate("document.querySelector('#language-select').value") == "es"
    fresh.close()
