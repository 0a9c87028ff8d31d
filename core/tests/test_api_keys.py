import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command

from core.models import ApiKey, hash_key
from core.services import api_key_create, api_key_revoke

URL = "/api/v1/catalog/sellers"
BODY = {"sellers": [{"id": "S1", "username": "vera"}]}


def test_create_api_key_prints_the_key_on_its_last_line_and_stores_only_a_hash(db):
    out = io.StringIO()
    call_command("create_api_key", "storefront", "--scopes", "catalog,events", stdout=out, stderr=io.StringIO())
    raw = out.getvalue().strip().splitlines()[-1]
    key = ApiKey.objects.get()
    assert key.key_hash == hash_key(raw)
    assert raw not in (key.key_hash, key.prefix, key.name)
    assert key.scopes == ["catalog", "events"]


def test_create_api_key_refuses_an_unknown_scope(db):
    with pytest.raises(CommandError, match="unknown scope"):
        call_command("create_api_key", "x", "--scopes", "catalog,billing", stdout=io.StringIO())


def test_no_key_is_401(api):
    response = api.post(URL, BODY, key=None)
    assert response.status_code == 401
    assert response.json()["errors"][0]["field"] == "authorization"


def test_unknown_key_is_401(api):
    assert api.post(URL, BODY, key="ca_not-a-real-key").status_code == 401


def test_malformed_header_is_401(client, db):
    response = client.post(URL, data="{}", content_type="application/json", HTTP_AUTHORIZATION="Token abc")
    assert response.status_code == 401


def test_key_without_the_scope_is_403(api, db):
    _, raw = api_key_create("events-only", ["events"])
    response = api.post(URL, BODY, key=raw)
    assert response.status_code == 403
    assert "catalog" in response.json()["errors"][0]["message"]


def test_a_revoked_key_stops_working_at_once(api, db):
    key, raw = api_key_create("soon-revoked", ["catalog"])
    assert api.post(URL, BODY, key=raw).status_code == 200
    api_key_revoke(key)
    assert api.post(URL, BODY, key=raw).status_code == 401


AUCTIONS = "/api/v1/auctions"
AUCTION_BODY = {"auctions": [{"type": "listings", "slots": 1, "products": {"ids": ["L1"]}}]}


@pytest.mark.parametrize("how", ["action", "edit", "delete"])
def test_revoking_or_deleting_a_key_in_admin_stops_the_cached_auction_key(
        api, admin_client, django_capture_on_commit_callbacks, how):
    with django_capture_on_commit_callbacks(execute=True):
        key, raw = api_key_create("storefront", ["auctions"])
    assert api.post(AUCTIONS, AUCTION_BODY, key=raw).status_code == 201
    assert api.post(AUCTIONS, AUCTION_BODY, key=raw).status_code == 201  # cached now
    with django_capture_on_commit_callbacks(execute=True):
        if how == "action":
            response = admin_client.post("/admin/closetads/apikey/", {
                "action": "revoke", "_selected_action": [key.pk]})
        elif how == "edit":
            response = admin_client.post(f"/admin/closetads/apikey/{key.pk}/change/", {
                "name": "storefront", "scopes": ["events"], "revoked_at_0": "", "revoked_at_1": ""})
        else:
            response = admin_client.post(f"/admin/closetads/apikey/{key.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert api.post(AUCTIONS, AUCTION_BODY, key=raw).status_code == (403 if how == "edit" else 401)


def test_a_key_records_when_it_was_last_used_at_most_once_a_minute(api, db):
    from core import clock

    key, raw = api_key_create("storefront", ["auctions"])
    assert key.last_used_at is None
    first = clock.now()
    clock.set_now(first)
    assert api.post(AUCTIONS, AUCTION_BODY, key=raw).status_code == 201
    key.refresh_from_db()
    assert key.last_used_at == first

    clock.set_now(first + dt.timedelta(seconds=59))
    assert api.post(AUCTIONS, AUCTION_BODY, key=raw).status_code == 201
    key.refresh_from_db()
    assert key.last_used_at == first  # within the minute: no write

    later = first + dt.timedelta(seconds=61)
    clock.set_now(later)
    assert api.post(AUCTIONS, AUCTION_BODY, key=raw).status_code == 201
    key.refresh_from_db()
    assert key.last_used_at == later


def test_a_failed_usage_stamp_does_not_refuse_the_request(api, db, monkeypatch):
    from core import api_auth

    monkeypatch.setattr(api_auth, "_STAMP_SQL", "UPDATE no_such_table SET x = %s WHERE %s AND %s AND %s")
    key, raw = api_key_create("storefront", ["auctions"])
    response = api.post(AUCTIONS, AUCTION_BODY, key=raw)
    assert response.status_code == 201
    assert response.json()["results"][0]["error"] is False  # the request's own queries still ran
    key.refresh_from_db()
    assert key.last_used_at is None
