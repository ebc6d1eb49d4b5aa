"""USER_AUTH: choice-based sign-in (reference §1.4, §1.5).

The first factor is the user's choice among what the pool's sign-in policy
(``Policies.SignInPolicy.AllowedFirstAuthFactors``, default ``PASSWORD``) and the user's
verified contacts allow: ``PASSWORD`` (with ``PASSWORD``), ``PASSWORD_SRP`` (with ``SRP_A``,
then the usual PASSWORD_VERIFIER step), or a one-time code by email (``EMAIL_OTP``) or SMS
(``SMS_OTP``). ``PREFERRED_CHALLENGE`` picks one up front; without it, or when it is not
available, the answer is ``SELECT_CHALLENGE`` with ``AvailableChallenges``, answered with
``ANSWER`` (and ``PASSWORD`` or ``SRP_A``).

A password, by either route, goes on to MFA as any password sign-in does. A one-time code is a
passwordless sign-in: tokens follow it directly, so it is offered neither where the pool
requires MFA nor to a user who set MFA up. Codes use the MFA message templates (or the
custom message trigger, ``CustomMessage_Authentication``), live as long as the session and
take three wrong answers.

Under PreventUserExistenceErrors an unknown or disabled user is walked through the same
steps: every factor the pool allows is offered, a code "goes" to a stable fake destination,
and every answer fails as a wrong one would.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Mapping
from typing import Any

from django.core.cache import caches

from ..conf import app_settings
from ..exceptions import (
    CodeMismatchException,
    InvalidParameterException,
    NotAuthorizedException,
    UserNotFoundException,
)
from ..models import AppClient, PoolUser, UserPool
from . import auth, limits, lockout, mfa, sessions, simulated, srp_auth
from .clients import check_secret_hash
from .pool_config import settings_of
from .users import find_user, same_username

SELECT = "SELECT_CHALLENGE"
# SignUp's Session, presented to ConfirmSignUp; ConfirmSignUp's, presented to InitiateAuth.
SIGNED_UP = "SIGNED_UP"
CONFIRMED = "CONFIRMED_SIGN_IN"
CODE_CHALLENGES = {"EMAIL_OTP": "email", "SMS_OTP": "phone_number"}
FIRST_FACTORS = ("PASSWORD", "PASSWORD_SRP", *CODE_CHALLENGES)
SOURCE = "TokenGeneration_Authentication"


def allowed_first_factors(pool: UserPool) -> list[str]:
    """The pool's ``SignInPolicy.AllowedFirstAuthFactors`` (``PASSWORD`` when unset)."""
    policy = settings_of(pool).extra.get("SignInPolicy") or {}
    factors = policy.get("AllowedFirstAuthFactors") if isinstance(policy, Mapping) else None
    return list(factors) if isinstance(factors, list) and factors else ["PASSWORD"]


def available_challenges(pool: UserPool, user: PoolUser | None) -> list[str]:
    """The first factors ``user`` may choose (for ``None``, all the pool allows).

    A pool that requires MFA offers no passwordless factor: a code by itself would skip it.
    """
    allowed = allowed_first_factors(pool)
    available = ["PASSWORD", "PASSWORD_SRP"] if "PASSWORD" in allowed else []
    if pool.mfa_configuration == "ON":
        return available
    for challenge in CODE_CHALLENGES:
        if challenge in allowed and (user is None or _reachable(user, challenge)):
            available.append(challenge)
    return available


def _reachable(user: PoolUser, challenge: str) -> bool:
    """A code can be this user's first factor: a verified contact, and no MFA of their own
    (a code alone would skip it)."""
    attribute = CODE_CHALLENGES[challenge]
    if not user.attr(attribute) or not user.is_verified(attribute):
        return False
    return not mfa.enabled_for(user)


def _hidden_session(client: AppClient, challenge: str, username: str, **data: Any) -> str:
    """A Session for someone PreventUserExistenceErrors hides: user 0, and the same fields
    as a real one of ``challenge`` (its length tells nothing either)."""
    return sessions.issue(client, 0, challenge, username, m=str(uuid.uuid4()), s=SOURCE,
                          **data)


def check_sign_in_policy(policy: object) -> None:
    """``Policies.SignInPolicy`` of Create/UpdateUserPool: PASSWORD always, and only the
    first factors this server offers."""
    if policy is None:
        return
    factors = policy.get("AllowedFirstAuthFactors") if isinstance(policy, Mapping) else None
    if not isinstance(factors, list) or "PASSWORD" not in factors:
        raise InvalidParameterException(
            "AllowedFirstAuthFactors must include PASSWORD.")
    unsupported = [f for f in factors if f not in ("PASSWORD", *CODE_CHALLENGES)]
    if unsupported:
        raise InvalidParameterException(
            f"First authentication factor {str(unsupported[0])[:32]} is not supported by this "
            "server.")


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


def session_after_confirmation(client: AppClient, user: PoolUser) -> str | None:
    """ConfirmSignUp's single-use Session with which InitiateAuth(USER_AUTH) signs the user
    in (the confirmation code just proved the contact); None: not offered."""
    if not offers_sign_in_after_sign_up(client):
        return None
    return mfa.issue_challenge(client, user, CONFIRMED, SOURCE, {}).session


