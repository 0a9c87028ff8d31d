"""A small reader of gettext catalogs (.po), enough to check ours: polib is not a dependency.

Reads entries with their flags, context, msgid, plural and translations; multi-line strings
and the usual escapes are joined and unescaped.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: list[str] = field(default_factory=list)  # one, or one per plural form
    flags: set[str] = field(default_factory=set)
    obsolete: bool = False

    @property
    def key(self) -> tuple[str | None, str]:
        return self.msgctxt, self.msgid

    @property
    def fuzzy(self) -> bool:
        return "fuzzy" in self.flags

    @property
    def translated(self) -> bool:
        return bool(self.msgstr) and all(self.msgstr)


def _string(text: str) -> str:
    return ast.literal_eval(text.strip()) if text.strip() else ""


def parse(text: str) -> list[Entry]:
    """The entries of a .po file's text, the header (msgid "") included."""
    entries: list[Entry] = []
    entry, target = Entry(), None
    started = False

    def finish():
        nonlocal entry, started, target
        if started:
            entries.append(entry)
        entry, started, target = Entry(), False, None

    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            finish()
            continue
        if line.startswith("#~"):
            entry.obsolete = True
            continue
        if line.startswith("#,"):
            if started:
                finish()
            entry.flags.update(flag.strip() for flag in line[2:].split(","))
            continue
        if line.startswith("#"):
            if started:
                finish()
            continue
        if line.startswith('"'):
            value = _string(line)
            if target == "msgstr":
                entry.msgstr[-1] += value
            elif target is not None:
                setattr(entry, target, (getattr(entry, target) or "") + value)
            continue
        keyword, _, rest = line.partition(" ")
        if keyword == "msgctxt":
            if started and entry.msgid:
                finish()
            entry.msgctxt, target = _string(rest), "msgctxt"
        elif keyword == "msgid":
            if started and (entry.msgid or entry.msgstr):
                finish()
            entry.msgid, target = _string(rest), "msgid"
        elif keyword == "msgid_plural":
            entry.msgid_plural, target = _string(rest), "msgid_plural"
        elif keyword.startswith("msgstr"):
            entry.msgstr.append(_string(rest))
            target = "msgstr"
        started = True
    finish()
    return entries


def read(path: Path) -> list[Entry]:
    return parse(path.read_text(encoding="utf-8"))
