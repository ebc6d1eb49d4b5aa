"""Admin of user pools: created through ``create_user_pool``, deleted through the service."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import admin
from django.db.models import Model
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from ..clock import now
from ..models import AppClient, Group, PoolUser, UserPool
from ..services import pools
from .base import CognitoModelAdmin, admin_url, adopt, links
from .forms import PASSWORD_POLICY_FIELDS, PoolChangeForm, PoolCreationForm


@admin.register(UserPool)
class UserPoolAdmin(CognitoModelAdmin):
    list_display = ("id", "name", "created_at", "related")
    search_fields = ("=id", "^name")
    ordering = ("-created_at", "id")
    form = PoolChangeForm
    add_form = PoolCreationForm
    fieldsets = (
        (None, {"fields": ("id", "name", "related", "created_at", "modified_at")}),
        (_("Sign-in"), {"fields": ("username_attributes", "alias_attributes", "case_sensitive",
                                   "normalize_usernames", "auto_verified_attributes")}),
        (_("Password policy"), {"fields": PASSWORD_POLICY_FIELDS}),
        (_("Security"), {"fields": ("mfa_configuration", "deletion_protection",
                                    "revoke_tokens_on_password_change")}),
        (_("Attribute schema"), {"fields": ("schema_display",), "classes": ("collapse",)}),
    )
    add_fieldsets = (
        (None, {"fields": ("name",)}),
        (_("Sign-in"), {"fields": ("username_attributes", "alias_attributes", "case_sensitive",
                                   "normalize_usernames", "auto_verified_attributes",
                                   "allow_self_sign_up")}),
        (_("Password policy"), {"fields": PASSWORD_POLICY_FIELDS}),
        (_("Security"), {"fields": ("mfa_configuration", "deletion_protection")}),
        (_("Custom attributes"), {"fields": ("custom_attributes",)}),
    )
    readonly_fields = ("id", "related", "created_at", "modified_at", "username_attributes",
                       "alias_attributes", "case_sensitive", "normalize_usernames",
                       "auto_verified_attributes", "schema_display")

    def get_fieldsets(self, request: HttpRequest, obj: UserPool | None = None) -> Any:
        return self.add_fieldsets if obj is None else self.fieldsets

    def get_readonly_fields(self, request: HttpRequest, obj: UserPool | None = None) -> Any:
        return () if obj is None else self.readonly_fields

    def get_form(self, request: HttpRequest, obj: UserPool | None = None, change: bool = False,
                 **kwargs: Any) -> Any:
        if obj is None:
            kwargs["form"] = self.add_form
        return super().get_form(request, obj, change, **kwargs)

    def get_actions(self, request: HttpRequest) -> Any:
        # Pools are deleted one at a time, through the delete view and its protection check.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def save_model(self, request: HttpRequest, obj: UserPool, form: ModelForm,
                   change: bool) -> None:
        if isinstance(form, PoolCreationForm):
            adopt(obj, pools.create_user_pool(obj.name, **form.pool_config()))
            return
        obj.modified_at = now()
        obj.save()

    def delete_model(self, request: HttpRequest, obj: UserPool) -> None:
        pools.delete_user_pool(obj)

    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> Any:
        pool_ids = [p.pk for p in objs]
        related: dict[type[Model], Any] = {
            PoolUser: PoolUser.objects.filter(pool__in=pool_ids),
            AppClient: AppClient.objects.filter(pool__in=pool_ids),
            Group: Group.objects.filter(pool__in=pool_ids),
        }
        return self.summarize_deletion(request, objs, related)

    @admin.display(description=_("Related"))
    def related(self, obj: UserPool) -> str:
        query = {"pool__id__exact": obj.pk}
        return links([(_("Users"), admin_url(PoolUser, "changelist", query=query)),
                      (_("App clients"), admin_url(AppClient, "changelist", query=query)),
                      (_("Groups"), admin_url(Group, "changelist", query=query)),
                      (_("Add app client"), admin_url(AppClient, "add", query={"pool": obj.pk})),
                      (_("Add user"), admin_url(PoolUser, "add", query={"pool": obj.pk}))])

    @admin.display(description=_("Schema"))
    def schema_display(self, obj: UserPool) -> str:
        return format_html("<pre>{}</pre>", json.dumps(obj.schema, indent=2))
