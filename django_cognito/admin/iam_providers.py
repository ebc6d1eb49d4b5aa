"""Admin of the IAM identity providers identity pools name by ARN (``OpenIdConnectProviderARNs``,
``SamlProviderARNs``): an OIDC provider's issuer URL and client ids, or a SAML provider's
metadata, pasted or uploaded. Searched by ARN prefix and URL."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.html import format_html

from ..exceptions import InvalidParameterException
from ..models import IamIdentityProvider, IamProviderType
from ..services.federation.saml import MAX_METADATA_CHARS, parse_metadata

ARN_RE = re.compile(r"arn:aws[\w-]*:iam::[0-9]{12}:(oidc|saml)-provider/[\w+=,.@/:-]+", re.ASCII)
LOOPBACK_RE = re.compile(r"http://(127\.0\.0\.1|localhost|\[::1\])(:[0-9]+)?(/.*)?", re.ASCII)


class IamIdentityProviderForm(forms.ModelForm):
    """The provider's fields by type; client ids one a line; metadata pasted or uploaded."""

    client_ids_text = forms.CharField(
        label="Client IDs", required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="OIDC only: the audiences tokens may name, one a line (or comma-separated).")
    metadata_file = forms.FileField(
        label="SAML metadata file", required=False,
        help_text="SAML only: upload the IdP's metadata XML instead of pasting it.")

    class Meta:
        model = IamIdentityProvider
        fields = ("arn", "type", "url", "saml_metadata")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["client_ids_text"].initial = "\n".join(self.instance.client_ids or [])

    def clean_metadata_file(self) -> str:
        upload = self.cleaned_data.get("metadata_file")
        if not upload:
            return ""
        if upload.size > MAX_METADATA_CHARS * 8:
            raise ValidationError("The metadata file is too large.")
        try:
            return str(upload.read().decode("utf-8"))
        except UnicodeDecodeError:
            raise ValidationError("The metadata file is not UTF-8 XML.") from None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        arn, kind = str(data.get("arn") or ""), data.get("type")
        match = ARN_RE.fullmatch(arn)
        if match is None or match.group(1) != kind:
            self.add_error("arn", f"Expected arn:aws:iam::<account>:{kind}-provider/<name>.")
        if kind == IamProviderType.OIDC:
            self._clean_oidc(data)
        elif kind == IamProviderType.SAML:
            self._clean_saml(data)
        return data

    def _clean_oidc(self, data: dict[str, Any]) -> None:
        url = str(data.get("url") or "").rstrip("/")
        # Tokens are trusted on the strength of keys fetched from this URL: HTTPS only, or
        # loopback HTTP (a development IdP on the same machine).
        if not (url.startswith("https://") and len(url) > 8) and not LOOPBACK_RE.fullmatch(url):
            self.add_error("url", "The issuer URL must start with https://.")
        ids = [i.strip() for i in re.split(r"[\n,]", data.get("client_ids_text") or "")
               if i.strip()]
        if not ids:
            self.add_error("client_ids_text", "An OIDC provider needs at least one client ID.")
        data.update(url=url, client_ids=ids, saml_metadata="")

    def _clean_saml(self, data: dict[str, Any]) -> None:
        xml = data.get("metadata_file") or str(data.get("saml_metadata") or "")
        if not xml.strip():
            self.add_error("saml_metadata", "Paste or upload the provider's metadata.")
            return
        try:
            parse_metadata(xml)
        except InvalidParameterException as exc:
            self.add_error("saml_metadata", exc.message)
            return
        data.update(saml_metadata=xml, url="", client_ids=[])

    def save(self, commit: bool = True) -> Any:
        self.instance.client_ids = self.cleaned_data.get("client_ids", [])
        self.instance.saml_metadata = self.cleaned_data.get("saml_metadata", "")
        self.instance.url = self.cleaned_data.get("url", "")
        return super().save(commit)


@admin.register(IamIdentityProvider)
class IamIdentityProviderAdmin(admin.ModelAdmin):
    form = IamIdentityProviderForm
    list_display = ("arn", "type", "url", "created_at")
    list_filter = ("type",)
    search_fields = ("^arn", "url")
    fieldsets = (
        (None, {"fields": ("arn", "type")}),
        ("OpenID Connect", {"fields": ("url", "client_ids_text")}),
        ("SAML", {"fields": ("saml_metadata", "metadata_file")}),
        (None, {"fields": ("created_at", "saml_entity_id")}),
    )
    readonly_fields = ("created_at", "saml_entity_id")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # The ARN is the key pools name the provider by.
        return (*self.readonly_fields, "arn") if obj is not None else self.readonly_fields

    @admin.display(description="SAML entity ID")
    def saml_entity_id(self, obj: IamIdentityProvider) -> str:
        if obj.type != IamProviderType.SAML or not obj.saml_metadata:
            return "-"
        try:
            return format_html("{}", parse_metadata(obj.saml_metadata)["entity_id"])
        except InvalidParameterException as exc:
            return f"unusable metadata: {exc.message}"
