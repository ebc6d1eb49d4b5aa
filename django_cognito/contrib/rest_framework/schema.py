"""drf-spectacular's ``AutoSchema`` documenting the Cognito groups and scopes of operations.

Set ``REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"] =
"django_cognito.contrib.rest_framework.schema.CognitoAutoSchema"`` (or a view's ``schema``):
an operation's description ends with what its permissions ask of a token ("Requires the
scope ... and membership in the group ..."), and ``x-cognito-groups`` lists the group needs
every token must meet, each ``{"anyOf": [groups], "userPoolId": pool}``. The scopes are in the
operation's security requirement (``openapi.CognitoAuthenticationScheme``).
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema

from .requirements import Way, describe, group_needs, ways


class CognitoAutoSchema(AutoSchema):
    """``AutoSchema`` adding each operation's Cognito scopes and groups to its documentation."""

    def cognito_ways(self) -> list[Way]:
        """The least a token must carry to pass the view's permissions."""
        return ways(self.view.get_permissions())

    def get_description(self) -> str:
        """The view's description, then what its permissions ask of a token."""
        parts = (super().get_description(), describe(self.cognito_ways()))
        return "\n\n".join(part for part in parts if part)

    def get_extensions(self) -> dict[str, Any]:
        """drf-spectacular's extensions and ``x-cognito-groups``."""
        extensions = dict(super().get_extensions())
        needs = group_needs(self.cognito_ways())
        if needs:
            extensions["x-cognito-groups"] = [need.as_dict() for need in needs]
        return extensions
