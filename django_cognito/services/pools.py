"""Creating, reading and deleting pools and app clients."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

from django.db import IntegrityError, transaction

from ..conf import app_settings
from ..crypto import secrets as cs
from ..exceptions import (
    InvalidParameterException,
    LimitExceededException,
    ResourceNotFoundException,
)
from ..models import (
    DEFAULT_EXPLICIT_AUTH_FLOWS,
    DEFAULT_TOKEN_UNITS,
    TOKEN_UNITS,
    AppClient,
    UserPool,
)
from .config_cache import settings_of
from .delivery import CODE_PLACEHOLDER, USERNAME_PLACEHOLDER
from .oauth_settings import check_oauth
from .schema import build_schema

USERNAME_ATTRIBUTE_CHOICES = {"email", "phone_number"}
ALIAS_ATTRIBUTE_CHOICES = {"email", "phone_number", "preferred_username"}
AUTH_FLOWS = {"ADMIN_NO_SRP_AUTH", "CUSTOM_AUTH_FLOW_ONLY", "USER_PASSWORD_AUTH",
              "ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_CUSTOM_AUTH", "ALLOW_USER_PASSWORD_AUTH",
              "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_AUTH"}
RECOVERY_NAMES = {"verified_email", "verified_phone_number", "admin_only"}
MAX_CLIENTS_PER_POOL = 1000  # reference §9
MFA_NEEDS_SMS = ("SMS configuration and Auto verification for phone_number are required when "
                 "MFA is required/optional")
# Message template lengths (reference §9: SMS 140, email subject 140, email body 20,000).
TEMPLATE_LIMITS = {"SmsMessage": 140, "SMSMessage": 140, "EmailSubject": 140,
                   "EmailSubjectByLink": 140, "EmailMessage": 20000, "EmailMessageByLink": 20000}
# UserPoolNameType and ClientNameType of the botocore model.
NAME_RE = re.compile(r"[\w\s+=,.@-]+")
# The shapes of AWS's ids (botocore: UserPoolIdType, ClientIdType at most 128 of [\w+]).
POOL_ID_RE = re.compile(r"[\w-]+_[0-9a-zA-Z]+", re.ASCII)
CLIENT_ID_RE = re.compile(r"[0-9a-zA-Z]{1,55}", re.ASCII)


M = TypeVar("M", UserPool, AppClient)


def _insert_with_new_id(obj: M, new_id: Callable[[], str]) -> M:
    """Insert ``obj`` under a fresh random id, retrying on the (astronomically rare) clash."""
    for _ in range(5):
        obj.id = new_id()
        try:
            with transaction.atomic():
                obj.save(force_insert=True)
            return obj
        except IntegrityError:  # pragma: no cover - a 62^9 or 36^26 collision
            continue
    raise InvalidParameterException("Could not allocate an id.")  # pragma: no cover


def get_pool(pool_id: object) -> UserPool:
    """The pool with ``pool_id`` or ResourceNotFoundException."""
    if not isinstance(pool_id, str) or len(pool_id) > 55:
        raise ResourceNotFoundException("User pool does not exist.")
    try:
        return UserPool.objects.get(pk=pool_id)
    except UserPool.DoesNotExist:
        raise ResourceNotFoundException(f"User pool {pool_id} does not exist.") from None


def get_client(client_id: object, pool: UserPool | None = None) -> AppClient:
    """The app client with ``client_id`` (of ``pool`` when given) or ResourceNotFoundException."""
    if not isinstance(client_id, str) or len(client_id) > 128:
        raise ResourceNotFoundException("User pool client does not exist.")
    clients = AppClient.objects.select_related("pool")
    if pool is not None:
        clients = clients.filter(pool=pool)
    try:
        return clients.get(pk=client_id)
    except AppClient.DoesNotExist:
        raise ResourceNotFoundException(f"User pool client {client_id} does not exist.") from None


def _string_list(value: object, what: str) -> list[str]:
    """A list of strings from a list member; anything else is an invalid parameter."""
    if value is None:
        return []
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise InvalidParameterException(f"{what} must be a list of strings.")
    return list(value)


def _mapping(value: object, what: str) -> dict[str, Any]:
    """A dict from a structure member (``None`` is empty); anything else is invalid."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise InvalidParameterException(f"{what} must be a structure.")
    return dict(value)


