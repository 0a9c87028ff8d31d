"""Platform-wide models: storefront API keys and worker heartbeats."""

from __future__ import annotations

import hashlib
import secrets

from django.db import models

from core import clock

SCOPES = ("auctions", "events", "catalog")
KEY_PREFIX = "ca_"


def hash_key(raw_key: str) -> str:
    """SHA-256 of a raw key. Keys are 256-bit random strings, so a fast hash is enough."""
    return hashlib.sha256(raw_key.encode()).hexdigest()


class ApiKey(models.Model):
    """A storefront credential. Only the hash is stored; the key is shown once."""

    name = models.CharField(max_length=100, help_text="Who uses this key, e.g. 'storefront-prod'.")
    # Shown in admin so a key can be recognised without storing it.
    prefix = models.CharField(max_length=12, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    scopes = models.JSONField(default=list, help_text=f"Any of: {', '.join(SCOPES)}.")
    created_at = models.DateTimeField(default=clock.now, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, help_text="Set to revoke the key at once.")
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "API key"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    @staticmethod
    def generate() -> str:
        return KEY_PREFIX + secrets.token_urlsafe(32)


class Heartbeat(models.Model):
    """The last time a periodic process reported in (``/readyz`` reads it)."""

    name = models.CharField(max_length=50, unique=True)
    beat_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} @ {self.beat_at:%Y-%m-%d %H:%M:%S}"


class ChangeCounter(models.Model):
    """A version number per topic, bumped on writes that in-process caches must see."""

    topic = models.CharField(max_length=50, unique=True)
    version = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.topic} v{self.version}"


class SimulatedClock(models.Model):
    """The simulated time a development server follows while ``simulate --http`` drives it.

    One row (pk 1). Read only by processes started with ``CLOSETADS_SIMULATED_CLOCK=1``
    (refused in production): each request, Celery task and ``tick`` pins ``core.clock``
    to ``now`` for its own duration; empty ``now`` (or no row) means the real time.
    """

    now = models.DateTimeField(null=True, blank=True, help_text="Empty: the real time.")
    run = models.CharField(max_length=100, blank=True, help_text="Which simulator run set it.")

    class Meta:
        verbose_name = "simulated clock"

    def __str__(self) -> str:
        return f"simulated clock at {self.now:%Y-%m-%d %H:%M:%S}" if self.now else "real time"
