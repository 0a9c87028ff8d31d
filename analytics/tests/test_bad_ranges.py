"""Bad query parameters give a clear message (a 400 page, form error or plain-text 400), never a 500."""

from __future__ import annotations

import pytest
from django.urls import reverse

BAD = [
    ("start=2026-12-10&end=2026-12-01", "before the start date"),
    ("start=2026-13-01&end=2026-12-01", "is not a date"),
    ("start=yesterday&end=2026-12-01", "is not a date"),
    ("start=2024-01-01&end=2026-12-01", "at most two years"),
    ("start=2026-12-01", "end is missing"),
    ("end=2026-12-01", "start is missing"),
    ("range=5", "Choose one of the last"),
    ("range=%00", "Choose one of the last"),
]


@pytest.mark.parametrize("name", ["analytics:dashboard", "analytics:listings", "analytics:receipts"])
@pytest.mark.parametrize(("query", "message"), BAD)
def test_a_bad_range_on_a_page_is_a_400_with_the_reason(shop_client, name, query, message):
    response = shop_client.get(f"{reverse(name)}?{query}")
    assert response.status_code == 400
    assert message in response.content.decode()
    assert 'id="range-error"' in response.content.decode()


@pytest.mark.parametrize(("query", "message"), [*BAD, ("", "Give a start and an end date")])
def test_a_bad_range_on_the_export_is_a_plain_400(shop_client, query, message):
    response = shop_client.get(f"{reverse('analytics:export')}?{query}")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")
    assert message in response.content.decode()


def test_a_bad_range_through_htmx_is_a_swappable_form_error(shop_client):
    response = shop_client.get(f"{reverse('analytics:dashboard')}?start=2026-12-10&end=2026-12-01",
                               HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "before the start date" in response.content.decode()
    assert "HX-Push-Url" not in response


def test_two_full_years_are_allowed(shop_client):
    response = shop_client.get(f"{reverse('analytics:dashboard')}?start=2024-12-17&end=2026-12-16")
    assert response.status_code == 200


def test_garbage_sort_filter_and_page_fall_back_to_defaults(shop_client):
    response = shop_client.get(f"{reverse('analytics:listings')}?sort=1;drop&filter=zzz&page=-4")
    assert response.status_code == 200
    table = response.context["table"]
    assert (table.sort, table.filter, table.page) == ("-spend", "all", 1)
