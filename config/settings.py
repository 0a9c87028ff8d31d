"""ClosetAds settings, read strictly from the environment (see core/env.py).

With nothing set the project runs embedded: SQLite, local-memory cache, Celery on the
filesystem broker. ``DATABASE_URL`` and ``REDIS_URL`` switch to PostgreSQL and Redis.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import django_stubs_ext
from django.core.exceptions import ImproperlyConfigured

from core.env import Env

# Django's generic classes subscriptable at run time as django-stubs types them
# (admin.ModelAdmin[ApiKey], forms.ModelForm[ApiKey]): mypy is strict on core.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent
env = Env()
env.refuse_unknown()

# The test suite says so itself: the root conftest.py sets CLOSETADS_TESTING=1 before Django
# starts (a process it spawns as a stand-in for production leaves it out).
TESTING = env.bool("CLOSETADS_TESTING", default=False)

DEBUG = env.bool("DEBUG", default=False)
_insecure_dev_key = "closetads-embedded-development-key-not-for-production-use-0123456789"
# Embedded (no DATABASE_URL) is the laptop/demo mode; with DATABASE_URL and without DEBUG
# the process is treated as production and refuses insecure defaults.
EMBEDDED = env.str("DATABASE_URL") is None
PRODUCTION = not (EMBEDDED or DEBUG or TESTING)
SECRET_KEY = env.str("SECRET_KEY", default=None)
if SECRET_KEY is None:
    if PRODUCTION:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set in production (DATABASE_URL set, DEBUG off)."
        )
    SECRET_KEY = _insecure_dev_key
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# Importing the settings creates nothing: the folders below are made when the app starts
# (core/apps.py, ``data_dirs_create``).
DATA_DIR = Path(env.str("CLOSETADS_DATA_DIR", default=str(BASE_DIR / "var")))
BASE_URL = env.str("CLOSETADS_BASE_URL", default="http://127.0.0.1:8000").rstrip("/")
# Generated listing photos at /demo/photos/<listing id>.svg, for the demo and the tests (no
# outside request); off in production, where photos are the marketplace's own https URLs.
DEMO_IMAGES = env.bool("CLOSETADS_DEMO_IMAGES", default=not PRODUCTION)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "axes",
    "csp",
    "core",
    "sellers",
    "campaigns",
    "auction",
    "analytics",
    "learning",
    "alerts",
]
# Development tooling (the simulator's simulate and load_demo commands): on unless production.
DEV_TOOLS = env.bool("CLOSETADS_DEV_TOOLS", default=not PRODUCTION)
if DEV_TOOLS:
    INSTALLED_APPS.append("dev.simulator")

MIDDLEWARE = [
    # Removes itself unless SIMULATED_CLOCK is on; first, so that every layer sees that time.
    "core.simulated_clock.SimulatedClockMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # core.middleware: subclasses of Django's, whitenoise's and django-htmx's own,
    # skipped for the auction endpoint only (browser-only work; see that module).
    "core.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "core.middleware.AuthenticationMiddleware",
    # After authentication: a seller's stored language wins over the browser's
    # (Accept-Language); the storefront API and admin stay English (sellers/middleware.py).
    "sellers.middleware.LocaleMiddleware",
    "core.middleware.PrivatePagesMiddleware",
    "core.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "core.middleware.HtmxMiddleware",
    "core.middleware.CSPMiddleware",
    # Last: answers a locked-out sign-in (django-axes; on the auction path one getattr).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "sellers.context_processors.current_seller",
                "alerts.context_processors.unread_alerts",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
_sqlite_default = {
    "ENGINE": "django.db.backends.sqlite3",
    "NAME": str(DATA_DIR / "closetads.sqlite3"),
}
DATABASES = {"default": env.database("DATABASE_URL", default=_sqlite_default)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web, worker and beat share one file: WAL, a busy timeout and IMMEDIATE transactions
    # avoid "database is locked" under concurrent writers.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", 60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USING_POSTGRES = DATABASES["default"]["ENGINE"].startswith("django.db.backends.postgresql")
# PostgreSQL only: each web process LISTENs for change signals and so reads the change
# counters only when one arrives (core/change_listener.py), instead of per request.
CHANGE_LISTENER = USING_POSTGRES and env.bool("CLOSETADS_CHANGE_LISTENER", default=True)
# Even without a signal, counters older than this (seconds) are read again.
CHANGE_LISTENER_MAX_AGE = 1.0
# Raw impressions are kept this many days (PostgreSQL: whole weekly partitions are dropped
# once past it and folded into the rollups, which are kept forever; analytics.services.partitions).
# At least 35: the nightly training reads the last 28 days of impressions.
RETENTION_IMPRESSIONS_DAYS = env.int("CLOSETADS_RETENTION_IMPRESSIONS_DAYS", default=90, minimum=35)
# Raw clicks, and the bids' first-click claims (attribution reads 30 days back, training 28).
RETENTION_CLICKS_DAYS = env.int("CLOSETADS_RETENTION_CLICKS_DAYS", default=400, minimum=60)
# Raw purchases, their items and attribution credits, dropped a week at a time once that week's
# attribution is final and folded (lift reads 28 days plus the attribution window of up to 30).
RETENTION_PURCHASES_DAYS = env.int("CLOSETADS_RETENTION_PURCHASES_DAYS", default=400, minimum=60)
# Auction decision counts (the "why isn't my listing showing?" page reads the last 7 days).
RETENTION_DECISIONS_DAYS = env.int("CLOSETADS_RETENTION_DECISIONS_DAYS", default=90, minimum=14)
# Each web worker builds its auction index before its first request (auction/apps.py, core/web_start.py).
WARM_INDEX_AT_START = env.bool("CLOSETADS_WARM_INDEX", default=True)

# --- Cache and broker -----------------------------------------------------------------
REDIS_URL = env.redis_url("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "closetads",
        }
    }
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS: dict = {}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    _broker_dir = DATA_DIR / "celery-broker"
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        # kombu's exchange table (broadcasts such as `celery inspect`); its default is
        # ./control in whatever directory the worker started from.
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ALWAYS_EAGER = env.bool("CLOSETADS_EAGER_TASKS", default=False)
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE_FILENAME = str(DATA_DIR / "celerybeat-schedule")
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# --- Auth ----------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
# Content-Security-Policy (django-csp): scripts only from this site's own files (no inline
# script anywhere: htmx, plotly and the dashboard are static files; chart data goes in
# json_script blocks, which are not executed); styles also inline (htmx's indicator and
# plotly's charts set them); no framing, no plugins, forms post only here. Images also from
# any https origin: listing photos are hot-linked from the marketplace's image hosts
# (sellers/catalog.py takes https URLs only).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "https:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
# Sign-in throttling (django-axes): after AXES_FAILURE_LIMIT wrong passwords for one
# account (from anywhere) or from one client address (on any account), that account or
# address waits AXES_COOLOFF_TIME; a right password resets its count. SSO links do not
# authenticate with a password and keep working. Behind a reverse proxy, set
# CLOSETADS_TRUSTED_PROXIES to the number of proxies in front, or every client would share
# the proxy's address. Lockouts are listed in admin ("Access attempts").
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = 10
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_COOLOFF_TIME = dt.timedelta(minutes=15)
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_HTTP_RESPONSE_CODE = 429
AXES_IPWARE_PROXY_COUNT = env.int("CLOSETADS_TRUSTED_PROXIES", default=0, minimum=0) or None
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
SSO_LINK_MAX_AGE = env.int("CLOSETADS_SSO_LINK_MAX_AGE", default=600, minimum=30, maximum=86400)
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# --- Email (seller alerts) ----------------------------------------------------------------
# With EMAIL_HOST set, alerts go out by SMTP; without it (embedded, demo) the console
# backend prints them in the worker's log. The other EMAIL_* settings without a host are a
# half-finished configuration: refused rather than silently ignored.
EMAIL_HOST = env.str("EMAIL_HOST", default=None)
_smtp_only = [name for name in ("EMAIL_PORT", "EMAIL_HOST_USER", "EMAIL_HOST_PASSWORD", "EMAIL_USE_TLS")
              if env.str(name) is not None]
if EMAIL_HOST is None and _smtp_only:
    raise ImproperlyConfigured(f"{', '.join(_smtp_only)} set without EMAIL_HOST: set EMAIL_HOST to send by SMTP.")
if EMAIL_HOST is None:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
else:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env.int("EMAIL_PORT", default=587, minimum=1, maximum=65535)
    EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
    EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
    EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=True)
    # A stuck mail server must not hold the alerts job for long.
    EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = env.email("DEFAULT_FROM_EMAIL", default="ClosetAds <alerts@localhost>")

# --- Time and language ------------------------------------------------------------------
# English by default (and for admin and the storefront API); seller pages, emails and alerts
# also in Spanish (docs/architecture/i18n.md). The catalog is locale/es/LC_MESSAGES/django.po;
# its .mo is built by `make messages`, never committed.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Spanish numbers group thousands with a point, like its amounts (core/formats/es).
FORMAT_MODULE_PATH = ["core.formats"]
USE_I18N = True
USE_TZ = True
# The marketplace's time zone: budget weeks run Monday 00:00 to Monday 00:00 here.
TIME_ZONE = env.timezone("CLOSETADS_TIMEZONE", default="UTC")
# For `simulate --http` only: every request, Celery task and `tick` runs on the simulated time
# stored in the database (core/simulated_clock.py). Development and demo servers only.
SIMULATED_CLOCK = env.bool("CLOSETADS_SIMULATED_CLOCK", default=False)
if SIMULATED_CLOCK and PRODUCTION:
    raise ImproperlyConfigured(
        "CLOSETADS_SIMULATED_CLOCK=1 lets a simulator set the time every request sees; it is for "
        "development and demo servers only and is refused in production (DATABASE_URL set, DEBUG off)."
    )
if SIMULATED_CLOCK:
    # The simulator bumps change counters from its own process and sends the next request at
    # once: read them on every request, never a notification late.
    CHANGE_LISTENER = False

# --- Static files ---------------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
]
STATIC_ROOT = DATA_DIR / "staticfiles"
# Hashed, compressed static files with long-lived cache headers: in production, and in the
# demo (`make demo` collects them first). Elsewhere (tests, `make run`) whitenoise serves
# the source folders as they are, so an edited stylesheet shows without collectstatic.
COMPRESSED_STATIC = env.bool("CLOSETADS_COMPRESSED_STATIC", default=PRODUCTION)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "core.storage.HashedStaticFilesStorage"
        if COMPRESSED_STATIC
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not COMPRESSED_STATIC

# --- Security (production values unless DEBUG) ------------------------------------------
SECURE_SSL_REDIRECT = env.bool("CLOSETADS_SECURE_SSL_REDIRECT", default=PRODUCTION)
SESSION_COOKIE_SECURE = SECURE_SSL_REDIRECT
CSRF_COOKIE_SECURE = SECURE_SSL_REDIRECT
SECURE_HSTS_SECONDS = 31536000 if SECURE_SSL_REDIRECT else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_SSL_REDIRECT
SECURE_HSTS_PRELOAD = SECURE_SSL_REDIRECT
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# The health checks are for load balancers speaking plain HTTP inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]

# --- API ------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["core.api_auth.ApiKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["core.api_auth.HasApiScope"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "EXCEPTION_HANDLER": "core.api.exception_handler",
    # Per API key (core.api_auth.ApiKeyThrottle); 429 with Retry-After beyond. Far above
    # what one storefront sends (the events benchmark peaks near 70 calls a second).
    "DEFAULT_THROTTLE_CLASSES": ["core.api_auth.ApiKeyThrottle"],
    # Per API key (docs/security.md); raise them for a bulk backfill.
    "DEFAULT_THROTTLE_RATES": {"events": env.rate("CLOSETADS_THROTTLE_EVENTS", "12000/min"),
                               "catalog": env.rate("CLOSETADS_THROTTLE_CATALOG", "1200/min")},
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "ClosetAds internal API",
    "DESCRIPTION": "Catalog sync, auctions and events for the marketplace storefront. "
    "Authenticate with `Authorization: Bearer <key>`.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "CAMELIZE_NAMES": False,
    # JSON Schema 2020-12 (null as a type, numeric exclusiveMinimum): what the request
    # contract (core/contract.py) is written in.
    "OAS_VERSION": "3.1.0",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "config.schema.postprocess_schema",
    ],
}

# --- Logging --------------------------------------------------------------------------
LOG_LEVEL = env.str("CLOSETADS_LOG_LEVEL", default="INFO").upper()
if LOG_LEVEL not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
    raise ImproperlyConfigured(f"CLOSETADS_LOG_LEVEL={LOG_LEVEL!r} is not a log level.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    # axes.apps announces its configuration at every start (each manage.py command): quiet;
    # its lockout warnings (axes.handlers) stay.
    "loggers": {"django.db.backends": {"level": "INFO"}, "axes.apps": {"level": "WARNING"}},
}
