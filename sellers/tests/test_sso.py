import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command

from core import clock
from sellers.services import sso_link_create
from sellers.tests.factories import SellerFactory


def _path(url: str) -> str:
    return url.split("8000", 1)[1] if "8000" in url else url


@pytest.fixture
def seller(db):
    return SellerFactory(marketplace_id="S7", username="vintage_vera")


def test_an_sso_link_signs_the_seller_in_and_creates_their_user(client, seller):
    response = client.get(_path(sso_link_create(seller)))
    assert response.status_code == 302
    seller.refresh_from_db()
    assert seller.user is not None
    assert seller.user.username == "vintage_vera"
    assert not seller.user.has_usable_password()
    assert client.get("/", follow=True).status_code == 200


def test_an_sso_link_works_only_once(client, seller):
    link = _path(sso_link_create(seller))
    assert client.get(link).status_code == 302
    client.logout()
    second = client.get(link)
    assert second.status_code == 403
    assert "already used" in second.content.decode()


def test_an_sso_link_expires(client, seller):
    clock.set_now(dt.datetime(2026, 11, 30, 10, 0, tzinfo=dt.UTC))
    link = _path(sso_link_create(seller, max_age=60))
    clock.advance(dt.timedelta(seconds=61))
    response = client.get(link)
    assert response.status_code == 403
    assert "expired" in response.content.decode()


def test_a_tampered_sso_link_is_refused(client, seller):
    other = SellerFactory()
    link = _path(sso_link_create(other))
    token = link.rstrip("/").rsplit("/", 1)[1]
    tampered = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    response = client.get(f"/sso/{tampered}/")
    assert response.status_code == 403
    assert "not valid" in response.content.decode()
    other.refresh_from_db()
    assert other.user is None


def test_second_sign_in_reuses_the_user(client, seller):
    client.get(_path(sso_link_create(seller)))
    seller.refresh_from_db()
    first_user = seller.user_id
    client.logout()
    client.get(_path(sso_link_create(seller)))
    seller.refresh_from_db()
    assert seller.user_id == first_user


def test_a_taken_username_gets_a_suffix(client, seller, django_user_model):
    django_user_model.objects.create(username="vintage_vera")
    client.get(_path(sso_link_create(seller)))
    seller.refresh_from_db()
    assert seller.user.username.startswith("vintage_vera-")


def test_sso_link_command_prints_a_working_url(client, seller):
    out = io.StringIO()
    call_command("sso_link", "S7", stdout=out)
    url = out.getvalue().strip()
    assert url.startswith("http://127.0.0.1:8000/sso/")
    assert client.get(_path(url)).status_code == 302


def test_sso_link_command_names_an_unknown_seller(db):
    with pytest.raises(CommandError, match="No seller with marketplace id 'S404'"):
        call_command("sso_link", "S404", stdout=io.StringIO())
