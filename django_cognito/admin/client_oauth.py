"""An app client's OAuth 2.0 settings in the admin, checked by the same rules as
UpdateUserPoolClient (``services.oauth_settings.check_oauth``), and a link to try its
managed login."""

from __future__ import annotations

import copy
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.core.exceptions import ValidationError
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..exceptions import CognitoError
from ..models import AppClient, UserPoolDomain
from ..services import domains, oauth_settings

OAUTH_FIELDS = ("allowed_oauth_flows_user_pool_client", "allowed_oauth_flows",
                "allowed_oauth_scopes", "supported_identity_providers", "callback_urls",
                "logout_urls", "default_redirect_uri")


class Lines(forms.CharField):
    """A list of strings typed one per line."""

    widget = forms.Textarea(attrs={"rows": 3, "cols": 60})

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(required=False, **kwargs)

    def prepare_value(self, value: Any) -> Any:
        return "\n".join(value) if isinstance(value, list) else value

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        text = super().to_python(value) or ""
        return [line.strip() for line in text.splitlines() if line.strip()]


class ClientOAuthForm(forms.ModelForm):
    """The OAuth members of UpdateUserPoolClient."""

    allowed_oauth_flows = forms.MultipleChoiceField(
        choices=[(f, f) for f in oauth_settings.OAUTH_FLOWS], required=False,
        widget=forms.CheckboxSelectMultiple)
    allowed_oauth_scopes = Lines(help_text=gettext_lazy(
        "One per line: openid, email, phone, profile, aws.cognito.signin.user.admin, or a "
        "resource server's <identifier>/<scope>."))
    supported_identity_providers = Lines(help_text=gettext_lazy("One per line, e.g. COGNITO."))
    callback_urls = Lines(help_text=gettext_lazy(
        "One per line; a redirect URI must match one of them exactly."))
    logout_urls = Lines(help_text=gettext_lazy("One per line: where /logout may send users."))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        candidate = copy.copy(self.instance)
        for name in OAUTH_FIELDS:
            if name in data:
                setattr(candidate, name, data[name] if data[name] is not None else "")
        try:
            oauth_settings.check_oauth(candidate)
        except CognitoError as error:
            raise ValidationError(error.message) from None
        return data


def try_hosted_login(client: AppClient) -> str:
    """A link that starts an authorization request of ``client`` on its pool's domain."""
    domain = UserPoolDomain.objects.filter(pool_id=client.pool_id).first()
    if domain is None:
        return _("The pool has no domain: create one to serve its managed login.")
    if not (client.allowed_oauth_flows_user_pool_client and client.callback_urls and
            {"code", "implicit"} & set(client.allowed_oauth_flows)):
        return _("Allow the code or implicit flow and add a callback URL to try it.")
    query = urlencode({
        "client_id": client.id, "redirect_uri": client.callback_urls[0],
        "response_type": "code" if "code" in client.allowed_oauth_flows else "token",
        "scope": " ".join(client.allowed_oauth_scopes)})
    return format_html('<a class="button" href="{}" target="_blank" rel="noopener">{}</a>',
                       f"{domains.base_url(domain)}oauth2/authorize?{query}",
                       _("Try hosted login"))
