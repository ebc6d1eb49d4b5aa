"""Administrative user operations: create, set password, enable, disable, delete."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction

from ..exceptions import (
    InvalidParameterException,
    UnsupportedUserStateException,
)
from ..models import PoolUser, UserPool, UserStatus
from . import delivery, passwords, tokens, triggers
from .schema import parse_attribute_list, string_map, validate_write
from .signup import run_pre_sign_up
from .users import (
    delete_django_users,
    find_user,
    get_user,
    insert_user,
    login_name,
    mark_verified,
    new_user,
    save_user,
    sync_django_user,
)

# Tuples, not sets: membership of an unhashable value (a list from JSON) must not raise.
MESSAGE_ACTIONS = (None, "RESEND", "SUPPRESS")
MEDIUMS = ("EMAIL", "SMS")


def admin_create_user(pool: UserPool, username: object, *, attributes: Any = None,
                      temporary_password: object = None, message_action: object = None,
                      desired_delivery_mediums: Iterable[str] | None = None,
                      force_alias_creation: bool = False, validation_data: Any = None,
                      client_metadata: Mapping[str, str] | None = None) -> PoolUser:
    """Create a FORCE_CHANGE_PASSWORD user with a temporary password and invite them."""
    client_metadata = string_map(client_metadata)
    if message_action not in MESSAGE_ACTIONS:
        raise InvalidParameterException("MessageAction must be RESEND or SUPPRESS.")
    explicit = bool(desired_delivery_mediums)
    mediums = list(desired_delivery_mediums or ["SMS"])
    if not all(medium in MEDIUMS for medium in mediums):
        raise InvalidParameterException("DesiredDeliveryMediums must be EMAIL and/or SMS.")
    password = passwords.generate_temporary(pool) if temporary_password is None else \
        passwords.check_policy(pool, temporary_password)
    metadata = string_map(client_metadata)
    if message_action == "RESEND":
        return _resend_invitation(pool, username, password, mediums, metadata, explicit)
    attrs = parse_attribute_list(attributes)
    validate_write(pool, attrs, admin=True, creating=True)
    user = new_user(pool, username, attrs)
    with transaction.atomic():
        passwords.set_password(user, password, temporary=True, check_policy_first=False)
        user.status = UserStatus.FORCE_CHANGE_PASSWORD
        for name in ("email", "phone_number"):
            if user.is_verified(name):
                mark_verified(user, name, force_alias=force_alias_creation)
        run_pre_sign_up(None, user, triggers.PRE_SIGN_UP_ADMIN_CREATE_USER, validation_data,
                        metadata)
        insert_user(user)
        passwords.record_history(user)
        messages = [] if message_action == "SUPPRESS" else \
            _invitations(user, password, mediums, metadata, explicit)
    for message in messages:
        delivery.send(pool, message)
    return user


def _invitations(user: PoolUser, password: str, mediums: list[str],
                 metadata: dict[str, str], explicit: bool) -> list[delivery.Message]:
    """The invitations to send: one per medium whose attribute the user has.

    A user with neither an email nor a phone number, and no mediums asked for, is invited
    by nothing (verified against AWS for a new user; a RESEND is the same operation);
    otherwise the mediums must find their attribute, the default SMS included.
    """
    messages = []
    for medium in mediums:
        attribute = "email" if medium == "EMAIL" else "phone_number"
        if user.attributes.get(attribute):
            messages.append(delivery.render(
                user.pool, None, user, attribute=attribute,
                source=triggers.MESSAGE_ADMIN_CREATE_USER, code=password, client_metadata=metadata,
                username=login_name(user)))
    reachable = explicit or any(user.attributes.get(a) for a in ("email", "phone_number"))
    if not messages and mediums and reachable:
        raise InvalidParameterException(
            "User has no attribute matching desired delivery mediums")
    return messages


def _resend_invitation(pool: UserPool, username: object, password: str, mediums: list[str],
                       metadata: dict[str, str], explicit: bool) -> PoolUser:
    user = get_user(pool, username)
    if user.status != UserStatus.FORCE_CHANGE_PASSWORD:
        raise UnsupportedUserStateException(
            f"Resend not possible. {user.username} status is not FORCE_CHANGE_PASSWORD")
    with transaction.atomic():
        passwords.set_password(user, password, temporary=True, check_policy_first=False)
        save_user(user)
        messages = _invitations(user, password, mediums, metadata, explicit)
    for message in messages:
        delivery.send(pool, message)
    return user


def admin_set_user_password(user: PoolUser, password: object, *, permanent: bool) -> None:
    """Set a password: permanent → CONFIRMED, else FORCE_CHANGE_PASSWORD with a new expiry."""
    password = passwords.check_policy(user.pool, password)
    with transaction.atomic():
        passwords.set_password(user, password, temporary=not permanent, check_policy_first=False)
        if permanent:
            user.status = UserStatus.CONFIRMED
        elif user.status != UserStatus.EXTERNAL_PROVIDER:
            user.status = UserStatus.FORCE_CHANGE_PASSWORD
        save_user(user)
        passwords.record_history(user)
    tokens.password_changed(user)


def set_enabled(user: PoolUser, enabled: bool) -> None:
    """AdminEnableUser / AdminDisableUser; disabling also revokes the user's tokens (§3.5)."""
    user.enabled = enabled
    save_user(user, ["enabled"])
    if not enabled:
        tokens.global_sign_out(user)


def admin_delete_user(user: PoolUser) -> None:
    """Delete a user, its codes, memberships and linked Django user."""
    tokens.global_sign_out(user)
    with transaction.atomic():
        delete_django_users(PoolUser.objects.filter(pk=user.pk))
        PoolUser.objects.filter(pk=user.pk).delete()


__all__ = ["admin_create_user", "admin_delete_user", "admin_set_user_password", "find_user",
           "set_enabled", "sync_django_user"]
