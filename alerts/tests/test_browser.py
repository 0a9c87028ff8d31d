"""Acceptance: in a simulated week a budget runs out on Friday evening; the seller finds the alert
under the bell in a real browser, and its email was sent once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse

from alerts.models import Alert
from alerts.tests.conftest import MONDAY
from analytics.services import events_ingest
from analytics.tests.factories import bid_token, sponsored
from analytics.tests.test_browser import _sign_in, browser, page  # noqa: F401 - fixtures
from campaigns.models import BudgetPeriod
from campaigns.tests.factories import launched_campaign
from core import clock, periodic
from sellers.tests.factories import ListingFactory, SellerFactory

pytestmark = pytest.mark.browser


def test_a_budget_gone_early_in_a_simulated_week_reaches_the_bell_and_one_email(page, live_server,  # noqa: F811
                                                                               transactional_db):
    clock.set_now(MONDAY)
    seller = SellerFactory(username="early_eve")
    listings = ListingFactory.create_batch(3, seller=seller)
    campaign = launched_campaign(seller, weekly_budget_micros=10_000_000)
    # The week, three hours at a time: a $0.25 click each time, the alerts job after each.
    for step in range(7 * 8):
        clock.set_now(MONDAY + dt.timedelta(hours=3 * step))
        token = bid_token(campaign, listings[step % 3], price_micros=250_000)
        events_ingest({"clicks": [sponsored(token, user=f"shopper-{step}")]})
        periodic.run(["alerts"])
    period = BudgetPeriod.objects.get(campaign=campaign)
    exhausted = period.exhausted_at
    assert exhausted is not None and exhausted.weekday() < 6  # before Sunday
    assert Alert.objects.count() == 1 and len(mail.outbox) == 1
    assert mail.outbox[0].to == ["early_eve@example.com"]
    title = f"Your budget ran out on {exhausted:%A} at {exhausted:%H:%M}"
    assert mail.outbox[0].subject == f"ClosetAds: {title}"

    _sign_in(page, live_server, seller)
    page.goto(f"{live_server.url}{reverse('campaigns:statements')}")
    assert page.inner_text("#bell-count") == "1"
    page.click("#nav-alerts")
    page.wait_for_selector("#alerts")
    item = page.locator(".alert-item").first
    assert title in item.inner_text()
    item.locator("button.mark-read").click()
    page.wait_for_selector(".alert-item:not(.unread)")
    assert page.locator("#bell-count").count() == 0
    assert Alert.objects.get().read_at is not None
    assert len(mail.outbox) == 1
