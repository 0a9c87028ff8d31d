"""Hand-written request validation with field paths, fast enough for the hot path.

Each ``read_*`` helper takes the parent object, the key and the path of the parent, and
returns the cleaned value or raises ``FieldError(path, message)``. API views turn a
FieldError into ``{"errors": [{"field": path, "message": message}]}`` and batch endpoints
into one rejected item, keeping the rest of the batch.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any, Literal, overload

from core import clock
from core.contract import MONEY_PATTERN, SPACE
from core.money import MoneyError, to_micros

_MISSING = object()
_MONEY = re.compile(MONEY_PATTERN)
# Control characters (tab, newline and carriage return aside) and lone UTF-16 surrogates:
# PostgreSQL refuses NUL in text, no database stores a lone surrogate, and none belongs
# in a title, an id or a user id. Checked where each string is read, so that the item is
# rejected with its field and the rest of its batch lands.
_BAD_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def echo_id(value: Any) -> str | None:
    """An item's id as a rejection may echo it: None unless a clean string or number (a
    lone surrogate cannot even be written out as JSON)."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return None
    text = str(value)
    return None if _BAD_CHARACTERS.search(text) else text[:256]


def search_text(value: str) -> str:
    """A search box's text with control characters and lone surrogates blanked out (a
    search is forgiving: ``?q=%00`` finds what a blank would, and never reaches the database)."""
    return _BAD_CHARACTERS.sub(" ", value)


def check_text(value: str, field: str) -> str:
    """``value`` unless it holds a control character or a lone surrogate (FieldError)."""
    bad = _BAD_CHARACTERS.search(value)
    if bad is not None:
        raise FieldError(field, f"must not contain control characters or invalid Unicode "
                                f"(U+{ord(bad.group()):04X} at position {bad.start()})")
    return value


