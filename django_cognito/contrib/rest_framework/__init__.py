"""Django REST framework integration: Bearer authentication, scope and group permissions."""

from __future__ import annotations

from importlib.util import find_spec

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
