"""Admin helpers: read-only pages, tables with millions of rows, money typed in dollars."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar, TypeVar

from django import forms
from django.contrib import admin
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Model, Q, QuerySet
from django.http import HttpRequest
from django.utils.functional import cached_property

from core.money import to_decimal, to_micros

_ModelT = TypeVar("_ModelT", bound=Model)


class LargeTablePaginator(Paginator[Model]):
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


class LargeTableAdmin(admin.ModelAdmin[_ModelT]):
    """A ModelAdmin over a table that grows without bound (events, ledger entries, counts):
    the changelist shows no "N total" (no ``COUNT(*)`` of the whole table) and pages with
    ``LargeTablePaginator``'s estimate."""

    show_full_result_count = False
    paginator = LargeTablePaginator


class ConditionFilter(admin.SimpleListFilter):
    """A changelist filter whose every choice is one condition on the rows: ``conditions`` maps
    each value of the query parameter to its label and its ``Q``."""

    conditions: ClassVar[dict[str, tuple[str, Q]]] = {}

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin[Any]) -> list[tuple[str, str]]:
        return [(value, label) for value, (label, _) in self.conditions.items()]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        chosen = self.conditions.get(self.value() or "")
        return queryset if chosen is None else queryset.filter(chosen[1])


class ReadOnlyAdminMixin:
    """For a ModelAdmin or an inline whose rows are facts: looked at, never added, edited
    or deleted in admin."""

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


def dollars_field(label: str, *, help_text: str = "In dollars, whole cents.", required: bool = True,
                  max_digits: int = 12) -> forms.DecimalField:
    """An amount typed in dollars and whole cents (at least $0.01). Forms store it with
    ``core.money.to_micros`` and show a stored one with ``to_decimal``: one conversion
    for every admin form."""
    return forms.DecimalField(label=label, required=required, min_value=Decimal("0.01"), max_digits=max_digits,
                              decimal_places=2, help_text=help_text)


class DollarsModelForm(forms.ModelForm[_ModelT]):
    """A ModelForm whose amounts are typed in dollars (``dollars_field``) and stored in micros.

    ``micros_fields`` maps each dollars field of the form to the model's micros field it is
    shown from and saved to. ``low_high`` names a pair of them, (low, high, message), where
    high may not be below low; the message goes on high.
    """

    micros_fields: ClassVar[dict[str, str]] = {}
    low_high: ClassVar[tuple[str, str, str] | None] = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, micros_field in self.micros_fields.items():
            self.initial.setdefault(name, to_decimal(getattr(self.instance, micros_field)))

    def clean(self) -> dict[str, Any]:
        super().clean()
        if self.low_high is not None:
            low_name, high_name, message = self.low_high
            low, high = self.cleaned_data.get(low_name), self.cleaned_data.get(high_name)
            if low is not None and high is not None and high < low:
                self.add_error(high_name, message)
        return self.cleaned_data

    def save(self, commit: bool = True) -> _ModelT:
        for name, micros_field in self.micros_fields.items():
            setattr(self.instance, micros_field, to_micros(self.cleaned_data[name]))
        return super().save(commit)
