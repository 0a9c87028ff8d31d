"""A fresh web process builds its auction index before its first request (auction/apps.py,
run by config/wsgi.py through core.web_start).

Run in a separate Python process against this test's PostgreSQL database (committed data),
with the admin's real 100 ms deadline: the first auction is served, not failed open.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from auction.models import AuctionSettings
from auction.tests.factories import page_body, promoted_closet
from core import clock
from core.services import api_key_create

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
FIRST_AUCTION = """
import json, os, sys
import config.wsgi  # what gunicorn loads in each worker
from auction.index import auction_index
from django.test import Client
built_before = auction_index().stats["full_builds"]
response = Client().post("/api/v1/auctions", data=sys.argv[1], content_type="application/json",
                         HTTP_AUTHORIZATION="Bearer " + os.environ["TEST_API_KEY"])
print(json.dumps({"built_before": built_before, "status": response.status_code, "body": response.json()}))
"""


def _first_auction(body: dict, key: str, *, warm: bool) -> dict:
    db = settings.DATABASES["default"]
    outside_tests = {k: v for k, v in os.environ.items() if k != "CLOSETADS_TESTING"}
    env = {**outside_tests, "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
           "DEBUG": "1", "TEST_API_KEY": key, "CLOSETADS_WARM_INDEX": "1" if warm else "0",
           "SECRET_KEY": "test-warm-start", "CLOSETADS_CHANGE_LISTENER": "0"}
    out = subprocess.run([sys.executable, "-c", FIRST_AUCTION, json.dumps(body)], cwd=ROOT, env=env,  # noqa: S603 - our script
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-3000:]
    out = out.stdout
    return json.loads(out.strip().splitlines()[-1])


def test_a_fresh_process_serves_its_first_auction_from_an_index_built_at_start():
    clock.set_now(dt.datetime.now(dt.UTC))
    _, listings = promoted_closet(3)
    rules = AuctionSettings.load()
    rules.deadline_ms = 100  # the admin default (the suite's own default is longer)
    rules.save()
    _, key = api_key_create("warm start", ["auctions"])
    body = page_body([x.marketplace_id for x in listings])
    cold = _first_auction(body, key, warm=False)
    assert cold["built_before"] == 0  # without the warm-up, the first request builds
    warm = _first_auction(body, key, warm=True)
    assert warm["built_before"] == 1 and warm["status"] == 201
    (result,) = warm["body"]["results"]
    assert result["error"] is False and result["winners"]
