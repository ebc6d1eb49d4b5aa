"""USER_AUTH: choice-based sign-in (reference §1.4, §1.5).

The first factor is the user's choice among what the pool's sign-in policy
(``Policies.SignInPolicy.AllowedFirstAuthFactors``, default ``PASSWORD``) and the user's
verified contacts allow: ``PASSWORD`` (with ``PASSWORD``), ``PASSWORD_SRP`` (with ``SRP_A``,
then the usual PASSWORD_VERIFIER step), or a one-time code by email (``EMAIL_OTP``) or SMS
(``SMS_OTP``). ``PREFERRED_CHALLENGE`` picks one up front; without it, or when it is not
available, the answer is ``SELECT_CHALLENGE`` with ``AvailableChallenges``, answered with
``ANSWER`` (and ``PASSWORD`` or ``SRP_A``).

A password, by either route, goes on to MFA as any password sign-in does. A one-time code is a
passwordless sign-in: tokens follow it directly. Codes use the MFA message templates (or the
custom message trigger, ``CustomMessage_Authentication``), live as long as the session and
take three wrong answers.

Under PreventUserExistenceErrors an unknown or disabled user is walked through the same
steps: every factor the pool allows is offered, a code "goes" to a stable fake destination,
and every answer fails as a wrong one would.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

from django.core.cache import caches

from ..conf import app_settings
from ..exceptions import (
    CodeMismatchException,
    InvalidParameterException,
    NotAuthorizedException,
    UserNotFoundException,
)
from ..models import AppClient, PoolUser, UserPool
from . import auth, mfa, sessions, simulated, srp_auth
from .clients import check_secret_hash
from .pool_config import settings_of
from .users import find_user

SELECT = "SELECT_CHALLENGE"
# SignUp's Session, presented to ConfirmSignUp; ConfirmSignUp's, presented to InitiateAuth.
SIGNED_UP = "SIGNED_UP"
CONFIRMED = "SIGN_IN_AFTER_CONFIRMATION"
CODE_CHALLENGES = {"EMAIL_OTP": "email", "SMS_OTP": "phone_number"}
FIRST_FACTORS = ("PASSWORD", "PASSWORD_SRP", *CODE_CHALLENGES)
SOURCE = "TokenGeneration_Authentication"


def allowed_first_factors(pool: UserPool) -> list[str]:
    """The pool's ``SignInPolicy.AllowedFirstAuthFactors`` (``PASSWORD`` when unset)."""
    policy = settings_of(pool).extra.get("SignInPolicy") or {}
    factors = policy.get("AllowedFirstAuthFactors") if isinstance(policy, Mapping) else None
    return list(factors) if isinstance(factors, list) and factors else ["PASSWORD"]


def available_challenges(pool: UserPool, user: PoolUser | None) -> list[str]:
    """The first factors ``user`` may choose (for ``None``, all the pool allows)."""
    allowed = allowed_first_factors(pool)
    available = ["PASSWORD", "PASSWORD_SRP"] if "PASSWORD" in allowed else []
    for challenge, attribute in CODE_CHALLENGES.items():
        if challenge in allowed and (user is None or (
                user.attr(attribute) and user.is_verified(attribute))):
            available.append(challenge)
    return available


def offers_sign_in_after_sign_up(client: AppClient) -> bool:
    """Whether SignUp and ConfirmSignUp hand out Sessions that sign the user in (USER_AUTH)."""
    return "ALLOW_USER_AUTH" in client.explicit_auth_flows


def session_after_sign_up(client: AppClient, user: PoolUser) -> str | None:
    """SignUp's Session, for ConfirmSignUp to turn into a sign-in (None: not offered)."""
    if not offers_sign_in_after_sign_up(client):
        return None
    return sessions.issue(client, user.pk, SIGNED_UP, user.username)


def check_sign_up_session(client: AppClient, user: PoolUser, session: object) -> None:
    """ConfirmSignUp's Session must be the one SignUp gave this user (checked before any
    change, so a wrong one confirms nothing)."""
    if session is None:
        return
    if not offers_sign_in_after_sign_up(client):
        raise InvalidParameterException("USER_AUTH flow not enabled for this client")
    if sessions.read(client, session, SIGNED_UP).user_id != user.pk:
        raise NotAuthorizedException(mfa.INVALID_SESSION)


def session_after_confirmation(client: AppClient, user: PoolUser) -> str:
    """A single-use Session with which InitiateAuth(USER_AUTH) signs the user in: the
    confirmation code just proved the contact."""
    result = mfa.issue_challenge(client, user, CONFIRMED, SOURCE, {})
    assert result.session is not None  # noqa: S101 (issue_challenge always names one)
    return result.session


