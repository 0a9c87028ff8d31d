"""Shoppers' tastes: what the auction knows of one shopper, and what it is worth.

An ad can add sales where it fits *this* shopper better than a ranking built for everyone
(design.md, Models). The plainest signs the platform has are what a shopper searches for,
clicks and buys. ``ShopperTaste`` keeps, with the time each was first and last seen:

- ``brand:<name>``: brands named in the shopper's searches (``searchQuery`` matched against
  the catalog's brand names, ``BrandNames``; each web process notes them in memory at once,
  ``QueryTastes``, and writes them every ``QUERY_FLUSH_SECONDS`` of marketplace time), and
  the brands of the listings they click or buy (``shopper_tastes_record``, at ingestion);
- ``size:<category>:<size>``: the sizes of the listings they click or buy, per category.

``ShopperPrice`` keeps their price level (mean log price of what they click or buy).

Every write bumps the ``shoppers`` topic; each auction index keeps the tastes and price
levels of shoppers seen in the last ``AFFINITY_DAYS`` in memory, patched incrementally (no
query per auction). The auction multiplies a candidate's predicted click rate by what
training learnt these are worth (``auction.ranking.Shopper``): a lift for a listing of one
of the shopper's brands, another for one in one of their sizes (``affinity_learn``), and a
factor per band of price against their level (``price_fit_learn``). Until learnt, each is
1: nothing changes.
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Max

from auction.models import ShopperPrice, ShopperTaste
from auction.pending import PendingWrites
from core import changes, clock, state
from core.db import bound_cursor
from core.money import log_dollars

AFFINITY_DAYS = 28  # tastes shown this long ago still count
KINDS = ("brand", "size")
MIN_AFFINE_IMPRESSIONS = 200
MIN_AFFINE_CLICKS = 20
PURCHASE_PSEUDO_CLICKS = 200.0  # shrinks the purchase ratio toward 1 when purchases are few
LIFT_BOUNDS = (0.5, 10.0)
CLICK_WINDOW = dt.timedelta(minutes=30)
PURCHASE_WINDOW = dt.timedelta(days=1)
QUERY_FLUSH_SECONDS = 60.0
# A listing's log price against the shopper's mean log price, in bands: far below, ...,
# far above (e^0.7 = about twice what they usually pay).
PRICE_EDGES = (-0.7, -0.35, 0.35, 0.7, 1.1)
MIN_PRICE_EVENTS = 2  # a price level needs this many clicks or purchases
MIN_BAND_IMPRESSIONS = 200
PRICE_FACTOR_BOUNDS = (0.05, 3.0)
MAX_BRAND_WORDS = 4
_WORD = re.compile(r"[\w'&+.-]+")


def _words(text: str) -> list[str]:
    return _WORD.findall(text.casefold())


class BrandNames:
    """The catalog's brand names by their words (casefolded), to find them in a search."""

    def __init__(self, brands: Iterable[str] = ()) -> None:
        self.by_words: dict[tuple[str, ...], str] = {}
        self.add(brands)

    def add(self, brands: Iterable[str]) -> None:
        for brand in brands:
            words = tuple(_words(brand))
            if brand and 0 < len(words) <= MAX_BRAND_WORDS:
                self.by_words.setdefault(words, brand)

    def in_query(self, query: str | None) -> set[str]:
        """The brands whose whole name appears, word for word, in ``query``."""
        if not query or not self.by_words:
            return set()
        words = _words(query)
        found = set()
        for n in range(1, MAX_BRAND_WORDS + 1):
            for start in range(len(words) - n + 1):
                brand = self.by_words.get(tuple(words[start:start + n]))
                if brand is not None:
                    found.add(brand)
        return found


def brand_taste(brand: str) -> str:
    return f"brand:{brand}" if brand else ""


def size_taste(category: str, size: str) -> str:
    return f"size:{category}:{size}"[:200] if category and size else ""


def listing_tastes(brand: str, category: str, size: str) -> tuple[str, str]:
    """A listing's (brand, size) taste keys, "" where it has none."""
    return brand_taste(brand), size_taste(category, size)


