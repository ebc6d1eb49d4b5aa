"""The pre token generation trigger, V1 and V2 events (reference §4.2)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from .. import signals
from ..exceptions import InvalidLambdaResponseException
from ..models import AppClient, PoolUser
from ..tokens import ADMIN_SCOPE, GroupClaims, group_claims
from . import triggers

# Claims a trigger may never add, override or suppress (reference §4.2 notes).
RESERVED = frozenset({"acr", "amr", "aud", "at_hash", "auth_time", "azp", "cognito:username",
                      "exp", "iat", "identities", "iss", "jti", "nbf", "nonce", "origin_jti",
                      "sub", "token_use", "client_id", "username", "scope", "event_id",
                      "cognito:groups", "cognito:roles", "cognito:preferred_role"})


@dataclass
class Overrides:
    """What the trigger changed, ready for minting."""

    groups: GroupClaims | None = None
    scopes: list[str] = field(default_factory=lambda: [ADMIN_SCOPE])
    id_claims: dict[str, Any] = field(default_factory=dict)
    id_suppress: list[str] = field(default_factory=list)
    access_claims: dict[str, Any] = field(default_factory=dict)
    access_suppress: list[str] = field(default_factory=list)


def _version(client: AppClient) -> str:
    config = client.pool.lambda_config.get("PreTokenGenerationConfig") or {}
    return {"V2_0": "2", "V3_0": "3"}.get(config.get("LambdaVersion", "V1_0"), "1")


def _claims(value: Any, *, strings_only: bool) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(isinstance(k, str) for k in value):
        raise InvalidLambdaResponseException("Invalid lambda response: claimsToAddOrOverride.")
    if strings_only and not all(isinstance(v, str) for v in value.values()):
        raise InvalidLambdaResponseException(
            "Invalid lambda response: V1 claim values must be strings.")
    return {k: v for k, v in value.items() if k not in RESERVED}


def _names(value: Any, what: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InvalidLambdaResponseException(f"Invalid lambda response: {what}.")
    return list(value)


def _groups(details: Any) -> GroupClaims | None:
    if details is None:
        return None
    if not isinstance(details, dict):
        raise InvalidLambdaResponseException("Invalid lambda response: groupOverrideDetails.")
    preferred = details.get("preferredRole")
    if preferred is not None and not isinstance(preferred, str):
        raise InvalidLambdaResponseException("Invalid lambda response: preferredRole.")
    return GroupClaims(groups=_names(details.get("groupsToOverride"), "groupsToOverride"),
                       roles=_names(details.get("iamRolesToOverride"), "iamRolesToOverride"),
                       preferred_role=preferred)


def _apply_scopes(scopes: Iterable[str], add: list[str], suppress: list[str]) -> list[str]:
    result = [s for s in scopes if s not in suppress]
    return result + [s for s in add if s not in result and s not in suppress]


def pre_token_generation(client: AppClient, user: PoolUser, source: str,
                         metadata: dict[str, str], *,
                         scopes: list[str] | None = None) -> Overrides:
    """Send the trigger (when connected) and turn its response into minting overrides.

    ``scopes``: an OAuth grant's (API sign-ins carry aws.cognito.signin.user.admin alone).
    """
    overrides = Overrides() if scopes is None else Overrides(scopes=list(scopes))
    if not triggers.has_receivers(signals.pre_token_generation, client.pool):
        return overrides
    current = group_claims(user)
    version = _version(client)
    request: dict[str, Any] = {
        "userAttributes": triggers.user_attributes(user),
        "groupConfiguration": {"groupsToOverride": current.groups,
                               "iamRolesToOverride": current.roles,
                               "preferredRole": current.preferred_role},
        "clientMetadata": metadata,
    }
    if version != "1":
        request["scopes"] = list(overrides.scopes)
    response_key = "claimsOverrideDetails" if version == "1" else \
        "claimsAndScopeOverrideDetails"
    event = triggers.build_event(client.pool, client, source, user.username, request,
                                 {response_key: None}, version=version)
    details = triggers.send(signals.pre_token_generation, event, client.pool,
                            client)["response"].get(response_key)
    if details is None:
        return overrides
    if not isinstance(details, dict):
        raise InvalidLambdaResponseException(f"Invalid lambda response: {response_key}.")
    overrides.groups = _groups(details.get("groupOverrideDetails"))
    if version == "1":
        overrides.id_claims = _claims(details.get("claimsToAddOrOverride"), strings_only=True)
        overrides.id_suppress = [n for n in _names(details.get("claimsToSuppress"),
                                                   "claimsToSuppress") if n not in RESERVED]
        return overrides
    for part, claims_attr, suppress_attr in (("idTokenGeneration", "id_claims", "id_suppress"),
                                             ("accessTokenGeneration", "access_claims",
                                              "access_suppress")):
        section = details.get(part) or {}
        if not isinstance(section, dict):
            raise InvalidLambdaResponseException(f"Invalid lambda response: {part}.")
        setattr(overrides, claims_attr,
                _claims(section.get("claimsToAddOrOverride"), strings_only=False))
        setattr(overrides, suppress_attr,
                [n for n in _names(section.get("claimsToSuppress"), "claimsToSuppress")
                 if n not in RESERVED])
        if part == "accessTokenGeneration":
            overrides.scopes = _apply_scopes(
                overrides.scopes, _names(section.get("scopesToAdd"), "scopesToAdd"),
                _names(section.get("scopesToSuppress"), "scopesToSuppress"))
    return overrides


def client_credentials(client: AppClient, scopes: list[str]) -> Overrides:
    """Pre token generation for a client_credentials grant: only a V3 trigger sees one
    (``TokenGeneration_ClientCredentials``, reference §4.2); it may change the access token's
    claims and scopes."""
    overrides = Overrides(scopes=list(scopes))
    if _version(client) != "3" or not triggers.has_receivers(signals.pre_token_generation,
                                                            client.pool):
        return overrides
    request = {"userAttributes": {}, "scopes": list(scopes), "clientMetadata": {},
               "groupConfiguration": {"groupsToOverride": [], "iamRolesToOverride": [],
                                      "preferredRole": None}}
    event = triggers.build_event(client.pool, client, triggers.TOKEN_CLIENT_CREDENTIALS,
                                 client.id, request,
                                 {"claimsAndScopeOverrideDetails": None}, version="3")
    details = triggers.send(signals.pre_token_generation, event, client.pool,
                            client)["response"].get("claimsAndScopeOverrideDetails")
    if details is None:
        return overrides
    if not isinstance(details, dict):
        raise InvalidLambdaResponseException(
            "Invalid lambda response: claimsAndScopeOverrideDetails.")
    section = details.get("accessTokenGeneration") or {}
    if not isinstance(section, dict):
        raise InvalidLambdaResponseException("Invalid lambda response: accessTokenGeneration.")
    overrides.access_claims = _claims(section.get("claimsToAddOrOverride"), strings_only=False)
    overrides.access_suppress = [n for n in _names(section.get("claimsToSuppress"),
                                                   "claimsToSuppress") if n not in RESERVED]
    overrides.scopes = _apply_scopes(
        overrides.scopes, _names(section.get("scopesToAdd"), "scopesToAdd"),
        _names(section.get("scopesToSuppress"), "scopesToSuppress"))
    return overrides
