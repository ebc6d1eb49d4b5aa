"""Counting for changelists over tables too large to count: every COUNT stops at a bound."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property

COUNT_LIMIT = 10_000


def bounded_count(queryset: QuerySet[Any], limit: int = COUNT_LIMIT) -> tuple[int, bool]:
    """Count at most ``limit`` rows; the flag says whether more exist.

    ``COUNT(*)`` over ``(SELECT ... LIMIT limit+1)`` reads at most ``limit + 1`` index
    entries, where a bare ``COUNT(*)`` of a million-row table reads them all.
    """
    rows = queryset.order_by()[: limit + 1].count()
    return (limit, True) if rows > limit else (rows, False)


def count_label(queryset: QuerySet[Any], limit: int = COUNT_LIMIT) -> str:
    """``"42"``, or ``"10000+"`` when there are more than ``limit`` rows."""
    rows, more = bounded_count(queryset, limit)
    return f"{rows}+" if more else str(rows)


class BoundedPaginator(Paginator):
    """A paginator whose ``count`` never exceeds ``limit``; ``truncated`` says more exist.

    Pages past the bound are out of reach on purpose: deep OFFSETs are as slow as a count,
    and a search or filter narrows a listing faster than paging does.
    """

    limit = COUNT_LIMIT
    truncated = False

    @cached_property
    def count(self) -> int:
        if not isinstance(self.object_list, QuerySet):
            return len(self.object_list)
        rows, self.truncated = bounded_count(self.object_list, self.limit)
        return rows
