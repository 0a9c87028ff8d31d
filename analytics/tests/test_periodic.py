"""`manage.py tick`, the periodic registry and the Celery tasks."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from analytics import tasks
from analytics.models import AttributionCredit, HourlyStat
from analytics.services import events_ingest
from analytics.tests.factories import T0, bid_token, promoted_listing, purchase, sponsored
from config.celery import app
from core import clock, periodic


@pytest.fixture
def traffic(db):
    clock.set_now(T0)
    campaign, listing = promoted_listing()
    events_ingest({"impressions": [sponsored(bid_token(campaign, listing))],
                   "clicks": [sponsored(bid_token(campaign, listing), user="u")]})
    clock.advance(dt.timedelta(hours=1))
    events_ingest({"purchases": [purchase(listing, user="u")]})
    return campaign, listing


def test_analytics_registers_attribution_before_rollups():
    names = [job.name for job in periodic.jobs()]
    assert names.index("attribution") < names.index("rollups")


def test_tick_runs_every_job_once_so_a_purchase_reaches_the_rollups(traffic):
    out = io.StringIO()
    call_command("tick", stdout=out)
    names = [line.split(":", 1)[0] for line in out.getvalue().splitlines()]
    assert names == [job.name for job in periodic.jobs()]
    assert names.index("pacing") < names.index("attribution") < names.index("rollups")
    assert AttributionCredit.objects.count() == 1
    assert sum(HourlyStat.objects.values_list("direct_orders", flat=True)) == 1


def test_tick_only_runs_the_named_jobs(traffic):
    call_command("tick", "--only", "rollups", stdout=io.StringIO())
    assert AttributionCredit.objects.count() == 0
    assert HourlyStat.objects.count() == 1
    call_command("tick", "--only", " attribution ,rollups", stdout=io.StringIO())
    assert AttributionCredit.objects.count() == 1


@pytest.mark.parametrize("only", ["pricing", "rollups,nope", ""])
def test_tick_with_an_unknown_or_unregistered_job_lists_what_exists(db, only):
    with pytest.raises(CommandError) as error:
        call_command("tick", "--only", only)
    assert "attribution" in str(error.value) and "rollups" in str(error.value)


def test_a_job_registered_later_is_run_in_its_order(db):
    calls = []
    periodic.register("test-early", lambda: calls.append("early") or {"ok": 1}, order=1)
    try:
        out = io.StringIO()
        call_command("tick", "--only", "rollups,test-early", stdout=out)
        assert calls == ["early"]
        assert out.getvalue().splitlines()[0] == 'test-early: {"ok": 1}'
    finally:
        periodic._jobs.pop("test-early")


def test_the_tasks_are_thin_and_safe_to_run_twice(traffic):
    assert tasks.attribution()["credited"] == 1
    assert tasks.attribution()["credited"] == 0
    assert tasks.rollups()["cells"] >= 1
    before = list(HourlyStat.objects.values())
    tasks.rollups()
    assert list(HourlyStat.objects.values()) == before


def test_beat_runs_attribution_and_rollups_every_minute():
    schedule = {entry["task"]: entry["schedule"] for entry in app.conf.beat_schedule.values()}
    assert schedule["analytics.tasks.attribution"] == 60.0
    assert schedule["analytics.tasks.rollups"] == 60.0


def test_beat_keeps_the_event_partitions_every_hour(db):
    schedule = {entry["task"]: entry["schedule"] for entry in app.conf.beat_schedule.values()}
    assert schedule["analytics.tasks.partitions"].minute == {41}
    result = tasks.partitions()  # SQLite: plain tables, nothing to do; PostgreSQL: weeks ahead exist
    assert result["dropped"] == [] or connection.vendor == "postgresql"
    assert tasks.partitions()["created"] == []  # twice is harmless
