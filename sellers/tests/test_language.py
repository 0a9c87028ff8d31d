"""Which language a request gets: the seller's stored choice, else the browser's, else English;
the switcher stores the choice; the storefront API and admin stay English; alerts' emails
go out in the seller's language."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse

from alerts.services import alert_emails_send
from alerts.tests.factories import AlertFactory
from sellers.models import Seller
from sellers.tests.factories import SellerFactory


@pytest.fixture
def seller(db, django_user_model):
    user = django_user_model.objects.create_user("lola", password="a-long-password-1")
    return SellerFactory(user=user, username="lola_vintage")


@pytest.fixture
def seller_client(client, seller):
    client.force_login(seller.user)
    return client


def test_without_accept_language_pages_are_english(client, db):
    page = client.get(reverse("login")).content.decode()
    assert '<html lang="en">' in page and "Sign in" in page


def test_accept_language_spanish_gives_spanish_pages(client, db):
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="es-ES,es;q=0.9,en;q=0.5")
    page = response.content.decode()
    assert '<html lang="es">' in page and "Entrar" in page
    assert response.headers["Content-Language"] == "es"


def test_an_unsupported_language_falls_back_to_english(client, db):
    assert '<html lang="en">' in client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="fr-FR,fr").content.decode()


def test_the_sellers_stored_language_wins_over_the_browser(seller_client, seller):
    seller.language = "es"
    seller.save()
    page = seller_client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en-US,en", follow=True).content.decode()
    assert '<html lang="es">' in page and "Armario" in page
    seller.language = "en"
    seller.save()
    page = seller_client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="es", follow=True).content.decode()
    assert '<html lang="en">' in page


def test_the_switcher_stores_the_choice_on_the_seller_and_in_the_cookie(seller_client, seller):
    response = seller_client.post(reverse("language_set"), {"language": "es", "next": "/alerts/"})
    assert response.status_code == 302 and response.headers["Location"] == "/alerts/"
    assert Seller.objects.get(pk=seller.pk).language == "es"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es"
    seller_client.cookies.pop(settings.LANGUAGE_COOKIE_NAME)  # the seller's field alone decides
    page = seller_client.get("/alerts/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="es">' in page and "Alertas" in page


def test_the_switcher_refuses_unknown_languages_and_foreign_redirects(seller_client, seller):
    response = seller_client.post(reverse("language_set"), {"language": "xx", "next": "https://evil.example/"})
    assert response.headers["Location"] == reverse("home")
    assert Seller.objects.get(pk=seller.pk).language == ""
    assert seller_client.get(reverse("language_set")).status_code == 405


def test_the_switcher_works_before_signing_in(client, db):
    response = client.post(reverse("language_set"), {"language": "es", "next": reverse("login")})
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es"
    assert '<html lang="es">' in client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_the_storefront_api_stays_english(client, db, api_key):
    response = client.post("/api/v1/catalog/listings", data="[", content_type="application/json",
                           HTTP_AUTHORIZATION=f"Bearer {api_key}", HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 400
    assert response.headers.get("Content-Language") in (None, "en")
    body = response.content.decode()
    assert "JSON" in body and "inválid" not in body and "error de" not in body.lower()


def test_admin_stays_english(admin_client):
    page = admin_client.get("/admin/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert '<html lang="en"' in page and "Site administration" in page


def test_alert_emails_are_in_the_sellers_language(db):
    spanish = SellerFactory(email="lola@example.com", language="es")
    english = SellerFactory(email="ann@example.com")
    AlertFactory(seller=spanish, email_to=spanish.email)
    AlertFactory(seller=english, email_to=english.email)
    assert alert_emails_send() == 2
    by_address = {message.to[0]: message for message in mail.outbox}
    assert by_address["lola@example.com"].subject.startswith("ClosetAds: Tu presupuesto se agotó el jueves a las ")
    assert "25,00\u00a0$" in by_address["lola@example.com"].body
    assert "Elige qué alertas recibes" in by_address["lola@example.com"].body
    assert by_address["ann@example.com"].subject.startswith("ClosetAds: Your budget ran out on Thursday at ")
    assert "$25.00" in by_address["ann@example.com"].body
