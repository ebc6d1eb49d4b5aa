"""Changelist actions on pool users; each calls one service per user."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.actions import delete_selected as django_delete_selected
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..exceptions import CognitoError
from ..models import Group, PoolUser
from ..services import admin_users, groups, recovery, signup, tokens
from .base import apply_to_each, render_page
from .user_forms import AddToGroupForm

MAX_ACTION_USERS = 1000
GROUP_SUGGESTIONS = 100


def _attributes(attrs: dict[str, Any]) -> str:
    """Widget attributes as ``django/forms/widgets/attrs.html`` writes them."""
    return "".join(f" {conditional_escape(name)}" if value is True else
                   f' {conditional_escape(name)}="{conditional_escape(value)}"'
                   for name, value in attrs.items() if value is not False)


class QuickSelect(forms.Select):
    """A select written directly, as Django's default ``select.html`` would write it.

    The action menu is on every changelist page; rendering it through the form
    renderer includes one template per option and per attribute list.
    """

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None,
               renderer: Any = None) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [f'<select name="{conditional_escape(widget["name"])}"'
                 f'{_attributes(widget["attrs"])}>']
        for group, options, _index in widget["optgroups"]:
            if group:
                parts.append(f'\n  <optgroup label="{conditional_escape(group)}">')
            parts += [f'\n  <option value="{conditional_escape(option["value"])}"'
                      f'{_attributes(option["attrs"])}>{conditional_escape(option["label"])}'
                      f"</option>\n" for option in options]
            if group:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return mark_safe("".join(parts))  # noqa: S308  (every value escaped above)


class QuickHiddenInput(forms.HiddenInput):
    """A hidden input written directly, as Django's default ``input.html`` would write it."""

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None,
               renderer: Any = None) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        shown = "" if widget["value"] is None else \
            f' value="{conditional_escape(widget["value"])}"'
        return mark_safe(  # noqa: S308  (every value escaped)
            f'<input type="{conditional_escape(widget["type"])}" '
            f'name="{conditional_escape(widget["name"])}"{shown}{_attributes(widget["attrs"])}>')


class UserActionForm(helpers.ActionForm):
    """Django's action form, its two fields written without the widget templates."""

    action = forms.ChoiceField(label=gettext_lazy("Action:"), widget=QuickSelect)
    select_across = forms.BooleanField(label="", required=False, initial=0,
                                       widget=QuickHiddenInput({"class": "select-across"}))


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
