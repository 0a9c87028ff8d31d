

from sellers.models import Listing
from sellers.tests.factories import ListingFactory, SellerFactory


def test_password_login_then_closet_summary_then_logout(client, django_user_model, db):
    user = django_user_model.objects.create_user("vera", password="a-long-password-1")
    seller = SellerFactory(user=user)
    ListingFactory.create_batch(3, seller=seller, category="Women/Dresses/Midi")
    ListingFactory(seller=seller, status=Listing.Status.SOLD)
    response = client.post("/login/", {"username": "vera", "password": "a-long-password-1"})
    assert response.status_code == 302
    page = client.get("/", follow=True).content.decode()
    assert "Hello, " + seller.username in page  # the first sign-in opens the Promoted Closet wizard
    assert "Signed in as vera" in page
    assert "Women/Dresses/Midi" in page
    assert "$45.00" in page
    client.post("/logout/")
    assert client.get("/").status_code == 302


def test_the_closet_page_leads_to_the_campaign_and_the_results(client, django_user_model, db):
    from campaigns.tests.factories import launched_campaign

    user = django_user_model.objects.create_user("vera", password="a-long-password-1")
    seller = SellerFactory(user=user)
    ListingFactory.create_batch(2, seller=seller)
    campaign = launched_campaign(seller)
    client.force_login(user)
    page = client.get("/").content.decode()
    assert f"{seller.username}\u2019s closet" in page
    assert f'href="/campaigns/{campaign.pk}/" id="closet-to-campaign"' in page
    assert 'id="closet-to-results"' in page and 'id="closet-to-start"' not in page


def test_wrong_password_shows_an_error(client, django_user_model, db):
    django_user_model.objects.create_user("vera", password="a-long-password-1")
    response = client.post("/login/", {"username": "vera", "password": "nope"})
    assert response.status_code == 200
    assert "enter a correct username and password" in response.content.decode()


def test_anonymous_visitors_are_sent_to_login(client, db):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_a_user_without_a_closet_is_told_so(client, django_user_model, db):
    client.force_login(django_user_model.objects.create_user("nobody"))
    response = client.get("/")
    assert response.status_code == 403
    assert "No closet is linked" in response.content.decode()


def test_empty_closet_has_an_empty_state(client, django_user_model, db):
    user = django_user_model.objects.create_user("new")
    SellerFactory(user=user)
    client.force_login(user)
    assert "Your closet is empty" in client.get("/", follow=True).content.decode()


def test_schema_and_docs_are_served_with_local_assets(client, db):
    schema = client.get("/api/v1/schema/")
    assert schema.status_code == 200
    text = schema.content.decode()
    assert "/api/v1/catalog/listings" in text
    docs = client.get("/api/docs/").content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in docs
    assert "cdn" not in docs.lower()


def test_admin_changelists_work_for_staff(admin_client, db):
    seller = SellerFactory()
    ListingFactory.create_batch(5, seller=seller)
    for url in ["/admin/sellers/seller/", "/admin/sellers/listing/", "/admin/sellers/listing/?q=L1",
                "/admin/sellers/listing/?status__exact=available", "/admin/closetads/apikey/",
                "/admin/closetads/apikey/add/", f"/admin/sellers/listing/{Listing.objects.first().pk}/change/"]:
        assert admin_client.get(url).status_code == 200, url


def test_admin_creates_an_api_key_and_shows_it_once(admin_client, db):
    from core.models import ApiKey

    response = admin_client.post("/admin/closetads/apikey/add/", {"name": "sf", "scopes": ["catalog"]}, follow=True)
    assert response.status_code == 200
    assert "shown only once" in response.content.decode()
    assert ApiKey.objects.get().scopes == ["catalog"]
