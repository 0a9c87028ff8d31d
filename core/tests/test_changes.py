"""Change counters: the checked read that stands in for the connection health check."""

import psycopg
import pytest
from django.db import connection

from core import changes


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_checked_read_survives_a_connection_the_server_dropped():
    changes._bump_now(changes.CATALOG)
    assert changes.versions_checked()[changes.CATALOG] == 1
    connection.health_check_enabled = True
    connection.health_check_done = False  # as at the start of a request
    pid = connection.connection.info.backend_pid
    settings = connection.settings_dict
    with psycopg.connect(host=settings["HOST"], port=settings["PORT"] or 5432, user=settings["USER"],
                         dbname=settings["NAME"], autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])
    assert changes.versions_checked()[changes.CATALOG] == 1  # on a new connection
    assert connection.connection.info.backend_pid != pid


def test_versions_lists_every_bumped_topic(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        changes.bump(changes.API_KEYS)
        changes.bump(changes.API_KEYS)
    assert changes.versions()[changes.API_KEYS] == 2
    assert changes.versions_checked() == changes.versions()


def test_bump_all_bumps_each_topic_once_after_the_commit_and_creates_new_ones(db, django_capture_on_commit_callbacks):
    from core import change_listener

    with django_capture_on_commit_callbacks(execute=True):
        changes.bump(changes.CATALOG)
    before = change_listener.listener.generation
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        changes.bump_all([changes.CATALOG, changes.SHOPPERS, changes.CATALOG])
    assert changes.versions()[changes.CATALOG] == 1  # not before the commit
    assert len(callbacks) == 1
    callbacks[0]()
    assert changes.versions()[changes.CATALOG] == 2 and changes.versions()[changes.SHOPPERS] == 1
    assert change_listener.listener.generation == before + 1  # this process hears it at once
    with django_capture_on_commit_callbacks(execute=True):
        changes.bump_all([])
    assert changes.versions()[changes.CATALOG] == 2


def test_bump_all_with_commit_takes_effect_with_the_transaction_and_creates_new_ones(
        db, django_capture_on_commit_callbacks):
    from django.db import transaction

    from core import change_listener

    with django_capture_on_commit_callbacks(execute=True):
        changes.bump(changes.CATALOG)
    before = change_listener.listener.generation
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        changes.bump_all_with_commit([changes.CATALOG, changes.SHOPPERS, changes.CATALOG])
    assert changes.versions()[changes.CATALOG] == 2 and changes.versions()[changes.SHOPPERS] == 1
    assert change_listener.listener.generation == before + 1  # this process hears it at once
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            changes.bump_all_with_commit([changes.CATALOG, changes.SHOPPERS])
        with transaction.atomic():
            changes.bump_all_with_commit([])
    assert changes.versions()[changes.CATALOG] == 3 and changes.versions()[changes.SHOPPERS] == 2
    assert change_listener.listener.generation == before + 2


def test_bump_all_with_commit_bumps_nothing_when_the_transaction_rolls_back(db, django_capture_on_commit_callbacks):
    from django.db import transaction

    with django_capture_on_commit_callbacks(execute=True):
        changes.bump(changes.CATALOG)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        changes.bump_all_with_commit([changes.CATALOG])
        raise RuntimeError
    assert changes.versions()[changes.CATALOG] == 1
