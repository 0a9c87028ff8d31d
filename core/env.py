"""Strict settings from the environment.

Every setting ClosetAds reads comes through one of these functions. A malformed value
stops start-up with a message naming the variable and what it expected, so a typo in a
deployment fails at boot instead of at 3 a.m. Unknown ``CLOSETADS_*`` variables are
refused for the same reason (a misspelt knob silently ignored is the worst kind of bug).
"""

from __future__ import annotations

import builtins
import os
import re
import zoneinfo
from collections.abc import Mapping
from typing import Any, overload
from urllib.parse import urlparse

import environ
from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}

# Every CLOSETADS_* variable the project reads; anything else with that prefix is a typo.
KNOWN_CLOSETADS_VARS = {
    "CLOSETADS_TIMEZONE",
    "CLOSETADS_BASE_URL",
    "CLOSETADS_DATA_DIR",
    "CLOSETADS_SSO_LINK_MAX_AGE",
    "CLOSETADS_LOG_LEVEL",
    "CLOSETADS_SECURE_SSL_REDIRECT",
    "CLOSETADS_EAGER_TASKS",
    "CLOSETADS_CHANGE_LISTENER",
    "CLOSETADS_SIMULATED_CLOCK",
    "CLOSETADS_WARM_INDEX",
    "CLOSETADS_RETENTION_IMPRESSIONS_DAYS",
    "CLOSETADS_RETENTION_DECISIONS_DAYS",
    "CLOSETADS_RETENTION_CLICKS_DAYS",
    "CLOSETADS_RETENTION_PURCHASES_DAYS",
    "CLOSETADS_TRUSTED_PROXIES",
    "CLOSETADS_THROTTLE_EVENTS",
    "CLOSETADS_THROTTLE_CATALOG",
    "CLOSETADS_DEMO_IMAGES",
    "CLOSETADS_COMPRESSED_STATIC",
    "CLOSETADS_TESTING",
    "CLOSETADS_DEV_TOOLS",
}


class Env:
    """Reads typed values from a mapping (``os.environ`` by default), strictly."""

    def __init__(self, environ_map: Mapping[str, builtins.str] | None = None) -> None:
        self.environ = os.environ if environ_map is None else environ_map

    def _raw(self, name: builtins.str) -> builtins.str | None:
        value = self.environ.get(name)
        if value is None:
            return None
        value = value.strip()
        return value if value != "" else None

    @overload
    def str(self, name: builtins.str, default: builtins.str) -> builtins.str: ...

    @overload
    def str(self, name: builtins.str, default: None = None) -> builtins.str | None: ...

    def str(self, name: builtins.str, default: builtins.str | None = None) -> builtins.str | None:
        value = self._raw(name)
        return default if value is None else value

    def bool(self, name: builtins.str, default: builtins.bool) -> builtins.bool:
        value = self._raw(name)
        if value is None:
            return default
        lowered = value.lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        raise ImproperlyConfigured(
            f"{name}={value!r} is not a boolean: use one of "
            f"{', '.join(sorted(_TRUE | _FALSE))}."
        )

    def int(self, name: builtins.str, default: builtins.int, *, minimum: builtins.int | None = None,
            maximum: builtins.int | None = None) -> builtins.int:
        value = self._raw(name)
        if value is None:
            return default
        try:
            number = int(value)
        except ValueError:
            raise ImproperlyConfigured(f"{name}={value!r} is not a whole number.") from None
        if minimum is not None and number < minimum:
            raise ImproperlyConfigured(f"{name}={number} is below the minimum {minimum}.")
        if maximum is not None and number > maximum:
            raise ImproperlyConfigured(f"{name}={number} is above the maximum {maximum}.")
        return number

    def list(self, name: builtins.str, default: builtins.list[builtins.str]) -> builtins.list[builtins.str]:
        value = self._raw(name)
        if value is None:
            return list(default)
        items = [item.strip() for item in value.split(",")]
        if any(item == "" for item in items):
            raise ImproperlyConfigured(f"{name}={value!r} has an empty item in its comma-separated list.")
        return items

    def timezone(self, name: builtins.str, default: builtins.str) -> builtins.str:
        value = self._raw(name) or default
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ImproperlyConfigured(
                f"{name}={value!r} is not an IANA time zone (for example Europe/Paris)."
            ) from None
        return value

    def database(self, name: builtins.str, default: Mapping[builtins.str, Any]) -> dict[builtins.str, Any]:
        value = self._raw(name)
        if value is None:
            return dict(default)
        scheme = urlparse(value).scheme
        if scheme not in {"postgres", "postgresql", "pgsql", "sqlite"}:
            raise ImproperlyConfigured(
                f"{name} has scheme {scheme!r}: use postgres://user@host:port/name "
                "or sqlite:////absolute/path.db."
            )
        try:
            config: dict[builtins.str, Any] = environ.Env.db_url_config(value)
        except Exception as exc:  # noqa: BLE001 - any parse failure is a config error
            raise ImproperlyConfigured(f"{name} could not be parsed: {exc}") from None
        if not config.get("NAME"):
            raise ImproperlyConfigured(f"{name} names no database.")
        return config

    def email(self, name: builtins.str, default: builtins.str) -> builtins.str:
        """An email address, bare or with a display name (``ClosetAds <alerts@example.com>``)."""
        from email.utils import parseaddr

        from django.core.exceptions import ValidationError
        from django.core.validators import validate_email

        value = self.str(name, default=default)
        try:
            validate_email(parseaddr(value)[1])
        except ValidationError:
            raise ImproperlyConfigured(f"{name}={value!r} is not an email address.") from None
        return value

    def rate(self, name: builtins.str, default: builtins.str) -> builtins.str:
        """A request rate as DRF's throttles read it: ``12000/min`` (per s, min, hour or day)."""
        value = self.str(name, default=default)
        if not re.fullmatch(r"[1-9][0-9]*/(s|sec|second|m|min|minute|h|hour|d|day)", value):
            raise ImproperlyConfigured(f"{name}={value!r} is not a rate such as 12000/min.")
        return value

    def redis_url(self, name: builtins.str) -> builtins.str | None:
        value = self._raw(name)
        if value is None:
            return None
        parsed = urlparse(value)
        if parsed.scheme not in {"redis", "rediss"} or not parsed.hostname:
            raise ImproperlyConfigured(f"{name}={value!r} is not a redis:// URL.")
        try:
            parsed.port  # noqa: B018 - raises ValueError on a malformed port
        except ValueError:
            raise ImproperlyConfigured(f"{name}={value!r} has a malformed port.") from None
        return value

    def refuse_unknown(self, prefix: builtins.str = "CLOSETADS_",
                       known: set[builtins.str] = KNOWN_CLOSETADS_VARS) -> None:
        unknown = sorted(k for k in self.environ if k.startswith(prefix) and k not in known)
        if unknown:
            raise ImproperlyConfigured(
                f"Unknown setting(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}."
            )
