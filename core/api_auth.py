"""Bearer API keys with scopes for the storefront API.

``authenticate_api_key`` is plain Python so a hot-path view can use it without DRF; the
DRF classes below wrap it for the ordinary endpoints. Missing or unknown key: 401.
Key without the scope: 403. A revoked key fails on its next request.

A caller that has just read the change counters (the auction endpoint, which needs them
for its index anyway) passes them, and live keys are then answered from a per-process
cache that is dropped whenever the ``api_keys`` counter moves (every key creation and
revocation bumps it): no key query per auction request. Other callers query the key.

``ApiKey.last_used_at`` (shown in admin) is written at most once a minute per key and
process (``USAGE_STAMP_INTERVAL``): one small UPDATE a minute, not one per request.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import connection, transaction
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication
from rest_framework.permissions import BasePermission
from rest_framework.throttling import ScopedRateThrottle

from core import changes, clock, state
from core.models import ApiKey, hash_key

if TYPE_CHECKING:  # DRF's views import the authentication classes from the settings: no import cycle
    from drf_spectacular.openapi import AutoSchema
    from rest_framework.request import Request
    from rest_framework.views import APIView

logger = logging.getLogger(__name__)

_KEY_SQL = (
    f"SELECT id, name, scopes FROM {ApiKey._meta.db_table} "  # noqa: S608 - a table name
    "WHERE key_hash = %s AND revoked_at IS NULL LIMIT 1"
)


_STAMP_SQL = (
    f"UPDATE {ApiKey._meta.db_table} SET last_used_at = %s "  # noqa: S608 - a table name
    "WHERE id = %s AND (last_used_at IS NULL OR last_used_at < %s OR last_used_at > %s)"
)
USAGE_STAMP_INTERVAL = dt.timedelta(minutes=1)


class ApiAuthError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class ApiClient:
    """The authenticated storefront: which key, which scopes."""

    key_id: int
    name: str
    scopes: frozenset[str]

    # DRF treats request.user as a user object.
    is_authenticated = True


class _LiveKeyCache:
    """Live keys by hash, valid for one value of the ``api_keys`` change counter.

    Only keys that exist are kept (an unknown key is asked of the database each time, so
    a key created in another process works at once); bounded so that it cannot grow
    without limit.
    """

    MAX_KEYS = 1000

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._version: int | None = None
        self._clients: dict[str, ApiClient] = {}

    def client(self, key_hash: str, version: int) -> ApiClient | None:
        with self._lock:
            if version != self._version:
                self._clients, self._version = {}, version
            return self._clients.get(key_hash)

    def forget(self) -> None:
        with self._lock:
            self._clients, self._version = {}, None

    def keep(self, key_hash: str, version: int, client: ApiClient) -> None:
        with self._lock:
            if version != self._version:
                return  # the keys changed meanwhile: the row read may be stale
            if len(self._clients) >= self.MAX_KEYS:
                self._clients.clear()
            self._clients[key_hash] = client


_live_keys = _LiveKeyCache()
_stamped: dict[int, dt.datetime] = {}  # key id -> when this process last wrote its last_used_at


def live_keys_forget() -> None:
    """Empty this process's API-key cache and usage stamps (tests: keys live in a per-test database)."""
    _live_keys.forget()
    _stamped.clear()


state.register("API keys", live_keys_forget)


def _usage_stamp(key_id: int) -> None:
    """Record that the key was used now, unless this process did so less than a minute ago.

    The UPDATE also skips a row another process stamped within the minute. A failure is
    logged and ignored: a usage stamp must never refuse a request.
    """
    now = clock.now()
    last = _stamped.get(key_id)
    if last is not None and last <= now < last + USAGE_STAMP_INTERVAL:
        return
    _stamped[key_id] = now
    try:
        # A savepoint inside a request's transaction: a failed stamp must not abort it.
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(_STAMP_SQL, [now, key_id, now - USAGE_STAMP_INTERVAL, now])
    except Exception:
        logger.warning("could not record the use of API key %s", key_id, exc_info=True)


