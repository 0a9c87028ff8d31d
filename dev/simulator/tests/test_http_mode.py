"""`simulate --http`: the same run through a live server's HTTP API, on the simulated clock.

The server here is a live server thread of the test process (real HTTP on a real socket),
started with CLOSETADS_SIMULATED_CLOCK on. Sharing the process, it also shares the seeded
throttle draws and the traffic counter with the simulator, so the run must give exactly
the in-process figures: any difference is the HTTP path's.
"""

import datetime as dt
import io
import json

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from pytest_django.live_server_helper import LiveServer

from auction.models import AuctionSettings
from auction.recording import recorder
from auction.traffic import counter
from core.models import SimulatedClock
from core.services import api_key_create
from dev.simulator import shared_db
from dev.simulator.tests.test_simulate_command import fresh_platform
from sellers.models import Seller

pytestmark = pytest.mark.django_db(transaction=True)

FIGURES = ("sessions", "auctions", "impressions", "clicks", "sponsored_clicks", "charged_clicks", "spend",
           "purchases", "gmv", "attributed_direct_sales", "attributed_halo_sales", "true_ad_caused_sales",
           "true_ad_displaced_sales", "campaigns", "rejected_events", "measured_lift", "true_lift")


def tiny_world(*args: str) -> list[str]:
    start = shared_db.first_monday_after(dt.datetime.now(dt.UTC))  # what --http picks on an empty database
    return ["--days", "1", "--sellers", "8", "--buyers", "300", "--seed", "3", "--holdout", "0.2",
            "--warmup-days", "0", "--start", start.date().isoformat(), "--json", *args]


def simulate(*args: str) -> dict:
    out = io.StringIO()
    call_command("simulate", *args, stdout=out, stderr=io.StringIO())
    return json.loads(out.getvalue().strip().splitlines()[-1])


def no_deadline() -> None:
    """In-process runs have no auction deadline; give the server's the longest the admin allows,
    so that a slow index build on a loaded machine cannot fail an auction open."""
    AuctionSettings.load()
    AuctionSettings.objects.update(deadline_ms=2000)


def storefront_key(scopes=("catalog", "auctions", "events")) -> str:
    return api_key_create("simulator", scopes)[1]


@pytest.fixture
def simulated_server(settings):
    settings.SIMULATED_CLOCK = True  # read when the server thread loads its middleware
    apps.get_app_config("auction").ready()  # as at a server's start with the setting on:
    assert counter.write_through  # traffic counts are written at once, not from a thread
    # Nor is a flush of decision counts due during the test: on the shared in-memory SQLite
    # of the tests, such a background write could lock out a request's.
    recorder.clear()
    recorder.flush()
    server = LiveServer("localhost")
    yield server
    server.stop()
    counter.write_through = False


@pytest.fixture
def real_time_server(settings):
    settings.SIMULATED_CLOCK = False
    server = LiveServer("localhost")
    yield server
    server.stop()


def test_over_http_a_run_gives_the_in_process_figures(simulated_server):
    no_deadline()
    # One prefix for both: the platform holds shoppers out by a hash of the user id it is sent.
    in_process = simulate(*tiny_world("--prefix", "t1-"))
    fresh_platform()
    no_deadline()
    over_http = simulate(*tiny_world("--prefix", "t1-", "--http", simulated_server.url, "--api-key",
                                     storefront_key()))
    assert over_http["auctions"] > 0 and over_http["impressions"] > 0 and over_http["sponsored_clicks"] > 0
    assert {k: over_http[k] for k in FIGURES} == {k: in_process[k] for k in FIGURES}
    assert over_http["auctions_failed_open"] == 0
    assert over_http["http_calls"] > over_http["auctions"]
    assert over_http["prefix"] and Seller.objects.exclude(marketplace_id__startswith=over_http["prefix"]).count() == 0
    assert SimulatedClock.objects.get().now is None  # the server is given back the real time


def test_runs_sharing_a_database_never_collide(simulated_server):
    no_deadline()
    key = storefront_key()
    first = simulate("--days", "1", "--sellers", "5", "--buyers", "150", "--seed", "4", "--json",
                     "--http", simulated_server.url, "--api-key", key)
    second = simulate("--days", "1", "--sellers", "5", "--buyers", "150", "--seed", "4", "--json",
                      "--http", simulated_server.url, "--api-key", key)
    assert first["prefix"] != second["prefix"]
    # After the first run's data, by at least the five weeks that training and pacing look back.
    assert dt.date.fromisoformat(second["start"]) >= dt.date.fromisoformat(first["start"]) + dt.timedelta(days=35)
    assert second["rejected_events"] == 0 and second["impressions"] == first["impressions"] > 0
    assert second["campaigns"] == first["campaigns"] > 0  # the report counts this run's sellers only
    with pytest.raises(CommandError, match="exist already"):
        simulate("--days", "1", "--sellers", "5", "--buyers", "150", "--prefix", first["prefix"],
                 "--http", simulated_server.url, "--api-key", key)


def test_a_server_on_the_real_time_is_refused_before_anything_is_written(real_time_server):
    with pytest.raises(CommandError, match="CLOSETADS_SIMULATED_CLOCK=1"):
        simulate(*tiny_world("--http", real_time_server.url, "--api-key", storefront_key()))
    assert not Seller.objects.exists()


def test_a_key_without_a_scope_is_named(simulated_server):
    with pytest.raises(CommandError, match="refused the API key"):
        simulate(*tiny_world("--http", simulated_server.url, "--api-key", "ca_not-a-key"))
    with pytest.raises(CommandError, match="scope 'events'"):
        simulate(*tiny_world("--http", simulated_server.url, "--api-key", storefront_key(("catalog", "auctions"))))
    assert not Seller.objects.exists()


@pytest.mark.parametrize("args, message", [
    (["--http", "http://127.0.0.1:8000"], "--api-key"),
    (["--api-key", "ca_x"], "goes with --http"),
    (["--http", "ftp://127.0.0.1", "--api-key", "ca_x"], "http:// or https://"),
    (["--http", "http://127.0.0.1:9", "--api-key", "ca_x"], "cannot reach"),
    (["--http", "http://127.0.0.1:9", "--api-key", "ca_x", "--prefix", "no spaces"], "--prefix"),
])
def test_bad_http_options_are_clear_errors(args, message):
    with pytest.raises(CommandError, match=message):
        simulate(*args)


def test_one_run_at_a_time(simulated_server):
    from core.services import simulated_clock_set

    simulated_clock_set(dt.datetime(2031, 1, 6, tzinfo=dt.UTC), run="simulate --http h000000-")
    with pytest.raises(CommandError, match=r"held by another run \(simulate --http h000000-"):
        simulate(*tiny_world("--http", simulated_server.url, "--api-key", storefront_key()))
    assert not Seller.objects.exists()


def test_refused_in_production(settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="not production"):
        simulate("--http", "http://127.0.0.1:9", "--api-key", "ca_x")
