"""The clock a server follows for `simulate --http`: per-thread pins, the stored simulated
time for requests, Celery tasks and `tick`, and nothing of it when the setting is off."""

import datetime as dt
import io
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.http import HttpResponse
from django.test import RequestFactory

from core import clock, periodic
from core.models import Heartbeat, SimulatedClock
from core.services import simulated_clock_set
from core.simulated_clock import HEADER, SimulatedClockMiddleware
from sellers.tests.factories import ListingFactory

ROOT = Path(__file__).resolve().parents[2]
SIMULATED = dt.datetime(2031, 3, 3, 9, 30, tzinfo=dt.UTC)  # far from the real time, on purpose
EVENTS = "/api/v1/events"


def seen_in_another_thread() -> dt.datetime:
    seen = []
    thread = threading.Thread(target=lambda: seen.append(clock.now()))
    thread.start()
    thread.join()
    return seen[0]


def close_to_real(moment: dt.datetime) -> bool:
    return abs(moment - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=5)


# --- the clock's per-thread layer -------------------------------------------------------------

def test_a_pin_holds_for_its_thread_only_and_is_restored():
    with clock.pinned(SIMULATED):
        assert clock.now() == SIMULATED
        assert close_to_real(seen_in_another_thread())
    assert close_to_real(clock.now())


def test_a_thread_pin_wins_over_the_process_wide_override_and_none_pins_nothing():
    process_wide = dt.datetime(2026, 1, 5, tzinfo=dt.UTC)
    clock.set_now(process_wide)
    with clock.pinned(SIMULATED):
        assert clock.now() == SIMULATED
        assert seen_in_another_thread() == process_wide
        with clock.pinned(None):
            assert clock.now() == process_wide
        assert clock.now() == SIMULATED
    assert clock.now() == process_wide


def test_naive_pins_are_refused():
    with pytest.raises(ValueError), clock.pinned(dt.datetime(2031, 1, 1)):
        pass


# --- requests ---------------------------------------------------------------------------------

def impression_at(listing, moment: dt.datetime, event_id: str = "imp-1") -> dict:
    """An organic impression: accepted only if ``moment`` is not ahead of the server's time."""
    return {"impressions": [{"id": event_id, "occurredAt": moment.isoformat(), "opaqueUserId": "u-1",
                             "entity": {"type": "listing", "id": listing.marketplace_id}}]}


@pytest.mark.django_db
def test_with_the_setting_off_requests_ignore_the_stored_time(api):
    listing = ListingFactory()
    simulated_clock_set(SIMULATED)
    response = api.post(EVENTS, impression_at(listing, SIMULATED))
    assert response.json()["accepted"] == 0  # "in the future" for a server on the real time
    assert HEADER not in response


@pytest.mark.django_db
def test_with_the_setting_on_requests_run_at_the_stored_time(api, settings):
    settings.SIMULATED_CLOCK = True
    listing = ListingFactory()
    simulated_clock_set(SIMULATED, run="test")
    response = api.post(EVENTS, impression_at(listing, SIMULATED))
    assert response.json() == {"accepted": 1, "duplicates": 0, "rejected": []}
    assert response[HEADER] == SIMULATED.isoformat()
    assert close_to_real(clock.now())  # the pin ended with the request

    simulated_clock_set(None)
    response = api.post(EVENTS, impression_at(listing, SIMULATED, "imp-2"))
    assert response[HEADER] == "real"
    assert response.json()["accepted"] == 0


@pytest.mark.django_db
def test_no_row_means_the_real_time(client, settings):
    settings.SIMULATED_CLOCK = True
    assert not SimulatedClock.objects.exists()
    assert client.get("/healthz")[HEADER] == "real"


@pytest.mark.django_db
def test_a_request_pin_is_invisible_to_other_threads(settings):
    settings.SIMULATED_CLOCK = True
    simulated_clock_set(SIMULATED)
    seen = {}

    def view(request):
        seen["request"] = clock.now()
        seen["other thread"] = seen_in_another_thread()
        return HttpResponse("ok")

    SimulatedClockMiddleware(view)(RequestFactory().get("/"))
    assert seen["request"] == SIMULATED
    assert close_to_real(seen["other thread"])


def settings_of(extra_env: dict[str, str], code: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "DEBUG", "CLOSETADS_TESTING"}}
    env.update({"DATABASE_URL": "postgres://postgres@127.0.0.1:5432/closetads", "SECRET_KEY": "x" * 50,
                "DJANGO_SETTINGS_MODULE": "config.settings", **extra_env})
    return subprocess.run([sys.executable, "-c", f"from django.conf import settings; {code}"],  # noqa: S603
                          cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def test_production_refuses_the_setting():
    result = settings_of({"CLOSETADS_SIMULATED_CLOCK": "1"}, "settings.DEBUG")
    assert result.returncode != 0
    assert "CLOSETADS_SIMULATED_CLOCK=1" in result.stderr and "refused in production" in result.stderr


def test_on_postgresql_the_setting_reads_the_change_counters_per_request():
    code = "print(settings.CHANGE_LISTENER)"
    assert settings_of({"DEBUG": "1"}, code).stdout.strip() == "True"
    assert settings_of({"DEBUG": "1", "CLOSETADS_SIMULATED_CLOCK": "1"}, code).stdout.strip() == "False"


# --- Celery tasks and tick ------------------------------------------------------------------------

@pytest.mark.django_db
def test_a_celery_task_runs_at_the_stored_time_only_with_the_setting_on(settings):
    from core.tasks import heartbeat

    simulated_clock_set(SIMULATED)
    heartbeat.apply()
    assert close_to_real(Heartbeat.objects.get().beat_at)
    settings.SIMULATED_CLOCK = True
    heartbeat.apply()
    assert Heartbeat.objects.get().beat_at == SIMULATED
    assert close_to_real(clock.now())  # unpinned after the task


@pytest.fixture
def clock_job():
    periodic.register("test-clock", lambda: {"now": clock.now().isoformat()}, order=999)
    yield
    periodic._jobs.pop("test-clock")


@pytest.mark.django_db
def test_tick_runs_its_jobs_at_the_stored_time_with_the_setting_on(settings, clock_job):
    simulated_clock_set(SIMULATED)
    out = io.StringIO()
    call_command("tick", "--only", "test-clock", stdout=out)
    assert SIMULATED.isoformat() not in out.getvalue()
    settings.SIMULATED_CLOCK = True
    out = io.StringIO()
    call_command("tick", "--only", "test-clock", stdout=out)
    assert SIMULATED.isoformat() in out.getvalue()


@pytest.mark.django_db
def test_the_simulated_clock_command_shows_sets_and_clears():
    out = io.StringIO()
    call_command("simulated_clock", "--set", "2031-03-03T09:30Z", stdout=out)
    assert SimulatedClock.objects.get().now == SIMULATED
    assert out.getvalue().startswith("2031-03-03T09:30:00+00:00")
    call_command("simulated_clock", "--clear", stdout=out)
    assert SimulatedClock.objects.get().now is None
    with pytest.raises(CommandError, match="needs a zone"):
        call_command("simulated_clock", "--set", "2031-03-03T09:30")
