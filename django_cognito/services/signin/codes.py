"""One-time codes sent during a sign-in: SMS_MFA and EMAIL_OTP as a second factor, USER_AUTH's
EMAIL_OTP and SMS_OTP as a passwordless first factor (reference §1.5).

A code lives as long as the Session (AuthSessionValidity), is stored hashed in the challenge
store and takes three wrong answers. Under PreventUserExistenceErrors someone who is not there
is "sent" a code to a stable fake destination, and every answer is wrong, as a real one's
wrong answer is.
"""

from __future__ import annotations

import hashlib
from typing import NoReturn

from ... import signals
from ...crypto import secrets as cs
from ...exceptions import (
    AliasExistsException,
    CodeMismatchException,
    NotAuthorizedException,
    TooManyRequestsException,
)
from ...models import PoolUser, UserPool
from .. import background, delivery, limits, lockout, simulated, triggers
from ..clients import check_secret_hash
from ..mfa import SMS
from ..pool_config import mfa_config
from ..users import find_user, mark_verified, save_user
from . import challenges, sessions, srp
from .results import INVALID_SESSION, WRONG_CODE, AuthResult, Proceed, SignIn

#: The ChallengeResponses member that carries each challenge's code.
CODE_MEMBERS = {"SMS_MFA": "SMS_MFA_CODE", "EMAIL_OTP": "EMAIL_OTP_CODE",
                "SMS_OTP": "SMS_OTP_CODE"}
#: RATE_LIMITS entry: one-time codes sent to a user per hour.
SIGN_IN_CODE = "SignInCode"
DEFAULT_SMS_MESSAGE = "Your authentication code is {####}. "
DEFAULT_EMAIL_MESSAGE = "Your authentication code is {####}."
DEFAULT_EMAIL_SUBJECT = "Your authentication code"


def send(signin: SignIn, challenge: str, attribute: str, *, first_factor: bool = False
         ) -> AuthResult:
    """Send a one-time code to the user's ``attribute`` and return ``challenge``."""
    signin.answering_client(challenge)
    user = signin.found()
    # Each code is a message someone pays for and three more guesses: a cap per user.
    limits.hit(SIGN_IN_CODE, user, error=TooManyRequestsException)
    code = cs.new_code()
    # A first factor's message sees this call's ClientMetadata, as pre authentication does.
    metadata = signin.metadata if first_factor else signin.later_metadata
    message = _render(signin, user, attribute, code, metadata)
    data = {"first": 1} if first_factor else {}
    result = challenges.issue(signin, challenge, {
        "CODE_DELIVERY_DELIVERY_MEDIUM": message.medium,
        "CODE_DELIVERY_DESTINATION": delivery.mask(message.medium, message.destination)},
        code=code, **data)
    # A passwordless code goes to a real user or nowhere: that answer must not wait for it.
    background.send(signin.pool, message, after_answer=first_factor and signin.hides_users)
    return result


def _render(signin: SignIn, user: PoolUser, attribute: str, code: str,
            metadata: dict[str, str]) -> delivery.Message:
    """The code message: the custom message trigger first, else the pool's MFA texts."""
    pool, client = signin.pool, signin.client
    if triggers.has_receivers(signals.custom_message, pool):
        return delivery.render(pool, client, user, attribute=attribute, code=code,
                               source=triggers.MESSAGE_AUTHENTICATION, client_metadata=metadata)
    config = mfa_config(pool)
    if attribute == "email":
        email = config.get("EmailMfaConfiguration") or {}
        body, subject = (email.get("Message") or DEFAULT_EMAIL_MESSAGE,
                         email.get("Subject") or DEFAULT_EMAIL_SUBJECT)
    else:
        sms = config.get("SmsMfaConfiguration") or {}
        body = (sms.get("SmsAuthenticationMessage") or pool.sms_authentication_message
                or DEFAULT_SMS_MESSAGE)
        subject = ""
    return delivery.Message(
        medium="EMAIL" if attribute == "email" else "SMS", attribute=attribute,
        destination=user.attr(attribute) or "", subject=subject,
        body=body.replace(delivery.CODE_PLACEHOLDER, code),
        purpose=triggers.MESSAGE_AUTHENTICATION, code=code, user=user, client=client,
        client_metadata=metadata)


