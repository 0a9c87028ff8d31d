"""Password sign-in is throttled (django-axes) by account and by client address; SSO links keep working."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse

from sellers.services import sso_link_create
from sellers.tests.factories import SellerFactory

LOGIN = "/login/"
LIMIT = 10


@pytest.fixture
def vera(db, django_user_model):
    user = django_user_model.objects.create_user("vera", password="a-long-password-1")
    return SellerFactory(user=user, username="vintage_vera")


def attempt(password: str, *, username: str = "vera", address: str = "203.0.113.7"):
    return Client(REMOTE_ADDR=address).post(LOGIN, {"username": username, "password": password})


def test_after_ten_wrong_passwords_the_account_waits_even_for_the_right_one(vera):
    for _ in range(LIMIT - 1):
        assert attempt("wrong").status_code == 200  # the form again, with its error
    locked = attempt("wrong")
    assert locked.status_code == 429
    assert "Too many sign-in attempts" in locked.content.decode()
    assert attempt("a-long-password-1").status_code == 429
    # By account: another address is refused too.
    assert attempt("a-long-password-1", address="198.51.100.9").status_code == 429
    assert AccessAttempt.objects.filter(username="vera").exists()


def test_one_address_trying_many_accounts_is_throttled(vera, django_user_model):
    for i in range(LIMIT):
        attempt("wrong", username=f"someone-{i}", address="192.0.2.44")
    assert attempt("a-long-password-1", address="192.0.2.44").status_code == 429
    assert attempt("a-long-password-1", address="192.0.2.45").status_code == 302  # vera, elsewhere


def test_a_right_password_resets_the_count(vera):
    for _ in range(LIMIT - 1):
        attempt("wrong")
    assert attempt("a-long-password-1").status_code == 302
    assert attempt("wrong").status_code == 200  # counting again from zero


def test_a_locked_account_still_signs_in_through_its_sso_link(vera, client):
    for _ in range(LIMIT):
        attempt("wrong")
    link = sso_link_create(vera)
    response = client.get(link.split("8000", 1)[1] if "8000" in link else link)
    assert response.status_code == 302
    assert client.get(reverse("analytics:dashboard")).status_code == 200


def test_lockouts_are_listed_in_admin(vera, admin_client):
    for _ in range(LIMIT):
        attempt("wrong")
    page = admin_client.get(reverse("admin:axes_accessattempt_changelist"))
    assert page.status_code == 200 and "vera" in page.content.decode()