def _flag(value: object, what: str) -> bool:
    if not isinstance(value, bool):
        raise InvalidParameterException(f"{what} must be a boolean.")
    return value


def _subset(value: Iterable[str] | None, allowed: set[str], what: str) -> list[str]:
    items = _string_list(value, what)
    if any(not isinstance(v, str) or v not in allowed for v in items):
        raise InvalidParameterException(f"Invalid {what}: {items}")
    return sorted(set(items), key=items.index)


def _password_policy(policy: Mapping[str, Any]) -> dict[str, Any]:
    fields = {"MinimumLength": ("minimum_length", 6, 99),
              "PasswordHistorySize": ("password_history_size", 0, 24),
              "TemporaryPasswordValidityDays": ("temporary_password_validity_days", 0, 365)}
    result: dict[str, Any] = {}
    for key, (field, low, high) in fields.items():
        if key in policy:
            value = policy[key]
            if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
                raise InvalidParameterException(f"{key} must be between {low} and {high}.")
            result[field] = value or (7 if key == "TemporaryPasswordValidityDays" else value)
    for key, field in (("RequireUppercase", "require_uppercase"),
                       ("RequireLowercase", "require_lowercase"),
                       ("RequireNumbers", "require_numbers"),
                       ("RequireSymbols", "require_symbols")):
        if key in policy:
            if not isinstance(policy[key], bool):
                raise InvalidParameterException(f"{key} must be a boolean.")
            result[field] = policy[key]
    return result


def _check_templates(verification: Mapping[str, Any], admin_config: Mapping[str, Any]) -> None:
    invite = _mapping(admin_config.get("InviteMessageTemplate"), "InviteMessageTemplate")
    for template in (verification, invite):
        if any(v is not None and not isinstance(v, str) for v in template.values()):
            raise InvalidParameterException("Message templates must be strings.")
        for key, text in template.items():
            limit = TEMPLATE_LIMITS.get(key)
            if limit is not None and text is not None and len(text) > limit:
                raise InvalidParameterException(
                    f"{key} must be no longer than {limit} characters.")
    for key in ("SmsMessage", "EmailMessage"):
        if verification.get(key) and CODE_PLACEHOLDER not in verification[key]:
            raise InvalidParameterException(f"{key} must contain {CODE_PLACEHOLDER}.")
    # "Your custom message must contain the {username} and {####} placeholders":
    # docs.aws.amazon.com/cognito/latest/developerguide/
    # cognito-user-pool-settings-message-customizations.html
    for key in ("SMSMessage", "EmailMessage"):
        text = invite.get(key)
        if text and (CODE_PLACEHOLDER not in text or USERNAME_PLACEHOLDER not in text):
            raise InvalidParameterException(
                f"{key} of InviteMessageTemplate must contain {USERNAME_PLACEHOLDER} and "
                f"{CODE_PLACEHOLDER}.")


def _check_recovery(setting: Mapping[str, Any]) -> None:
    mechanisms = setting.get("RecoveryMechanisms", [])
    if not isinstance(mechanisms, list) or not 1 <= len(mechanisms) <= 2:
        raise InvalidParameterException("RecoveryMechanisms must list 1 or 2 mechanisms.")
    names = [m.get("Name") for m in mechanisms if isinstance(m, Mapping)]
    # "You cannot use admin_only with any other account recovery mechanism":
    # docs.aws.amazon.com/cognito/latest/developerguide/how-to-recover-a-user-account.html
    if len(names) != len(mechanisms) or \
            not all(isinstance(n, str) and n in RECOVERY_NAMES for n in names) or \
            len(set(names)) != len(names) or ("admin_only" in names and len(names) > 1):
        raise InvalidParameterException("Invalid RecoveryMechanisms.")
    # Priority is required, 1 or 2 (botocore PriorityType); recovery orders channels by it.
    priorities = [m.get("Priority") for m in mechanisms]
    if any(type(p) is not int or not 1 <= p <= 2 for p in priorities) or \
            len(set(priorities)) != len(priorities):
        raise InvalidParameterException(
            "Each RecoveryMechanism needs a distinct Priority of 1 or 2.")