def initiate(client: AppClient, params: Mapping[str, str], *, admin: bool,
             client_metadata: dict[str, str], session: object = None) -> auth.AuthResult:
    """InitiateAuth / AdminInitiateAuth with ``AuthFlow=USER_AUTH`` (and ConfirmSignUp's
    ``Session``, which signs the user in without a further factor)."""
    username = auth.required(params, "USERNAME")
    check_secret_hash(client, username, params.get("SECRET_HASH"))
    if session is not None:
        confirmed, record, _ = mfa.open_challenge(client, dict(params), session, CONFIRMED)
        lockout.check(confirmed)
        auth.pre_authentication(client, confirmed, client_metadata)
        mfa.spend_challenge(record)
        # The confirmation code counts as the second factor: no MFA, even where required, on
        # this first sign-in. Post authentication and pre token generation get no
        # InitiateAuth ClientMetadata (§4.1).
        return auth.after_password(client, confirmed, {}, second_factor=False)
    preferred = params.get("PREFERRED_CHALLENGE")
    if preferred is not None and preferred not in (*FIRST_FACTORS, "WEB_AUTHN"):
        raise InvalidParameterException(f"Invalid PREFERRED_CHALLENGE {preferred[:32]}")
    if preferred == "PASSWORD" and params.get("PASSWORD") and \
            "PASSWORD" in allowed_first_factors(client.pool):
        # As USER_PASSWORD_AUTH: user migration, lockout and the unknown-user answers.
        return auth.password_first_factor(client, username, params["PASSWORD"],
                                          client_metadata)
    user = find_user(client.pool, username)
    hiding = client.prevents_user_existence_errors
    if user is None and not hiding:
        raise UserNotFoundException("User does not exist.")
    if user is not None and not user.enabled and not hiding:
        raise NotAuthorizedException("User is disabled.")
    visible = user if user is not None and user.enabled else None
    # Hiding who exists, every user is offered what the pool allows; a code for a contact
    # the user has not verified goes nowhere, as for someone who is not there.
    available = available_challenges(client.pool, None if hiding else visible)
    if preferred in available:
        return _start(client, visible, username, preferred, params, admin, client_metadata)
    if visible is None:
        session = _hidden_session(client, SELECT, username, o=available)
        return auth.AuthResult(challenge_name=SELECT, session=session,
                               available_challenges=available)
    result = mfa.issue_challenge(client, visible, SELECT, SOURCE, {}, o=available)
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
    if user is not None and _reachable(user, challenge):
        lockout.check(user)
        auth.pre_authentication(client, user, metadata)
        return mfa.send_code_challenge(client, user, challenge, attribute, SOURCE, metadata,
                                       first_factor=True)
    if user is None or client.prevents_user_existence_errors:
        _lock(client.pool, username, failed=False)
        details = simulated.code_delivery_details(client.pool, username, attribute)
        session = _hidden_session(client, challenge, username, first=1)
        return auth.AuthResult(challenge_name=challenge, session=session, challenge_parameters={
            "CODE_DELIVERY_DELIVERY_MEDIUM": details["DeliveryMedium"],
            "CODE_DELIVERY_DESTINATION": details["Destination"]})
    raise InvalidParameterException(f"{challenge} is not available for this user.")


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
    if state.user_id == 0:
        if not same_username(client.pool, username, state.username) or \
                not _spend_hidden(str(session)):
            raise NotAuthorizedException(mfa.INVALID_SESSION)
        return _start(client, None, username, str(choice), answers, admin, metadata)
    user, record, _ = mfa.open_challenge(client, answers, session, SELECT)
    mfa.spend_challenge(record)
    return _start(client, user, username, str(choice), answers, admin, metadata)


def _uses(kind: str, session: str) -> int:
    """How often a hidden user's Session has been used, this time included (shared cache,
    for as long as any Session lives)."""
    return limits.count(f"cognito:hidden-{kind}:" + hashlib.sha256(session.encode()).hexdigest(),
                        16 * 60)


def _spend_hidden(session: str) -> bool:
    """A hidden user's SELECT_CHALLENGE Session is single use, as a real one is."""
    key = "cognito:hidden-select:" + hashlib.sha256(session.encode()).hexdigest()
    return bool(caches[app_settings.CACHE_ALIAS].add(key, 1, timeout=16 * 60))


def answer_hidden_code(client: AppClient, answers: Mapping[str, str], session: str,
                       challenge: str) -> None:
    """A code sent nowhere is always wrong: CodeMismatchException, and after three wrong
    answers the session is spent, as for a real one."""
    username = auth.required(answers, "USERNAME")
    check_secret_hash(client, username, answers.get("SECRET_HASH"))
    named = sessions.read(client, session, challenge).username
    if not same_username(client.pool, username, named):
        raise NotAuthorizedException(mfa.INVALID_SESSION)
    if _uses("code", session) > mfa.MAX_ATTEMPTS:
        raise NotAuthorizedException(mfa.INVALID_SESSION)
    _lock(client.pool, named, failed=True)
    raise CodeMismatchException(mfa.WRONG_CODE)


def _lock(pool: UserPool, username: str, *, failed: bool) -> None:
    """Check (and with ``failed``, count) the lockout of whoever ``username`` names: a real
    user's own, even a disabled one's, or the hidden name's."""
    user = find_user(pool, username)
    if user is not None:
        lockout.check(user)
        if failed:
            lockout.failed(user)
        return
    lock = simulated.lock_id(pool, username)
    lockout.check_hidden(pool, lock)
    if failed:
        lockout.failed_hidden(pool, lock)
