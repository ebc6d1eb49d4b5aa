"""Forgotten, changed and administratively reset passwords (reference §1.8, §2.6)."""

from __future__ import annotations

from collections.abc import Mapping

from django.db import transaction

from ..exceptions import (
    InvalidParameterException,
    NotAuthorizedException,
    UserNotFoundException,
)
from ..models import AppClient, CodePurpose, PoolUser, UserPool, UserStatus
from . import background, codes, delivery, limits, passwords, tokens, triggers
from . import simulated as hidden
from .clients import check_secret_hash
from .migration import migrate_on_forgot_password
from .schema import string_map
from .signup import post_confirmation, simulated_delivery
from .users import find_user, require_enabled, save_user

NO_RECOVERY_CONTACT = ("Cannot reset password for the user as there is no registered/verified "
                       "email or phone_number")


def recovery_attribute(user: PoolUser) -> str | None:
    """The verified contact a reset code goes to, per AccountRecoverySetting (legacy: SMS first)."""
    setting = user.pool.account_recovery_setting.get("RecoveryMechanisms")
    excluded: set[str] = set()
    if setting:
        order = [m["Name"] for m in sorted(setting, key=lambda m: m.get("Priority", 0))]
        # With AccountRecoverySetting, a contact that is also the user's MFA factor does not
        # qualify: one stolen phone or mailbox must not both reset and pass MFA (§2.5).
        excluded = mfa_contacts(user)
    else:
        order = ["verified_phone_number", "verified_email"]
    for name in order:
        if name == "admin_only":
            return None
        attribute = name.removeprefix("verified_")
        if attribute in excluded:
            continue
        if user.attributes.get(attribute) and user.is_verified(attribute):
            return attribute
    return None


def recovery_channel(pool: UserPool) -> str | None:
    """The attribute a reset code goes to first in ``pool``, for a user who has them all."""
    setting = pool.account_recovery_setting.get("RecoveryMechanisms")
    if not setting:
        return "phone_number" if "phone_number" in pool.auto_verified_attributes else "email"
    first = min(setting, key=lambda m: m.get("Priority", 0))["Name"]
    return None if first == "admin_only" else first.removeprefix("verified_")


def mfa_contacts(user: PoolUser) -> set[str]:
    """The contact attributes that carry one of the user's enabled MFA factors."""
    from .mfa import EMAIL, SMS, enabled_for

    factors = enabled_for(user)
    return ({"phone_number"} if SMS in factors else set()) | \
        ({"email"} if EMAIL in factors else set())


def send_reset_code(client: AppClient | None, user: PoolUser,
                    client_metadata: Mapping[str, str] | None = None) -> delivery.Message:
    """Issue and render a forgot-password code (caller sends it after committing)."""
    client_metadata = string_map(client_metadata)
    attribute = recovery_attribute(user)
    if attribute is None:
        raise InvalidParameterException(NO_RECOVERY_CONTACT)
    code = codes.issue(user, CodePurpose.FORGOT_PASSWORD, attribute)
    return delivery.render(user.pool, client, user, attribute=attribute,
                           source=triggers.MESSAGE_FORGOT_PASSWORD, code=code,
                           client_metadata=client_metadata)


