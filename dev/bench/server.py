"""A production-like ClosetAds for benchmarks: its own PostgreSQL database, Redis, gunicorn.

Everything runs in subprocesses with the environment of ``bench_env()``, so the process
driving a benchmark never configures Django itself (several benchmarks can share it).
Defaults: database ``closetads_bench`` on the local PostgreSQL, Redis database 3;
override with ``BENCH_DATABASE_URL`` / ``BENCH_REDIS_URL``.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent.parent
OUT = ROOT / "dev" / "bench" / "out"
PYTHON = sys.executable
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/closetads_bench"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/3"
_SECRET = "bench-" + secrets.token_urlsafe(40)


def bench_env(*, data_dir: Path = OUT / "data", database_url: str | None = None, redis_url: str | None = None,
              secret: str = _SECRET, **extra: str) -> dict[str, str]:
    """The environment of a production-like process (no DEBUG, PostgreSQL, Redis).

    ``data_dir``, ``database_url``, ``redis_url`` and ``secret`` default to the shared bench's
    (``BENCH_DATABASE_URL`` / ``BENCH_REDIS_URL``); a benchmark with its own database passes its
    own (dev/bench/events.py). ``extra`` adds or replaces variables."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith("CLOSETADS_") and key not in {"DATABASE_URL", "REDIS_URL", "DEBUG"}}
    (data_dir / "staticfiles").mkdir(parents=True, exist_ok=True)
    env.update({
        "DATABASE_URL": database_url or os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL),
        "REDIS_URL": redis_url or os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS_URL),
        "SECRET_KEY": secret,
        "DEBUG": "0",
        "CLOSETADS_SECURE_SSL_REDIRECT": "0",
        "CLOSETADS_DATA_DIR": str(data_dir),
        "CLOSETADS_LOG_LEVEL": "WARNING",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "PYTHONHASHSEED": "0",
    })
    env.update(extra)
    return env


def manage(*args: str, env: dict[str, str] | None = None) -> str:
    """Run ``manage.py`` with the bench environment; its stdout."""
    done = subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env or bench_env(), check=True,
                          capture_output=True, text=True)
    return done.stdout


def ensure_database() -> None:
    """Create the bench database if missing, then migrate it."""
    import psycopg

    url = urlparse(os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL))
    name = url.path.lstrip("/")
    admin = url._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
    manage("migrate", "--noinput")


def api_key(scopes: str) -> str:
    """A fresh API key with ``scopes`` in the bench database (printed last by the command)."""
    return manage("create_api_key", "bench", "--scopes", scopes).strip().splitlines()[-1].strip()


@contextlib.contextmanager
def gunicorn(port: int, workers: int = 5, env: dict[str, str] | None = None) -> Iterator[str]:
    """A gunicorn with ``workers`` sync workers on 127.0.0.1:``port``; yields its base URL.

    ``env`` replaces the default environment (``bench_env()``)."""
    OUT.mkdir(parents=True, exist_ok=True)
    log = (OUT / f"gunicorn-{port}.log").open("w")
    process = subprocess.Popen(
        [PYTHON, "-m", "gunicorn", "config.wsgi:application", "--workers", str(workers),
         "--bind", f"127.0.0.1:{port}", "--backlog", "2048", "--log-level", "warning"],
        cwd=ROOT, env=env or bench_env(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {process.returncode}; see {log.name}")
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=2) as response:  # noqa: S310 - local URL
                    if response.status == 200:
                        break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"gunicorn did not answer on {base}; see {log.name}") from None
                time.sleep(0.2)
        yield base
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
