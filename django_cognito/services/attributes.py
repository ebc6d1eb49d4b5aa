"""Updating, deleting and verifying user attributes (reference §2.2)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction

from ..exceptions import InvalidParameterException
from ..models import VERIFIED_FLAGS, AppClient, CodePurpose, PoolUser
from . import codes, delivery, limits, triggers
from .schema import (
    parse_attribute_list,
    required_attributes,
    string_map,
    validate_write,
)
from .users import claim_alias, mark_verified, require_enabled, save_user

CONTACTS = ("email", "phone_number")


def _requires_verification_before_update(user: PoolUser, name: str) -> bool:
    settings = user.pool.user_attribute_update_settings or {}
    return name in (settings.get("AttributesRequireVerificationBeforeUpdate") or [])


def update_user_attributes(user: PoolUser, attributes: Any, *, client: AppClient | None = None,
                           admin: bool = False,
                           client_metadata: Mapping[str, str] | None = None
                           ) -> list[dict[str, str]]:
    """Apply attribute changes; a changed email/phone turns unverified and gets a code.

    Returns CodeDeliveryDetailsList. An empty value deletes the attribute.
    """
    client_metadata = string_map(client_metadata)
    pool = user.pool
    if not admin:
        require_enabled(user)
    if attributes is None:
        raise InvalidParameterException("UserAttributes is required.")
    changes = parse_attribute_list(attributes)
    if not changes:
        # An empty list changes nothing and is no error: the model sets it no minimum and
        # AWS documents no refusal.
        return []
    validate_write(pool, changes, client=client, admin=admin)
    required = set(required_attributes(pool))
    for name, value in changes.items():
        if value == "" and name in required:
            raise InvalidParameterException(
                f"Attributes did not conform to the schema: {name}: The attribute is required")
        # An empty value deletes, and deleting the username would leave no sign-in name.
        if value == "" and name in pool.username_attributes:
            raise InvalidParameterException(f"Cannot delete {name}: it is the username.")
    messages: list[delivery.Message] = []
    with transaction.atomic():
        for name, value in changes.items():
            if name in VERIFIED_FLAGS:
                continue
            changed = user.attributes.get(name) != value
            if name in CONTACTS and changed and value and \
                    _requires_verification_before_update(user, name) and \
                    changes.get(f"{name}_verified") != "true":
                code = codes.issue(user, CodePurpose.VERIFY_ATTRIBUTE, name, pending_value=value)
                messages.append(delivery.render(
                    pool, client, user, attribute=name, destination=value,
                    source=triggers.MESSAGE_UPDATE_USER_ATTRIBUTE, code=code,
                    client_metadata=client_metadata))
                continue
            if value == "":
                user.attributes.pop(name, None)
                if name in CONTACTS:
                    user.attributes.pop(f"{name}_verified", None)
                continue
            user.attributes[name] = value
            if name in CONTACTS and changed:
                user.attributes[f"{name}_verified"] = "false"
                if name in pool.auto_verified_attributes and \
                        changes.get(f"{name}_verified") != "true":
                    code = codes.issue(user, CodePurpose.VERIFY_ATTRIBUTE, name)
                    messages.append(delivery.render(
                        pool, client, user, attribute=name,
                        source=triggers.MESSAGE_UPDATE_USER_ATTRIBUTE, code=code,
                        client_metadata=client_metadata))
        for flag, name in VERIFIED_FLAGS.items():
            if flag not in changes:
                continue
            if not user.attributes.get(name):
                user.attributes.pop(flag, None)
            elif changes[flag] == "true":
                mark_verified(user, name, force_alias=False)
            else:
                user.attributes[flag] = "false"
        save_user(user)
    for message in messages:
        delivery.send(pool, message)
    return [m.details() for m in messages]


def delete_user_attributes(user: PoolUser, names: Iterable[object], *,
                           client: AppClient | None = None, admin: bool = False) -> None:
    """Delete attributes; required, immutable and system attributes cannot go."""
    pool = user.pool
    if not admin:
        require_enabled(user)
    names = list(names)
    if not all(isinstance(n, str) for n in names):
        raise InvalidParameterException("UserAttributeNames must be a list of names.")
    if not names:  # nothing to delete, as for UpdateUserAttributes' empty list
        return
    validate_write(pool, {str(n): "" for n in names}, client=client, admin=admin)
    required = set(required_attributes(pool))
    for name in names:
        if name in required:
            raise InvalidParameterException(
                f"Attributes did not conform to the schema: {name}: The attribute is required")
        if name in pool.username_attributes:
            raise InvalidParameterException(f"Cannot delete {name}: it is the username.")
    with transaction.atomic():
        for name in names:
            user.attributes.pop(str(name), None)
            if name in CONTACTS:
                user.attributes.pop(f"{name}_verified", None)
        save_user(user)


def get_user_attribute_verification_code(user: PoolUser, attribute: object, *,
                                         client: AppClient | None = None,
                                         client_metadata: Mapping[str, str] | None = None
                                         ) -> dict[str, str]:
    """Send a code that verifies ``email`` or ``phone_number``; returns CodeDeliveryDetails."""
    client_metadata = string_map(client_metadata)
    require_enabled(user)
    if attribute not in CONTACTS:
        raise InvalidParameterException("Invalid attribute name: only email and phone_number "
                                        "can be verified.")
    attribute = str(attribute)
    pending = codes.outstanding(user, CodePurpose.VERIFY_ATTRIBUTE, attribute)
    value = (pending.pending_value if pending else "") or user.attributes.get(attribute)
    if not value:
        raise InvalidParameterException(f"The user has no {attribute} to verify.")
    limits.hit("GetUserAttributeVerificationCode", user)
    with transaction.atomic():
        code = codes.issue(user, CodePurpose.VERIFY_ATTRIBUTE, attribute,
                           pending_value=pending.pending_value if pending else "")
        message = delivery.render(user.pool, client, user, attribute=attribute,
                                  destination=value, source=triggers.MESSAGE_VERIFY_USER_ATTRIBUTE,
                                  code=code, client_metadata=client_metadata)
    delivery.send(user.pool, message)
    return message.details()


def verify_user_attribute(user: PoolUser, attribute: object, code: object) -> None:
    """Verify ``email``/``phone_number`` with a code; a pending new value takes effect."""
    require_enabled(user)
    if attribute not in CONTACTS:
        raise InvalidParameterException("Invalid attribute name: only email and phone_number "
                                        "can be verified.")
    attribute = str(attribute)
    limits.hit("VerifyUserAttribute", user)
    record = codes.consume(user, CodePurpose.VERIFY_ATTRIBUTE, code, attribute)
    with transaction.atomic():
        if record.pending_value:
            user.attributes[attribute] = record.pending_value
        user.attributes[f"{attribute}_verified"] = "true"
        claim_alias(user, attribute, force=False)
        save_user(user)
        record.delete()