@hidden.even_answer
def forgot_password(client: AppClient, username: object, *,
                    client_metadata: Mapping[str, str] | None = None,
                    secret_hash: object = None) -> dict[str, str]:
    """Send a password-reset code to the user's recovery contact; returns CodeDeliveryDetails."""
    client_metadata = string_map(client_metadata)
    pool = client.pool
    check_secret_hash(client, username, secret_hash)
    user = find_user(pool, username)
    if user is None and isinstance(username, str):
        user = migrate_on_forgot_password(client, username, client_metadata)
    simulated = simulated_delivery(client, username, recovery_channel(pool))
    if simulated and (user is None or not user.enabled or recovery_attribute(user) is None
                      or user.status == UserStatus.FORCE_CHANGE_PASSWORD):
        # Held to the same hourly cap as a real user, and with a code "outstanding" that
        # ConfirmForgotPassword answers as it would a real one.
        hidden.limit("ForgotPassword", pool, username)
        hidden.code_sent(pool, str(username), CodePurpose.FORGOT_PASSWORD,
                         codes.LIFETIMES[CodePurpose.FORGOT_PASSWORD])
        return simulated
    if user is None:
        raise UserNotFoundException()
    require_enabled(user)
    if user.status == UserStatus.FORCE_CHANGE_PASSWORD:
        # Cognito refuses: a reset code would let the user skip the temporary-password
        # challenge (NEW_PASSWORD_REQUIRED) that an administrator asked for.
        raise NotAuthorizedException("User password cannot be reset in the current state.")
    limits.hit("ForgotPassword", user)
    with transaction.atomic():
        message = send_reset_code(client, user, client_metadata)
    # Hiding who exists, the answer must not wait for the message.
    background.send(pool, message, after_answer=bool(simulated))
    return message.details()


@hidden.even_answer
def confirm_forgot_password(client: AppClient, username: object, code: object,
                            password: object, *,
                            client_metadata: Mapping[str, str] | None = None,
                            secret_hash: object = None) -> PoolUser:
    """Set a new password with a reset code; the user becomes CONFIRMED."""
    client_metadata = string_map(client_metadata)
    pool = client.pool
    check_secret_hash(client, username, secret_hash)
    user = find_user(pool, username)
    purpose = CodePurpose.FORGOT_PASSWORD
    if client.prevents_user_existence_errors and isinstance(username, str) and (
            user is None or not user.enabled or (codes.outstanding(user, purpose) is None
                                                 and hidden.has_code(pool, username, purpose))):
        # No code went to a real, enabled user: answered as one would be (§2.6: mismatch
        # while a "sent" code is outstanding, expired otherwise), under the same cap.
        hidden.limit("ConfirmForgotPassword", pool, username)
        hidden.answer_code(pool, username, purpose)
    if user is None:
        raise UserNotFoundException()
    require_enabled(user)
    limits.hit("ConfirmForgotPassword", user)
    # The code first: the policy and history checks must tell nothing (the history includes
    # the current password) to a caller who has not proven the code. A right code followed by
    # a refused password stays outstanding for the next try.
    record = codes.consume(user, CodePurpose.FORGOT_PASSWORD, code)
    password = passwords.check_policy(pool, password)
    passwords.check_history(user, password)
    with transaction.atomic():
        passwords.set_password(user, password, check_policy_first=False)
        user.status = UserStatus.CONFIRMED
        save_user(user)
        passwords.record_history(user)
        record.delete()
    tokens.password_changed(user)
    post_confirmation(client, user, triggers.POST_CONFIRMATION_FORGOT_PASSWORD, client_metadata)
    return user


def change_password(user: PoolUser, previous: object, proposed: object, *,
                    session: object = None) -> None:
    """Change a signed-in user's password after checking the previous one; ``session`` is
    the ``origin_jti`` of the access token that asked, whose family survives."""
    require_enabled(user)
    limits.hit("ChangePassword", user)
    if not isinstance(previous, str) or not passwords.verify(user, previous):
        raise NotAuthorizedException("Incorrect username or password.")
    proposed = passwords.check_policy(user.pool, proposed)
    with transaction.atomic():
        passwords.set_password(user, proposed, check_policy_first=False)
        save_user(user, passwords.PASSWORD_FIELDS)
        passwords.record_history(user)
    tokens.password_changed(user, keep=session)


def admin_reset_user_password(user: PoolUser, *,
                              client_metadata: Mapping[str, str] | None = None) -> None:
    """Require a reset: status RESET_REQUIRED and a code to the recovery contact."""
    client_metadata = string_map(client_metadata)
    if user.status == UserStatus.EXTERNAL_PROVIDER:
        raise NotAuthorizedException("Cannot reset the password of a federated user.")
    with transaction.atomic():
        message = send_reset_code(None, user, client_metadata)
        user.status = UserStatus.RESET_REQUIRED
        save_user(user, ["status"])
    tokens.password_changed(user)
    delivery.send(user.pool, message)
