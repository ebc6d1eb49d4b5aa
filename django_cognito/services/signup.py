"""Sign-up, confirmation codes and their re-sending (reference §1.8, §2.1)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from .. import signals
from ..exceptions import (
    CodeMismatchException,
    ExpiredCodeException,
    InvalidParameterException,
    NotAuthorizedException,
    UserNotFoundException,
)
from ..models import AppClient, CodePurpose, PoolUser, UserPool, UserStatus
from . import background, codes, delivery, limits, passwords, triggers
from . import simulated as hidden
from .clients import check_secret_hash
from .schema import parse_attribute_list, required_attributes, string_map, validate_write
from .signin.choice import check_sign_up_session
from .users import (
    find_user,
    get_user,
    insert_user,
    mark_verified,
    new_user,
    require_enabled,
    save_user,
)


@dataclass
class SignUpResult:
    """What SignUp returns: the user, whether it is confirmed and where the code went."""

    user: PoolUser
    confirmed: bool
    code_delivery: dict[str, str] | None = None
    messages: list[delivery.Message] = field(default_factory=list)


NO_AUTO_VERIFICATION = "Cannot resend codes. Auto verification not turned on."


def delivery_attribute(user: PoolUser) -> str | None:
    """The auto-verified attribute a sign-up code goes to (SMS wins when both are set)."""
    verified = user.pool.auto_verified_attributes
    for name in ("phone_number", "email"):
        if name in verified and user.attributes.get(name) and not user.is_verified(name):
            return name
    return None


def sign_up(client: AppClient, username: object, password: object,
            attributes: Any = None, *, validation_data: Any = None,
            client_metadata: Mapping[str, str] | None = None,
            secret_hash: object = None) -> SignUpResult:
    """Register a user: UNCONFIRMED with a code sent, or confirmed by the pre sign-up trigger."""
    client_metadata = string_map(client_metadata)
    pool = client.pool
    check_secret_hash(client, username, secret_hash)
    if pool.admin_create_user_only:
        raise NotAuthorizedException("SignUp is not permitted for this user pool")
    attrs = parse_attribute_list(attributes)
    validate_write(pool, attrs, client=client, creating=True)
    password = passwords.check_policy(pool, password)
    user = new_user(pool, username, attrs)
    missing = [name for name in required_attributes(pool) if not user.attributes.get(name)]
    if missing:
        raise InvalidParameterException(
            f"Attributes did not conform to the schema: {missing[0]}: The attribute is required")
    metadata = string_map(client_metadata)
    with transaction.atomic():
        passwords.set_password(user, password, check_policy_first=False)
        response = run_pre_sign_up(client, user, triggers.PRE_SIGN_UP_SIGN_UP, validation_data,
                                   metadata)
        auto_confirm = bool(response.get("autoConfirmUser"))
        if response.get("autoVerifyEmail") and user.attributes.get("email"):
            mark_verified(user, "email", force_alias=True)
        if response.get("autoVerifyPhone") and user.attributes.get("phone_number"):
            mark_verified(user, "phone_number", force_alias=True)
        user.status = UserStatus.CONFIRMED if auto_confirm else UserStatus.UNCONFIRMED
        insert_user(user)
        passwords.record_history(user)
        result = SignUpResult(user=user, confirmed=auto_confirm)
        attribute = None if auto_confirm else delivery_attribute(user)
        if attribute:
            code = codes.issue(user, CodePurpose.SIGN_UP, attribute)
            message = delivery.render(pool, client, user, attribute=attribute,
                                      source=triggers.MESSAGE_SIGN_UP, code=code,
                                      client_metadata=metadata)
            result.messages.append(message)
            result.code_delivery = message.details()
    for message in result.messages:
        delivery.send(pool, message)
    if auto_confirm:
        post_confirmation(client, user, triggers.POST_CONFIRMATION_SIGN_UP, metadata)
    return result


def run_pre_sign_up(client: AppClient | None, user: PoolUser, source: str,
                    validation_data: Any, metadata: dict[str, str]) -> dict[str, Any]:
    """Run the pre sign-up trigger (SignUp, AdminCreateUser); its validated response."""
    # Parsed even without receivers: a malformed ValidationData is refused either way.
    validation = dict(parse_attribute_list(validation_data))
    if not triggers.has_receivers(signals.pre_sign_up, user.pool):
        return {}
    request = {"userAttributes": triggers.user_attributes(user),
               "validationData": validation,
               "clientMetadata": metadata}
    event = triggers.build_event(user.pool, client, source, user.username, request,
                                 {"autoConfirmUser": False, "autoVerifyEmail": False,
                                  "autoVerifyPhone": False})
    response: dict[str, Any] = triggers.send(signals.pre_sign_up, event, user.pool,
                                             client)["response"]
    return response


def post_confirmation(client: AppClient | None, user: PoolUser, source: str,
                      metadata: Mapping[str, str] | None = None) -> None:
    """Fire the post confirmation trigger after the state change has been committed."""
    if not triggers.has_receivers(signals.post_confirmation, user.pool):
        return
    request = {"userAttributes": triggers.user_attributes(user),
               "clientMetadata": string_map(metadata)}
    event = triggers.build_event(user.pool, client, source, user.username, request, {})
    triggers.send(signals.post_confirmation, event, user.pool, client)


@hidden.even_answer
def confirm_sign_up(client: AppClient, username: object, code: object, *,
                    force_alias_creation: bool = False,
                    client_metadata: Mapping[str, str] | None = None,
                    secret_hash: object = None, session: object = None) -> PoolUser:
    """Confirm a user with the code sent at sign-up; the code's attribute becomes verified.

    ``session``: SignUp's Session (USER_AUTH clients), checked before anything changes.
    """
    client_metadata = string_map(client_metadata)
    pool = client.pool
    check_secret_hash(client, username, secret_hash)
    user = find_user(pool, username)
    hiding = client.prevents_user_existence_errors
    if user is None and not hiding:
        raise UserNotFoundException()
    lifetime = codes.LIFETIMES[CodePurpose.SIGN_UP]
    if user is None or (hiding and user.status != UserStatus.UNCONFIRMED):
        # Someone not there, or already confirmed, is answered as an unconfirmed user with a
        # code outstanding would be: a mismatch, expired after the attempts a code takes.
        hidden.limit("ConfirmSignUp", pool, username)
        hidden.answer_code(pool, str(username), CodePurpose.SIGN_UP, sent_for=lifetime)
    limits.hit("ConfirmSignUp", user)
    if user.status != UserStatus.UNCONFIRMED:
        raise NotAuthorizedException(
            f"User cannot be confirmed. Current status is {user.status}")
    check_sign_up_session(client, user, session)
    try:
        record = codes.consume(user, CodePurpose.SIGN_UP, code)
    except (CodeMismatchException, ExpiredCodeException):
        if not hiding:
            raise
        # The real code still counts its attempts, but the answer is the one a name that is
        # not there gets: the two cannot drift apart (an expired code, a spent one).
        hidden.answer_code(pool, str(username), CodePurpose.SIGN_UP, sent_for=lifetime)
    with transaction.atomic():
        if record.attribute:
            mark_verified(user, record.attribute, force_alias=force_alias_creation)
        user.status = UserStatus.CONFIRMED
        save_user(user)
        record.delete()
    post_confirmation(client, user, triggers.POST_CONFIRMATION_SIGN_UP, client_metadata)
    return user


@hidden.even_answer
def resend_confirmation_code(client: AppClient, username: object, *,
                             client_metadata: Mapping[str, str] | None = None,
                             secret_hash: object = None) -> dict[str, str]:
    """Send a fresh sign-up code; returns CodeDeliveryDetails."""
    client_metadata = string_map(client_metadata)
    pool = client.pool
    check_secret_hash(client, username, secret_hash)
    user = find_user(pool, username)
    channel = sign_up_channel(pool)
    simulated = simulated_delivery(client, username, channel)
    if simulated and channel is None:
        raise InvalidParameterException(NO_AUTO_VERIFICATION)  # as for every user of the pool
    if simulated and (user is None or not user.enabled or user.status != UserStatus.UNCONFIRMED):
        # Someone not there (or confirmed) "gets" a new code, answered by ConfirmSignUp as a
        # real one would be, under the same hourly cap.
        hidden.limit("ResendConfirmationCode", pool, username)
        hidden.code_sent(pool, str(username), CodePurpose.SIGN_UP,
                         codes.LIFETIMES[CodePurpose.SIGN_UP])
        return simulated
    if user is None:
        raise UserNotFoundException()
    require_enabled(user)
    limits.hit("ResendConfirmationCode", user)
    if user.status != UserStatus.UNCONFIRMED:
        raise InvalidParameterException("User is already confirmed.")
    attribute = delivery_attribute(user)
    if attribute is None:
        raise InvalidParameterException(NO_AUTO_VERIFICATION)
    if simulated:  # a new code: its wrong answers count afresh, as a hidden name's would
        hidden.code_sent(pool, str(username), CodePurpose.SIGN_UP,
                         codes.LIFETIMES[CodePurpose.SIGN_UP])
    with transaction.atomic():
        code = codes.issue(user, CodePurpose.SIGN_UP, attribute)
        message = delivery.render(pool, client, user, attribute=attribute,
                                  source=triggers.MESSAGE_RESEND_CODE, code=code,
                                  client_metadata=client_metadata)
    # Hiding who exists, the answer must not wait for the message.
    background.send(pool, message, after_answer=bool(simulated))
    return message.details()


def simulated_delivery(client: AppClient, username: object,
                       attribute: str | None) -> dict[str, str] | None:
    """CodeDeliveryDetails for a user who gets no code under PreventUserExistenceErrors, as
    if one had gone to ``attribute`` (the channel a real user's code would take), stable per
    username; ``None`` when the client reveals that the user does not exist."""
    if not client.prevents_user_existence_errors:
        return None
    return hidden.code_delivery_details(client.pool, username, attribute or "email")


def sign_up_channel(pool: UserPool) -> str | None:
    """The attribute a sign-up code goes to in ``pool`` (SMS first), as ``delivery_attribute``
    chooses for a user who has both."""
    return next((name for name in ("phone_number", "email")
                 if name in pool.auto_verified_attributes), None)


def admin_confirm_sign_up(user: PoolUser, *,
                          client_metadata: Mapping[str, str] | None = None) -> PoolUser:
    """Confirm an UNCONFIRMED user without a code (AdminConfirmSignUp)."""
    client_metadata = string_map(client_metadata)
    if user.status != UserStatus.UNCONFIRMED:
        raise NotAuthorizedException(
            f"User cannot be confirmed. Current status is {user.status}")
    user.status = UserStatus.CONFIRMED
    save_user(user, ["status"])
    post_confirmation(None, user, triggers.POST_CONFIRMATION_SIGN_UP, client_metadata)
    return user


__all__ = ["SignUpResult", "admin_confirm_sign_up", "confirm_sign_up", "get_user",
           "resend_confirmation_code", "sign_up"]