def _check_update_settings(settings: Mapping[str, Any], verified: list[str]) -> None:
    """AttributesRequireVerificationBeforeUpdate only makes sense for auto-verified contacts
    (AWS's own refusal, in its words: github.com/aws/aws-cli/issues/7151)."""
    names = _subset(settings.get("AttributesRequireVerificationBeforeUpdate"),
                    USERNAME_ATTRIBUTE_CHOICES, "AttributesRequireVerificationBeforeUpdate")
    if not set(names) <= set(verified):
        raise InvalidParameterException(
            "All attributes in AttributesRequireVerificationBeforeUpdate must exist in "
            "AutoVerifiedAttributes")


def create_user_pool(name: str, *, pool_id: str | None = None, **config: Any) -> UserPool:
    """Create a pool from Cognito-shaped configuration (CreateUserPool's members).

    ``pool_id`` keeps an id of one's choosing (a pool moving off AWS keeps its issuer; a
    project names its pool in settings); otherwise a new random one.
    """
    pool = build_user_pool(name, **config)
    with transaction.atomic():
        if pool_id is None:
            _insert_with_new_id(pool, lambda: cs.new_pool_id(app_settings.REGION))
        else:
            _insert_with_id(pool, pool_id, POOL_ID_RE, "user pool")
        enable_sms_factor(pool)
    return pool


def _insert_with_id(obj: M, chosen: object, pattern: re.Pattern[str], kind: str) -> M:
    """Insert ``obj`` under the id ``chosen``, which must have the shape AWS gives it."""
    if not isinstance(chosen, str) or len(chosen) > 55 or not pattern.fullmatch(chosen):
        raise InvalidParameterException(f"Invalid {kind} id {str(chosen)[:64]!r}.")
    if type(obj)._default_manager.filter(pk=chosen).exists():
        raise InvalidParameterException(f"A {kind} with id {chosen} already exists.")
    obj.id = chosen
    obj.save(force_insert=True)
    return obj


def enable_sms_factor(pool: UserPool) -> None:
    """Create/UpdateUserPool with MFA on and an SmsConfiguration turn SMS MFA on, with the
    pool's SmsAuthenticationMessage, as Cognito does (GetUserPoolMfaConfig then shows it)."""
    if pool.mfa_configuration == "OFF" or not pool.sms_configuration:
        return
    settings = settings_of(pool)
    # A message set by SetUserPoolMfaConfig stays unless the pool now names its own.
    sms: dict[str, Any] = {**(settings.mfa.get("SmsMfaConfiguration") or {}),
                           "SmsConfiguration": dict(pool.sms_configuration)}
    if pool.sms_authentication_message:
        sms["SmsAuthenticationMessage"] = pool.sms_authentication_message
    settings.mfa = {**settings.mfa, "SmsMfaConfiguration": sms}
    settings.save()


