"""Pool operations: create, describe, update (full replace), delete, list, MFA configuration."""

from __future__ import annotations

from typing import Any

from ...services import pool_config, pools
from ...services.signin import choice
from ..registry import Call, operation
from ..shapes import EXTRA_POOL_MEMBERS, LEGACY_MESSAGES, user_pool_description, user_pool_type
from ..views import require_pool_access
from .common import pool_of


def _template(p: dict[str, Any]) -> dict[str, Any]:
    """VerificationMessageTemplate, filled from the legacy top-level members it replaces."""
    template = dict(p.get("VerificationMessageTemplate") or {})
    for legacy, key in LEGACY_MESSAGES.items():
        if p.get(legacy) is not None and key not in template:
            template[key] = p[legacy]
    return template


def pool_config_of(p: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Service keyword arguments and stored-only members of Create/UpdateUserPool."""
    policies = p.get("Policies") or {}
    config: dict[str, Any] = {
        "password_policy": policies.get("PasswordPolicy"),
        "lambda_config": p.get("LambdaConfig") or {},
        "auto_verified_attributes": p.get("AutoVerifiedAttributes"),
        "verification_message_template": _template(p),
        "sms_authentication_message": p.get("SmsAuthenticationMessage") or "",
        "mfa_configuration": p.get("MfaConfiguration") or "OFF",
        "user_attribute_update_settings": p.get("UserAttributeUpdateSettings"),
        "email_configuration": p.get("EmailConfiguration") or {},
        "sms_configuration": p.get("SmsConfiguration") or {},
        "tags": p.get("UserPoolTags") or {},
        "admin_create_user_config": p.get("AdminCreateUserConfig"),
        "account_recovery_setting": p.get("AccountRecoverySetting"),
        "deletion_protection": p.get("DeletionProtection") == "ACTIVE",
    }
    if p.get("UserPoolTier") is not None:
        config["user_pool_tier"] = p["UserPoolTier"]
    extra = {member: p[member] for member in EXTRA_POOL_MEMBERS if p.get(member) is not None}
    if policies.get("SignInPolicy") is not None:
        choice.check_sign_in_policy(policies["SignInPolicy"])
        extra["SignInPolicy"] = policies["SignInPolicy"]
    return config, extra


@operation("CreateUserPool")
def create_user_pool(call: Call) -> dict[str, Any]:
    require_pool_access(call, None)
    p = call.params
    config, extra = pool_config_of(p)
    username_config = p.get("UsernameConfiguration") or {}
    pool = pools.create_user_pool(
        p["PoolName"], username_attributes=p.get("UsernameAttributes"),
        alias_attributes=p.get("AliasAttributes"),
        case_sensitive=username_config.get("CaseSensitive", True), schema=p.get("Schema"),
        **config)
    if extra:
        pool_config.save_extra(pool, extra)
    return {"UserPool": user_pool_type(pool)}


@operation("DescribeUserPool")
def describe_user_pool(call: Call) -> dict[str, Any]:
    return {"UserPool": user_pool_type(pool_of(call))}


@operation("UpdateUserPool")
def update_user_pool(call: Call) -> dict[str, Any]:
    pool = pool_of(call)
    config, extra = pool_config_of(call.params)
    pool_config.update_user_pool(pool, name=call.params.get("PoolName"), extra=extra, **config)
    return {}


@operation("DeleteUserPool")
def delete_user_pool(call: Call) -> dict[str, Any]:
    pools.delete_user_pool(pool_of(call))
    return {}


@operation("ListUserPools")
def list_user_pools(call: Call) -> dict[str, Any]:
    page = pool_config.list_user_pools(call.access_key, call.params["MaxResults"],
                                       call.params.get("NextToken"))
    response: dict[str, Any] = {"UserPools": [user_pool_description(p) for p in page.items]}
    if page.next_token:
        response["NextToken"] = page.next_token
    return response


@operation("AddCustomAttributes")
def add_custom_attributes(call: Call) -> dict[str, Any]:
    pool_config.add_custom_attributes(pool_of(call), call.params["CustomAttributes"])
    return {}


@operation("GetUserPoolMfaConfig")
def get_user_pool_mfa_config(call: Call) -> dict[str, Any]:
    pool = pool_of(call)
    return {"MfaConfiguration": pool.mfa_configuration, **pool_config.mfa_config(pool)}


@operation("SetUserPoolMfaConfig")
def set_user_pool_mfa_config(call: Call) -> dict[str, Any]:
    p = call.params
    factors = {name: p[name] for name in (*pool_config.MFA_FACTORS, "WebAuthnConfiguration")
               if p.get(name) is not None}
    return pool_config.set_mfa_config(pool_of(call), p.get("MfaConfiguration"), factors)
