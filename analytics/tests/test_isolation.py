"""A seller sees only their own numbers: another seller's listing, receipt or export is a 404."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from analytics.tests.conftest import NOW, credit


def test_another_sellers_why_not_showing_page_is_a_404(shop_client, rival):
    response = shop_client.get(reverse("analytics:why", args=[rival["listing"].pk]))
    assert response.status_code == 404


def test_another_sellers_receipt_is_a_404(shop_client, shop, rival):
    theirs = credit(rival["campaign"], rival["listing"], rival["listing"], clicked_at=NOW - dt.timedelta(days=2),
                    purchased_at=NOW - dt.timedelta(days=1))
    mine = credit(shop["campaign"], shop["listings"][0], shop["listings"][0], clicked_at=NOW - dt.timedelta(days=2),
                  purchased_at=NOW - dt.timedelta(days=1))
    assert shop_client.get(reverse("analytics:receipt", args=[theirs.pk])).status_code == 404
    assert shop_client.get(reverse("analytics:receipt", args=[mine.pk])).status_code == 200
    listed = shop_client.get(reverse("analytics:receipts")).content.decode()
    assert theirs.purchase.order_id not in listed
    assert mine.purchase.order_id in listed


def test_an_export_of_another_sellers_listing_is_a_404(shop_client, rival):
    response = shop_client.get(f"{reverse('analytics:export')}?start=2026-12-01&end=2026-12-16&listing=T1")
    assert response.status_code == 404


def test_an_export_holds_only_the_sellers_own_listings(shop_client, shop, rival):
    from analytics.tests.conftest import stat

    stat(shop["campaign"], shop["listings"][0], NOW - dt.timedelta(days=1), impressions=3)
    body = b"".join(shop_client.get(
        f"{reverse('analytics:export')}?start=2026-12-01&end=2026-12-16").streaming_content).decode()
    assert body.splitlines()[1:] == ["2026-12-15,V0,3,0,0.00,0,0.00,0,0.00"]
    assert "T1" not in body


def test_the_dashboard_and_listing_table_never_count_another_sellers_rollups(shop_client, rival):
    page = shop_client.get(reverse("analytics:dashboard")).context["dashboard"]
    assert page.current.impressions == 0
    table = shop_client.get(reverse("analytics:listings")).context["table"]
    assert "T1" not in [row.marketplace_id for row in table.rows]


def test_a_signed_in_user_who_is_no_seller_gets_a_403(client, db, django_user_model):
    client.force_login(django_user_model.objects.create_user("visitor", password="a-long-password-9"))
    assert client.get(reverse("analytics:dashboard")).status_code == 403
    assert client.get(f"{reverse('analytics:export')}?range=7").status_code == 403
