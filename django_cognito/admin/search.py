"""Searching and filtering pool users on indexed columns only.

Every lookup here is an equality or a half-open range on a column whose index leads with
``pool``, and every changelist query names the pools, so neither a search term nor a rare
filter value makes the database read the whole user table.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from ..models import Group, PoolUser, UserPool
from ..models.user import SEARCH_KEY_LENGTH, search_key
from ..services.listing import prefix_range
from ..services.schema import storable
from ..services.users import MAX_USERNAME_LENGTH

SEARCH_HELP = _("A username or email prefix; an email prefix when the term contains @; "
                "a phone number prefix when it starts with +; a sub (UUID) exactly.")


def _username_prefix(term: str) -> Q:
    """Usernames starting with ``term`` in case-sensitive pools or, lower-cased, in the rest."""
    if len(term) > MAX_USERNAME_LENGTH:
        return Q(pk__in=[])
    query = prefix_range("username_key", term)
    if term.lower() != term:
        query |= prefix_range("username_key", term.lower())
    return query


def search_users(queryset: QuerySet[PoolUser], term: str) -> QuerySet[PoolUser]:
    """Filter ``queryset`` by an admin search term (see :data:`SEARCH_HELP`)."""
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
        query = Q(sub=sub) | Q(username_key=term) | Q(username_key=term.lower())
    elif "@" in term:
        query = prefix_range("email_key", key)
    elif term.startswith("+"):
        query = prefix_range("phone_key", key)
    else:
        query = _username_prefix(term)
        if len(term) <= SEARCH_KEY_LENGTH:
            query |= prefix_range("email_key", key)
    return queryset.filter(query)


class UserChangeList(ChangeList):
    """A changelist whose queries name every pool.

    The user indexes lead with the pool. Without a pool in the WHERE clause PostgreSQL
    (before 18, which can skip-scan) cannot use them for ``status = 'ARCHIVED'`` or an
    email range, and reads the whole table; with ``pool_id IN (...)`` it walks each
    pool's slice of the index. Pools are few, so the list costs one small query.
    """

    def get_queryset(self, request: HttpRequest,
                     exclude_parameters: Any = None) -> QuerySet[Any]:
        queryset = super().get_queryset(request, exclude_parameters)
        return queryset.filter(pool__in=list(UserPool.objects.values_list("pk", flat=True)))


class GroupListFilter(admin.SimpleListFilter):
    """Members of one group; the sidebar offers the first groups, any id works in the URL."""

    title = _("group")
    parameter_name = "group"
    max_choices = 50

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        groups = Group.objects.select_related("pool").order_by("pool__name", "name")
        return [(str(g.pk), f"{g.name} ({g.pool.name})") for g in groups[:self.max_choices]]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        if not value:
            return queryset
        if not (isinstance(value, str) and value.isascii() and value.isdigit()
                and len(value) <= 18):
            raise IncorrectLookupParameters(f"Invalid group: {value!r}")
        return queryset.filter(groupmembership__group_id=int(value))
