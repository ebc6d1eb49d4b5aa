"""The user DRF sees for a verified token: built from claims, no database query."""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django.utils.module_loading import import_string

from ...conf import app_settings
from ...django_users import for_claims_without_mirroring as resolve_pool_user
from ...verify.claims import Claims

__all__ = ["TokenUser", "resolve_pool_user"]


class TokenUser:
    """A stand-in for ``request.user`` that reads everything from the verified claims.

    ``django_user`` resolves the Django user (with ``COGNITO["USER_RESOLVER"]``) on first
    access only, so views that need nothing but the claims cost no query.
    """

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_staff = False
    is_superuser = False

    def __init__(self, claims: Claims) -> None:
        self.claims = claims

    @property
    def pk(self) -> str:
        """The token's ``sub``: stable for the user's lifetime in the pool."""
        return self.claims.sub

    id = pk

    @property
    def username(self) -> str:
        """``username`` (access token) or ``cognito:username`` (ID token)."""
        return self.claims.username

    @property
    def cognito_groups(self) -> frozenset[str]:
        """``cognito:groups`` of the token."""
        return self.claims.groups

    @property
    def scopes(self) -> frozenset[str]:
        """Scopes of an access token."""
        return self.claims.scopes

    @cached_property
    def django_user(self) -> Any:
        """The mapped Django user, or ``None``; resolved lazily and at most once."""
        return import_string(app_settings.USER_RESOLVER)(self.claims)

    def get_username(self) -> str:
        """Same as :attr:`username`, for code written against Django's user API."""
        return self.username

    def has_perm(self, perm: str, obj: Any = None) -> bool:
        """Token users hold no Django permissions; use scope and group permissions instead."""
        return False

    def has_perms(self, perms: Any, obj: Any = None) -> bool:
        """See :meth:`has_perm`."""
        return False

    def has_module_perms(self, app_label: str) -> bool:
        """See :meth:`has_perm`."""
        return False

    def __str__(self) -> str:
        return self.username

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TokenUser) and other.claims.sub == self.claims.sub

    def __hash__(self) -> int:
        return hash(self.claims.sub)
