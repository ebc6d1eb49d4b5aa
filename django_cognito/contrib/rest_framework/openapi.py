"""drf-spectacular security scheme for :class:`CognitoAuthentication` (imported only if present)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class CognitoAuthenticationScheme(OpenApiAuthenticationExtension):
    """Documents the Bearer JWT scheme in the generated OpenAPI schema."""

    target_class = "django_cognito.contrib.rest_framework.authentication.CognitoAuthentication"
    name = "cognitoBearer"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        """An HTTP bearer scheme carrying a Cognito JWT."""
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "JWT",
            "description": "A Cognito access token (or ID token, per DRF_TOKEN_USE).",
        }
