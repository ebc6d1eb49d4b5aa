"""Admin of identity pools and their identities: listed, searched and read.

Pools are configured through the cognito-identity API; identities are created by sign-ins.
Deleting a pool or an identity here is allowed (it deletes its identities and logins).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from ..models import Identity, IdentityLogin, IdentityPool


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(IdentityPool)
class IdentityPoolAdmin(_ReadOnly):
    list_display = ("name", "id", "allow_unauthenticated_identities", "allow_classic_flow",
                    "created_at")
    list_filter = ("allow_unauthenticated_identities", "allow_classic_flow")
    search_fields = ("^id", "name")
    fields = ("id", "name", "allow_unauthenticated_identities", "allow_classic_flow",
              "supported_login_providers", "developer_provider_name",
              "openid_connect_provider_arns", "cognito_identity_providers",
              "saml_provider_arns", "roles", "role_mappings", "principal_tags", "tags",
              "created_at", "modified_at")
    readonly_fields = fields


class IdentityLoginInline(admin.TabularInline):
    model = IdentityLogin
    fields = ("provider", "subject", "linked_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Identity)
class IdentityAdmin(_ReadOnly):
    list_display = ("id", "pool", "disabled", "created_at", "modified_at")
    list_select_related = ("pool",)
    list_filter = ("pool", "disabled")
    # Prefix searches served by the primary key and the logins' subject index.
    search_fields = ("^id", "^logins__subject")
    fields = ("id", "pool", "disabled", "created_at", "modified_at")
    readonly_fields = fields
    inlines = [IdentityLoginInline]
