"""The auction endpoint skips the browser-only middleware; every other path runs it."""

from django.urls import reverse

from core.middleware import SKIPPED_PATHS


def test_the_skipped_path_is_the_auction_endpoint():
    assert SKIPPED_PATHS == {reverse("auctions")}


def test_the_auction_endpoint_answers_with_the_same_security_headers(client, db):
    response = client.post(reverse("auctions"), data="{}", content_type="application/json")
    assert response.status_code == 401, response.content
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert "Content-Length" in response
    assert not hasattr(response.wsgi_request, "user")
    assert not hasattr(response.wsgi_request, "htmx")


def test_other_paths_still_get_sessions_csrf_and_htmx(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    request = response.wsgi_request
    assert hasattr(request, "session") and hasattr(request, "user") and hasattr(request, "htmx")
    assert response["X-Frame-Options"] == "DENY"


def test_django_still_finds_the_middleware_the_admin_and_the_deploy_checks_need():
    from django.core.management import call_command

    call_command("check")  # admin.E408-E410 look for these middleware by subclass; errors raise
