"""Identity pool configuration: create, describe, update, delete, list, roles, principal tag
maps and tags (reference §8.1, §8.2)."""

from __future__ import annotations

import re
import uuid
from typing import Any

from django.db import transaction

from ...clock import now
from ...conf import app_settings
from ...exceptions import (
    InvalidParameterException,
    LimitExceededException,
    ResourceNotFoundException,
)
from ...models import IdentityPool
from ..groups import ROLE_ARN_RE
from ..pagination import Page, paginate

MAX_POOLS = 1000  # identity pools per account (AWS quota)
MAX_TAGS = 50
MAX_RULES = 25  # rules per provider in a Rules role mapping
MAX_MAPPINGS = 10  # providers with role mappings per identity pool
ROLE_KEYS = ("authenticated", "unauthenticated")
IAM_ROLE_RE = re.compile(r"arn:aws[\w-]*:iam::[0-9]{12}:role/[\w+=,.@/-]+", re.ASCII)
ARN_RE = re.compile(r"arn:aws[\w-]*:iam::[0-9]{12}:(oidc|saml)-provider/[\w+=,.@/:-]+",
                    re.ASCII)
USER_POOL_PROVIDER_RE = re.compile(r"cognito-idp\.[a-z0-9-]+\.amazonaws\.com/[\w-]+_[0-9a-zA-Z]+",
                                   re.ASCII)
MAPPING_TYPES = ("Token", "Rules")
# Principal tags AWS maps by default for user pools and for other providers.
DEFAULT_TAGS_USER_POOL = {"client": "aud", "username": "sub"}
DEFAULT_TAGS = {"aud": "aud", "sub": "sub"}


def get_pool(pool_id: str) -> IdentityPool:
    try:
        return IdentityPool.objects.get(pk=pool_id)
    except IdentityPool.DoesNotExist:
        raise ResourceNotFoundException(
            f"IdentityPool '{pool_id}' not found.") from None


def _check_config(config: dict[str, Any]) -> None:
    for arn in config.get("openid_connect_provider_arns") or []:
        if not ARN_RE.fullmatch(arn) or ":oidc-provider/" not in arn:
            raise InvalidParameterException(f"Invalid OpenIdConnectProviderARN: {arn}")
    for arn in config.get("saml_provider_arns") or []:
        if not ARN_RE.fullmatch(arn) or ":saml-provider/" not in arn:
            raise InvalidParameterException(f"Invalid SamlProviderARN: {arn}")
    seen: set[tuple[str, str]] = set()
    for provider in config.get("cognito_identity_providers") or []:
        name = provider.get("ProviderName")
        client = provider.get("ClientId")
        if not name or not client:
            raise InvalidParameterException(
                "CognitoIdentityProviders need a ProviderName and a ClientId.")
        if not USER_POOL_PROVIDER_RE.fullmatch(name):
            raise InvalidParameterException(f"Invalid Cognito Identity Provider: {name}")
        if (name, client) in seen:
            raise InvalidParameterException(f"Duplicate provider: {name}/{client}")
        seen.add((name, client))
    logins = config.get("supported_login_providers") or {}
    if len(logins) > 10:
        raise InvalidParameterException("At most 10 SupportedLoginProviders are allowed.")
    for key in logins:
        if key == "cognito-identity.amazonaws.com" or key.startswith("cognito-idp."):
            raise InvalidParameterException(f"Invalid login provider: {key}")
    tags = config.get("tags") or {}
    if len(tags) > MAX_TAGS:
        raise InvalidParameterException(f"At most {MAX_TAGS} tags are allowed.")


def _columns(params: dict[str, Any]) -> dict[str, Any]:
    """Model columns from a Create/UpdateIdentityPool request."""
    return {
        "name": params["IdentityPoolName"],
        "allow_unauthenticated_identities": params["AllowUnauthenticatedIdentities"],
        "allow_classic_flow": bool(params.get("AllowClassicFlow", False)),
        "supported_login_providers": params.get("SupportedLoginProviders") or {},
        "developer_provider_name": params.get("DeveloperProviderName") or "",
        "openid_connect_provider_arns": params.get("OpenIdConnectProviderARNs") or [],
        "cognito_identity_providers": [
            {"ProviderName": p.get("ProviderName"), "ClientId": p.get("ClientId"),
             "ServerSideTokenCheck": bool(p.get("ServerSideTokenCheck", False))}
            for p in params.get("CognitoIdentityProviders") or []],
        "saml_provider_arns": params.get("SamlProviderARNs") or [],
    }


def create_pool(params: dict[str, Any], *, pool_id: str | None = None) -> IdentityPool:
    """A new identity pool from a CreateIdentityPool request; ``pool_id`` (a seed's own id)
    instead of a random one."""
    config = _columns(params)
    config["tags"] = params.get("IdentityPoolTags") or {}
    _check_config(config)
    if IdentityPool.objects.count() >= MAX_POOLS:
        raise LimitExceededException("The number of identity pools has reached its limit.")
    pool_id = pool_id or f"{app_settings.REGION}:{uuid.uuid4()}"
    return IdentityPool.objects.create(id=pool_id, **config)


