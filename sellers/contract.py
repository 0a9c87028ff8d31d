"""POST /api/v1/catalog/sellers and /listings request bodies as JSON Schema, from sellers/catalog.py's rules."""

from __future__ import annotations

from core.contract import array, choice, email, identifier, image_url, money, obj, ref, text, timestamp
from sellers.catalog import (
    BRAND_MAX,
    CATEGORY_MAX,
    EMAIL_MAX,
    ID_MAX,
    IMAGE_URL_MAX,
    MAX_BATCH,
    SIZE_MAX,
    TIME_ZONE_MAX,
    TITLE_MAX,
    USERNAME_MAX,
)
from sellers.models import Listing

_BATCH = f"1 to {MAX_BATCH} per call. A bad item is rejected alone (`rejected`, with its field); the rest lands."

COMPONENTS = {
    "SellersRequest": obj({"sellers": array(ref("SellerItem"), min_items=1, max_items=MAX_BATCH, required=True,
                                            description=_BATCH)}, required=("sellers",)),
    "SellerItem": obj({
        "id": identifier(ID_MAX, description="The marketplace's seller id."),
        "username": text(USERNAME_MAX, required=True),
        "email": email(EMAIL_MAX),
        "joinedAt": timestamp(),
        "timeZone": text(TIME_ZONE_MAX, description="An IANA zone such as Europe/Madrid; default the marketplace's."),
    }, required=("id", "username")),
    "ListingsRequest": obj({"listings": array(ref("ListingItem"), min_items=1, max_items=MAX_BATCH, required=True,
                                              description=_BATCH)}, required=("listings",)),
    "ListingItem": obj({
        "id": identifier(ID_MAX, description="The marketplace's listing id."),
        "sellerId": identifier(ID_MAX, description="A seller sent before (or earlier in the same call's order)."),
        "title": text(TITLE_MAX, required=True),
        "brand": text(BRAND_MAX),
        "category": text(CATEGORY_MAX, description="Path, e.g. Women/Shoes/Sneakers."),
        "size": text(SIZE_MAX),
        "condition": choice(Listing.Condition.values, required=True),
        "price": money('The asking price, e.g. "45.00".'),
        "status": choice(Listing.Status.values,
                         description='Default "available". Sold or removed stops its ads at once.'),
        "createdAt": timestamp(),
        "imageUrl": image_url(IMAGE_URL_MAX,
                              description="The listing's photo, shown to its seller: an https:// URL "
                                          "(no credentials, no spaces). Left out, null or blank: no photo."),
    }, required=("id", "sellerId", "title", "condition", "price")),
}