def build_user_pool(name: str, *, username_attributes: Iterable[str] | None = None,
                    alias_attributes: Iterable[str] | None = None, case_sensitive: bool = True,
                    password_policy: Mapping[str, Any] | None = None,
                    schema: Iterable[Mapping[str, Any]] | None = None,
                    auto_verified_attributes: Iterable[str] | None = None,
                    other_mfa_factors: bool = False, **config: Any) -> UserPool:
    """An unsaved, validated pool: every setting not given takes Cognito's default.

    MFA ON or OPTIONAL needs a factor: here SMS, which needs an SmsConfiguration and
    phone numbers verified automatically, unless ``other_mfa_factors`` (an existing pool
    whose SetUserPoolMfaConfig turned a factor on).
    """
    if not isinstance(name, str) or not 1 <= len(name) <= 128 or not NAME_RE.fullmatch(name):
        raise InvalidParameterException("PoolName must be 1 to 128 characters.")
    usernames = _subset(username_attributes, USERNAME_ATTRIBUTE_CHOICES, "UsernameAttributes")
    aliases = _subset(alias_attributes, ALIAS_ATTRIBUTE_CHOICES, "AliasAttributes")
    if usernames and aliases:
        raise InvalidParameterException(
            "Only one of the aliasAttributes or usernameAttributes can be set in a User Pool")
    verified = _subset(auto_verified_attributes, USERNAME_ATTRIBUTE_CHOICES,
                       "AutoVerifiedAttributes")
    verification = _mapping(config.pop("verification_message_template", None),
                            "VerificationMessageTemplate")
    admin_config = _mapping(config.pop("admin_create_user_config", None),
                            "AdminCreateUserConfig")
    _check_templates(verification, admin_config)
    recovery = _mapping(config.pop("account_recovery_setting", None), "AccountRecoverySetting")
    if recovery:
        _check_recovery(recovery)
    update_settings = _mapping(config.pop("user_attribute_update_settings", None),
                               "UserAttributeUpdateSettings")
    _check_update_settings(update_settings, verified)
    _flag(case_sensitive, "CaseSensitive")
    _flag(config.get("deletion_protection", False), "DeletionProtection")
    # Not Cognito's members: settings of this app, from the admin and the commands.
    _flag(config.get("normalize_usernames", False), "normalize_usernames")
    _flag(config.get("revoke_tokens_on_password_change", True),
          "revoke_tokens_on_password_change")
    allowed = {"mfa_configuration", "email_configuration", "sms_configuration",
               "sms_authentication_message", "lambda_config", "deletion_protection",
               "tags", "user_pool_tier", "normalize_usernames",
               "revoke_tokens_on_password_change"}
    unknown = set(config) - allowed
    if unknown:
        raise TypeError(f"Unknown pool settings: {sorted(unknown)}")
    pool = UserPool(name=name, username_attributes=usernames, alias_attributes=aliases,
                    case_sensitive=case_sensitive, schema=build_schema(schema),
                    auto_verified_attributes=verified, verification_message_template=verification,
                    admin_create_user_config=admin_config, account_recovery_setting=recovery,
                    user_attribute_update_settings=update_settings,
                    **_password_policy(_mapping(password_policy, "PasswordPolicy")), **config)
    if pool.mfa_configuration not in ("OFF", "ON", "OPTIONAL"):
        raise InvalidParameterException("MfaConfiguration must be OFF, ON or OPTIONAL.")
    if not isinstance(pool.sms_configuration, Mapping):
        raise InvalidParameterException("SmsConfiguration must be a structure.")
    # An SmsConfiguration is what SMS MFA needs: without one, ON or OPTIONAL "returns an
    # InvalidParameterException" (botocore model, CreateUserPoolRequest.MfaConfiguration).
    # AWS does not also require phone numbers to be verified automatically (verified
    # against AWS: such a pool is created).
    if pool.mfa_configuration != "OFF" and not other_mfa_factors and \
            not pool.sms_configuration:
        raise InvalidParameterException(MFA_NEEDS_SMS)
    return pool


def delete_user_pool(pool: UserPool) -> None:
    """Delete a pool and everything in it, unless deletion protection is on."""
    if pool.deletion_protection:
        raise InvalidParameterException(
            "The user pool cannot be deleted because deletion protection is activated.")
    from .users import delete_django_users

    with transaction.atomic():
        delete_django_users(pool.users.all())
        pool.delete()


