"""Admin of identity providers and identity mappings.

A provider is created and changed through the same services as CreateIdentityProvider and
UpdateIdentityProvider: the form's validation is theirs (OIDC discovery and SAML metadata
included), and a SAML provider's parsed metadata and certificates are shown read-only.
Identity mappings are listed and searched, never edited here.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from ..crypto.certificates import facts
from ..exceptions import CognitoError
from ..models import IdentityProvider, ProviderIdentity, ProviderType
from ..services.federation import providers
from ..services.federation.details import SECRET_KEYS
from .base import CognitoModelAdmin, admin_url, adopt


class IdentityProviderForm(forms.ModelForm):
    """ProviderDetails and AttributeMapping as JSON objects, identifiers one per line."""

    provider_details = forms.JSONField(
        required=False, label=_("Provider details"),
        help_text=_("Cognito's ProviderDetails, e.g. {\"client_id\": \"…\", \"client_secret\": "
                    "\"…\", \"authorize_scopes\": \"openid email\"}. A secret left out is "
                    "kept."))
    metadata_url = forms.URLField(
        required=False, assume_scheme="https", label=_("SAML metadata URL"),
        help_text=_("SAML only: replaces MetadataURL / MetadataFile in the details."))
    metadata_file = forms.FileField(
        required=False, label=_("SAML metadata file"),
        help_text=_("SAML only: the IdP's metadata XML."))
    mapping = forms.JSONField(
        required=False, label=_("Attribute mapping"),
        help_text=_("User pool attribute → IdP attribute, e.g. {\"email\": \"email\"}."))
    identifiers = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}), label=_("IdP identifiers"),
        help_text=_("One per line: names or email domains that route to this provider."))

    class Meta:
        model = IdentityProvider
        fields = ("pool", "name", "provider_type")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        provider = self.instance
        if provider.pk:
            self.fields["provider_details"].initial = provider.details
            self.fields["mapping"].initial = provider.attribute_mapping
            self.fields["identifiers"].initial = "\n".join(provider.idp_identifiers)

    def _details(self, data: dict[str, Any]) -> dict[str, Any]:
        details = data.get("provider_details") or {}
        if not isinstance(details, dict):
            raise ValidationError(_("Provider details must be a JSON object."))
        upload = data.get("metadata_file")
        if upload is not None or data.get("metadata_url"):
            details = {k: v for k, v in details.items()
                       if k not in ("MetadataURL", "MetadataFile")}
        if upload is not None:
            try:
                details["MetadataFile"] = upload.read(providers.saml.MAX_METADATA_CHARS + 1) \
                    .decode("utf-8")
            except UnicodeDecodeError:
                raise ValidationError(_("The metadata file is not UTF-8 text.")) from None
        elif data.get("metadata_url"):
            details["MetadataURL"] = data["metadata_url"]
        return details

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        details = self._details(data)
        identifiers = [line.strip() for line in data.get("identifiers", "").splitlines()
                       if line.strip()]
        members = {"attribute_mapping": data.get("mapping") or {},
                   "idp_identifiers": identifiers}
        try:
            if self.instance.pk:
                providers.configure_provider(self.instance, details=details, **members)
            else:
                self.instance = providers.build_provider(
                    data["pool"], data["name"], data["provider_type"], details, **members)
        except CognitoError as error:
            raise ValidationError(error.message) from None
        return data


@admin.register(IdentityProvider)
class IdentityProviderAdmin(CognitoModelAdmin):
    list_display = ("name", "provider_type", "pool", "identifier_list", "modified_at")
    list_filter = ("provider_type", "pool")
    list_select_related = ("pool",)
    search_fields = ("^name",)
    ordering = ("pool", "name")
    form = IdentityProviderForm
    readonly_fields = ("described", "saml_metadata", "mappings_link", "created_at",
                       "modified_at")

    def get_readonly_fields(self, request: HttpRequest, obj: IdentityProvider | None = None
                            ) -> Any:
        if obj is None:
            return ()
        return ("pool", "name", "provider_type", *self.readonly_fields)

    def get_fields(self, request: HttpRequest, obj: IdentityProvider | None = None) -> Any:
        editable = ("provider_details", "metadata_url", "metadata_file", "mapping",
                    "identifiers")
        if obj is None:
            return ("pool", "name", "provider_type", *editable)
        return ("pool", "name", "provider_type", *editable, *self.readonly_fields)

    def save_model(self, request: HttpRequest, obj: IdentityProvider, form: ModelForm,
                   change: bool) -> None:
        adopt(obj, providers.save_provider(form.instance))

    def delete_model(self, request: HttpRequest, obj: IdentityProvider) -> None:
        providers.delete_provider(obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[IdentityProvider]
                        ) -> None:
        for provider in queryset:
            providers.delete_provider(provider)

    @admin.display(description=_("IdP identifiers"))
    def identifier_list(self, obj: IdentityProvider) -> str:
        return ", ".join(obj.idp_identifiers)

    @admin.display(description=_("Provider details as described"))
    def described(self, obj: IdentityProvider) -> str:
        shown = {k: ("••••••" if k in SECRET_KEYS else v)
                 for k, v in providers.described_details(obj).items() if k != "MetadataFile"}
        return format_html_join("", "<div><code>{}</code>: {}</div>", sorted(shown.items()))

    @admin.display(description=_("SAML metadata"))
    def saml_metadata(self, obj: IdentityProvider) -> str:
        if obj.provider_type != ProviderType.SAML:
            return "—"
        meta = obj.metadata
        rows = [(str(label), meta.get(key) or "—") for label, key in (
            (_("Entity ID"), "entity_id"), (_("Sign-in (HTTP-Redirect)"), "sso_redirect_url"),
            (_("Sign-in (HTTP-POST)"), "sso_post_url"),
            (_("Sign-out (HTTP-Redirect)"), "slo_redirect_url"),
            (_("NameID format"), "name_id_format"))]
        for use, key in ((_("Signing certificate"), "signing_certificates"),
                         (_("Encryption certificate"), "encryption_certificates")):
            for body in meta.get(key) or []:
                rows.append((str(use), _certificate(body)))
        return format_html_join("", "<div><strong>{}</strong>: {}</div>", rows)

    @admin.display(description=_("Identity mappings"))
    def mappings_link(self, obj: IdentityProvider) -> str:
        url = admin_url(ProviderIdentity, "changelist", query={"provider__id__exact": obj.pk})
        return format_html('<a href="{}">{}</a>', url, _("Identities of this provider"))


def _certificate(body: str) -> str:
    try:
        cert = facts(body)
    except ValueError:
        return str(_("unreadable"))
    return (f"{cert.subject}, valid {cert.not_before:%Y-%m-%d} to {cert.not_after:%Y-%m-%d}, "
            f"SHA-256 {cert.sha256}")


@admin.register(ProviderIdentity)
class ProviderIdentityAdmin(admin.ModelAdmin):
    """The (provider, subject) pairs that sign in as pool users: listed, searched, read."""

    list_display = ("subject_short", "provider", "attribute_name", "user_link", "primary",
                    "disabled", "created_at")
    list_filter = ("provider__provider_type", "primary", "disabled", "provider")
    list_select_related = ("provider", "user")
    # Prefix searches served by the subject index and the users' (pool, username_key) one.
    search_fields = ("^subject_key", "^user__username_key")
    fields = ("provider", "attribute_name", "subject", "user_link", "primary", "disabled",
              "created_at")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=_("Subject"), ordering="subject_key")
    def subject_short(self, obj: ProviderIdentity) -> str:
        return obj.subject if len(obj.subject) <= 80 else obj.subject[:79] + "…"

    @admin.display(description=_("User"))
    def user_link(self, obj: ProviderIdentity) -> str:
        return format_html('<a href="{}">{}</a>',
                           admin_url(type(obj.user), "change", obj.user_id), obj.user)
