"""The change listener (PostgreSQL LISTEN/NOTIFY): no counters query per auction request
while nothing changes, and a change committed by another process is seen once its
notification arrives."""
# ruff: noqa: S608 - SQL built from model table names

import time

import psycopg
import pytest
from django.db import connection

from auction.tests.factories import page_body, promoted_closet
from core import change_listener, changes
from core.models import ChangeCounter
from sellers.models import Listing

AUCTIONS = "/api/v1/auctions"

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def listening(settings):
    settings.CHANGE_LISTENER = True
    settings.CHANGE_LISTENER_MAX_AGE = 3600.0  # so that only a notification can refresh
    changes.versions_current()
    assert change_listener.wait_connected(10)
    yield change_listener.listener
    change_listener.listener.stop()
    changes.versions_forget()


def other_process():
    """A connection of its own, as another web or worker process would have."""
    params = connection.settings_dict
    return psycopg.connect(host=params["HOST"], port=params["PORT"] or 5432, user=params["USER"],
                           dbname=params["NAME"], autocommit=True)


def bump_elsewhere(conn, topic):
    conn.execute(f"UPDATE {ChangeCounter._meta.db_table} SET version = version + 1 WHERE topic = %s", [topic])
    conn.execute(change_listener.NOTIFY_SQL)


def eventually(predicate, seconds=5.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.005)
    return predicate()


def test_counters_are_reused_until_a_notification_arrives(listening, django_assert_num_queries):
    ChangeCounter.objects.create(topic=changes.CATALOG, version=1)  # unsignalled
    changes.versions_current()
    with other_process() as conn:
        bump_elsewhere(conn, changes.CATALOG)
    # Only the notification can bring it: the safety re-read is an hour away.
    assert eventually(lambda: changes.versions_current().get(changes.CATALOG) == 2)
    with django_assert_num_queries(0):  # nothing signalled since
        assert changes.versions_current()[changes.CATALOG] == 2


def test_a_bump_in_this_process_is_read_at_once(listening):
    changes.versions_current()
    changes._bump_now(changes.CAMPAIGNS)  # its own notification may come later; no need to wait
    assert changes.versions_current()[changes.CAMPAIGNS] == 1


def test_a_listing_sold_by_another_process_stops_winning_once_signalled(listening, api):
    _, (listing,) = promoted_closet(1)
    ids = [listing.marketplace_id]

    def winners():
        response = api.post(AUCTIONS, page_body(ids))
        return [w["id"] for w in response.json()["results"][0]["winners"]]

    assert winners() == ids
    with other_process() as conn:
        conn.execute(f"UPDATE {Listing._meta.db_table} SET status = 'sold', updated_at = now() WHERE id = %s",
                     [listing.pk])
        conn.execute(f"INSERT INTO {ChangeCounter._meta.db_table} (topic, version) VALUES (%s, 1) "
                     "ON CONFLICT (topic) DO UPDATE SET version = EXCLUDED.version + 100", [changes.CATALOG])
        conn.execute(change_listener.NOTIFY_SQL)
    assert eventually(lambda: winners() == [])
    assert winners() == []


def test_without_a_connected_listener_the_counters_are_read_per_request(listening, django_assert_num_queries):
    listening.stop()
    changes.versions_current()
    with django_assert_num_queries(1):
        changes.versions_current()
