"""Token lifetimes and the claims of Cognito ID and access tokens (reference §3)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .. import prepared
from ..models import (
    VERIFIED_FLAGS,
    AppClient,
    Group,
    PoolUser,
    UserPool,
    readable,
    validity_seconds,
)

# SDK and API sign-ins always carry this scope alone (reference §3.3).
ADMIN_SCOPE = "aws.cognito.signin.user.admin"
# OpenID Connect's scopes, and the attribute claims ``email`` and ``phone`` release; with
# ``profile``, or ``openid`` alone, an ID token holds every readable attribute (reference §5).
OPENID = "openid"
OIDC_SCOPES = ("email", "phone", "profile")
SCOPE_CLAIMS = {
    "email": ("email", "email_verified"),
    "phone": ("phone_number", "phone_number_verified"),
}
# Cognito's caps for ID and access tokens (reference §3.1): 5 minutes to 1 day.
MIN_LIFETIME, MAX_LIFETIME = 300, 86400


def token_lifetime(client: AppClient, token: str) -> int:
    """Seconds an ``IdToken`` or ``AccessToken`` of ``client`` lives, within Cognito's caps."""
    value = client.id_token_validity if token == "IdToken" else client.access_token_validity
    seconds = validity_seconds(value, client.token_validity_units, token)
    return min(max(seconds, MIN_LIFETIME), MAX_LIFETIME)


def epoch(moment: dt.datetime | int | float) -> int:
    """Integer epoch seconds, as every Cognito time claim is."""
    if isinstance(moment, dt.datetime):
        return int(moment.timestamp())
    return int(moment)


@dataclass(frozen=True)
class GroupClaims:
    """``cognito:groups``, ``cognito:roles`` and ``cognito:preferred_role`` of a user."""

    groups: list[str] = field(default_factory=list)
    roles: list[str] = field(default_factory=list)
    preferred_role: str | None = None

    def as_claims(self, *, roles: bool = True) -> dict[str, Any]:
        """The claims that apply: each appears only when it has a value."""
        claims: dict[str, Any] = {}
        if self.groups:
            claims["cognito:groups"] = list(self.groups)
        if roles and self.roles:
            claims["cognito:roles"] = list(self.roles)
        if roles and self.preferred_role:
            claims["cognito:preferred_role"] = self.preferred_role
        return claims


def user_groups_sorted(user: PoolUser) -> list[Group]:
    """All groups of ``user``, by precedence then name (the order of ``cognito:groups``)."""
    # Read by every sign-in and refresh: compiled once (see ``prepared``).
    groups = prepared.fetch(("user_groups",), Group,
                            lambda args: Group.objects.filter(groupmembership__user_id=args[0]),
                            [user.pk])
    return sorted(groups, key=lambda g: (g.precedence is None, g.precedence or 0, g.name))


def group_claims(user: PoolUser) -> GroupClaims:
    """The group claims of ``user``, groups in precedence order."""
    groups = user_groups_sorted(user)
    with_roles = [g for g in groups if g.role_arn]
    preferred = None
    if with_roles:
        # The role of the lowest-precedence group; a tie between different roles names none.
        first = with_roles[0].precedence
        tied = {g.role_arn for g in with_roles if g.precedence == first}
        preferred = tied.pop() if len(tied) == 1 else None
    return GroupClaims(groups=[g.name for g in groups],
                       roles=list(dict.fromkeys(g.role_arn for g in with_roles)),
                       preferred_role=preferred)


def _claim_value(name: str, value: str) -> Any:
    """An attribute's value typed as Cognito puts it in an ID token (reference §3.2)."""
    if name.startswith("custom:"):
        return str(value)
    if name in VERIFIED_FLAGS:
        return str(value).lower() == "true"
    if name == "updated_at":
        try:
            return int(value)
        except ValueError:
            return None
    if name == "identities":
        try:
            return json.loads(value)
        except ValueError:
            return None
    if name == "address":
        return {"formatted": str(value)}
    return str(value)


def released(claims: Mapping[str, Any], scopes: Iterable[str] | None) -> dict[str, Any]:
    """The attribute claims an OAuth grant of ``scopes`` releases (``None``: an API sign-in,
    every one). From "Scopes, M2M, and APIs with resource servers" in Cognito's guide:
    ``openid`` alone releases all the client can read; with ``email``, ``phone`` or
    ``profile``, only what those scopes cover (``profile``: every readable attribute)."""
    chosen = set(OIDC_SCOPES) & set(scopes) if scopes is not None else set()
    if not chosen or "profile" in chosen:
        return dict(claims)
    allowed = {name for scope in chosen for name in SCOPE_CLAIMS[scope]}
    return {name: value for name, value in claims.items() if name in allowed}


def attribute_claims(pool: UserPool, client: AppClient | None, user: PoolUser) -> dict[str, Any]:
    """Every attribute ``client`` may read that has a value, typed for an ID token."""
    schema = pool.schema_by_name()
    claims: dict[str, Any] = {}
    for name, raw in user.attributes.items():
        if raw is None or raw == "" or name == "sub" or name.startswith("dev:"):
            continue
        if schema.get(name, {}).get("DeveloperOnlyAttribute") or not readable(client, name):
            continue
        value = _claim_value(name, raw)
        if value is not None:
            claims[name] = value
    return claims


def id_token_claims(pool: UserPool, client: AppClient, user: PoolUser, *,
                    auth_time: int, origin_jti: str, event_id: str | None,
                    groups: GroupClaims, scopes: Iterable[str] | None = None
                    ) -> dict[str, Any]:
    """The ID token claims apart from ``iss``, ``iat``, ``exp`` and ``jti`` (``scopes``: of
    an OAuth grant, which decide the attributes released)."""
    claims: dict[str, Any] = {"sub": str(user.sub)}
    claims.update(groups.as_claims())
    claims.update(released(attribute_claims(pool, client, user), scopes))
    claims.update({"aud": client.id, "token_use": "id", "auth_time": auth_time,
                   "origin_jti": origin_jti, "cognito:username": user.username})
    if event_id is not None:
        claims["event_id"] = event_id
    return claims


def access_token_claims(client: AppClient, user: PoolUser, *, auth_time: int,
                        origin_jti: str, event_id: str | None, scope: str,
                        groups: GroupClaims) -> dict[str, Any]:
    """The access token claims apart from ``iss``, ``iat``, ``exp`` and ``jti``."""
    claims: dict[str, Any] = {"sub": str(user.sub)}
    claims.update(groups.as_claims(roles=False))
    claims.update({"client_id": client.id, "origin_jti": origin_jti, "token_use": "access",
                   "scope": scope, "auth_time": auth_time, "username": user.username})
    if event_id is not None:
        claims["event_id"] = event_id
    return claims


def merge_extra(claims: dict[str, Any], extra: Mapping[str, Any] | None,
                reserved: frozenset[str]) -> None:
    """Add ``extra`` claims (``at_hash``, ``nonce``…) without replacing ``reserved`` ones."""
    for name, value in (extra or {}).items():
        if name not in reserved:
            claims[name] = value
