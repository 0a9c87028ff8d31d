"""A small, realistic demo marketplace: sellers with resale closets.

Deterministic for a seed. Goes through the same catalog services as the API.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction

from closetads import clock
from sellers import catalog
from sellers.models import Seller

# (category path, typical price range in dollars, sizes)
CATEGORIES: list[tuple[str, tuple[int, int], list[str]]] = [
    ("Women/Shoes/Sneakers", (25, 140), ["6", "6.5", "7", "7.5", "8", "8.5", "9", "10"]),
    ("Women/Shoes/Boots", (30, 220), ["6", "7", "8", "9", "10"]),
    ("Women/Dresses/Midi", (18, 120), ["XS", "S", "M", "L", "XL"]),
    ("Women/Tops/Blouses", (10, 60), ["XS", "S", "M", "L"]),
    ("Women/Jeans/Straight", (20, 95), ["24", "25", "26", "27", "28", "29", "30"]),
    ("Women/Bags/Shoulder Bags", (30, 650), ["OS"]),
    ("Women/Jackets & Coats/Denim Jackets", (25, 110), ["S", "M", "L"]),
    ("Men/Shoes/Sneakers", (35, 260), ["8", "9", "10", "11", "12"]),
    ("Men/Jackets & Coats/Puffers", (40, 300), ["S", "M", "L", "XL"]),
    ("Men/Shirts/Casual Button Downs", (12, 70), ["S", "M", "L", "XL"]),
    ("Men/Jeans/Slim", (20, 110), ["30", "32", "34", "36"]),
    ("Kids/Girls/Dresses", (8, 40), ["4T", "5", "6", "7", "8"]),
    ("Home/Decor/Vases", (10, 80), ["OS"]),
]
BRANDS = ["Nike", "Adidas", "Lululemon", "Madewell", "Free People", "Levi's", "Coach",
          "Michael Kors", "Zara", "Anthropologie", "Patagonia", "The North Face", "Dr. Martens",
          "Kate Spade", "J.Crew", "Reformation", "Vans", "New Balance", "Frye", "Everlane"]
ADJECTIVES = ["Vintage", "Classic", "Oversized", "Cropped", "Relaxed", "Leather", "Suede",
              "Wool", "Linen", "Floral", "Striped", "High-rise", "Quilted", "Retro"]
CONDITIONS = ["nwt", "like_new", "like_new", "good", "good", "good", "fair"]
SELLER_NAMES = ["vintage_vera", "closet_kai", "thrift_theo", "maya_resells", "denim_dan",
                "boho_bea", "sneaker_sam", "luxe_lina", "preloved_pat", "retro_rosa",
                "style_sage", "market_mo"]

DEMO_USERNAME = "demo"
DEMO_PASSWORD = "promote-my-closet"  # noqa: S105 - the public demo login, printed by make demo


@dataclass(frozen=True)
class DemoResult:
    sellers: int
    listings: int
    demo_username: str
    demo_password: str
    demo_seller_id: str


def closet_size(rng: random.Random) -> int:
    """A long tail: most closets are small, a few hold thousands of listings."""
    return max(3, min(3000, int(rng.paretovariate(1.15) * 8)))


def make_listing(rng: random.Random, listing_id: str, seller_id: str, now: dt.datetime) -> dict:
    category, (low, high), sizes = rng.choice(CATEGORIES)
    brand = rng.choice(BRANDS)
    kind = category.rsplit("/", 1)[1]
    price = round(rng.uniform(low, high) * rng.choice([1, 1, 1, 0.8, 1.2]), 0) or 5
    return {
        "id": listing_id, "sellerId": seller_id,
        "title": f"{rng.choice(ADJECTIVES)} {brand} {kind.rstrip('s')}",
        "brand": brand, "category": category, "size": rng.choice(sizes),
        "condition": rng.choice(CONDITIONS), "price": f"{price:.2f}", "status": "available",
        "createdAt": (now - dt.timedelta(days=rng.randint(1, 400))).isoformat(),
    }


@transaction.atomic
def load_demo(seed: int = 7, sellers: int = 8) -> DemoResult:
    """Create (or refresh) the demo sellers and closets and the demo seller's login."""
    rng = random.Random(seed)
    now = clock.now()
    names = SELLER_NAMES[:sellers]
    seller_items = [
        {"id": f"S{100 + i}", "username": name, "email": f"{name}@example.com",
         "joinedAt": (now - dt.timedelta(days=rng.randint(60, 2000))).isoformat()}
        for i, name in enumerate(names)
    ]
    catalog.sellers_upsert(seller_items)
    listing_items = []
    for i, item in enumerate(seller_items):
        size = 120 if i == 0 else closet_size(rng)
        listing_items.extend(
            make_listing(rng, f"L{100 + i}-{n:05d}", item["id"], now) for n in range(size)
        )
    for start in range(0, len(listing_items), catalog.MAX_BATCH):
        catalog.listings_upsert(listing_items[start:start + catalog.MAX_BATCH])

    demo_seller = Seller.objects.get(marketplace_id=seller_items[0]["id"])
    User = get_user_model()
    user, _ = User.objects.get_or_create(username=DEMO_USERNAME, defaults={"email": demo_seller.email})
    user.set_password(DEMO_PASSWORD)
    user.save()
    Seller.objects.filter(user=user).exclude(pk=demo_seller.pk).update(user=None)
    demo_seller.user = user
    demo_seller.save(update_fields=["user"])
    return DemoResult(len(seller_items), len(listing_items), DEMO_USERNAME, DEMO_PASSWORD,
                      demo_seller.marketplace_id)
