"""The onboarding wizard, with JavaScript off (plain forms) and with htmx (partials)."""

from campaigns.models import BudgetForecast, BudgetPeriod, Campaign
from campaigns.tests.conftest import htmx


def test_a_seller_without_a_campaign_is_sent_to_the_wizard_from_home_and_the_campaign_page(seller_client):
    assert seller_client.get("/")["Location"] == "/campaign/start/"
    assert seller_client.get("/campaign/")["Location"] == "/campaign/start/"


def test_the_first_step_shows_the_closet_summary(seller_client):
    page = seller_client.get("/campaign/start/").content.decode()
    assert "Hello, vintage_vera" in page
    assert 'id="summary-available">12<' in page
    assert "$45.00" in page and "Women/Shoes/Sneakers" in page


def test_wizard_with_javascript_off_goes_from_budget_to_a_launched_campaign(seller_client, seller):
    page = seller_client.get("/campaign/start/budget/").content.decode()
    # The recommendation comes first, with its forecast and reasons.
    assert page.index("budget-choice-recommended") < page.index("budget-choice-own")
    assert "Clicks" in page and "Why these amounts" in page and "Closet size." in page

    response = seller_client.post("/campaign/start/budget/", {"budget_choice": "own", "weekly_budget": "30",
                                                               "bidding": "auto"})
    assert response.status_code == 302 and response["Location"] == "/campaign/start/listings/"
    draft = Campaign.objects.get(seller=seller)
    assert draft.status == Campaign.Status.DRAFT and draft.weekly_budget_micros == 30_000_000

    page = seller_client.get("/campaign/start/listings/").content.decode()
    assert "My whole closet (12 available listings now" in page
    response = seller_client.post("/campaign/start/listings/", {"selection": "all"})
    assert response["Location"] == "/campaign/start/review/"

    page = seller_client.get("/campaign/start/review/").content.decode()
    assert 'id="review-budget">$30.00<' in page
    assert "Whole closet: 12 available listings" in page
    # Monday noon: 6.5 of 7 days left.
    assert "$27.85: the part of your budget" in page

    response = seller_client.post("/campaign/start/review/")
    campaign = Campaign.objects.get(seller=seller)
    assert response.status_code == 302 and response["Location"] == f"/campaigns/{campaign.pk}/"
    assert campaign.status == Campaign.Status.ACTIVE
    assert BudgetPeriod.objects.get(campaign=campaign).budget_micros == 27_850_000
    assert BudgetForecast.objects.get(campaign=campaign).weekly_budget_micros == 30_000_000
    # Once launched, home is the closet page again and the wizard sends to the campaign.
    assert seller_client.get("/").status_code == 200
    assert seller_client.get("/campaign/start/")["Location"] == "/campaign/"


def test_taking_the_recommended_budget_uses_the_recommended_amount(seller_client, seller):
    from campaigns.recommendation import budget_recommend

    recommended = budget_recommend(seller).recommended.weekly_budget_micros
    seller_client.post("/campaign/start/budget/", {"budget_choice": "recommended", "bidding": "auto"})
    assert Campaign.objects.get(seller=seller).weekly_budget_micros == recommended


def test_wizard_with_htmx_answers_each_step_with_the_next_part_and_its_url(seller_client, seller):
    response = seller_client.get("/campaign/start/budget/", **htmx("wizard"))
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<section id="wizard"') and "<html" not in body

    response = seller_client.post("/campaign/start/budget/", {"budget_choice": "low", "bidding": "auto"}, **htmx())
    assert response.status_code == 200
    assert response["HX-Push-Url"] == "/campaign/start/listings/"
    assert "Which listings to promote?" in response.content.decode() and "<html" not in response.content.decode()

    response = seller_client.post("/campaign/start/listings/", {"selection": "all"}, **htmx())
    assert response["HX-Push-Url"] == "/campaign/start/review/"
    response = seller_client.post("/campaign/start/review/", **htmx())
    campaign = Campaign.objects.get(seller=seller)
    assert response["HX-Redirect"] == f"/campaigns/{campaign.pk}/"
    assert campaign.status == Campaign.Status.ACTIVE


def test_the_own_amount_forecast_updates_as_the_seller_types(seller_client):
    response = seller_client.get("/campaign/start/forecast/?weekly_budget=40", **htmx("own-forecast"))
    assert "Clicks" in response.content.decode() and "<html" not in response.content.decode()
    response = seller_client.get("/campaign/start/forecast/?weekly_budget=4", **htmx("own-forecast"))
    assert "at least $5.00" in response.content.decode()
    response = seller_client.get("/campaign/start/forecast/?weekly_budget=abc", **htmx("own-forecast"))
    assert "Enter an amount in dollars" in response.content.decode()