def _validity(value: Any, unit: str, low: int, high: int, what: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise InvalidParameterException(f"{what} must be an integer.")
    seconds = value * TOKEN_UNITS[unit]
    if not low <= seconds <= high:
        raise InvalidParameterException(
            f"Invalid range for token validity: {what} must be between {low} and {high} seconds.")
    return value


def _default_validity(unit: str) -> tuple[int, str]:
    if unit == "days":
        return 60, "minutes"
    return 3600 // TOKEN_UNITS[unit], unit


def create_user_pool_client(pool: UserPool, name: str, *, client_id: str | None = None,
                            **config: Any) -> AppClient:
    """Create an app client with Cognito's defaults and validity rules (reference §2.5);
    ``client_id`` keeps an id of one's choosing, as ``create_user_pool``'s ``pool_id``."""
    client = build_user_pool_client(pool, name, **config)
    if AppClient.objects.filter(pool=pool).count() >= MAX_CLIENTS_PER_POOL:
        raise LimitExceededException("The user pool has reached its limit of app clients.")
    if client_id is not None:
        return _insert_with_id(client, client_id, CLIENT_ID_RE, "user pool client")
    return _insert_with_new_id(client, cs.new_client_id)


def build_user_pool_client(pool: UserPool, name: str, *, generate_secret: bool = False,
                            explicit_auth_flows: Iterable[str] | None = None,
                            access_token_validity: int | None = None,
                            id_token_validity: int | None = None,
                            refresh_token_validity: int | None = None,
                            token_validity_units: Mapping[str, str] | None = None,
                            auth_session_validity: int = 3,
                            read_attributes: Iterable[str] | None = None,
                            write_attributes: Iterable[str] | None = None,
                            prevent_user_existence_errors: str = "LEGACY",
                            enable_token_revocation: bool = True,
                            client_secret: str | None = None,
                            **oauth: Any) -> AppClient:
    """An unsaved, validated app client: every setting not given takes Cognito's default."""
    if not isinstance(name, str) or not 1 <= len(name) <= 128 or not NAME_RE.fullmatch(name):
        raise InvalidParameterException("ClientName must be 1 to 128 characters.")
    _flag(generate_secret, "GenerateSecret")
    _flag(enable_token_revocation, "EnableTokenRevocation")
    flows = _string_list(explicit_auth_flows, "ExplicitAuthFlows") \
        if explicit_auth_flows is not None else list(DEFAULT_EXPLICIT_AUTH_FLOWS)
    if not set(flows) <= AUTH_FLOWS:
        raise InvalidParameterException(f"Invalid ExplicitAuthFlows: {flows}")
    if any(f.startswith("ALLOW_") for f in flows) and any(not f.startswith("ALLOW_")
                                                           for f in flows):
        raise InvalidParameterException(
            "The ExplicitAuthFlows parameter cannot mix legacy and ALLOW_ values.")
    given_units = _mapping(token_validity_units, "TokenValidityUnits")
    if not set(given_units) <= set(DEFAULT_TOKEN_UNITS) or \
            not all(isinstance(u, str) and u in TOKEN_UNITS for u in given_units.values()):
        raise InvalidParameterException("Invalid TokenValidityUnits.")
    # Omitted validities default to 60 minutes / 30 days; given ones default to hours / days.
    units = {**DEFAULT_TOKEN_UNITS, **given_units}
    if access_token_validity is None:
        access_token_validity, units["AccessToken"] = _default_validity(
            given_units.get("AccessToken", "minutes"))
    if id_token_validity is None:
        id_token_validity, units["IdToken"] = _default_validity(
            given_units.get("IdToken", "minutes"))
    if not refresh_token_validity:
        refresh_token_validity = 30 * 86400 // TOKEN_UNITS[units["RefreshToken"]]
    _validity(access_token_validity, units["AccessToken"], 300, 86400, "AccessTokenValidity")
    _validity(id_token_validity, units["IdToken"], 300, 86400, "IdTokenValidity")
    _validity(refresh_token_validity, units["RefreshToken"], 3600, 315360000,
              "RefreshTokenValidity")
    if not isinstance(auth_session_validity, int) or not 3 <= auth_session_validity <= 15:
        raise InvalidParameterException("AuthSessionValidity must be between 3 and 15.")
    if prevent_user_existence_errors not in ("LEGACY", "ENABLED"):
        raise InvalidParameterException("PreventUserExistenceErrors must be LEGACY or ENABLED.")
    read_attributes = _string_list(read_attributes, "ReadAttributes")
    write_attributes = _string_list(write_attributes, "WriteAttributes")
    schema = pool.schema_by_name()
    for attrs in (read_attributes, write_attributes):
        missing = [a for a in attrs if a not in schema]
        if missing:
            raise InvalidParameterException(f"Invalid attributes: {missing}")
    client = AppClient(
        pool=pool, name=name, explicit_auth_flows=flows,
        access_token_validity=access_token_validity, id_token_validity=id_token_validity,
        refresh_token_validity=refresh_token_validity, token_validity_units=units,
        auth_session_validity=auth_session_validity,
        read_attributes=list(read_attributes or []), write_attributes=list(write_attributes or []),
        prevent_user_existence_errors=prevent_user_existence_errors,
        enable_token_revocation=enable_token_revocation, **oauth)
    # A ClientSecret of one's own is given instead of GenerateSecret, never with it
    # (botocore model, CreateUserPoolClientRequest.ClientSecret).
    if client_secret is not None and generate_secret:
        raise InvalidParameterException(
            "You cannot specify both GenerateSecret as true and provide a ClientSecret value.")
    if generate_secret or client_secret is not None:
        client.secret = client_secret or cs.new_client_secret()
    check_oauth(client)
    return client
