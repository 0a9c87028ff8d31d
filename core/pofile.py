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

    def finish() -> None:
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


def compile_mo(entries: list[Entry]) -> bytes:
    """A .mo file's bytes from ``entries``, as GNU msgfmt writes it (without its optional
    hash table): the header and every translated, non-fuzzy entry, sorted by msgid.

    The Makefile and conftest use it where GNU gettext is not installed, so that a fresh
    machine with only Python builds the translations.
    """
    import struct

    pairs: dict[bytes, bytes] = {}
    for entry in entries:
        if entry.obsolete or (entry.msgid and (entry.fuzzy or not entry.translated)):
            continue
        key = entry.msgid if entry.msgid_plural is None else f"{entry.msgid}\x00{entry.msgid_plural}"
        if entry.msgctxt is not None:
            key = f"{entry.msgctxt}\x04{key}"
        pairs[key.encode()] = "\x00".join(entry.msgstr).encode()
    keys = sorted(pairs)
    count = len(keys)
    originals_at, translations_at = 28, 28 + 8 * count
    data_at = translations_at + 8 * count
    table, blob = [], bytearray()
    for text in [*keys, *(pairs[k] for k in keys)]:
        table.append((len(text), data_at + len(blob)))
        blob += text + b"\x00"
    header = struct.pack("<7I", 0x950412DE, 0, count, originals_at, translations_at, 0, data_at)
    offsets = b"".join(struct.pack("<2I", length, at) for length, at in table)
    return header + offsets + bytes(blob)


def build_mo(po: Path, mo: Path) -> None:
    """Compile ``po`` into ``mo``: GNU msgfmt where installed (it also checks that each
    translation keeps its placeholders), else ``compile_mo``. One choice for make and pytest."""
    import shutil
    import subprocess

    if shutil.which("msgfmt") is None:
        mo.write_bytes(compile_mo(read(po)))
    else:
        subprocess.run(["msgfmt", "--check-format", "-o", str(mo), str(po)], check=True)  # noqa: S603,S607


def main(argv: list[str] | None = None) -> int:
    """``python -m core.pofile PO MO``: compile one catalog (``build_mo``)."""
    import sys

    po, mo = (argv if argv is not None else sys.argv[1:])
    build_mo(Path(po), Path(mo))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
