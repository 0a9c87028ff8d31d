"""python manage.py promote: create or update a seller's campaign and launch it."""

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command

from campaigns.models import BudgetPeriod, Campaign
from campaigns.tests.conftest import MONDAY_NOON
from core import clock


def promote(*args) -> str:
    out = io.StringIO()
    call_command("promote", *args, stdout=out)
    return out.getvalue()


def test_promote_creates_and_launches_a_whole_closet_campaign(seller):
    out = promote(seller.marketplace_id, "--weekly-budget", "25")
    campaign = Campaign.objects.get(seller=seller)
    assert campaign.status == Campaign.Status.ACTIVE and campaign.bidding == Campaign.Bidding.AUTO
    assert campaign.selection == Campaign.Selection.ALL and campaign.weekly_budget_micros == 25_000_000
    assert BudgetPeriod.objects.filter(campaign=campaign).exists()
    assert campaign.forecasts.count() == 1
    assert f"Campaign {campaign.pk} of vintage_vera" in out and "$25.00 a week" in out
    assert "whole closet (12 available listings), automatic bidding" in out


def test_promote_with_chosen_listings_and_a_manual_cpc(seller):
    ids = list(seller.listings.filter(status="available").values_list("marketplace_id", flat=True)[:2])
    out = promote(seller.marketplace_id, "--weekly-budget", "30.50", "--listings", ",".join(ids),
                  "--manual-cpc", "0.40")
    campaign = Campaign.objects.get(seller=seller)
    assert campaign.selection == Campaign.Selection.CHOSEN
    assert set(campaign.chosen.values_list("listing__marketplace_id", flat=True)) == set(ids)
    assert (campaign.bidding, campaign.max_cpc_micros) == (Campaign.Bidding.MANUAL, 400_000)
    assert "chosen listings (2 available listings), manual bidding up to $0.40 a click" in out


def test_promote_updates_an_existing_campaign_and_resumes_it(seller):
    promote(seller.marketplace_id, "--weekly-budget", "25")
    campaign = Campaign.objects.get(seller=seller)
    from campaigns.services import campaign_pause

    campaign_pause(campaign)
    clock.set_now(MONDAY_NOON + dt.timedelta(days=8))  # second week: the change waits for Monday
    out = promote(seller.marketplace_id, "--weekly-budget", "40", "--listings", "all")
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.ACTIVE
    assert (campaign.weekly_budget_micros, campaign.next_weekly_budget_micros) == (25_000_000, 40_000_000)
    assert "$40.00 a week from 2026-12-14 (next budget week)" in out
    assert Campaign.objects.filter(seller=seller).count() == 1


@pytest.mark.parametrize(("args", "message"), [
    (["S-nope", "--weekly-budget", "25"], "No seller with marketplace id 'S-nope'"),
    (["{seller}", "--weekly-budget", "abc"], "--weekly-budget 'abc': must be a decimal number"),
    (["{seller}", "--weekly-budget", "4"], "at least $5.00"),
    (["{seller}", "--weekly-budget", "1000.01"], "at most $1,000.00"),
    (["{seller}", "--weekly-budget", "25.001"], "whole cents"),
    (["{seller}", "--weekly-budget", "25", "--manual-cpc", "0"], "--manual-cpc must be above 0"),
    (["{seller}", "--weekly-budget", "25", "--listings", "L-missing"], "Unknown listing ids: L-missing"),
    (["{seller}", "--weekly-budget", "25", "--listings", "{theirs}"], "Not listings of seller"),
    (["{seller}", "--weekly-budget", "25", "--listings", ","], "needs 'all' or marketplace listing ids"),
])
def test_promote_refuses_bad_input_with_a_clear_error_and_changes_nothing(seller, other_seller, args, message):
    theirs = other_seller.listings.first().marketplace_id
    args = [a.format(seller=seller.marketplace_id, theirs=theirs) for a in args]
    with pytest.raises(CommandError, match=message.replace("$", r"\$").replace("(", r"\(")):
        promote(*args)
    assert not Campaign.objects.exists()