def update_pool(pool: IdentityPool, params: dict[str, Any]) -> IdentityPool:
    config = _columns(params)
    if pool.developer_provider_name:
        # AWS: the developer provider name can't be changed once set; left out, it is kept.
        if "DeveloperProviderName" not in params:
            config["developer_provider_name"] = pool.developer_provider_name
        elif config["developer_provider_name"] != pool.developer_provider_name:
            raise InvalidParameterException(
                "Cannot change DeveloperProviderName once it is set.")
    if "IdentityPoolTags" in params:
        config["tags"] = params["IdentityPoolTags"] or {}
    _check_config(config)
    for name, value in config.items():
        setattr(pool, name, value)
    pool.modified_at = now()
    pool.save()
    return pool


def delete_pool(pool: IdentityPool) -> None:
    pool.delete()


def list_pools(limit: object, token: object) -> Page[IdentityPool]:
    return paginate(IdentityPool.objects.all(), "id", limit, token, scope="identitypools")


def _check_role(arn: object, what: str) -> None:
    if not isinstance(arn, str) or not 20 <= len(arn) <= 2048 or \
            not ROLE_ARN_RE.fullmatch(arn) or not IAM_ROLE_RE.fullmatch(arn):
        raise InvalidParameterException(f"{what} is not a valid IAM role ARN: {arn}")


def _check_mapping(key: str, mapping: dict[str, Any]) -> dict[str, Any]:
    kind = mapping.get("Type")
    if kind not in MAPPING_TYPES:
        raise InvalidParameterException(f"RoleMapping Type of {key} must be Token or Rules.")
    ambiguous = mapping.get("AmbiguousRoleResolution")
    if ambiguous is None:
        raise InvalidParameterException(
            f"AmbiguousRoleResolution is required for the role mapping of {key}.")
    result: dict[str, Any] = {"Type": kind, "AmbiguousRoleResolution": ambiguous}
    rules = (mapping.get("RulesConfiguration") or {}).get("Rules")
    if kind == "Rules":
        if not rules:
            raise InvalidParameterException(
                f"RulesConfiguration is required for the Rules mapping of {key}.")
        if len(rules) > MAX_RULES:
            raise InvalidParameterException(f"At most {MAX_RULES} rules per provider.")
        for rule in rules:
            _check_role(rule.get("RoleARN"), "RoleARN")
        result["RulesConfiguration"] = {"Rules": [
            {"Claim": r["Claim"], "MatchType": r["MatchType"], "Value": r["Value"],
             "RoleARN": r["RoleARN"]} for r in rules]}
    elif rules:
        raise InvalidParameterException(
            f"RulesConfiguration is only allowed with Rules mappings ({key}).")
    return result


@transaction.atomic
def set_roles(pool: IdentityPool, roles: dict[str, str],
              mappings: dict[str, Any] | None) -> None:
    for key, arn in roles.items():
        if key not in ROLE_KEYS:
            raise InvalidParameterException(
                f"Invalid role key: {key}. Use authenticated or unauthenticated.")
        _check_role(arn, f"Role {key}")
    pool.roles = dict(roles)
    if len(mappings or {}) > MAX_MAPPINGS:
        raise InvalidParameterException(
            f"At most {MAX_MAPPINGS} identity providers may have role mappings.")
    pool.role_mappings = {key: _check_mapping(key, value)
                          for key, value in (mappings or {}).items()}
    pool.modified_at = now()
    pool.save(update_fields=["roles", "role_mappings", "modified_at"])


def _check_provider(pool: IdentityPool, provider: str) -> None:
    known = set(pool.supported_login_providers) | set(pool.openid_connect_provider_arns) | \
        set(pool.saml_provider_arns) | \
        {p["ProviderName"] for p in pool.cognito_identity_providers}
    if provider not in known:
        raise InvalidParameterException(
            f"{provider} is not an identity provider of this identity pool.")


def default_tags(provider: str) -> dict[str, str]:
    return dict(DEFAULT_TAGS_USER_POOL if provider.startswith("cognito-idp.") else DEFAULT_TAGS)


def get_principal_tags(pool: IdentityPool, provider: str) -> tuple[bool, dict[str, str]]:
    _check_provider(pool, provider)
    entry = pool.principal_tags.get(provider)
    if entry is None:
        return True, default_tags(provider)
    return bool(entry["use_defaults"]), dict(entry["tags"])


def set_principal_tags(pool: IdentityPool, provider: str, use_defaults: bool | None,
                       tags: dict[str, str] | None) -> tuple[bool, dict[str, str]]:
    _check_provider(pool, provider)
    defaults = True if use_defaults is None else use_defaults
    values = default_tags(provider) if defaults and not tags else dict(tags or {})
    pool.principal_tags = {**pool.principal_tags,
                           provider: {"use_defaults": defaults, "tags": values}}
    pool.modified_at = now()
    pool.save(update_fields=["principal_tags", "modified_at"])
    return defaults, values


def tag(pool: IdentityPool, tags: dict[str, str]) -> None:
    merged = {**pool.tags, **tags}
    if len(merged) > MAX_TAGS:
        raise InvalidParameterException(f"At most {MAX_TAGS} tags are allowed.")
    pool.tags = merged
    pool.save(update_fields=["tags"])


def untag(pool: IdentityPool, keys: list[str]) -> None:
    pool.tags = {k: v for k, v in pool.tags.items() if k not in keys}
    pool.save(update_fields=["tags"])