def _tastes_upsert(latest: Mapping[tuple[str, str], tuple[dt.datetime, dt.datetime]], *, signal: bool = True) -> int:
    """Write (shopper, taste) -> (first, last) times: a new pair with both, a known one
    with its new last time (its first time stays). Bumps the shoppers topic (unless ``signal``
    is false: the caller bumps it)."""
    if not latest:
        return 0
    now = clock.now()
    ShopperTaste.objects.bulk_create(
        [ShopperTaste(opaque_user_id=user, taste=taste, first_at=first, last_at=last, updated_at=now)
         for (user, taste), (first, last) in sorted(latest.items())],
        update_conflicts=True, unique_fields=["opaque_user_id", "taste"], update_fields=["last_at", "updated_at"],
        batch_size=500)
    if signal:
        changes.bump(changes.SHOPPERS)
    return len(latest)


def _merge(latest: dict, user: str, taste: str, at: dt.datetime) -> None:
    key = (user[:256], taste[:200])
    first, last = latest.get(key, (at, at))
    latest[key] = (min(first, at), max(last, at))


def shopper_tastes_record(rows: Iterable[tuple[str, int, dt.datetime]], *,
                          signals: set[str] | None = None,
                          listings: Mapping[int, tuple[str, str, str, int]] | None = None) -> int:
    """Remember the brands, sizes and prices of the listings shoppers clicked or bought.

    ``rows``: ``(opaque user id, listing pk, when)``; rows without a user are skipped. One
    query for the listings (none given ``listings``: pk -> (brand, category, size, price
    micros) of every listing the rows name, as the caller has read them; a pk missing from
    it is a listing that does not exist), then in one transaction one upsert of price levels
    and one of tastes, each in key order (concurrent writers of the same shoppers lock their
    rows in the same order); the shoppers topic is bumped once (or, given ``signals``, added
    to that set for the caller to bump with its own topics: ``changes.bump_all``). Returns the
    number of (shopper, taste) pairs written.
    """
    rows = [(user, listing_id, at) for user, listing_id, at in rows if user and listing_id]
    if not rows:
        return 0
    if listings is None:
        from sellers.models import Listing

        listings = {pk: (brand, category, size, price) for pk, brand, category, size, price in
                    Listing.objects.filter(pk__in={listing_id for _, listing_id, _ in rows})
                    .values_list("pk", "brand", "category", "size", "price_micros")}
    facts: dict[int, tuple[tuple[str, str], int]] = {}
    for pk in {listing_id for _, listing_id, _ in rows}:
        found = listings.get(pk)
        if found is not None:
            brand, category, size, price = found
            facts[pk] = (listing_tastes(brand, category, size), price)
    latest: dict = {}
    prices: dict[str, list[float]] = defaultdict(list)
    for user, listing_id, at in rows:
        tastes, price = facts.get(listing_id, (("", ""), 0))
        for taste in tastes:
            if taste:
                _merge(latest, user, taste, at)
        if price > 0:
            prices[user[:256]].append(log_dollars(price))
    with transaction.atomic(savepoint=False):  # inside the events batch's transaction: no savepoint
        _prices_add(prices)
        written = _tastes_upsert(latest, signal=False)
    if prices or written:
        if signals is None:
            changes.bump(changes.SHOPPERS)
        else:
            signals.add(changes.SHOPPERS)
    return written


_PRICE_ROWS_PER_STATEMENT = 500


