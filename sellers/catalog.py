"""Catalog sync: bulk upsert of sellers and listings by the marketplace's ids.

Each item is validated alone; a bad item is rejected with its field path and reason while
the rest of the batch lands. Writes are one ``INSERT ... ON CONFLICT DO UPDATE`` per 500
rows (not a row-at-a-time loop), and rows that did not change are not written at all.
"""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.db import transaction

from core import changes, clock
from core.contract import EMAIL_PATTERN, IMAGE_URL_PATTERN
from core.validation import (
    FieldError,
    echo_id,
    join,
    read_datetime,
    read_id,
    read_money,
    read_object,
    read_str,
)
from sellers.models import Listing, Seller

MAX_BATCH = 1000
_WRITE_BATCH = 500
ID_MAX = 64
USERNAME_MAX = 150
EMAIL_MAX = 254
TIME_ZONE_MAX = 64
TITLE_MAX = 300
BRAND_MAX = 100
CATEGORY_MAX = 200
SIZE_MAX = 40
IMAGE_URL_MAX = 2000

SELLER_FIELDS = ("username", "email", "joined_at", "time_zone")
EMAIL = re.compile(EMAIL_PATTERN)
IMAGE_URL = re.compile(IMAGE_URL_PATTERN)
LISTING_FIELDS = ("seller_id", "title", "brand", "category", "size", "condition",
                  "price_micros", "status", "listed_at", "image_url")


@dataclass
class UpsertResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[dict[str, Any]] = field(default_factory=list)

    def reject(self, kind: str, index: int, item_id: Any, error: FieldError) -> None:
        self.rejected.append({
            "kind": kind, "index": index, "id": echo_id(item_id) if isinstance(item_id, str) else None,
            "field": error.field, "message": error.message,
        })

    def as_dict(self) -> dict[str, Any]:
        return {"created": self.created, "updated": self.updated,
                "unchanged": self.unchanged, "rejected": self.rejected}


