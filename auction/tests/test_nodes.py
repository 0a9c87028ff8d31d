"""Several web nodes agree within a second (issue 20).

Two gunicorn instances (separate processes, two workers each, production settings: the
PostgreSQL change listener and the per-process auction index) on this test's PostgreSQL
database and Redis. A budget spent by a click reported to node A, a campaign paused in the
admin on node A, and a listing sold through the catalog API on node A each take the
listing's winner off both nodes within 1 s. The scenario is dev/bench/nodes.py's, which records
the same delays in dev/bench/results.json (``python -m dev.bench.run --only nodes``).
"""

from __future__ import annotations

import datetime as dt
import os

import pytest
from django.conf import settings

from core import clock
from dev.bench import nodes, server

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _node_env() -> dict[str, str]:
    db = settings.DATABASES["default"]
    url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    return nodes.node_env(url, REDIS_URL=os.environ.get("REDIS_URL", server.DEFAULT_REDIS_URL))


def test_a_budget_spent_a_pause_and_a_sale_on_one_node_stop_the_ads_on_every_node_within_a_second():
    clock.set_now(dt.datetime.now(dt.UTC))  # the nodes run on the real clock: seed on it too
    seeded = nodes.seed()
    with nodes.two_nodes(_node_env(), ports=(8230, 8231)) as two:
        delays = nodes.scenarios(two, seeded)
    print(nodes.figures(delays))
    for delay in delays:
        assert set(delay.ms) == {"A", "B"}
        assert max(delay.ms.values()) <= 1000, delay
