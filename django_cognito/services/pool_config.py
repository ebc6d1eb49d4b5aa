"""Changing and listing pools: UpdateUserPool, custom attributes, MFA configuration."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction

from ..clock import now
from ..exceptions import InvalidParameterException
from ..models import AccessKey, UserPool
from .config_cache import settings_of
from .pagination import Page, paginate
from .pools import build_user_pool, enable_sms_factor
from .schema import MAX_CUSTOM_ATTRIBUTES, build_schema

# Columns UpdateUserPool replaces; the username configuration and schema are fixed at creation.
UPDATABLE_FIELDS = (
    "name", "minimum_length", "require_uppercase", "require_lowercase", "require_numbers",
    "require_symbols", "password_history_size", "temporary_password_validity_days",
    "auto_verified_attributes", "user_attribute_update_settings", "mfa_configuration",
    "account_recovery_setting", "verification_message_template", "admin_create_user_config",
    "email_configuration", "sms_configuration", "sms_authentication_message", "lambda_config",
    "deletion_protection", "user_pool_tier", "tags",
)
MFA_FACTORS = ("SmsMfaConfiguration", "SoftwareTokenMfaConfiguration", "EmailMfaConfiguration")


def save_extra(pool: UserPool, extra: Mapping[str, Any]) -> None:
    """Replace the stored-only members (DeviceConfiguration, UserPoolAddOns, ...)."""
    settings = settings_of(pool)
    settings.extra = {k: v for k, v in extra.items() if v is not None}
    settings.save()


def update_user_pool(pool: UserPool, *, name: str | None = None,
                     extra: Mapping[str, Any] | None = None, **config: Any) -> UserPool:
    """UpdateUserPool: every member not given returns to its default (reference §1.2).

    Only the tier survives an omission. The username configuration and the schema cannot
    change after creation, so they are carried over rather than reset.
    """
    config.setdefault("user_pool_tier", pool.user_pool_tier)
    for fixed in ("username_attributes", "alias_attributes", "case_sensitive", "schema"):
        if fixed in config:
            raise TypeError(f"{fixed} cannot change after the pool is created")
    fresh = build_user_pool(name if name is not None else pool.name,
                            username_attributes=pool.username_attributes,
                            alias_attributes=pool.alias_attributes,
                            case_sensitive=pool.case_sensitive,
                            # SMS MFA rests on the SmsConfiguration this call replaces.
                            other_mfa_factors=bool(set(enabled_factors(settings_of(pool).mfa))
                                                   - {"SMS_MFA"}),
                            **config)
    with transaction.atomic():
        for field in UPDATABLE_FIELDS:
            setattr(pool, field, getattr(fresh, field))
        pool.modified_at = now()
        pool.save()
        save_extra(pool, extra or {})
        enable_sms_factor(pool)
    return pool


def add_custom_attributes(pool: UserPool, attributes: Iterable[Mapping[str, Any]]) -> UserPool:
    """AddCustomAttributes: append new ``custom:`` attributes; existing ones cannot change."""
    items = list(attributes)
    if not items:
        raise InvalidParameterException("CustomAttributes must not be empty.")
    existing = pool.schema_by_name()
    customs = [a for a in pool.schema if a["Name"].startswith("custom:")]
    added = []
    for item in items:
        name = item.get("Name") if isinstance(item, Mapping) else None
        if not isinstance(name, str):
            raise InvalidParameterException("Each custom attribute needs a Name.")
        full = name if name.startswith("custom:") else f"custom:{name}"
        if full in existing:
            raise InvalidParameterException(f"Existing attribute already has name {full}.")
        added.append({**item, "Name": full})
    if len(customs) + len(added) > MAX_CUSTOM_ATTRIBUTES:
        raise InvalidParameterException("A pool can have at most 50 custom attributes.")
    # build_schema validates names, types and constraints and rejects duplicates.
    merged = build_schema([*customs, *added])
    new = [a for a in merged if a["Name"] in {x["Name"] for x in added}]
    pool.schema = [*pool.schema, *new]
    pool.modified_at = now()
    pool.save(update_fields=["schema", "modified_at"])
    return pool


def list_user_pools(key: AccessKey | None, limit: object = None,
                    token: object = None) -> Page[UserPool]:
    """A page of the pools a signing key may administer (every pool for an all-pools key)."""
    pools = UserPool.objects.all()
    scope = "pools"
    if key is not None and not key.all_pools:
        pools = pools.filter(access_keys=key)
        scope = f"pools:{key.pk}"
    return paginate(pools, "id", limit, token, scope=scope)


def mfa_config(pool: UserPool) -> dict[str, Any]:
    """GetUserPoolMfaConfig's factor settings (TOTP reported even when never set)."""
    stored = dict(settings_of(pool).mfa)
    stored.setdefault("SoftwareTokenMfaConfiguration", {"Enabled": False})
    return stored


def enabled_factors(mfa: Mapping[str, Any]) -> list[str]:
    """The MFA factors a stored configuration turns on: ``SMS_MFA``, ``SOFTWARE_TOKEN_MFA``..."""
    factors = []
    if "SmsMfaConfiguration" in mfa:
        factors.append("SMS_MFA")
    if (mfa.get("SoftwareTokenMfaConfiguration") or {}).get("Enabled"):
        factors.append("SOFTWARE_TOKEN_MFA")
    if "EmailMfaConfiguration" in mfa:
        factors.append("EMAIL_OTP")
    return factors


def set_mfa_config(pool: UserPool, mfa_configuration: str | None,
                   factors: Mapping[str, Any]) -> dict[str, Any]:
    """SetUserPoolMfaConfig: replace the factor settings and set the pool's MFA mode.

    SMS and email factors are on when configured; TOTP when ``Enabled`` is true.
    """
    unknown = set(factors) - {*MFA_FACTORS, "WebAuthnConfiguration"}
    if unknown:
        raise TypeError(f"Unknown MFA settings: {sorted(unknown)}")
    settings = settings_of(pool)
    merged = {k: dict(v) for k, v in factors.items() if v is not None}
    mode = mfa_configuration or pool.mfa_configuration
    if mode not in ("OFF", "ON", "OPTIONAL"):
        raise InvalidParameterException("MfaConfiguration must be OFF, ON or OPTIONAL.")
    # As CreateUserPool refuses ON or OPTIONAL without a factor (botocore model,
    # CreateUserPoolRequest.MfaConfiguration): no user could set one up.
    if mode != "OFF" and not enabled_factors(merged):
        raise InvalidParameterException(
            "At least one MFA method must be enabled when MfaConfiguration is ON or OPTIONAL.")
    with transaction.atomic():
        settings.mfa = merged
        settings.save()
        if mode != pool.mfa_configuration:
            pool.mfa_configuration = mode
            pool.modified_at = now()
            pool.save(update_fields=["mfa_configuration", "modified_at"])
    return {"MfaConfiguration": mode, **mfa_config(pool)}
