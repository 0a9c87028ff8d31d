"""The API's request contract as JSON Schema (OpenAPI 3.1), built from the validators' own rules.

The endpoints validate by hand (core.validation and each app's parser) for speed and
exact field paths. Each app states its request bodies here, in ``<app>/contract.py``, from
the same constants and patterns its parser reads; ``config.schema.postprocess_schema`` puts them
into the generated OpenAPI document. Two checks keep the two in step:

- ``core/tests/test_contract.py`` walks every constraint of these schemas and checks
  that the parsers reject each violation with its field path, and accept each boundary;
- ``.ci/run`` fuzzes the running server from the published schema with schemathesis
  (``.ci/schemathesis_hooks.py`` says what JSON Schema cannot: one slot position per slot).

Rules JSON Schema cannot state (ids distinct within a purchase, a known time zone, at
most five minutes in the future, one slot position per slot) are in the descriptions.
"""

from __future__ import annotations

from typing import Any

from core.money import MAX_MICROS, MICROS_PER_UNIT

Schema = dict[str, Any]

SPACE = " \t\n\r"
# A character the validators accept in text: not a control character (tab, newline and
# carriage return aside). Spelled with explicit classes so that Python's re and ECMA-262
# (JSON Schema) read them alike.
_ALLOWED = r"[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]"
_VISIBLE = r"[^ \t\n\r\u0000-\u001f\u007f]"
TEXT_PATTERN = rf"^{_ALLOWED}*$"
NON_BLANK_PATTERN = rf"^{_ALLOWED}*{_VISIBLE}{_ALLOWED}*$"

# An email address as the catalog takes it (after trimming): something@something, no spaces.
_ADDRESS = r"[^ \t\n\r@\u0000-\u001f\u007f]+@[^ \t\n\r@\u0000-\u001f\u007f]+"
EMAIL_PATTERN = rf"^{_ADDRESS}$"
# The field as sent: an address with spaces around it, or blank (no address).
EMAIL_FIELD_PATTERN = rf"^[ \t\n\r]*(?:{_ADDRESS}[ \t\n\r]*)?$"

# A listing photo (after trimming): https only (a page served over https shows no mixed
# content, and no javascript:, data: or file: URL reaches an <img>), a host of letters,
# digits, dots and hyphens with an optional port (so no credentials: "user:pw@" cannot
# pass as a host), then any path, query or fragment without spaces or control characters.
_IMAGE_URL = r"https://[A-Za-z0-9][A-Za-z0-9.-]*(?::[0-9]{1,5})?(?:[/?#][^ \t\n\r\u0000-\u001f\u007f]*)?"
IMAGE_URL_PATTERN = rf"^{_IMAGE_URL}$"
# The field as sent: such a URL with spaces around it, or blank (no photo).
IMAGE_URL_FIELD_PATTERN = rf"^[ \t\n\r]*(?:{_IMAGE_URL}[ \t\n\r]*)?$"

MAX_AMOUNT_UNITS = MAX_MICROS // MICROS_PER_UNIT  # 1,000,000,000
_FRACTION = r"[0-9]{1,6}"
# Up to six decimals, not all zero: a nonzero digit after k zeros, then up to 5 - k digits.
_POSITIVE_FRACTION = "(?:" + "|".join(f"{'0' * k}[1-9][0-9]{{0,{5 - k}}}" for k in range(6)) + ")"
# A positive decimal string below a billion with at most six decimals: "45.00", "0.5", ".5".
MONEY_PATTERN = rf"^(?:0*[1-9][0-9]{{0,8}}(?:\.{_FRACTION})?|0*\.{_POSITIVE_FRACTION})$"


def ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def nullable(schema: Schema) -> Schema:
    """``schema`` or null: the validators read null as an absent optional field."""
    if "$ref" in schema or "enum" in schema:
        return {"anyOf": [schema, {"type": "null"}]}
    return {**schema, "type": [schema["type"], "null"]}


def text(max_length: int, *, required: bool = False, description: str | None = None) -> Schema:
    """A string field (``core.validation.read_str``): no control characters, at most
    ``max_length`` characters as sent; surrounding spaces are trimmed, and a blank optional
    field counts as absent. A required one must not be blank."""
    schema: Schema = {"type": "string", "maxLength": max_length,
                      "pattern": NON_BLANK_PATTERN if required else TEXT_PATTERN}
    if description:
        schema["description"] = description
    return schema if required else nullable(schema)


def identifier(max_length: int = 64, *, description: str | None = None) -> Schema:
    """An external id: a non-blank string (``read_id``)."""
    return text(max_length, required=True, description=description)


def _optional(max_length: int, pattern: str, description: str | None) -> Schema:
    schema: Schema = {"type": "string", "maxLength": max_length, "pattern": pattern}
    if description:
        schema["description"] = description
    return nullable(schema)


def email(max_length: int, *, description: str | None = None) -> Schema:
    """An optional email address (``EMAIL_FIELD_PATTERN``: spaces around it, or blank for none)."""
    return _optional(max_length, EMAIL_FIELD_PATTERN, description)


def image_url(max_length: int, *, description: str | None = None) -> Schema:
    """An optional photo URL (``IMAGE_URL_FIELD_PATTERN``: https only, spaces around it, or blank for none)."""
    return _optional(max_length, IMAGE_URL_FIELD_PATTERN, description)


def choice(values: list[str] | tuple[str, ...] | frozenset[str], *, required: bool = False,
           description: str | None = None) -> Schema:
    schema: Schema = {"type": "string", "enum": sorted(values)}
    if description:
        schema["description"] = description
    return schema if required else nullable(schema)


def integer(minimum: int, maximum: int, *, required: bool = False, description: str | None = None) -> Schema:
    """A whole number (``read_int``; 5.0 is 5, as JSON Schema's integer reads it)."""
    schema: Schema = {"type": "integer", "minimum": minimum, "maximum": maximum}
    if description:
        schema["description"] = description
    return schema if required else nullable(schema)


def timestamp(*, required: bool = False, description: str | None = None) -> Schema:
    schema: Schema = {"type": "string", "format": "date-time",
                      "description": description or "RFC 3339 with a zone, e.g. 2026-11-30T10:00:00Z."}
    return schema if required else nullable(schema)


def money(description: str) -> Schema:
    """An amount > 0 (``read_money``): a decimal string, or a JSON number, with at most six decimals."""
    return {"oneOf": [
        {"type": "string", "pattern": MONEY_PATTERN},
        {"type": "number", "exclusiveMinimum": 0, "maximum": MAX_AMOUNT_UNITS, "multipleOf": 0.000001},
    ], "description": description}


def array(items: Schema, *, min_items: int = 0, max_items: int, required: bool = False,
          unique: bool = False, description: str | None = None) -> Schema:
    schema: Schema = {"type": "array", "items": items, "maxItems": max_items}
    if min_items:
        schema["minItems"] = min_items
    if unique:
        schema["uniqueItems"] = True
    if description:
        schema["description"] = description
    return schema if required else nullable(schema)


def obj(properties: dict[str, Schema], *, required: tuple[str, ...] = (), closed: bool = False,
        description: str | None = None, **extra: Any) -> Schema:
    """An object; unknown properties are ignored unless ``closed``."""
    schema: Schema = {"type": "object", "properties": properties}
    if required:
        schema["required"] = list(required)
    if closed:
        schema["additionalProperties"] = False
    if description:
        schema["description"] = description
    schema.update(extra)
    return schema


def request_body(name: str) -> dict[str, Schema]:
    """``extend_schema(request=...)`` for a body described by the contract component ``name``."""
    return {"application/json": ref(name)}
