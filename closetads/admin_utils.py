"""Admin helpers: read-only pages, and tables with millions of rows."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db import connection
from django.utils.functional import cached_property


class LargeTablePaginator(Paginator):
    """Avoids ``COUNT(*)`` over a whole large table on PostgreSQL.

    An unfiltered changelist uses the planner's row estimate (``pg_class.reltuples``),
    which is instant; a filtered one counts for real (its WHERE clause uses an index).
    On SQLite, and for small tables, it counts exactly.
    """

    ESTIMATE_ABOVE = 100_000

    @cached_property
    def count(self) -> int:
        query = getattr(self.object_list, "query", None)
        if connection.vendor == "postgresql" and query is not None and not query.where:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT reltuples::bigint FROM pg_class WHERE relname = %s",
                    [self.object_list.model._meta.db_table],  # type: ignore[attr-defined]  # a QuerySet here
                )
                row = cursor.fetchone()
            if row and row[0] > self.ESTIMATE_ABOVE:
                return int(row[0])
        return super().count


class ReadOnlyAdminMixin:
    """For a ModelAdmin or an inline whose rows are facts: looked at, never added, edited
    or deleted in admin."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
