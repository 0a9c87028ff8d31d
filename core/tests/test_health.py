import datetime as dt

from core import clock
from core.services import heartbeat_record
from core.tasks import heartbeat


def test_healthz_touches_nothing(client):
    # No db fixture: any database access here would raise.
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_is_503_without_a_worker_heartbeat(client, db):
    response = client.get("/readyz")
    assert response.status_code == 503
    assert "worker" in response.json()["problems"]


def test_readyz_is_200_after_the_heartbeat_task_ran(client, db):
    heartbeat()
    response = client.get("/readyz")
    assert response.status_code == 200, response.json()
    assert response.json() == {"status": "ok"}


def test_readyz_is_503_when_the_heartbeat_is_stale(client, db):
    clock.set_now(dt.datetime(2026, 11, 30, 10, 0, tzinfo=dt.UTC))
    heartbeat_record("worker")
    clock.advance(dt.timedelta(minutes=6))
    response = client.get("/readyz")
    assert response.status_code == 503
    assert "last heartbeat 360 s ago" in response.json()["problems"]["worker"]


def test_beat_schedule_runs_the_heartbeat_every_minute():
    from config.celery import app

    entry = app.conf.beat_schedule["heartbeat"]
    assert entry["task"] == "core.tasks.heartbeat"
    assert entry["schedule"] == 60.0


def test_favicon_ico_leads_to_the_sites_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith("favicon.svg")
