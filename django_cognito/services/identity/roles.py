"""Which IAM role an identity gets in the enhanced flow (reference §8.4).

No login: the pool's unauthenticated role. A login whose provider has a role mapping:
``Token`` takes ``CustomRoleArn`` when the token lists it, else ``cognito:preferred_role``,
else the only role the token lists; ``Rules`` takes the first rule that matches (or the
``CustomRoleArn`` among the matching rules). Otherwise ``AmbiguousRoleResolution`` decides:
the authenticated role, or a refusal. A login without a mapping gets the authenticated role.
The client never picks a role the pool did not map: a ``CustomRoleArn`` outside the token's
roles or the matching rules is refused.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ...exceptions import InvalidIdentityPoolConfigurationException, NotAuthorizedException
from ...models import IdentityPool
from .logins import Login

SAML_ROLE_ATTRIBUTE = "https://aws.amazon.com/SAML/Attributes/Role"


def _as_list(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple):
        return [v for v in value if isinstance(v, str)]
    return []


def token_roles(claims: Mapping[str, Any]) -> tuple[list[str], str | None]:
    """The roles a token lists and the one it prefers.

    A user pool's ID token has ``cognito:roles`` and ``cognito:preferred_role`` (from its
    groups); a SAML assertion's Role attribute holds ``role-arn,provider-arn`` pairs.
    """
    roles = _as_list(claims.get("cognito:roles"))
    for pair in _as_list(claims.get(SAML_ROLE_ATTRIBUTE)):
        for part in pair.split(","):
            part = part.strip()
            if ":role/" in part:
                roles.append(part)
    preferred = claims.get("cognito:preferred_role")
    return roles, preferred if isinstance(preferred, str) else None


def claim_text(value: Any) -> str:
    """A claim as the token spells it: ``email_verified`` is true, not Python's True."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def rule_matches(rule: Mapping[str, str], claims: Mapping[str, Any]) -> bool:
    """A role rule against a claim; list claims (``cognito:groups``) match by element."""
    value = claims.get(rule["Claim"])
    if value is None:
        return False
    wanted = rule["Value"]
    kind = rule["MatchType"]
    values = ([claim_text(v) for v in value] if isinstance(value, list | tuple)
              else [claim_text(value)])
    if kind == "Equals":
        return wanted in values
    if kind == "NotEqual":
        return wanted not in values
    if kind == "Contains":
        return any(wanted in v for v in values)
    if kind == "StartsWith":
        return any(v.startswith(wanted) for v in values)
    return False


def _not_allowed(custom: str) -> NotAuthorizedException:
    return NotAuthorizedException(
        f"The CustomRoleArn {custom} is not a role the identity's token maps to.")


def _ambiguous(pool: IdentityPool, key: str, mapping: Mapping[str, Any]) -> str | None:
    if mapping.get("AmbiguousRoleResolution") == "AuthenticatedRole":
        return pool.roles.get("authenticated")
    raise NotAuthorizedException(
        f"The ambiguous role mapping rules for: {key} denied this request.")


def _mapped(pool: IdentityPool, login: Login, mapping: Mapping[str, Any],
            custom: str | None) -> str | None:
    if mapping["Type"] == "Token":
        roles, preferred = token_roles(login.claims)
        if custom:
            if custom not in roles:
                raise _not_allowed(custom)
            return custom
        if preferred:
            return preferred
        if len(set(roles)) == 1:
            return roles[0]
        return _ambiguous(pool, login.mapping_key, mapping)
    matches = [rule["RoleARN"] for rule in mapping["RulesConfiguration"]["Rules"]
               if rule_matches(rule, login.claims)]
    if custom:
        if custom not in matches:
            raise _not_allowed(custom)
        return custom
    if matches:
        return matches[0]
    return _ambiguous(pool, login.mapping_key, mapping)


def resolve(pool: IdentityPool, logins: Sequence[Login], custom: str | None = None) -> str:
    """The role ARN for an identity signed in with ``logins`` (none: a guest)."""
    role: str | None
    if not logins:
        role = pool.roles.get("unauthenticated")
    else:
        mapped = next(((login, pool.role_mappings[login.mapping_key]) for login in logins
                       if login.mapping_key in pool.role_mappings), None)
        role = (pool.roles.get("authenticated") if mapped is None
                else _mapped(pool, mapped[0], mapped[1], custom))
    if not role:
        raise InvalidIdentityPoolConfigurationException()
    return role