def answer(challenge: str, signin: SignIn) -> Proceed:
    """RespondToAuthChallenge with a code: a second factor, or a passwordless first one."""
    client = signin.answering_client(challenge)
    code = signin.require(CODE_MEMBERS[challenge])
    if sessions.read(client, signin.session, challenge).user_id == 0:
        # USER_AUTH's code "sent" to an unknown or disabled user (PreventUserExistenceErrors).
        _answer_hidden(signin, challenge)
    user, record, state = challenges.open_answer(signin, challenge)
    first = bool(state.data.get("first"))
    # A passwordless first factor (USER_AUTH) is guarded as a password is; a second factor
    # by a lock of its own, which a correct password does not reset.
    (lockout.check if first else lockout.check_second_factor)(user)
    challenges.reserve_attempt(record)
    if not cs.check_code(code[:16], record.salt, record.code_hash):
        (lockout.failed if first else lockout.failed_second_factor)(user)
        raise CodeMismatchException(WRONG_CODE)
    challenges.spend(record)
    if first:  # no MFA after a passwordless first factor
        lockout.succeeded(user)
        signin.passwordless = True
        return Proceed(signin)
    lockout.second_factor_succeeded(user)
    if challenge == SMS and not user.is_verified("phone_number"):
        # The code reached the phone, which proves it (reference §1.8).
        try:
            mark_verified(user, "phone_number", force_alias=False)
            save_user(user, ["attributes"])
        except AliasExistsException:
            user.refresh_from_db()
    return Proceed(signin, after="mfa")


def _uses(session: str) -> int:
    """How often a hidden user's code Session has been answered, this time included (shared
    cache, for as long as any Session lives)."""
    return limits.count("cognito:hidden-code:" + hashlib.sha256(session.encode()).hexdigest(),
                        16 * 60)


def _answer_hidden(signin: SignIn, challenge: str) -> NoReturn:
    """A code sent nowhere is always wrong: CodeMismatchException, and after three wrong
    answers the session is spent, as for a real one."""
    client = signin.answering_client(challenge)
    username = signin.require("USERNAME")
    check_secret_hash(client, username, signin.presented.get("SECRET_HASH"))
    named = sessions.read(client, signin.session, challenge).username
    if not srp.shows_as(signin.pool, username, named):
        raise NotAuthorizedException(INVALID_SESSION)
    if _uses(str(signin.session)) > challenges.MAX_ATTEMPTS:
        raise NotAuthorizedException(INVALID_SESSION)
    lock_of(signin.pool, username, failed=True)
    raise CodeMismatchException(WRONG_CODE)


def lock_of(pool: UserPool, username: str, *, failed: bool = False, limit: str = "") -> None:
    """Check (and with ``failed``, count) the lockout of whoever ``username`` names: a real
    user's own, even a disabled one's, or the hidden name's; with ``limit``, count one more
    attempt of that RATE_LIMITS entry for them too."""
    user = find_user(pool, username)
    if user is not None:
        lockout.check(user)
        if limit:
            limits.hit(limit, user, error=TooManyRequestsException)
        if failed:
            lockout.failed(user)
        return
    lock = simulated.lock_id(pool, username)
    lockout.check_hidden(pool, lock)
    if limit:
        limits.hit_hidden(limit, pool, lock, error=TooManyRequestsException)
    if failed:
        lockout.failed_hidden(pool, lock)


def hidden_delivery(pool: UserPool, username: str, attribute: str) -> dict[str, str]:
    """CODE_DELIVERY parameters of a code "sent" to someone who is not there."""
    details = simulated.code_delivery_details(pool, username, attribute)
    return {"CODE_DELIVERY_DELIVERY_MEDIUM": details["DeliveryMedium"],
            "CODE_DELIVERY_DESTINATION": details["Destination"]}
