"""The seller's alert pages: the bell, the list, marking read, preferences; only their own alerts."""

from __future__ import annotations

import pytest
from django.urls import reverse

from alerts.models import AlertPreference
from alerts.selectors import ALERTS_PER_PAGE
from alerts.tests.factories import AlertFactory
from sellers.tests.factories import SellerFactory


@pytest.fixture
def seller_client(client, django_user_model):
    user = django_user_model.objects.create_user("sam", password="a-long-password-1")
    seller = SellerFactory(user=user)
    client.force_login(user)
    client.seller = seller
    return client


def test_the_bell_counts_unread_alerts_on_every_seller_page(seller_client):
    AlertFactory.create_batch(2, seller=seller_client.seller)
    AlertFactory(seller=seller_client.seller, in_app=False)  # email only: not under the bell
    AlertFactory()  # another seller's
    page = seller_client.get(reverse("campaigns:statements")).content.decode()
    assert 'id="bell-count">2<' in page
    assert 'aria-label="Alerts, 2 unread"' in page


def test_the_list_is_newest_first_and_paginated(seller_client):
    alerts = AlertFactory.create_batch(ALERTS_PER_PAGE + 1, seller=seller_client.seller)
    first = seller_client.get(reverse("alerts:list")).content.decode()
    assert f'id="alert-{alerts[-1].pk}"' in first and f'id="alert-{alerts[0].pk}"' not in first
    assert "Page 1 of 2" in first
    second = seller_client.get(reverse("alerts:list"), {"page": 2}).content.decode()
    assert f'id="alert-{alerts[0].pk}"' in second
    assert "Your budget ran out on Thursday at 14:00" in second


def test_an_empty_list_says_what_alerts_will_come(seller_client):
    page = seller_client.get(reverse("alerts:list")).content.decode()
    assert 'id="alerts-empty"' in page and 'id="bell-count"' not in page


def test_marking_one_read_then_all_read(seller_client):
    one, two, three = AlertFactory.create_batch(3, seller=seller_client.seller)
    response = seller_client.post(reverse("alerts:read", args=[one.pk]))
    assert response.status_code == 302
    one.refresh_from_db()
    assert one.read_at is not None
    htmx = seller_client.post(reverse("alerts:read", args=[two.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert f'id="alert-{two.pk}"' in htmx and 'hx-swap-oob="true"' in htmx and 'id="bell-count">1<' in htmx
    seller_client.post(reverse("alerts:read_all"))
    three.refresh_from_db()
    assert three.read_at is not None
    assert 'id="bell-count"' not in seller_client.get(reverse("alerts:list")).content.decode()


def test_marking_read_needs_a_post_with_the_csrf_token(seller_client):
    from django.test import Client

    alert = AlertFactory(seller=seller_client.seller)
    assert seller_client.get(reverse("alerts:read", args=[alert.pk])).status_code == 405
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(seller_client.seller.user)
    assert strict.post(reverse("alerts:read", args=[alert.pk])).status_code == 403
    alert.refresh_from_db()
    assert alert.read_at is None


def test_another_sellers_alert_is_a_404_and_stays_unread(seller_client):
    theirs = AlertFactory()
    assert seller_client.post(reverse("alerts:read", args=[theirs.pk])).status_code == 404
    seller_client.post(reverse("alerts:read_all"))
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert f'id="alert-{theirs.pk}"' not in seller_client.get(reverse("alerts:list")).content.decode()


def test_preferences_default_to_everything_on_and_save(seller_client):
    page = seller_client.get(reverse("alerts:preferences")).content.decode()
    assert page.count("checked") == 8
    response = seller_client.post(reverse("alerts:preferences"), {
        "budget_spent_in_app": "on", "low_roas_in_app": "on", "low_roas_email": "on", "campaign_stopped_in_app": "on",
        "campaign_stopped_email": "on", "refund_in_app": "on", "refund_email": "on"})
    assert response.status_code == 302
    preference = AlertPreference.objects.get(seller=seller_client.seller)
    assert preference.budget_spent_in_app and not preference.budget_spent_email and preference.refund_email


def test_the_alert_pages_are_for_signed_in_sellers_only(client):
    assert client.get(reverse("alerts:list")).status_code == 302
