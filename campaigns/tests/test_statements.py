"""Weekly statements: one line per week (charges, refunds, net), a detail view, CSV."""

import csv
import datetime as dt
import io

import pytest

from campaigns.models import BudgetPeriod, LedgerEntry
from campaigns.selectors import statement_lines_for_seller
from campaigns.services import charge_refund, click_charge
from campaigns.tests.conftest import MONDAY_NOON
from campaigns.tests.factories import launched_campaign
from core import clock


@pytest.fixture
def two_weeks(seller):
    """Week 1: three clicks charged, one refunded. Week 2: two clicks charged."""
    campaign = launched_campaign(seller, weekly_budget_micros=70_000_000)
    charges = [click_charge(campaign.pk, 1_250_000, click_id=i) for i in range(3)]
    clock.set_now(MONDAY_NOON + dt.timedelta(days=1))
    click_charge(campaign.pk, 400_000, click_id=10)
    clock.set_now(MONDAY_NOON + dt.timedelta(days=7, hours=3))
    click_charge(campaign.pk, 600_000, click_id=11)
    click_charge(campaign.pk, 600_000, click_id=12)
    charge_refund(charges[0].entry_id, note="invalid click")  # refunded in week 2, for week 1
    return campaign


def test_one_line_per_week_with_charges_refunds_and_net(two_weeks, seller):
    lines = statement_lines_for_seller(seller)
    assert [line.week_start.date() for line in lines] == [dt.date(2026, 12, 7), dt.date(2026, 11, 30)]
    second, first = lines
    assert (first.charges_micros, first.refunds_micros, first.net_micros) == (4_150_000, -1_250_000, 2_900_000)
    assert (first.charged_clicks, first.refunded_clicks) == (4, 1)
    assert (second.charges_micros, second.refunds_micros, second.net_micros) == (1_200_000, 0, 1_200_000)
    for line in lines:  # a week's net is what its budget period spent
        assert line.net_micros == BudgetPeriod.objects.get(pk=line.period_id).spent_micros


def test_the_statements_page_lists_weeks_and_totals(seller_client, two_weeks):
    page = seller_client.get("/statements/").content.decode()
    assert page.index("7 Dec 2026") < page.index("30 Nov 2026")
    assert "$4.15" in page and "-$1.25" in page and "$2.90" in page
    assert "$4.10" in page  # net of all weeks
    assert 'id="nav-statements" href="/statements/" aria-current="page"' in page


def test_a_weeks_detail_has_a_line_per_day(seller_client, two_weeks):
    period = BudgetPeriod.objects.get(campaign=two_weeks, week_start__date=dt.date(2026, 11, 30))
    page = seller_client.get(f"/statements/{period.pk}/").content.decode()
    assert 'id="statement-net">$2.90<' in page
    assert "Monday 30 Nov" in page and "Tuesday 1 Dec" in page
    assert "Refunds (1 click)" in page


def test_the_statements_csv_has_a_row_per_week(seller_client, two_weeks):
    response = seller_client.get("/statements.csv")
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [(r["week_start"], r["charges"], r["refunds"], r["net"], r["charged_clicks"]) for r in rows] == [
        ("2026-12-07", "1.20", "0.00", "1.20", "2"), ("2026-11-30", "4.15", "-1.25", "2.90", "4")]


def test_a_weeks_csv_lists_its_ledger_entries(seller_client, two_weeks):
    period = BudgetPeriod.objects.get(campaign=two_weeks, week_start__date=dt.date(2026, 11, 30))
    rows = list(csv.DictReader(io.StringIO(
        b"".join(seller_client.get(f"/statements/{period.pk}.csv").streaming_content).decode())))
    assert [r["kind"] for r in rows] == ["charge", "charge", "charge", "charge", "refund"]
    assert rows[-1]["amount"] == "-1.25" and rows[-1]["note"] == "invalid click" and rows[-1]["click_id"] == "0"
    assert sum(LedgerEntry.objects.filter(period=period).values_list("amount_micros", flat=True)) == 2_900_000


def test_statements_are_in_the_marketplace_time_zone(seller_client, seller, settings):
    settings.TIME_ZONE = "America/New_York"
    clock.set_now(dt.datetime(2026, 11, 30, 12, tzinfo=dt.UTC))  # Monday 07:00 in New York
    campaign = launched_campaign(seller)
    click_charge(campaign.pk, 500_000, click_id=1)
    period = BudgetPeriod.objects.get(campaign=campaign)
    assert period.week_start == dt.datetime(2026, 11, 30, 5, tzinfo=dt.UTC)
    rows = list(csv.DictReader(io.StringIO(b"".join(seller_client.get("/statements.csv").streaming_content).decode())))
    assert rows[0]["week_start"] == "2026-11-30" and rows[0]["week_end"] == "2026-12-07"


def test_a_seller_without_statements_sees_an_empty_state(seller_client):
    assert "No statements yet" in seller_client.get("/statements/").content.decode()


def test_csv_cells_that_look_like_formulas_are_neutralised(seller_client, seller):
    campaign = launched_campaign(seller, name="=HYPERLINK(evil)")
    click_charge(campaign.pk, 500_000, click_id=1)
    text = b"".join(seller_client.get("/statements.csv").streaming_content).decode()
    assert "'=HYPERLINK(evil)" in text
