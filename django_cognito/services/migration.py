"""Lazy migration of users from another store through the user migration trigger (§4.2)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from .. import signals
from ..exceptions import CognitoError, InvalidLambdaResponseException
from ..models import AppClient, PoolUser, UserPool, UserStatus
from . import passwords, triggers
from .schema import parse_attribute_list, validate_write
from .users import find_user, insert_user, mark_verified, new_user

# A tuple, not a set: membership of an unhashable value (a list from JSON) must not raise.
FINAL_STATUSES = ("CONFIRMED", "RESET_REQUIRED")


def _run(pool: UserPool, client: AppClient | None, username: str, source: str,
         password: str | None, metadata: dict[str, str]) -> dict[str, Any] | None:
    if not triggers.has_receivers(signals.user_migration, pool):
        return None
    request: dict[str, Any] = {"validationData": metadata, "clientMetadata": metadata}
    if password is not None:
        request["password"] = password
    event = triggers.build_event(pool, client, source, username, request,
                                 {"userAttributes": None, "finalUserStatus": None,
                                  "messageAction": None, "desiredDeliveryMediums": None,
                                  "forceAliasCreation": None, "enableSMSMFA": None})
    response: dict[str, Any] = triggers.send(signals.user_migration, event, pool,
                                             client)["response"]
    if not response.get("userAttributes"):
        return None
    status = response.get("finalUserStatus") or "RESET_REQUIRED"
    if status not in FINAL_STATUSES:
        raise InvalidLambdaResponseException(
            "Invalid lambda response: finalUserStatus must be CONFIRMED or RESET_REQUIRED.")
    return response


def _create(pool: UserPool, username: str, password: str | None,
            response: dict[str, Any]) -> PoolUser:
    try:
        attrs = parse_attribute_list(response["userAttributes"])
        name = attrs.pop("username", None) or username
        validate_write(pool, attrs, admin=True, creating=True)
    except CognitoError as exc:
        raise InvalidLambdaResponseException(f"Invalid lambda response: {exc}") from exc
    user = new_user(pool, name, attrs)
    with transaction.atomic():
        if password is not None:
            # Migrated passwords bypass the pool's policy, as in Cognito.
            passwords.set_password(user, password, check_policy_first=False)
        user.status = UserStatus(response.get("finalUserStatus") or "RESET_REQUIRED")
        force = bool(response.get("forceAliasCreation"))
        for contact in ("email", "phone_number"):
            if user.is_verified(contact):
                mark_verified(user, contact, force_alias=force)
        insert_user(user)
        passwords.record_history(user)
    return user


def migrate_on_sign_in(pool: UserPool, client: AppClient | None, username: str, password: str,
                       metadata: dict[str, str]) -> PoolUser | None:
    """UserMigration_Authentication: import an unknown user who presents a password (through
    ``client``, or through a Django login when it is ``None``)."""
    response = _run(pool, client, username, triggers.MIGRATION_AUTHENTICATION, password, metadata)
    if response is None:
        return None
    _create(pool, username, password, response)
    return find_user(pool, username)


def migrate_on_forgot_password(client: AppClient, username: str,
                               metadata: dict[str, str]) -> PoolUser | None:
    """UserMigration_ForgotPassword: import an unknown user who asks for a reset code."""
    response = _run(client.pool, client, username, triggers.MIGRATION_FORGOT_PASSWORD, None,
                    metadata)
    if response is None:
        return None
    response = {**response, "finalUserStatus": "RESET_REQUIRED"}
    _create(client.pool, username, None, response)
    return find_user(client.pool, username)
