import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from core.env import Env

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("value, expected", [("1", True), ("yes", True), ("OFF", False), ("false", False)])
def test_bool_accepts_the_usual_spellings(value, expected):
    assert Env({"DEBUG": value}).bool("DEBUG", default=False) is expected


def test_bool_refuses_anything_else_naming_the_variable():
    with pytest.raises(ImproperlyConfigured, match="DEBUG='maybe' is not a boolean"):
        Env({"DEBUG": "maybe"}).bool("DEBUG", default=False)


def test_int_refuses_garbage_and_out_of_range():
    with pytest.raises(ImproperlyConfigured, match="not a whole number"):
        Env({"N": "12a"}).int("N", default=1)
    with pytest.raises(ImproperlyConfigured, match="below the minimum"):
        Env({"N": "5"}).int("N", default=1, minimum=30)


def test_timezone_must_be_iana():
    assert Env({"TZ_": "Europe/Paris"}).timezone("TZ_", "UTC") == "Europe/Paris"
    with pytest.raises(ImproperlyConfigured, match="not an IANA time zone"):
        Env({"TZ_": "Mars/Olympus"}).timezone("TZ_", "UTC")


def test_database_url_parses_postgres_and_refuses_other_schemes():
    config = Env({"DATABASE_URL": "postgres://u@db.internal:5432/closetads"}).database("DATABASE_URL", {})
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert config["NAME"] == "closetads"
    with pytest.raises(ImproperlyConfigured, match="scheme 'mysql'"):
        Env({"DATABASE_URL": "mysql://u@h/db"}).database("DATABASE_URL", {})


def test_redis_url_must_be_redis():
    assert Env({"R": "redis://127.0.0.1:6379/0"}).redis_url("R") == "redis://127.0.0.1:6379/0"
    with pytest.raises(ImproperlyConfigured, match="not a redis:// URL"):
        Env({"R": "http://127.0.0.1:6379"}).redis_url("R")
    with pytest.raises(ImproperlyConfigured, match="malformed port"):
        Env({"R": "redis://127.0.0.1:63x79"}).redis_url("R")


def test_unknown_closetads_variable_is_refused():
    with pytest.raises(ImproperlyConfigured, match="CLOSETADS_TIMEZON"):
        Env({"CLOSETADS_TIMEZON": "UTC"}).refuse_unknown()


def _start(extra_env: dict[str, str]) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "DEBUG", "CLOSETADS_TESTING"}}
    env.update(extra_env)
    return subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_a_malformed_setting_stops_start_up_with_a_clear_message():
    result = _start({"CLOSETADS_TIMEZONE": "Nowhere/Land"})
    assert result.returncode != 0
    assert "CLOSETADS_TIMEZONE='Nowhere/Land' is not an IANA time zone" in result.stderr


def test_production_without_a_secret_key_refuses_to_start():
    result = _start({"DATABASE_URL": "postgres://postgres@127.0.0.1:5432/closetads"})
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_a_throttle_rate_must_read_as_one():
    assert Env({"R": "600/min"}).rate("R", "1/s") == "600/min"
    assert Env({}).rate("R", "12000/min") == "12000/min"
    with pytest.raises(ImproperlyConfigured, match="R='fast' is not a rate"):
        Env({"R": "fast"}).rate("R", "1/s")


def test_the_embedded_broker_keeps_every_folder_under_the_data_directory(tmp_path):
    """kombu's filesystem transport writes its exchange table to ./control by default:
    wherever the worker started (it was once committed)."""
    script = ("from django.conf import settings; import json; "
              "print(json.dumps(settings.CELERY_BROKER_TRANSPORT_OPTIONS))")
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "DEBUG", "CLOSETADS_TESTING"}}
    env.update(CLOSETADS_DATA_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="config.settings")
    result = subprocess.run([sys.executable, "-c", f"import django; django.setup(); {script}"],  # noqa: S603
                            cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    options = json.loads(result.stdout)
    for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
        assert Path(options[key]).is_relative_to(tmp_path), key
    assert (tmp_path / "celery-broker" / "control").is_dir()


def test_the_alerts_sender_must_be_an_email_address():
    assert Env({"F": "ClosetAds <alerts@example.com>"}).email("F", "x@y.z") == "ClosetAds <alerts@example.com>"
    with pytest.raises(ImproperlyConfigured, match="F='alerts' is not an email address"):
        Env({"F": "alerts"}).email("F", "x@y.z")


def test_smtp_settings_without_a_host_refuse_to_start():
    result = _start({"EMAIL_HOST_USER": "alerts", "EMAIL_PORT": "2525"})
    assert result.returncode != 0
    assert "EMAIL_PORT, EMAIL_HOST_USER set without EMAIL_HOST" in result.stderr


def test_importing_the_settings_creates_no_folder_starting_django_does(tmp_path):
    data_dir = tmp_path / "data"
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "DEBUG", "CLOSETADS_TESTING"}}
    env.update(CLOSETADS_DATA_DIR=str(data_dir), DJANGO_SETTINGS_MODULE="config.settings")
    script = ("import os, sys; from django.conf import settings; settings.DATA_DIR; "
              "print(os.path.exists(sys.argv[1])); import django; django.setup(); print(os.path.exists(sys.argv[1]))")
    result = subprocess.run([sys.executable, "-c", script, str(data_dir)], cwd=ROOT, env=env,  # noqa: S603
                            capture_output=True, text=True, timeout=120)
    assert result.stdout.split() == ["False", "True"], result.stderr
    assert (data_dir / "celery-broker" / "control").is_dir()


def test_the_suite_runs_in_test_mode_because_it_says_so():
    from django.conf import settings

    assert os.environ["CLOSETADS_TESTING"] == "1" and settings.TESTING