def test_choosing_listings_in_the_wizard_starts_with_none_ticked_then_saves_a_page(seller_client, seller):
    seller_client.post("/campaign/start/budget/", {"budget_choice": "own", "weekly_budget": "20", "bidding": "auto"})
    draft = Campaign.objects.get(seller=seller)
    # Without JavaScript, "Next" with "only the listings I choose" opens the picker, nothing ticked.
    response = seller_client.post("/campaign/start/listings/", {"selection": "chosen"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Tick the listings to promote below" in body and 'id="picker-save"' in body
    assert draft.chosen.count() == 0 and ' checked>' not in body.split('id="listing-picker"')[1]
    # Nothing ticked yet: "Next" stays on the step and says why.
    response = seller_client.post("/campaign/start/listings/", {"selection": "chosen"})
    assert response.status_code == 400 and "Tick at least one available listing" in response.content.decode()

    ids = list(seller.listings.filter(status="available").order_by("-id").values_list("pk", flat=True))
    keep = ids[:3]
    response = seller_client.post(f"/campaigns/{draft.pk}/listings/", {
        "action": "save", "shown": ids, "chosen": keep, "next": "/campaign/start/listings/?page=1"})
    assert response.status_code == 302 and response["Location"] == "/campaign/start/listings/?page=1"
    assert set(draft.chosen.values_list("listing_id", flat=True)) == set(keep)

    response = seller_client.post("/campaign/start/listings/", {"selection": "chosen"})
    assert response["Location"] == "/campaign/start/review/"
    assert "3 chosen available listings" in seller_client.get("/campaign/start/review/").content.decode()


def test_the_selection_radios_switch_at_once_with_htmx(seller_client, seller):
    """Picking "only the listings I choose" shows the picker straight away; the whole closet hides it."""
    seller_client.post("/campaign/start/budget/", {"budget_choice": "own", "weekly_budget": "20", "bidding": "auto"})
    draft = Campaign.objects.get(seller=seller)
    body = seller_client.post("/campaign/start/listings/", {"selection": "chosen", "action": "pick"},
                              **htmx()).content.decode()
    assert 'id="listing-picker"' in body and "Tick the listings" not in body
    draft.refresh_from_db()
    assert draft.selection == "chosen"
    body = seller_client.post("/campaign/start/listings/", {"selection": "all", "action": "pick"},
                              **htmx()).content.decode()
    draft.refresh_from_db()
    assert draft.selection == "all" and 'id="listing-picker"' not in body and "Which listings" in body


def test_later_steps_need_a_draft_and_a_launched_seller_is_sent_to_the_campaign(seller_client):
    assert seller_client.get("/campaign/start/listings/")["Location"] == "/campaign/start/budget/"
    assert seller_client.get("/campaign/start/review/")["Location"] == "/campaign/start/budget/"
    assert seller_client.post("/campaign/start/review/")["Location"] == "/campaign/start/budget/"


def test_going_back_to_the_budget_step_changes_the_draft(seller_client, seller):
    seller_client.post("/campaign/start/budget/", {"budget_choice": "own", "weekly_budget": "20", "bidding": "auto"})
    page = seller_client.get("/campaign/start/budget/").content.decode()
    assert 'value="20.00"' in page
    seller_client.post("/campaign/start/budget/", {"budget_choice": "own", "weekly_budget": "35"})
    draft = Campaign.objects.get(seller=seller)
    assert (draft.weekly_budget_micros, draft.bidding) == (35_000_000, "auto")
    assert Campaign.objects.filter(seller=seller).count() == 1


def test_sellers_never_bid_in_the_wizard(seller_client, seller):
    """"You never bid": the wizard offers no manual bidding, and a forged field changes nothing."""
    page = seller_client.get("/campaign/start/budget/").content.decode()
    assert 'name="bidding"' not in page and 'name="max_cpc"' not in page
    seller_client.post("/campaign/start/budget/", {"budget_choice": "own", "weekly_budget": "20",
                                                   "bidding": "manual", "max_cpc": "0.40"})
    draft = Campaign.objects.get(seller=seller)
    assert (draft.bidding, draft.max_cpc_micros) == ("auto", None)


def test_users_without_a_closet_and_anonymous_visitors_cannot_use_the_wizard(client, django_user_model, db):
    assert client.get("/campaign/start/")["Location"].startswith("/login/")
    client.force_login(django_user_model.objects.create_user("nobody"))
    assert client.get("/campaign/start/").status_code == 403


def test_levels_equal_to_the_recommended_budget_are_not_offered_twice(seller_client):
    # 12 listings can draw ~5 clicks a week, about $4: every level is the $5 minimum.
    page = seller_client.get("/campaign/start/budget/").content.decode()
    assert 'id="option-recommended"' in page
    assert 'id="option-low"' not in page and 'id="option-high"' not in page


def test_a_bigger_closet_is_offered_the_recommended_budget_first_then_low_and_high(seller_client, seller):
    from sellers.tests.factories import ListingFactory

    ListingFactory.create_batch(300, seller=seller)
    page = seller_client.get("/campaign/start/budget/").content.decode()
    assert page.index('id="option-recommended"') < page.index('id="option-low"') < page.index('id="option-high"')
    assert 'id="budget-choice-recommended" value="recommended" checked' in page


def test_after_a_campaign_ends_the_seller_can_start_a_new_one(seller_client, seller):
    from campaigns.services import campaign_end
    from campaigns.tests.factories import launched_campaign

    old = launched_campaign(seller)
    campaign_end(old)
    page = seller_client.get("/campaign/", follow=True).content.decode()
    assert "This campaign has ended" in page and 'href="/campaign/start/"' in page
    assert seller_client.get("/campaign/start/").status_code == 200
    seller_client.post("/campaign/start/budget/", {"budget_choice": "own", "weekly_budget": "15", "bidding": "auto"})
    seller_client.post("/campaign/start/listings/", {"selection": "all"})
    seller_client.post("/campaign/start/review/")
    new = Campaign.objects.exclude(pk=old.pk).get(seller=seller)
    assert new.status == Campaign.Status.ACTIVE and new.weekly_budget_micros == 15_000_000
    assert seller_client.get("/campaign/")["Location"] == f"/campaigns/{new.pk}/"


def test_a_draft_with_no_listing_chosen_cannot_launch(seller_client, seller):
    seller_client.post("/campaign/start/budget/", {"budget_choice": "own", "weekly_budget": "20"})
    seller_client.post("/campaign/start/listings/", {"selection": "chosen"})
    response = seller_client.post("/campaign/start/review/")
    assert response.status_code == 400 and "Choose at least one listing" in response.content.decode()
    assert Campaign.objects.get(seller=seller).status == Campaign.Status.DRAFT
