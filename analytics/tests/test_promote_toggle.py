"""The results table's promote toggle: one listing on or off, from the table itself."""

from __future__ import annotations

from django.urls import reverse

from analytics.tests.conftest import NOW, stat
from campaigns.models import Campaign
from campaigns.services import campaign_listings_set

LISTINGS = reverse("analytics:listings")


def _toggle(client, campaign, listing, promote: str, **headers):
    url = reverse("campaigns:listing_promote", args=[campaign.pk, listing.pk])
    return client.post(url, {"promote": promote, "next": f"{LISTINGS}?range=7"}, **headers)


def _chosen(campaign) -> set[int]:
    return set(campaign.chosen.values_list("listing_id", flat=True))


def test_each_available_row_shows_whether_it_is_promoted(shop_client, shop):
    campaign, (a, _, _) = shop["campaign"], shop["listings"]
    campaign_listings_set(campaign, Campaign.Selection.CHOSEN, [a.pk])
    stat(campaign, a, NOW, impressions=3)
    body = shop_client.get(f"{LISTINGS}?range=7").content.decode()
    assert body.count('aria-pressed="true"') == 1 and body.count('aria-pressed="false"') == 2
    assert f'id="promote-{a.pk}"' in body and "<th scope=\"col\">Promoted</th>" in body


def test_turning_one_listing_off_in_a_whole_closet_campaign_chooses_every_other(shop_client, shop):
    campaign, (a, b, c) = shop["campaign"], shop["listings"]
    response = _toggle(shop_client, campaign, a, "0")
    assert response.status_code == 302 and response["Location"] == f"{LISTINGS}?range=7"
    campaign.refresh_from_db()
    assert campaign.selection == "chosen" and _chosen(campaign) == {b.pk, c.pk}
    assert "new listings no longer join automatically" in shop_client.get(response["Location"]).content.decode()


def test_with_htmx_the_toggle_answers_its_new_state(shop_client, shop):
    campaign, (a, b, _) = shop["campaign"], shop["listings"]
    campaign_listings_set(campaign, Campaign.Selection.CHOSEN, [a.pk])
    response = _toggle(shop_client, campaign, b, "1", HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and 'aria-pressed="true"' in response.content.decode()
    assert _chosen(campaign) == {a.pk, b.pk}
    response = _toggle(shop_client, campaign, a, "0", HTTP_HX_REQUEST="true")
    assert 'aria-pressed="false"' in response.content.decode() and _chosen(campaign) == {b.pk}


def test_the_last_chosen_listing_cannot_be_turned_off(shop_client, shop):
    campaign, (a, _, _) = shop["campaign"], shop["listings"]
    campaign_listings_set(campaign, Campaign.Selection.CHOSEN, [a.pk])
    response = _toggle(shop_client, campaign, a, "0", HTTP_HX_REQUEST="true")
    # 200: htmx swaps no 4xx answer, and the cell must show the error.
    assert response.status_code == 200 and "Choose at least one listing" in response.content.decode()
    assert _chosen(campaign) == {a.pk}


def test_a_bad_value_changes_nothing(shop_client, shop):
    campaign, (a, _, _) = shop["campaign"], shop["listings"]
    response = _toggle(shop_client, campaign, a, "maybe", HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "Choose to promote the listing or not" in response.content.decode()
    campaign.refresh_from_db()
    assert campaign.selection == "all"


def test_another_sellers_campaign_or_listing_is_a_404(shop_client, shop, rival):
    campaign, (a, _, _) = shop["campaign"], shop["listings"]
    assert _toggle(shop_client, rival["campaign"], a, "0").status_code == 404
    assert _toggle(shop_client, campaign, rival["listing"], "0").status_code == 404
    assert shop_client.get(reverse("campaigns:listing_promote", args=[campaign.pk, a.pk])).status_code == 405


def test_a_seller_without_a_campaign_sees_no_toggle(client, django_user_model, db):
    from sellers.tests.factories import ListingFactory, SellerFactory

    user = django_user_model.objects.create_user("nola")
    ListingFactory(seller=SellerFactory(user=user))
    client.force_login(user)
    body = client.get(f"{LISTINGS}?range=7").content.decode()
    assert "aria-pressed" not in body and ">Promoted</th>" not in body
