import io

import pytest
from django.core.management import call_command

from campaigns.models import Campaign
from sellers.models import Listing, Seller


@pytest.mark.django_db(transaction=True)
def test_load_demo_plays_recent_history_and_prints_a_working_login(client, settings):
    settings.BASE_URL = "http://127.0.0.1:8123"  # make demo WEB_PORT=8123: the links follow the port
    out = io.StringIO()
    call_command("load_demo", "--days", "2", "--sellers", "6", "--buyers", "300", stdout=out)
    text = out.getvalue()
    assert "username demo  password promote-my-closet" in text
    assert "http://127.0.0.1:8123/login/" in text and "http://127.0.0.1:8123/sso/" in text
    demo = Seller.objects.get(user__username="demo")
    assert Listing.objects.filter(seller=demo).count() >= 100
    photo = Listing.objects.filter(seller=demo).first().image_url
    assert photo.startswith("http://127.0.0.1:8123/demo/photos/SL7-") and photo.endswith(".svg")
    assert not Listing.objects.filter(image_url="").exists()
    assert client.get(photo.removeprefix("http://127.0.0.1:8123")).headers["Content-Type"] == "image/svg+xml"
    assert Campaign.objects.get(seller=demo).status == Campaign.Status.ACTIVE
    assert sum(p.spent_micros for p in demo.campaigns.get().periods.all()) > 0
    signed_in = client.post("/login/", {"username": "demo", "password": "promote-my-closet"})
    assert signed_in.status_code == 302
    assert client.get("/", follow=True).status_code == 200
    again = io.StringIO()
    call_command("load_demo", "--days", "2", "--sellers", "6", "--buyers", "300", stdout=again)
    assert "already loaded" in again.getvalue()
    assert Seller.objects.filter(marketplace_id__startswith="SS7-").count() == 6
