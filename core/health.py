"""Load-balancer probes: /healthz (process alive) and /readyz (dependencies fine)."""

from __future__ import annotations

import datetime as dt

from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from core import clock
from core.models import Heartbeat

# The worker's heartbeat (pacing and friends run every minute) may be this old at most.
HEARTBEAT_MAX_AGE = dt.timedelta(minutes=5)
WORKER_HEARTBEAT = "worker"


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness: touches nothing."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    """Readiness: database, cache/broker and a recent worker heartbeat."""
    problems: dict[str, str] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # noqa: BLE001 - any failure means not ready
        problems["database"] = f"unreachable: {exc.__class__.__name__}"
    try:
        cache.set("readyz-probe", "1", 10)
        if cache.get("readyz-probe") != "1":
            problems["cache"] = "wrote a value and could not read it back"
    except Exception as exc:  # noqa: BLE001
        problems["cache"] = f"unreachable: {exc.__class__.__name__}"
    if "database" not in problems:
        beat = Heartbeat.objects.filter(name=WORKER_HEARTBEAT).values_list("beat_at", flat=True).first()
        if beat is None:
            problems["worker"] = "no heartbeat yet: is the Celery worker (and beat) running?"
        elif clock.now() - beat > HEARTBEAT_MAX_AGE:
            age = int((clock.now() - beat).total_seconds())
            problems["worker"] = f"last heartbeat {age} s ago (more than {int(HEARTBEAT_MAX_AGE.total_seconds())} s)"
    if problems:
        return JsonResponse({"status": "unavailable", "problems": problems}, status=503)
    return JsonResponse({"status": "ok"})