def api_client_for(authorization: str | None, versions: dict[str, int] | None = None) -> ApiClient:
    """The live key named by an ``Authorization`` header; ApiAuthError(401) otherwise.

    ``versions``: the change counters as just read (``core.changes.versions``); with
    them a key already seen is answered without a query.
    """
    if not authorization:
        raise ApiAuthError(401, "Authorization: Bearer <key> is required")
    kind, _, raw = authorization.partition(" ")
    if kind.lower() != "bearer" or not raw.strip():
        raise ApiAuthError(401, "use the form Authorization: Bearer <key>")
    key_hash = hash_key(raw.strip())
    version = None if versions is None else versions.get(changes.API_KEYS, 0)
    if version is not None and (client := _live_keys.client(key_hash, version)) is not None:
        _usage_stamp(client.key_id)
        return client
    # Raw SQL: the ORM's query building cost five times the query itself (0.37 against
    # 0.07 ms of CPU, measured in the auction bench).
    with connection.cursor() as cursor:
        cursor.execute(_KEY_SQL, [key_hash])
        row = cursor.fetchone()
    if row is None:
        raise ApiAuthError(401, "unknown or revoked API key")
    scopes = row[2] if isinstance(row[2], list) else json.loads(row[2])
    client = ApiClient(key_id=row[0], name=row[1], scopes=frozenset(scopes))
    if version is not None:
        _live_keys.keep(key_hash, version, client)
    _usage_stamp(client.key_id)
    return client


def require_scope(client: ApiClient, scope: str) -> None:
    """ApiAuthError(403) unless the key carries ``scope``."""
    if scope not in client.scopes:
        raise ApiAuthError(403, f"this API key lacks the '{scope}' scope")


def authenticate_api_key(authorization: str | None, scope: str,
                         versions: dict[str, int] | None = None) -> ApiClient:
    """Both checks at once, for views outside DRF (the auction hot path)."""
    client = api_client_for(authorization, versions)
    require_scope(client, scope)
    return client


class ApiKeyAuthentication(BaseAuthentication):
    """DRF authentication: the key is checked here, the scope in HasApiScope."""

    def authenticate(self, request: Request) -> tuple[ApiClient, ApiClient] | None:
        header = request.META.get("HTTP_AUTHORIZATION")
        if not header:
            return None
        try:
            client = api_client_for(header)
        except ApiAuthError as exc:
            raise exceptions.AuthenticationFailed(exc.message) from None
        return client, client

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="closetads"'


class HasApiScope(BasePermission):
    """Allows the request when the key has the view's ``required_scope``."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        client = request.auth
        if not isinstance(client, ApiClient):
            raise exceptions.NotAuthenticated("Authorization: Bearer <key> is required")
        try:
            require_scope(client, getattr(view, "required_scope", ""))
        except ApiAuthError as exc:
            raise exceptions.PermissionDenied(exc.message) from None
        return True


class ApiKeyThrottle(ScopedRateThrottle):
    """Calls per API key and scope (``throttle_scope`` on the view, rates in
    ``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]``): a runaway client gets 429 with
    ``Retry-After`` instead of slowing every other storefront. Counted in the cache (Redis:
    shared by every web process; the embedded default counts per process)."""

    def get_cache_key(self, request: Request, view: APIView) -> str | None:
        client = request.auth
        if not isinstance(client, ApiClient):
            return None  # refused by the permission check anyway
        return self.cache_format % {"scope": self.scope, "ident": client.key_id}


# drf-spectacular's __init_subclass__ (which registers the extension) has no annotations.
class ApiKeyAuthenticationScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    """Documents ApiKeyAuthentication as HTTP bearer auth in the OpenAPI schema."""

    target_class = "core.api_auth.ApiKeyAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema: AutoSchema) -> dict[str, str]:
        return {"type": "http", "scheme": "bearer", "description": "A ClosetAds API key (create_api_key)."}
