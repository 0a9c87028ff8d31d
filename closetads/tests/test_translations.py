"""The Spanish catalog is complete and current: every string the sources mark for translation
has a Spanish translation that is neither empty nor fuzzy, and the committed catalog holds
exactly what `make messages` would extract from the sources today (nothing missing, nothing
stale)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from closetads.pofile import read

ROOT = Path(settings.BASE_DIR)
CATALOG = ROOT / "locale" / "es" / "LC_MESSAGES" / "django.po"
# What `make messages` leaves out: the virtualenv, data, benchmarks, static files (no gettext there).
IGNORED = (".venv", "var", "bench", "static", ".git", "docs", "node_modules", ".pytest_cache", ".ruff_cache",
           ".hypothesis", "test-results")


def _problems(entries) -> list[str]:
    return [f"{'fuzzy' if e.fuzzy else 'untranslated'}: {e.msgid!r}" for e in entries
            if e.msgid and not e.obsolete and (e.fuzzy or not e.translated)]


def test_every_spanish_string_is_translated_and_not_fuzzy():
    entries = read(CATALOG)
    assert len(entries) > 300
    assert _problems(entries) == []
    assert not entries[0].fuzzy, "the catalog's header is marked fuzzy"


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="needs GNU gettext (xgettext)")
def test_the_catalog_is_up_to_date_with_the_sources(tmp_path):
    """Extract the sources again into a copy of the project (as `make messages` does) and
    compare: a new string without its translation, or a string no longer used, fails here."""
    copy = tmp_path / "src"
    shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(*IGNORED, "*.mo", "__pycache__"), symlinks=True)
    subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "makemessages", "-l", "es", "--no-obsolete", "--no-location",
         *(f"--ignore={name}" for name in IGNORED)],
        cwd=copy, check=True, capture_output=True)
    fresh = read(copy / "locale" / "es" / "LC_MESSAGES" / "django.po")
    committed = read(CATALOG)
    fresh_keys = {e.key for e in fresh if e.msgid and not e.obsolete}
    committed_keys = {e.key for e in committed if e.msgid and not e.obsolete}
    assert sorted(fresh_keys - committed_keys, key=str) == [], "new strings: run `make messages` and translate"
    assert sorted(committed_keys - fresh_keys, key=str) == [], "strings no longer used: run `make messages`"
    assert _problems(fresh) == []


def test_the_compiled_catalog_is_the_one_django_uses():
    with translation.override("es"):
        assert translation.gettext("Weekly budget") == "Presupuesto semanal"
        assert translation.ngettext("%(count)s day", "%(count)s days", 3) % {"count": 3} == "3 días"