def initiate(client: AppClient, params: Mapping[str, str], *, admin: bool,
             client_metadata: dict[str, str], session: object = None) -> auth.AuthResult:
    """InitiateAuth / AdminInitiateAuth with ``AuthFlow=USER_AUTH`` (and ConfirmSignUp's
    ``Session``, which signs the user in without a further factor)."""
    username = auth.required(params, "USERNAME")
    check_secret_hash(client, username, params.get("SECRET_HASH"))
    if session is not None:
        confirmed, record, _ = mfa.open_challenge(client, dict(params), session, CONFIRMED)
        mfa.spend_challenge(record)
        return after_code(client, confirmed, client_metadata)
    preferred = params.get("PREFERRED_CHALLENGE")
    if preferred is not None and preferred not in (*FIRST_FACTORS, "WEB_AUTHN"):
        raise InvalidParameterException(f"Invalid PREFERRED_CHALLENGE {preferred[:32]}")
    user = find_user(client.pool, username)
    if preferred == "PASSWORD" and params.get("PASSWORD"):
        # As USER_PASSWORD_AUTH: user migration, lockout and the unknown-user answers.
        return auth.password_first_factor(client, username, params["PASSWORD"],
                                          client_metadata)
    if user is None and not client.prevents_user_existence_errors:
        raise UserNotFoundException("User does not exist.")
    if user is not None and not user.enabled and not client.prevents_user_existence_errors:
        raise NotAuthorizedException("User is disabled.")
    hidden = user is None or not user.enabled
    available = available_challenges(client.pool, None if hidden else user)
    if preferred in available:
        return _start(client, None if hidden else user, username, preferred, params, admin,
                      client_metadata)
    if hidden or user is None:
        session = sessions.issue(client, 0, SELECT, username, fake=1, o=available)
        return auth.AuthResult(challenge_name=SELECT, session=session,
                               available_challenges=available)
    result = mfa.issue_challenge(client, user, SELECT, SOURCE, {}, o=available)
    result.available_challenges = available
    return result


def _start(client: AppClient, user: PoolUser | None, username: str, challenge: str,
           params: Mapping[str, str], admin: bool, metadata: dict[str, str]
           ) -> auth.AuthResult:
    """Begin the chosen first factor (``user`` is ``None`` for a hidden one)."""
    if challenge == "PASSWORD":
        return auth.password_first_factor(client, username, auth.required(params, "PASSWORD"),
                                          metadata)
    if challenge == "PASSWORD_SRP":
        srp_params = {"USERNAME": username, "SRP_A": auth.required(params, "SRP_A")}
        if params.get("SECRET_HASH"):
            srp_params["SECRET_HASH"] = params["SECRET_HASH"]
        return srp_auth.start(client, srp_params, admin=admin, client_metadata=metadata)
    attribute = CODE_CHALLENGES[challenge]
    if user is None:
        details = simulated.code_delivery_details(client.pool, username, attribute)
        session = sessions.issue(client, 0, challenge, username, fake=1)
        return auth.AuthResult(challenge_name=challenge, session=session, challenge_parameters={
            "CODE_DELIVERY_DELIVERY_MEDIUM": details["DeliveryMedium"],
            "CODE_DELIVERY_DESTINATION": details["Destination"]})
    return mfa.send_code_challenge(client, user, challenge, attribute, SOURCE, metadata,
                                   first_factor=True)


@auth.challenge_handler(SELECT)
def _answer_select(client: AppClient, answers: dict[str, str], session: object,
                   metadata: dict[str, str], admin: bool) -> auth.AuthResult:
    username = auth.required(answers, "USERNAME")
    check_secret_hash(client, username, answers.get("SECRET_HASH"))
    state = sessions.read(client, session, SELECT)
    choice = answers.get("ANSWER")
    offered = state.data.get("o") or []
    if choice not in offered:
        raise InvalidParameterException(f"ANSWER must be one of {', '.join(offered)}")
    if state.data.get("fake"):
        if username != state.username:
            raise NotAuthorizedException(mfa.INVALID_SESSION)
        return _start(client, None, username, str(choice), answers, admin, metadata)
    user, record, _ = mfa.open_challenge(client, answers, session, SELECT)
    mfa.spend_challenge(record)
    return _start(client, user, username, str(choice), answers, admin, metadata)


def answer_hidden_code(session: str) -> None:
    """A code sent nowhere is always wrong: CodeMismatchException, and after three wrong
    answers the session is spent, as for a real one."""
    cache = caches[app_settings.CACHE_ALIAS]
    key = "cognito:hidden-code:" + hashlib.sha256(session.encode()).hexdigest()
    cache.add(key, 0, timeout=15 * 60)
    try:
        wrong = cache.incr(key)
    except ValueError:  # expired between add and incr
        wrong = 1
    if wrong > mfa.MAX_ATTEMPTS:
        raise NotAuthorizedException(mfa.INVALID_SESSION)
    raise CodeMismatchException(mfa.WRONG_CODE)


def after_code(client: AppClient, user: PoolUser, metadata: dict[str, str]) -> auth.AuthResult:
    """A one-time code proved the first factor: the status checks, then tokens (no MFA)."""
    return auth.after_password(client, user, metadata, second_factor=False)
