"""Searching and filtering pool users on indexed columns only.

Every lookup here is an equality or a half-open range on a column whose index leads with
``pool``, and every changelist query names the pools, so neither a search term nor a rare
filter value makes the database read the whole user table.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from ..models import Group, PoolUser, UserPool
from ..models.user import SEARCH_KEY_LENGTH, search_key
from ..services.listing import prefix_range
from ..services.schema import storable
from ..services.users import MAX_USERNAME_LENGTH
from .paginator import Arm, BoundedPaginator, arm_by_arm
from .rows import result_table

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

SEARCH_HELP = _("A username or email prefix; an email prefix when the term contains @; "
                "a phone number prefix when it starts with +; a sub (UUID) exactly.")


def _username_ranges(term: str) -> list[Q]:
    """Usernames starting with ``term`` in case-sensitive pools or, lower-cased, in the rest."""
    if len(term) > MAX_USERNAME_LENGTH:
        return []
    ranges = [prefix_range("username_key", term)]
    if term.lower() != term:
        ranges.append(prefix_range("username_key", term.lower()))
    return ranges


def _arm(query: Q, key: str) -> Arm:
    """One prefix range, in the order of the index it ranges over.

    Usernames are unique per pool, and their index is ``(pool, username_key)``; the
    attribute keys' indexes are ``(pool, key, id)``.
    """
    return Arm(query, ("pool_id", key) if key == "username_key" else ("pool_id", key, "id"))


def search_users(queryset: QuerySet[PoolUser], term: str) -> QuerySet[PoolUser]:
    """Filter ``queryset`` by an admin search term (see :data:`SEARCH_HELP`).

    A prefix search lists username matches first, then email (or phone) matches, each by
    pool and the matched key, as ListUsers orders a filter: the page query then walks
    one index from the start of its range and stops after a page, where newest first it
    would read and sort every match. A sub matches at most a few users, left in the
    changelist's order.
    """
    term = term.strip()
    if not term:
        return queryset
    if not storable(term):  # no stored value holds one, and PostgreSQL refuses it in a query
        return queryset.none()
    try:
        sub = uuid.UUID(term)
    except ValueError:
        sub = None
    key = search_key(term)
    if sub is not None:
        return queryset.filter(Q(sub=sub) | Q(username_key=term) | Q(username_key=term.lower()))
    if "@" in term:
        arms = [_arm(prefix_range("email_key", key), "email_key")]
    elif term.startswith("+"):
        arms = [_arm(prefix_range("phone_key", key), "phone_key")]
    else:
        arms = [_arm(query, "username_key") for query in _username_ranges(term)]
        if len(term) <= SEARCH_KEY_LENGTH:
            arms.append(_arm(prefix_range("email_key", key), "email_key"))
    return arm_by_arm(queryset, arms) if arms else queryset.none()


class UserChangeList(ChangeList):
    """A changelist whose queries name every pool.

    The user indexes lead with the pool. Without a pool in the WHERE clause PostgreSQL
    (before 18, which can skip-scan) cannot use them for ``status = 'ARCHIVED'`` or an
    email range, and reads the whole table; with ``pool_id IN (...)`` it walks each
    pool's slice of the index. Pools are few, so the list costs one small query. The
    pools are named in the root queryset, before filters and the search see it: each arm
    of a search (see :func:`search_users`) is then one range of one index.
    """

    @property
    def root_queryset(self) -> QuerySet[Any]:
        return self._root_queryset

    @root_queryset.setter
    def root_queryset(self, queryset: QuerySet[Any]) -> None:
        pools = list(UserPool.objects.values_list("pk", flat=True))
        self._root_queryset = queryset.filter(pool__in=pools)

    def get_results(self, request: HttpRequest) -> None:
        super().get_results(request)
        # Django reads a listing that fits on one page (or "show all") from the queryset
        # itself; through the paginator it loads only the shown columns and, searched arm by
        # arm, reads one index range at a time instead of ORing them over the whole pool.
        paginator = self.paginator
        unpaged = (self.show_all and self.can_show_all) or not self.multi_page
        if unpaged and isinstance(paginator, BoundedPaginator):
            self.result_list = paginator.rows(0, self.result_count)

    @cached_property
    def result_table(self) -> dict[str, Any] | None:
        """The rows, rendered once per page (see :mod:`.rows`); ``None``: Django renders them."""
        return result_table(self)


class PoolListFilter(admin.RelatedFieldListFilter):
    """The pool filter, its choices read without the pools' JSON settings."""

    def field_choices(self, field: Any, request: HttpRequest,
                      model_admin: Any) -> list[tuple[str, str | StrPromise]]:
        ordering = self.field_admin_ordering(field, request, model_admin)
        pools = UserPool.objects.only("id", "name").order_by(*ordering)
        return [(str(pool.pk), str(pool)) for pool in pools]


class GroupListFilter(admin.SimpleListFilter):
    """Members of one group; the sidebar offers the first groups, any id works in the URL."""

    title = _("group")
    parameter_name = "group"
    max_choices = 50

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        groups = Group.objects.select_related("pool").only("name", "pool__name").order_by(
            "pool__name", "name")
        return [(str(g.pk), f"{g.name} ({g.pool.name})") for g in groups[:self.max_choices]]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        if not value:
            return queryset
        if not (isinstance(value, str) and value.isascii() and value.isdigit()
                and len(value) <= 18):
            raise IncorrectLookupParameters(f"Invalid group: {value!r}")
        return queryset.filter(groupmembership__group_id=int(value))
