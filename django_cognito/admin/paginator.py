"""Counting for changelists over tables too large to count: every COUNT stops at a bound.

A listing may also be a sequence of *arms* (:func:`arm_by_arm`): rows matching any of
several conditions, each condition a range of its own index, ordered arm by arm. No
single index holds that order, so one query would read and sort every match; the
paginator instead counts and slices one arm at a time, and each query walks one index
and stops where the page (or the count's bound) ends.
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from dataclasses import dataclass
from functools import reduce
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Case, F, Q, QuerySet, Value, When
from django.db.models.sql import Query
from django.utils.functional import cached_property

COUNT_LIMIT = 10_000
# Where a queryset keeps its arms: an attribute of its SQL query survives the clones that
# filtering, ordering and slicing make, and querysets without it paginate as usual.
ARMS_ATTRIBUTE = "_bounded_paginator_arms"


def bounded_count(queryset: QuerySet[Any], limit: int = COUNT_LIMIT,
                  columns: Sequence[str] = ()) -> tuple[int, bool]:
    """Count at most ``limit`` rows; the flag says whether more exist.

    ``COUNT(*)`` over ``(SELECT ... LIMIT limit+1)`` reads at most ``limit + 1`` index
    entries, where a bare ``COUNT(*)`` of a million-row table reads them all. Selecting
    only ``columns`` of the index that serves the WHERE clause lets the database count
    from that index alone.
    """
    rows = queryset.order_by()
    if columns:
        rows = rows.values(*columns)
    counted = rows[: limit + 1].count()
    return (limit, True) if counted > limit else (counted, False)


def count_label(queryset: QuerySet[Any], limit: int = COUNT_LIMIT) -> str:
    """``"42"``, or ``"10000+"`` when there are more than ``limit`` rows."""
    rows, more = bounded_count(queryset, limit)
    return f"{rows}+" if more else str(rows)


@dataclass(frozen=True)
class Arm:
    """Rows matching ``query``, in ``ordering``: the column order of the index it ranges over.

    ``ordering`` names ascending columns and should be exactly the index's columns (an
    index the ordering only starts with can leave the database sorting every match); its
    first column is the one counted (see :func:`bounded_count`).
    """

    query: Q
    ordering: tuple[str, ...]


@dataclass(frozen=True)
class _Arms:
    """What :func:`arm_by_arm` leaves on a queryset for the paginator."""

    arms: tuple[Arm, ...]
    # The SQL query before narrowing (an arm on it is one index range); a query, not a
    # queryset, so that pickling the listing never evaluates it.
    source: Query
    where: Any  # the narrowed WHERE clause; a queryset filtered further keeps its own


def arm_by_arm(queryset: QuerySet[Any], arms: Sequence[Arm]) -> QuerySet[Any]:
    """``queryset`` narrowed to rows of any arm, ordered by their first arm, then its ordering.

    The result is an ordinary queryset (actions and small listings use it as it is);
    :class:`BoundedPaginator` recognises it and reads it one arm at a time.
    """
    if len(arms) == 1:
        return queryset.filter(arms[0].query).order_by(*arms[0].ordering)
    ordering: list[Any] = [Case(*(When(arm.query, then=Value(i)) for i, arm in enumerate(arms)),
                                default=Value(len(arms)))]
    width = max(len(arm.ordering) for arm in arms)
    for position in range(width):
        columns = [arm.ordering[position] if position < len(arm.ordering) else None
                   for arm in arms]
        named = [column for column in columns if column is not None]
        if len(named) == len(columns) and len(set(named)) == 1:
            ordering.append(named[0])
            continue
        # Past the end of its ordering an arm's rows sort as NULL, equal among themselves.
        nothing = Value(None, output_field=queryset.model._meta.get_field(named[0]))
        ordering.append(Case(*(When(arm.query, then=F(column) if column else nothing)
                               for arm, column in zip(arms, columns, strict=True))))
    narrowed = queryset.filter(reduce(operator.or_, (arm.query for arm in arms)))
    narrowed = narrowed.order_by(*ordering)
    setattr(narrowed.query, ARMS_ATTRIBUTE,
            _Arms(tuple(arms), queryset.query, narrowed.query.where))
    return narrowed


class BoundedPaginator(Paginator):
    """A paginator whose ``count`` never exceeds ``limit``; ``truncated`` says more exist.

    Pages past the bound are out of reach on purpose: deep OFFSETs are as slow as a count,
    and a search or filter narrows a listing faster than paging does.
    """

    limit = COUNT_LIMIT
    truncated = False

    def __init__(self, object_list: Any, per_page: int | str, orphans: int = 0,
                 allow_empty_first_page: bool = True, *, columns: Sequence[str] = (),
                 **kwargs: Any) -> None:
        super().__init__(object_list, per_page, orphans, allow_empty_first_page, **kwargs)
        # A page of a queryset loads only these fields (``QuerySet.only``): what its rows
        # show, where a model instance of every column costs more than the query does.
        self.columns = tuple(columns)

    def _shown(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.only(*self.columns) if self.columns else queryset

    @cached_property
    def arms(self) -> _Arms | None:
        """What an :func:`arm_by_arm` listing is made of; ``None`` for any other."""
        if not isinstance(self.object_list, QuerySet):
            return None
        marker = getattr(self.object_list.query, ARMS_ATTRIBUTE, None)
        return marker if isinstance(marker, _Arms) else None

    @cached_property
    def count(self) -> int:
        if not isinstance(self.object_list, QuerySet):
            return len(self.object_list)
        if self.arms:
            return sum(rows for _arm, rows in self.arm_counts)
        rows, self.truncated = bounded_count(self.object_list, self.limit)
        return rows

    @cached_property
    def arm_counts(self) -> list[tuple[QuerySet[Any], int]]:
        """Each arm's rows that no earlier arm holds, and how many, up to the bound.

        Counting stops at the arm that reaches the bound; pages never go past it.
        """
        marker, listing = self.arms, self.object_list
        assert marker is not None and isinstance(listing, QuerySet)  # noqa: S101
        # Each arm's query on the queryset before narrowing reads its index alone; the
        # narrowing condition names every arm's columns, which no one index holds. A
        # listing filtered or made distinct since keeps its own conditions instead.
        if (listing.query.where == marker.where
                and listing.query.distinct == marker.source.distinct):
            listing = listing.all()
            listing.query = marker.source.chain()
        counted: list[tuple[QuerySet[Any], int]] = []
        held: list[Q] = []  # earlier arms that hold rows, whose rows later arms leave out
        total = 0
        for arm in marker.arms:
            rows = listing.filter(arm.query)
            if held:
                rows = rows.exclude(reduce(operator.or_, held))
            rows = rows.order_by(*arm.ordering)
            found, more = bounded_count(rows, self.limit - total, arm.ordering[:1])
            counted.append((rows, found))
            total += found
            if more:
                self.truncated = True
                break
            if found:
                held.append(arm.query)
        return counted

    def page(self, number: Any) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        return Page(self.rows(bottom, top), number, self)

    def rows(self, bottom: int, top: int) -> Any:
        """Rows ``bottom`` to ``top`` (at most :attr:`count`): a sliced queryset, or a list
        gathered arm by arm."""
        listing = self.object_list
        if not isinstance(listing, QuerySet):
            return listing[bottom:top]
        if not self.arms:
            return self._shown(listing)[bottom:top]
        rows: list[Any] = []
        start = 0
        for queryset, found in self.arm_counts:
            low, high = max(bottom - start, 0), min(top - start, found)
            if low < high:
                rows += list(self._shown(queryset)[low:high])
            start += found
        return rows
