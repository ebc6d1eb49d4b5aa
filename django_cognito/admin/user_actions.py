"""Changelist actions on pool users; each calls one service per user.

Global sign-out is absent on purpose: it revokes refresh tokens, which do not exist yet.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.actions import delete_selected as django_delete_selected
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..exceptions import CognitoError
from ..models import Group, PoolUser
from ..services import admin_users, groups, recovery, signup, tokens
from .base import apply_to_each, render_page
from .user_forms import AddToGroupForm

MAX_ACTION_USERS = 1000
GROUP_SUGGESTIONS = 100


def selected_users(modeladmin: Any, request: HttpRequest,
                   queryset: QuerySet[PoolUser]) -> list[PoolUser] | None:
    """The selected users, or ``None`` (with a message) when there are too many.

    "Select all" can reach a million users; one request should not run a million
    service calls, so actions stop at :data:`MAX_ACTION_USERS`.
    """
    users = list(queryset.select_related("pool").order_by("pk")[:MAX_ACTION_USERS + 1])
    if len(users) > MAX_ACTION_USERS:
        modeladmin.message_user(
            request, _("Select at most %(max)d users for one action; narrow the list with a "
                       "search or a filter.") % {"max": MAX_ACTION_USERS}, messages.ERROR)
        return None
    return users


@admin.action(description=gettext_lazy("Confirm sign-up of selected users"),
              permissions=["change"])
def confirm_users(modeladmin: Any, request: HttpRequest, queryset: QuerySet[PoolUser]) -> None:
    users = selected_users(modeladmin, request, queryset)
    if users is not None:
        apply_to_each(modeladmin, request, users, signup.admin_confirm_sign_up,
                      _("Confirmed sign-up"))


@admin.action(description=gettext_lazy("Enable selected users"), permissions=["change"])
def enable_users(modeladmin: Any, request: HttpRequest, queryset: QuerySet[PoolUser]) -> None:
    users = selected_users(modeladmin, request, queryset)
    if users is not None:
        apply_to_each(modeladmin, request, users,
                      lambda user: admin_users.set_enabled(user, True), _("Enabled"))


@admin.action(description=gettext_lazy("Disable selected users"), permissions=["change"])
def disable_users(modeladmin: Any, request: HttpRequest, queryset: QuerySet[PoolUser]) -> None:
    users = selected_users(modeladmin, request, queryset)
    if users is not None:
        apply_to_each(modeladmin, request, users,
                      lambda user: admin_users.set_enabled(user, False), _("Disabled"))


@admin.action(description=gettext_lazy("Sign selected users out everywhere"),
              permissions=["change"])
def global_sign_out_users(modeladmin: Any, request: HttpRequest,
                          queryset: QuerySet[PoolUser]) -> None:
    """AdminUserGlobalSignOut: every refresh token and access token of the user dies."""
    users = selected_users(modeladmin, request, queryset)
    if users is not None:
        apply_to_each(modeladmin, request, users, tokens.global_sign_out, _("Signed out"))


@admin.action(description=gettext_lazy("Reset password of selected users"),
              permissions=["change"])
def reset_passwords(modeladmin: Any, request: HttpRequest, queryset: QuerySet[PoolUser]) -> None:
    users = selected_users(modeladmin, request, queryset)
    if users is not None:
        apply_to_each(modeladmin, request, users, recovery.admin_reset_user_password,
                      _("Password reset required"))


@admin.action(description=gettext_lazy("Add selected users to a group"), permissions=["change"])
def add_to_group(modeladmin: Any, request: HttpRequest,
                 queryset: QuerySet[PoolUser]) -> HttpResponse | None:
    users = selected_users(modeladmin, request, queryset)
    if users is None:
        return None
    form = AddToGroupForm(request.POST if "apply" in request.POST else None)
    if form.is_valid():
        name = form.cleaned_data["group"]
        found: dict[str, Group | CognitoError] = {}

        def add(user: PoolUser) -> None:
            if user.pool_id not in found:
                try:
                    found[user.pool_id] = groups.get_group(user.pool, name)
                except CognitoError as exc:
                    found[user.pool_id] = exc
            group = found[user.pool_id]
            if isinstance(group, CognitoError):
                raise group
            groups.add_user_to_group(user, group)

        apply_to_each(modeladmin, request, users, add,
                      _("Added to group %(group)s") % {"group": name})
        return None
    pool_ids = {user.pool_id for user in users}
    names = Group.objects.filter(pool__in=pool_ids).order_by("name").values_list(
        "name", flat=True).distinct()[:GROUP_SUGGESTIONS]
    hidden: list[tuple[str, object]] = [(helpers.ACTION_CHECKBOX_NAME, u.pk) for u in users]
    hidden += [("action", "add_to_group"), ("apply", "1")]
    return render_page(modeladmin, request, _("Add users to a group"), form=form,
                       hidden=hidden, items=[f"{u} ({u.pool.name})" for u in users],
                       intro=_("The group of that name in each user's pool:"),
                       submit_label=_("Add to group"), datalist=list(names),
                       datalist_id="group-names")


@admin.action(description=gettext_lazy("Delete selected %(verbose_name_plural)s"),
              permissions=["delete"])
def delete_selected(modeladmin: Any, request: HttpRequest,
                    queryset: QuerySet[PoolUser]) -> HttpResponse | None:
    """Django's confirmation page, bounded; the deletion itself is ``delete_queryset``."""
    users = selected_users(modeladmin, request, queryset)
    if users is None:
        return None
    response: HttpResponse | None = django_delete_selected(
        modeladmin, request, queryset.filter(pk__in=[user.pk for user in users]))
    return response
