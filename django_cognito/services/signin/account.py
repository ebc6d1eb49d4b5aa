"""The account's own say in a sign-in: pre authentication, the status decision order and
NEW_PASSWORD_REQUIRED (reference §1.5: disabled, unconfirmed, reset required, force change
password, then the second factor)."""

from __future__ import annotations

import json

from django.db import transaction

from ... import signals
from ...clock import now
from ...exceptions import (
    InvalidParameterException,
    NotAuthorizedException,
    PasswordResetRequiredException,
    UserNotConfirmedException,
)
from ...models import PoolUser, UserStatus
from .. import passwords, triggers
from ..schema import parse_attribute_list, required_attributes, validate_write
from ..users import save_user
from . import challenges
from .results import INVALID_SESSION, WRONG_PASSWORD, AuthResult, Proceed, SignIn

NEW_PASSWORD_REQUIRED = "NEW_PASSWORD_REQUIRED"


def pre_authentication(signin: SignIn, user: PoolUser) -> None:
    """Run the pre authentication trigger with this call's ClientMetadata."""
    if not triggers.has_receivers(signals.pre_authentication, signin.pool):
        return
    request = {"userAttributes": triggers.user_attributes(user),
               "validationData": signin.metadata, "userNotFound": False}
    event = triggers.build_event(signin.pool, signin.client, triggers.PRE_AUTHENTICATION,
                                 user.username, request, {})
    triggers.send(signals.pre_authentication, event, signin.pool, signin.client)


def status_step(signin: SignIn) -> AuthResult | None:
    """The status decision order once the first factor is proven."""
    user = signin.found()
    if not user.enabled:
        raise NotAuthorizedException("User is disabled.")
    if user.status == UserStatus.UNCONFIRMED:
        raise UserNotConfirmedException("User is not confirmed.")
    if user.status == UserStatus.EXTERNAL_PROVIDER:
        # Federated users sign in only through their identity provider (reference §7), even
        # with a password an administrator set.
        raise NotAuthorizedException(WRONG_PASSWORD)
    if user.status == UserStatus.RESET_REQUIRED:
        if signin.hides_users:
            raise NotAuthorizedException(WRONG_PASSWORD)
        raise PasswordResetRequiredException("Password reset required for the user")
    if user.status == UserStatus.FORCE_CHANGE_PASSWORD:
        expiry = user.temporary_password_expires_at
        if expiry is not None and expiry <= now():
            raise NotAuthorizedException(
                "Temporary password has expired and must be reset by an administrator.")
        return _new_password_challenge(signin, user)
    return None


def _new_password_challenge(signin: SignIn, user: PoolUser) -> AuthResult:
    # Held in the challenge store, as MFA challenges are: only a Session the server issued
    # after the temporary password names it, and it answers once.
    attributes = {k: v for k, v in user.attributes.items() if not k.endswith("_verified")}
    missing = [f"userAttributes.{name}" for name in required_attributes(signin.pool)
               if not user.attributes.get(name)]
    return challenges.issue(signin, NEW_PASSWORD_REQUIRED, {
        "USER_ID_FOR_SRP": user.username, "requiredAttributes": json.dumps(missing),
        "userAttributes": json.dumps(attributes)})


def answer_new_password(signin: SignIn) -> Proceed:
    """RespondToAuthChallenge(NEW_PASSWORD_REQUIRED): set the password (and the attributes
    still missing), confirm the user, then go on to the second factor."""
    client = signin.answering_client(NEW_PASSWORD_REQUIRED)
    answers = signin.presented
    # The user the challenge was issued to, named by USERNAME, still enabled (a user disabled
    # since is refused before anything changes).
    user, record, _ = challenges.open_answer(signin, NEW_PASSWORD_REQUIRED)
    if user.status != UserStatus.FORCE_CHANGE_PASSWORD:
        raise NotAuthorizedException(INVALID_SESSION)
    new_password = passwords.check_policy(client.pool, signin.require("NEW_PASSWORD"))
    attrs = parse_attribute_list({k.removeprefix("userAttributes."): v
                                  for k, v in answers.items()
                                  if k.startswith("userAttributes.")})
    validate_write(client.pool, attrs, client=client,
                   unset={name for name in attrs if not user.attributes.get(name)})
    missing = [name for name in required_attributes(client.pool)
               if not (attrs.get(name) or user.attributes.get(name))]
    if missing:
        raise InvalidParameterException(
            f"Attributes did not conform to the schema: {missing[0]}: The attribute is required")
    with transaction.atomic():
        passwords.set_password(user, new_password, check_policy_first=False)
        changed = {k: v for k, v in attrs.items() if v != "" and user.attributes.get(k) != v}
        user.attributes.update(changed)
        for contact in ("email", "phone_number"):
            if contact in changed:  # the old address's proof does not verify a new one
                user.attributes[f"{contact}_verified"] = "false"
        user.status = UserStatus.CONFIRMED
        save_user(user)
        passwords.record_history(user)
        challenges.spend(record)  # one new password per challenge
    signin.user = user
    signin.source = triggers.TOKEN_NEW_PASSWORD_CHALLENGE
    return Proceed(signin, after="status")
