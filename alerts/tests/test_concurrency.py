"""Real concurrency on PostgreSQL: eight runs of the alerts job at once make one alert and send one email."""

from __future__ import annotations

import pytest
from django.core import mail

from alerts.models import Alert
from alerts.services import alerts_run
from alerts.tests.conftest import THURSDAY_2PM, spend_everything
from core import clock
from core.tests.concurrency import run_at_once

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_eight_concurrent_runs_raise_one_alert_and_send_one_email(seller_with_campaign):
    clock.set_now(THURSDAY_2PM)
    spend_everything(seller_with_campaign["campaign"])
    results = run_at_once([alerts_run] * 8)
    assert Alert.objects.count() == 1
    assert sum(r["emailed"] for r in results) == 1
    assert len(mail.outbox) == 1
