"""Real concurrency on PostgreSQL: eight runs of the alerts job at once make one alert and send one email."""

from __future__ import annotations

import threading

import pytest
from django.core import mail
from django.db import connection

from alerts.models import Alert
from alerts.services import alerts_run
from alerts.tests.conftest import THURSDAY_2PM, spend_everything
from core import clock

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_eight_concurrent_runs_raise_one_alert_and_send_one_email(seller_with_campaign):
    clock.set_now(THURSDAY_2PM)
    spend_everything(seller_with_campaign["campaign"])
    barrier = threading.Barrier(8)
    results, errors = [], []

    def run():
        try:
            barrier.wait()
            results.append(alerts_run())
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Alert.objects.count() == 1
    assert sum(r["emailed"] for r in results) == 1
    assert len(mail.outbox) == 1
