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

from core.pofile import compile_mo, read

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


@pytest.mark.skipif(shutil.which("xgettext") is None,
                    reason="GNU gettext (xgettext) is not installed: makemessages cannot extract; CI installs it")
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


def test_the_python_compiler_gives_what_msgfmt_gives(tmp_path):
    """Without GNU gettext the .mo comes from core.pofile: every translation, plurals
    and the header's plural rule included, reads back as GNU gettext's own build does."""
    import gettext

    ours = tmp_path / "ours.mo"
    ours.write_bytes(compile_mo(read(CATALOG)))
    with ours.open("rb") as handle:
        catalog = gettext.GNUTranslations(handle)
    entries = [e for e in read(CATALOG) if e.msgid and not e.obsolete]
    assert entries
    for e in entries:
        if e.msgid_plural is None:
            got = catalog.gettext(e.msgid) if e.msgctxt is None else catalog.pgettext(e.msgctxt, e.msgid)
            assert got == e.msgstr[0], e.msgid
        else:
            for n in (1, 5, 1_000_000):
                form = catalog.plural(n)
                got = (catalog.ngettext(e.msgid, e.msgid_plural, n) if e.msgctxt is None
                       else catalog.npgettext(e.msgctxt, e.msgid, e.msgid_plural, n))
                assert got == e.msgstr[form], e.msgid
    if shutil.which("msgfmt") is not None:
        theirs = tmp_path / "theirs.mo"
        subprocess.run(["msgfmt", "-o", str(theirs), str(CATALOG)], check=True)  # noqa: S603,S607
        with theirs.open("rb") as handle:
            reference = gettext.GNUTranslations(handle)
        # The whole table, key by key; msgfmt drops the header's POT-Creation-Date line.
        assert {k: v for k, v in catalog._catalog.items() if k} == {
            k: v for k, v in reference._catalog.items() if k}
        assert catalog.plural(1_000_000) == reference.plural(1_000_000) == 1
