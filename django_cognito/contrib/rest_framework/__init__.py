"""Django REST framework integration: Bearer authentication, scope and group permissions."""

from __future__ import annotations

from importlib.util import find_spec

if find_spec("rest_framework") is None:
    raise ModuleNotFoundError(
        "django_cognito.contrib.rest_framework needs Django REST framework; install "
        "django-cognito-idp[drf].", name="rest_framework")

from .authentication import CognitoAuthentication
from .permissions import GroupPermission, RequireGroups, RequireScopes, ScopePermission
from .users import TokenUser, resolve_pool_user

if find_spec("drf_spectacular") is not None:
    # Defining the extension class registers it with drf-spectacular.
    from . import openapi  # noqa: F401

__all__ = [
    "CognitoAuthentication",
    "GroupPermission",
    "RequireGroups",
    "RequireScopes",
    "ScopePermission",
    "TokenUser",
    "resolve_pool_user",
]
