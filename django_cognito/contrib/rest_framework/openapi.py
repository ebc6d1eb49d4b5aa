"""drf-spectacular security scheme for :class:`CognitoAuthentication` (imported only if present).

Each operation's security requirement lists the scopes its permissions require
(``RequireScopes``), one requirement per choice they leave (``any_of=True``, ``|``), as
drf-spectacular's extension for django-oauth-toolkit does. The scheme is an HTTP bearer JWT,
or, where ``SPECTACULAR_SETTINGS["OAUTH2_FLOWS"]`` names flows (with ``OAUTH2_AUTHORIZATION_URL``,
``OAUTH2_TOKEN_URL``: the pool's Cognito domain), an OAuth 2.0 scheme: OpenAPI 3.0 allows
scopes in the requirements of OAuth 2.0 and OpenID Connect schemes only (3.1 reads them as
role names for others). Groups are not scopes: ``schema.CognitoAutoSchema`` documents them.
A subclass of the authentication class (one accepting ID tokens, say) is another scheme: give
it an extension of its own, a subclass of this one with its ``target_class`` and ``name``.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.settings import spectacular_settings

from .requirements import scope_sets, ways

# Which URLs each OAuth 2.0 flow names (OpenAPI 3.0, OAuth Flow Object).
_FLOW_URLS = {"implicit": ("authorizationUrl",),
              "authorizationCode": ("authorizationUrl", "tokenUrl"),
              "password": ("tokenUrl",),
              "clientCredentials": ("tokenUrl",)}


class CognitoAuthenticationScheme(OpenApiAuthenticationExtension):
    """Documents the Bearer JWT scheme and the scopes each operation requires."""

    target_class = "django_cognito.contrib.rest_framework.authentication.CognitoAuthentication"
    name = "cognitoBearer"

    def get_security_requirement(self, auto_schema: Any) -> list[dict[str, list[str]]]:
        """One requirement per choice the view's permissions leave, listing its scopes."""
        found = ways(auto_schema.view.get_permissions())
        return [{self.name: list(scopes)} for scopes in scope_sets(found)]

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        """An HTTP bearer scheme carrying a Cognito JWT, or OAuth 2.0 where flows are set."""
        if spectacular_settings.OAUTH2_FLOWS:
            return {"type": "oauth2", "flows": oauth2_flows(),
                    "description": "Cognito access tokens from the pool's OAuth 2.0 endpoints."}
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "JWT",
            "description": "A Cognito access token (or ID token, per DRF_TOKEN_USE).",
        }


def oauth2_flows() -> dict[str, dict[str, Any]]:
    """The OAuth Flows Object of drf-spectacular's ``OAUTH2_*`` settings."""
    urls = {"authorizationUrl": spectacular_settings.OAUTH2_AUTHORIZATION_URL,
            "tokenUrl": spectacular_settings.OAUTH2_TOKEN_URL}
    flows = {}
    for flow in spectacular_settings.OAUTH2_FLOWS:
        described: dict[str, Any] = {name: urls[name] for name in _FLOW_URLS.get(flow, ())}
        if spectacular_settings.OAUTH2_REFRESH_URL:
            described["refreshUrl"] = spectacular_settings.OAUTH2_REFRESH_URL
        described["scopes"] = spectacular_settings.OAUTH2_SCOPES or {}
        flows[flow] = described
    return flows