def _prices_add(prices: Mapping[str, list[float]]) -> None:
    """Add log prices to shoppers' price levels: one upsert that adds in the database (two
    concurrent batches of one shopper both count, and nothing is read first), the shoppers
    in key order. The caller bumps the shoppers topic."""
    if not prices:
        return
    quote = connection.ops.quote_name
    table = quote(ShopperPrice._meta.db_table)
    # ShopperPrice's fields (their columns have the same names).
    user, total, count, updated = (quote(name) for name in ("opaque_user_id", "log_price_sum", "events", "updated_at"))
    shoppers = sorted(prices)
    now = clock.now()
    on_conflict = (f"ON CONFLICT ({user}) DO UPDATE SET {total} = {table}.{total} + excluded.{total}, "
                   f"{count} = {table}.{count} + excluded.{count}, {updated} = excluded.{updated}")
    if connection.vendor == "postgresql":
        # One array per column, bound by the server (core.db): the VALUES list's ~1,000
        # parameters were quoted into the statement in Python (1.5 of its 2 ms a batch).
        with bound_cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} ({user}, {total}, {count}, {updated}) "  # noqa: S608 - the model's names
                f"SELECT u.*, %b FROM unnest(%b::text[], %b::float8[], %b::integer[]) AS u {on_conflict}",
                [now, shoppers, [sum(prices[s]) for s in shoppers], [len(prices[s]) for s in shoppers]])
        return
    adapted = connection.ops.adapt_datetimefield_value(now)
    rows = [(shopper, sum(prices[shopper]), len(prices[shopper]), adapted) for shopper in shoppers]
    for start in range(0, len(rows), _PRICE_ROWS_PER_STATEMENT):
        part = rows[start:start + _PRICE_ROWS_PER_STATEMENT]
        # Identifiers come from the model, values are parameters.
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} ({user}, {total}, {count}, {updated}) "  # noqa: S608
                f"VALUES {', '.join(['(%s, %s, %s, %s)'] * len(part))} {on_conflict}",
                [value for row in part for value in row])


class QueryTastes(PendingWrites):
    """Brands named in shoppers' searches, held in memory until written (one per process),
    every ``QUERY_FLUSH_SECONDS`` of marketplace time."""

    def __init__(self) -> None:
        super().__init__(QUERY_FLUSH_SECONDS)

    def note(self, user: str, brands: Iterable[str], at: dt.datetime) -> None:
        with self._lock:
            for brand in brands:
                _merge(self._pending, user, brand_taste(brand), at)

    def _write(self, pending: dict) -> int:
        return _tastes_upsert(pending)


query_tastes = QueryTastes()
state.register("shoppers' tastes", query_tastes.clear)


def shopper_tastes(since: dt.datetime, *, written_since: dt.datetime | None = None
                   ) -> tuple[dict[str, set[str]], dt.datetime | None]:
    """Tastes per shopper shown since ``since`` (only the rows written since
    ``written_since`` when given), and the newest write time seen (for the next read)."""
    rows = ShopperTaste.objects.filter(last_at__gte=since)
    if written_since is not None:
        rows = rows.filter(updated_at__gte=written_since)
    tastes: dict[str, set[str]] = defaultdict(set)
    for user, taste in rows.values_list("opaque_user_id", "taste").iterator(chunk_size=5000):
        tastes[user].add(taste)
    newest = ShopperTaste.objects.aggregate(n=Max("updated_at"))["n"]
    return dict(tastes), newest


def shopper_price_levels(*, written_since: dt.datetime | None = None, active_since: dt.datetime | None = None
                         ) -> dict[str, float]:
    """Mean log price per shopper with at least ``MIN_PRICE_EVENTS`` prices: only the rows
    written since ``written_since`` (a patch), or of shoppers active since ``active_since``.
    (The mean is over all their prices, not windowed.)"""
    rows = ShopperPrice.objects.filter(events__gte=MIN_PRICE_EVENTS)
    for since in (written_since, active_since):
        if since is not None:
            rows = rows.filter(updated_at__gte=since)
    return {user: total / n for user, total, n in rows.values_list("opaque_user_id", "log_price_sum", "events")
            .iterator(chunk_size=5000)}


def price_band(log_price: float, level: float) -> int:
    """The band of a listing's log price against a shopper's level (``PRICE_EDGES``)."""
    return bisect.bisect_right(PRICE_EDGES, log_price - level)


@dataclass(frozen=True)
class AffinityFigures:
    """What one kind of taste (brand, size) is worth, learnt from organic traffic."""

    lift: float  # click_lift * purchase_lift, bounded
    click_lift: float
    purchase_lift: float
    impressions_affine: int
    impressions_other: int
    clicks_affine: int
    clicks_other: int

    def as_dict(self) -> dict:
        return {"lift": round(self.lift, 4), "click_lift": round(self.click_lift, 4),
                "purchase_lift": round(self.purchase_lift, 4), "impressions_affine": self.impressions_affine,
                "impressions_other": self.impressions_other, "clicks_affine": self.clicks_affine,
                "clicks_other": self.clicks_other}