def _parse_seller(item: Any, path: str) -> dict[str, Any]:
    obj = read_object(item, path)
    time_zone = read_str(obj, "timeZone", path, max_length=TIME_ZONE_MAX, default="")
    if time_zone:
        try:
            zoneinfo.ZoneInfo(time_zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise FieldError(join(path, "timeZone"), f"{time_zone!r} is not an IANA time zone") from None
    email = read_str(obj, "email", path, max_length=EMAIL_MAX, default="")
    if email and not EMAIL.fullmatch(email):
        raise FieldError(join(path, "email"), "is not an email address")
    return {
        "marketplace_id": read_id(obj, "id", path, max_length=ID_MAX),
        "username": read_str(obj, "username", path, required=True, max_length=USERNAME_MAX),
        "email": email,
        "joined_at": read_datetime(obj, "joinedAt", path),
        "time_zone": time_zone,
    }


def _parse_listing(item: Any, path: str) -> dict[str, Any]:
    obj = read_object(item, path)
    image_url = read_str(obj, "imageUrl", path, max_length=IMAGE_URL_MAX, default="")
    if image_url and not IMAGE_URL.fullmatch(image_url):
        raise FieldError(join(path, "imageUrl"), "must be an https:// URL with a host name and no "
                                                 "credentials or spaces, e.g. https://img.example.com/L205.jpg")
    return {
        "marketplace_id": read_id(obj, "id", path, max_length=ID_MAX),
        "seller_marketplace_id": read_id(obj, "sellerId", path, max_length=ID_MAX),
        "title": read_str(obj, "title", path, required=True, max_length=TITLE_MAX),
        "brand": read_str(obj, "brand", path, max_length=BRAND_MAX, default=""),
        "category": read_str(obj, "category", path, max_length=CATEGORY_MAX, default=""),
        "size": read_str(obj, "size", path, max_length=SIZE_MAX, default=""),
        "condition": read_str(obj, "condition", path, required=True,
                              choices=frozenset(Listing.Condition.values)),
        "price_micros": read_money(obj, "price", path, required=True),
        "status": read_str(obj, "status", path, default=Listing.Status.AVAILABLE,
                           choices=frozenset(Listing.Status.values)),
        "listed_at": read_datetime(obj, "createdAt", path),
        "image_url": image_url,
    }


def _parse_batch(items: list, kind: str, parse, result: UpsertResult) -> dict[str, tuple[int, dict]]:
    """Valid items by marketplace id (first occurrence wins; later duplicates rejected)."""
    valid: dict[str, tuple[int, dict]] = {}
    for index, item in enumerate(items):
        path = f"{kind}[{index}]"
        item_id = item.get("id") if isinstance(item, dict) else None
        try:
            cleaned = parse(item, path)
        except FieldError as error:
            result.reject(kind, index, item_id, error)
            continue
        if cleaned["marketplace_id"] in valid:
            first = valid[cleaned["marketplace_id"]][0]
            result.reject(kind, index, item_id,
                          FieldError(join(path, "id"), f"repeats {kind}[{first}].id in this batch"))
            continue
        valid[cleaned["marketplace_id"]] = (index, cleaned)
    return valid


def _write(model, rows: list, update_fields: tuple[str, ...]) -> None:
    if rows:
        model.objects.bulk_create(
            rows, batch_size=_WRITE_BATCH, update_conflicts=True,
            unique_fields=["marketplace_id"], update_fields=[*update_fields, "updated_at"],
        )


_Row = TypeVar("_Row", Seller, Listing)


def _stored(model: type[_Row], marketplace_ids: Iterable[str], fields: tuple[str, ...]) -> dict[str, _Row]:
    """The stored rows among ``marketplace_ids`` by marketplace id, with only ``fields`` loaded."""
    rows = model.objects.filter(marketplace_id__in=list(marketplace_ids)).only("marketplace_id", *fields)
    return {row.marketplace_id: row for row in rows}


def _tally(result: UpsertResult, current: Any, values: dict[str, Any]) -> bool:
    """Count one upserted row as created, updated or unchanged against ``current`` (None: new);
    True when it has to be written."""
    if current is None:
        result.created += 1
        return True
    if all(getattr(current, f) == v for f, v in values.items()):
        result.unchanged += 1
        return False
    result.updated += 1
    return True


def sellers_upsert(items: list) -> UpsertResult:
    """Create or update sellers from the catalog API's ``sellers`` items."""
    result = UpsertResult()
    valid = _parse_batch(items, "sellers", _parse_seller, result)
    existing = _stored(Seller, valid, SELLER_FIELDS)
    now = clock.now()
    to_write = []
    for marketplace_id, (_, cleaned) in valid.items():
        values = {f: cleaned[f] for f in SELLER_FIELDS}
        if not _tally(result, existing.get(marketplace_id), values):
            continue
        to_write.append(Seller(marketplace_id=marketplace_id, updated_at=now, created_at=now, **values))
    with transaction.atomic():
        _write(Seller, to_write, SELLER_FIELDS)
    return result


def listings_upsert(items: list) -> UpsertResult:
    """Create or update listings from the catalog API's ``listings`` items.

    A listing whose status becomes sold or removed stops being eligible for auctions as
    soon as this commits (the catalog change counter is bumped).
    """
    result = UpsertResult()
    valid = _parse_batch(items, "listings", _parse_listing, result)
    seller_ids = dict(
        Seller.objects.filter(
            marketplace_id__in={c["seller_marketplace_id"] for _, c in valid.values()}
        ).values_list("marketplace_id", "pk")
    )
    existing = _stored(Listing, valid, LISTING_FIELDS)
    now = clock.now()
    to_write = []
    for marketplace_id, (index, cleaned) in valid.items():
        seller_pk = seller_ids.get(cleaned["seller_marketplace_id"])
        if seller_pk is None:
            result.reject("listings", index, marketplace_id, FieldError(
                f"listings[{index}].sellerId",
                f"unknown seller {cleaned['seller_marketplace_id']!r}: sync it through /api/v1/catalog/sellers first",
            ))
            continue
        values = {f: cleaned[f] for f in LISTING_FIELDS if f != "seller_id"}
        values["seller_id"] = seller_pk
        if not _tally(result, existing.get(marketplace_id), values):
            continue
        to_write.append(Listing(marketplace_id=marketplace_id, updated_at=now, created_at=now, **values))
    with transaction.atomic():
        _write(Listing, to_write, LISTING_FIELDS)
        if to_write:
            changes.bump(changes.CATALOG)
    return result
