"""Admin of pool users: a changelist that stays fast at a million rows, service-backed edits."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.forms import ModelForm
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import URLPattern, path
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..exceptions import CognitoError
from ..models import Group, GroupMembership, PoolUser, UserPool
from ..services import admin_users, attributes
from .base import CognitoModelAdmin, admin_url, adopt, links, render_page
from .paginator import BoundedPaginator
from .search import SEARCH_HELP, GroupListFilter, PoolListFilter, UserChangeList, search_users
from .user_actions import (
    UserActionForm,
    add_to_group,
    confirm_users,
    delete_selected,
    disable_users,
    enable_users,
    global_sign_out_users,
    reset_passwords,
)
from .user_forms import PoolUserChangeForm, PoolUserCreationForm, SetPasswordForm


@admin.register(PoolUser)
class PoolUserAdmin(CognitoModelAdmin):
    list_display = ("username", "pool", "status", "enabled", "email", "created_at")
    list_filter = ("status", "enabled", ("pool", PoolListFilter), GroupListFilter)
    list_select_related = ("pool",)
    # Newest first by primary key: the page query walks the (pool, id) or primary key index
    # backwards and stops after one page. Sorting by other columns would sort every row.
    # A search lists its matches in the order of the indexes it ranges over instead.
    ordering = ("-id",)
    sortable_by = ()
    search_fields = ("username",)  # shows the search box; get_search_results does the work
    search_help_text = SEARCH_HELP
    # No COUNT(*) of the whole table: the paginator counts up to a bound, totals are off,
    # and facet counts (one COUNT per filter choice) are never offered.
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    paginator: ClassVar[type[BoundedPaginator]] = BoundedPaginator
    # What the rows read (the columns above, ``email`` from the attributes, the pool's
    # name): a page loads only these, the rest of a user costs more to build than to show.
    list_columns = ("username", "pool__name", "status", "enabled", "attributes", "created_at")
    # Cognito's own page size (ListUsers' Limit is at most 60): rendering rows, not the
    # database, is most of a changelist page at a million users.
    list_per_page = 60
    action_form = UserActionForm
    actions = [confirm_users, enable_users, disable_users, global_sign_out_users,
               reset_passwords, add_to_group, delete_selected]
    form = PoolUserChangeForm
    add_form = PoolUserCreationForm
    fieldsets = (
        (None, {"fields": ("username", "pool", "sub", "status", "enabled", "groups_display",
                           "password_link", "user")}),
        (gettext_lazy("Attributes"), {"fields": ("attributes_json", "mark_email_verified",
                                                 "mark_phone_number_verified")}),
        (gettext_lazy("Dates"), {"fields": ("created_at", "modified_at", "password_set_at",
                                            "temporary_password_expires_at")}),
    )
    add_fieldsets = (
        (None, {"fields": ("pool", "username")}),
        (gettext_lazy("Attributes"), {"fields": ("email", "email_verified", "phone_number",
                                                 "phone_number_verified", "other_attributes")}),
        (gettext_lazy("Invitation"), {"fields": ("temporary_password", "suppress_invitation",
                                                 "delivery_mediums")}),
    )
    readonly_fields = ("username", "pool", "sub", "status", "enabled", "groups_display",
                       "password_link", "user", "created_at", "modified_at", "password_set_at",
                       "temporary_password_expires_at")

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type[UserChangeList]:
        return UserChangeList

    def get_paginator(self, request: HttpRequest, queryset: QuerySet[PoolUser], per_page: int,
                      orphans: int = 0, allow_empty_first_page: bool = True) -> BoundedPaginator:
        # The history view pages log entries through here too: only users are narrowed.
        columns = self.list_columns if queryset.model is self.model else ()
        return self.paginator(queryset, per_page, orphans, allow_empty_first_page,
                              columns=columns)

    def get_search_results(self, request: HttpRequest, queryset: QuerySet[PoolUser],
                           search_term: str) -> tuple[QuerySet[PoolUser], bool]:
        return search_users(queryset, search_term), False

    def get_fieldsets(self, request: HttpRequest, obj: PoolUser | None = None) -> Any:
        return self.add_fieldsets if obj is None else self.fieldsets

    def get_readonly_fields(self, request: HttpRequest, obj: PoolUser | None = None) -> Any:
        return () if obj is None else self.readonly_fields

    def get_form(self, request: HttpRequest, obj: PoolUser | None = None, change: bool = False,
                 **kwargs: Any) -> Any:
        if obj is None:
            kwargs["form"] = self.add_form
        return super().get_form(request, obj, change, **kwargs)

    def save_model(self, request: HttpRequest, obj: PoolUser, form: ModelForm,
                   change: bool) -> None:
        if isinstance(form, PoolUserCreationForm):
            arguments = form.user_arguments()
            adopt(obj, admin_users.admin_create_user(obj.pool, obj.username, **arguments))
        elif isinstance(form, PoolUserChangeForm) and form.changes:
            attributes.update_user_attributes(obj, form.changes, admin=True)

    def delete_model(self, request: HttpRequest, obj: PoolUser) -> None:
        admin_users.admin_delete_user(obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[PoolUser]) -> None:
        for user in queryset.select_related("pool"):
            admin_users.admin_delete_user(user)

    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> Any:
        ids = [user.pk for user in objs]
        related: dict[type[Model], Any] = {
            GroupMembership: GroupMembership.objects.filter(user__in=ids)}
        return self.summarize_deletion(request, objs, related)

    def get_queryset(self, request: HttpRequest) -> Any:
        # The changelist shows each row's pool by name: skip decoding its JSON settings.
        heavy = [f"pool__{field.name}" for field in UserPool._meta.concrete_fields
                 if field.get_internal_type() == "JSONField"]
        return super().get_queryset(request).defer("srp_verifier", *heavy)

    @admin.display(description=mark_safe('<input type="checkbox" id="action-toggle">'))
    def action_checkbox(self, obj: PoolUser) -> SafeString:
        # Django renders this checkbox through the form-widget templates, once per row; the
        # same markup written directly (format_html's escaping, spelled out) costs a
        # fraction of that on every changelist page.
        label = _("Select this object for an action - {}").format(conditional_escape(str(obj)))
        return mark_safe(  # noqa: S308  (the key and the name are escaped)
            f'<input type="checkbox" name="{helpers.ACTION_CHECKBOX_NAME}" '
            f'value="{conditional_escape(str(obj.pk))}" class="action-select" '
            f'aria-label="{label}">')

    @admin.display(description=gettext_lazy("Email"))
    def email(self, obj: PoolUser) -> str:
        return str(obj.attributes.get("email", ""))

    @admin.display(description=gettext_lazy("Groups"))
    def groups_display(self, obj: PoolUser) -> str:
        found = Group.objects.filter(groupmembership__user=obj).order_by("name")
        return links((g.name, admin_url(Group, "change", g.pk)) for g in found) or "-"

    @admin.display(description=gettext_lazy("Password"))
    def password_link(self, obj: PoolUser) -> str:
        return format_html('<a class="button" href="{}">{}</a>',
                           admin_url(PoolUser, "password", obj.pk), _("Set password"))

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view(self.set_password_view)
        return [path("<path:object_id>/password/", view,
                     name="django_cognito_pooluser_password"), *super().get_urls()]

    def set_password_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """AdminSetUserPassword for one user."""
        user = self.get_object(request, unquote(object_id))
        if user is None:
            raise Http404(_("Pool user not found."))
        if not self.has_change_permission(request, user):
            raise PermissionDenied
        form = SetPasswordForm(request.POST if request.method == "POST" else None)
        if form.is_valid():
            try:
                admin_users.admin_set_user_password(
                    user, form.cleaned_data["password"], permanent=form.cleaned_data["permanent"])
            except CognitoError as exc:
                form.add_error("password", exc.message)
            else:
                self.log_change(request, user, _("Set the password."))
                messages.success(request, _("The password of %(user)s was set.") % {"user": user})
                return HttpResponseRedirect(admin_url(PoolUser, "change", user.pk))
        return render_page(self, request, _("Set password"), original=user, form=form,
                           intro=_("Set a new password for %(user)s.") % {"user": user},
                           submit_label=_("Set password"),
                           back_url=admin_url(PoolUser, "change", user.pk))