class FieldError(ValueError):
    """A bad value at ``field`` (a path such as ``listings[3].price``)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "message": self.message}


def join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    return {bool: "boolean", int: "number", float: "number", str: "string", list: "array",
            dict: "object"}.get(type(value), type(value).__name__)


def _field(obj: Mapping[str, Any], key: str, path: str, required: bool) -> tuple[str, Any]:
    """The field's path and its value; ``_MISSING`` when it is absent or null (a FieldError
    "is required" when ``required``). Every ``read_*`` starts here."""
    field = join(path, key)
    value = obj.get(key, _MISSING)
    if value is _MISSING or value is None:
        if required:
            raise FieldError(field, "is required")
        return field, _MISSING
    return field, value


def read_object(value: Any, path: str) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise FieldError(path or "body", f"must be an object, not {_type_name(value)}")
    return value


@overload
def read_list(obj: Mapping[str, Any], key: str, path: str, *, required: Literal[True], max_items: int | None = ...,
              min_items: int = ...) -> list[Any]: ...
@overload
def read_list(obj: Mapping[str, Any], key: str, path: str, *, required: bool = ..., max_items: int | None = ...,
              min_items: int = ...) -> list[Any] | None: ...
def read_list(obj: Mapping[str, Any], key: str, path: str, *, required: bool = False,
              max_items: int | None = None, min_items: int = 0) -> list[Any] | None:
    field, value = _field(obj, key, path, required)
    if value is _MISSING:
        return None
    if not isinstance(value, list):
        raise FieldError(field, f"must be an array, not {_type_name(value)}")
    if len(value) < min_items:
        raise FieldError(field, f"must have at least {min_items} item{'s' if min_items != 1 else ''}")
    if max_items is not None and len(value) > max_items:
        raise FieldError(field, f"has {len(value)} items; at most {max_items} per call")
    return value


# The readers' overloads say what the type checker may rely on: a required field, or one with
# a default, is never None.
@overload
def read_str(obj: Mapping[str, Any], key: str, path: str, *, required: Literal[True], max_length: int = ...,
             default: str | None = ..., allow_blank: bool = ...,
             choices: set[str] | frozenset[str] | None = ...) -> str: ...
@overload
def read_str(obj: Mapping[str, Any], key: str, path: str, *, required: bool = ..., max_length: int = ..., default: str,
             allow_blank: bool = ..., choices: set[str] | frozenset[str] | None = ...) -> str: ...
@overload
def read_str(obj: Mapping[str, Any], key: str, path: str, *, required: bool = ..., max_length: int = ...,
             default: None = ..., allow_blank: bool = ...,
             choices: set[str] | frozenset[str] | None = ...) -> str | None: ...
def read_str(obj: Mapping[str, Any], key: str, path: str, *, required: bool = False,
             max_length: int = 256, default: str | None = None, allow_blank: bool = False,
             choices: set[str] | frozenset[str] | None = None) -> str | None:
    """A string (core.contract.text): at most ``max_length`` characters as sent, no
    control characters, trimmed of spaces; blank is ``default`` unless required. With
    ``choices``, exactly one of them (no trimming: an enum is matched as sent)."""
    field, value = _field(obj, key, path, required)
    if value is _MISSING:
        return default
    if not isinstance(value, str):
        raise FieldError(field, f"must be a string, not {_type_name(value)}")
    if choices is not None:
        if value not in choices:
            shown = value if len(value) <= 40 else f"{value[:40]}..."
            raise FieldError(field, f"must be one of {', '.join(sorted(choices))}, not {shown!r}")
        return value
    value = clean_text(value, field, max_length=max_length, required=required and not allow_blank)
    if not value and not allow_blank:
        return default
    return value


def clean_text(value: Any, field: str, *, max_length: int = 256, required: bool = False) -> str:
    """``read_str``'s checks on a value already taken out of its parent (an item of a list):
    a string of at most ``max_length`` characters as sent, no control characters, trimmed;
    blank is a FieldError when ``required``, else ""."""
    if not isinstance(value, str):
        raise FieldError(field, f"must be a string, not {_type_name(value)}")
    if len(value) > max_length:
        raise FieldError(field, f"is longer than {max_length} characters")
    text = check_text(value, field).strip(SPACE)
    if not text and required:
        raise FieldError(field, "must not be blank")
    return text


@overload
def read_id(obj: Mapping[str, Any], key: str, path: str, *, required: Literal[True] = ...,
            max_length: int = ...) -> str: ...
@overload
def read_id(obj: Mapping[str, Any], key: str, path: str, *, required: bool, max_length: int = ...) -> str | None: ...
def read_id(obj: Mapping[str, Any], key: str, path: str, *, required: bool = True,
            max_length: int = 64) -> str | None:
    """An external id: a non-blank string (a number is refused: ids are strings in the
    contract, and a JSON number past 2**53 would not survive a JavaScript storefront)."""
    return read_str(obj, key, path, required=required, max_length=max_length)


@overload
def read_int(obj: Mapping[str, Any], key: str, path: str, *, required: Literal[True], minimum: int | None = ...,
             maximum: int | None = ..., default: int | None = ...) -> int: ...
@overload
def read_int(obj: Mapping[str, Any], key: str, path: str, *, required: bool = ..., minimum: int | None = ...,
             maximum: int | None = ..., default: int) -> int: ...
@overload
def read_int(obj: Mapping[str, Any], key: str, path: str, *, required: bool = ..., minimum: int | None = ...,
             maximum: int | None = ..., default: None = ...) -> int | None: ...
def read_int(obj: Mapping[str, Any], key: str, path: str, *, required: bool = False,
             minimum: int | None = None, maximum: int | None = None,
             default: int | None = None) -> int | None:
    field, value = _field(obj, key, path, required)
    if value is _MISSING:
        return default
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        else:
            raise FieldError(field, f"must be a whole number, not {_type_name(value)}")
    if minimum is not None and value < minimum:
        raise FieldError(field, f"must be at least {minimum}")
    if maximum is not None and value > maximum:
        raise FieldError(field, f"must be at most {maximum}")
    return value


@overload
def read_money(obj: Mapping[str, Any], key: str, path: str, *, required: Literal[True] = ...) -> int: ...
@overload
def read_money(obj: Mapping[str, Any], key: str, path: str, *, required: bool) -> int | None: ...
def read_money(obj: Mapping[str, Any], key: str, path: str, *, required: bool = True) -> int | None:
    """An amount > 0 (core.contract.money), returned in micros: a decimal string of ASCII
    digits such as "45.00" or a JSON number, with at most six decimals, below a billion."""
    field, value = _field(obj, key, path, required)
    if value is _MISSING:
        return None
    if not isinstance(value, (str, int, float)) or isinstance(value, bool):
        raise FieldError(field, f"must be a decimal string or number, not {_type_name(value)}")
    if isinstance(value, str) and not _MONEY.fullmatch(value):
        raise FieldError(field, "must be a decimal number greater than 0 such as 45.00 (ASCII digits, "
                                "at most six decimals, below 1000000000)")
    try:
        micros = to_micros(value)
    except MoneyError as exc:
        raise FieldError(field, str(exc)) from None
    if micros <= 0:
        raise FieldError(field, "must be greater than 0")
    return micros


def parse_datetime(value: str) -> dt.datetime | None:
    """RFC 3339 with a zone -> aware UTC datetime; None when malformed or naive."""
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        return None
    return parsed.astimezone(dt.UTC)


@overload
def read_datetime(obj: Mapping[str, Any], key: str, path: str, *, required: Literal[True],
                  max_future: dt.timedelta | None = ...) -> dt.datetime: ...
@overload
def read_datetime(obj: Mapping[str, Any], key: str, path: str, *, required: bool = ...,
                  max_future: dt.timedelta | None = ...) -> dt.datetime | None: ...
def read_datetime(obj: Mapping[str, Any], key: str, path: str, *, required: bool = False,
                  max_future: dt.timedelta | None = None) -> dt.datetime | None:
    """An RFC 3339 timestamp with a zone, as an aware UTC datetime."""
    field, value = _field(obj, key, path, required)
    if value is _MISSING:
        return None
    if not isinstance(value, str):
        raise FieldError(field, f"must be an RFC 3339 string, not {_type_name(value)}")
    parsed = parse_datetime(value.strip())
    if parsed is None:
        raise FieldError(field, "must be an RFC 3339 timestamp with a zone, e.g. 2026-11-30T10:00:00Z")
    if max_future is not None and parsed > clock.now() + max_future:
        raise FieldError(field, f"is more than {int(max_future.total_seconds() // 60)} minutes in the future")
    return parsed
