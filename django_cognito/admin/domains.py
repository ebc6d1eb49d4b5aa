"""Admin of pool domains: created and deleted through CreateUserPoolDomain's rules, each shown
with the URL its managed login answers at."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import gettext_lazy

from ..exceptions import CognitoError
from ..models import UserPoolDomain
from ..services import domains, resources
from .base import CognitoModelAdmin, adopt


class DomainCreationForm(forms.ModelForm):
    certificate_arn = forms.CharField(
        required=False, label=gettext_lazy("Certificate ARN"),
        help_text=gettext_lazy("Only for a custom domain (a full host name such as "
                               "auth.example.com); leave empty for a prefix domain."))

    class Meta:
        model = UserPoolDomain
        fields = ("pool", "domain", "managed_login_version")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        custom = {"CertificateArn": data["certificate_arn"]} if data.get("certificate_arn") \
            else None
        try:
            resources.check_domain(data["domain"], custom)
        except CognitoError as error:
            raise ValidationError(error.message) from None
        data["custom_domain_config"] = custom
        return data


@admin.register(UserPoolDomain)
class UserPoolDomainAdmin(CognitoModelAdmin):
    list_display = ("domain", "pool", "kind", "url")
    list_filter = ("pool",)
    list_select_related = ("pool",)
    search_fields = ("^domain",)
    readonly_fields = ("domain", "pool", "kind", "url", "managed_login_version", "created_at")
    fields = readonly_fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[UserPoolDomain]:
        return super().get_queryset(request).select_related("pool")

    def get_readonly_fields(self, request: HttpRequest, obj: UserPoolDomain | None = None
                            ) -> Any:
        return () if obj is None else self.readonly_fields

    def get_fields(self, request: HttpRequest, obj: UserPoolDomain | None = None) -> Any:
        if obj is None:
            return ("pool", "domain", "certificate_arn", "managed_login_version")
        return self.fields

    def get_form(self, request: HttpRequest, obj: UserPoolDomain | None = None,
                 change: bool = False, **kwargs: Any) -> Any:
        if obj is None:
            kwargs["form"] = DomainCreationForm
        return super().get_form(request, obj, change, **kwargs)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: UserPoolDomain, form: ModelForm,
                   change: bool) -> None:
        adopt(obj, resources.create_domain(
            obj.pool, obj.domain, custom_domain_config=form.cleaned_data["custom_domain_config"],
            managed_login_version=obj.managed_login_version))

    def delete_model(self, request: HttpRequest, obj: UserPoolDomain) -> None:
        resources.delete_domain(obj)

    @admin.display(description=gettext_lazy("Kind"))
    def kind(self, obj: UserPoolDomain) -> str:
        return str(gettext_lazy("custom") if obj.is_custom else gettext_lazy("prefix"))

    @admin.display(description=gettext_lazy("Managed login"))
    def url(self, obj: UserPoolDomain) -> str:
        base = domains.base_url(obj)
        return format_html('<a href="{}" target="_blank" rel="noopener">{}</a>', base, base)
