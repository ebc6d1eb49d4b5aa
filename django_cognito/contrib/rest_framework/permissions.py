"""Scope and group permissions for ``permission_classes``, built by small factories.

``RequireScopes("orders.read", "orders.write")`` needs every scope;
``RequireScopes("a", "b", any_of=True)`` needs one of them; ``RequireGroups("admin", "ops")``
needs membership in at least one group (``cognito:groups``), as aws-jwt-verify's ``groups``.
A group is named within its pool: where the verifier trusts more than one pool (several local
pools, or a real AWS pool beside them), another pool may hold a group of the same name, so
name the pool: ``RequireGroups("admin", pool="us-east-1_Ab12Cd34E")`` (or a callable that
returns the id, read per request). A request without verified Cognito claims is refused (401
when unauthenticated).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from ...verify.claims import Claims, in_any_group, missing_scopes


class _ClaimsPermission(BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        claims = request.auth
        return isinstance(claims, Claims) and self.allows(claims)

    def allows(self, claims: Claims) -> bool:
        raise NotImplementedError


class ScopePermission(_ClaimsPermission):
    """Base of the classes :func:`RequireScopes` returns."""

    scopes: tuple[str, ...] = ()
    any_of = False

    def allows(self, claims: Claims) -> bool:
        return not missing_scopes(claims, self.scopes, any_of=self.any_of)


class GroupPermission(_ClaimsPermission):
    """Base of the classes :func:`RequireGroups` returns."""

    groups: tuple[str, ...] = ()
    pool: str | Callable[[], str] | None = None

    def allows(self, claims: Claims) -> bool:
        if self.pool is not None:
            pool = self.pool() if callable(self.pool) else self.pool
            trusted = claims.trusted_issuer  # the pool comes from the issuer, not the token
            if trusted is None or trusted.user_pool_id != pool:
                return False
        return in_any_group(claims, self.groups)


def RequireScopes(*scopes: str, any_of: bool = False) -> type[ScopePermission]:  # noqa: N802
    """A permission class requiring all of ``scopes`` (or one, with ``any_of=True``)."""
    if not scopes:
        raise ValueError("RequireScopes needs at least one scope")
    joiner = " or " if any_of else " and "
    return type(f"RequireScopes({', '.join(scopes)})", (ScopePermission,), {
        "scopes": tuple(scopes),
        "any_of": any_of,
        "message": f"Token lacks the required scope: {joiner.join(scopes)}.",
    })


def RequireGroups(*groups: str, pool: str | Callable[[], str] | None = None  # noqa: N802
                  ) -> type[GroupPermission]:
    """A permission class requiring membership in at least one of ``groups`` (of the user
    pool ``pool``, when given: a pool id, or a callable returning one)."""
    if not groups:
        raise ValueError("RequireGroups needs at least one group")
    return type(f"RequireGroups({', '.join(groups)})", (GroupPermission,), {
        "groups": tuple(groups),
        "pool": staticmethod(pool) if callable(pool) else pool,
        "message": f"User is not in any of the groups: {', '.join(groups)}"
                   + (" of its user pool." if pool is not None else "."),
    })
