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

For such a client SignUp and ConfirmSignUp hand out Sessions: ConfirmSignUp's lets
InitiateAuth(USER_AUTH) sign the new user in once (Amplify's ``autoSignIn``).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from ...exceptions import InvalidParameterException, NotAuthorizedException, UserNotFoundException
from ...models import AppClient, PoolUser, UserPool
from .. import lockout
from ..clients import check_secret_hash
from ..mfa import enabled_for
from ..pool_config import settings_of
from ..triggers import TOKEN_AUTHENTICATION
from ..users import find_user
from . import challenges, codes, once, password, sessions, srp, user_srp
from .account import pre_authentication
from .results import INVALID_SESSION, AuthResult, Outcome, Proceed, SignIn

SELECT = "SELECT_CHALLENGE"
# SignUp's Session, presented to ConfirmSignUp; ConfirmSignUp's, presented to InitiateAuth.
SIGNED_UP = "SIGNED_UP"
CONFIRMED = "CONFIRMED_SIGN_IN"
CODE_CHALLENGES = {"EMAIL_OTP": "email", "SMS_OTP": "phone_number"}
FIRST_FACTORS = ("PASSWORD", "PASSWORD_SRP", *CODE_CHALLENGES)


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
    return not enabled_for(user)


def _hidden_session(client: AppClient, challenge: str, username: str, **data: Any) -> str:
    """A Session for someone PreventUserExistenceErrors hides: user 0, and the same fields
    as a real one of ``challenge`` (its length tells nothing either)."""
    # Under the name a real user's Session would carry (the stored username, or a UUID where
    # usernames are generated), so neither its content nor its length tells them apart.
    shown = srp.fake_user_id(client.pool, username)
    return sessions.issue(client, 0, challenge, shown, m=str(uuid.uuid4()),
                          s=TOKEN_AUTHENTICATION, **data)


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
        raise NotAuthorizedException(INVALID_SESSION)


def session_after_confirmation(client: AppClient, user: PoolUser) -> str | None:
    """ConfirmSignUp's single-use Session with which InitiateAuth(USER_AUTH) signs the user
    in (the confirmation code just proved the contact); None: not offered."""
    if not offers_sign_in_after_sign_up(client):
        return None
    signin = SignIn(pool=client.pool, client=client, presented={}, metadata={}, user=user)
    return challenges.issue(signin, CONFIRMED, {}).session


def after_confirmation(signin: SignIn, user: PoolUser) -> Proceed:
    """Sign in ``user``, whose confirmation code has just proved their contact: lockout and
    pre authentication, then no further factor."""
    lockout.check(user)
    pre_authentication(signin, user)
    signin.user = user
    # The confirmation code counts as the second factor: no MFA, even where required, on
    # this first sign-in.
    signin.passwordless = True
    return Proceed(signin)


def initiate(signin: SignIn) -> Outcome:
    """InitiateAuth / AdminInitiateAuth with ``AuthFlow=USER_AUTH`` (and ConfirmSignUp's
    ``Session``, which signs the user in without a further factor)."""
    client = signin.answering_client(SELECT)
    params = signin.presented
    username = signin.require("USERNAME")
    check_secret_hash(client, username, params.get("SECRET_HASH"))
    if signin.session is not None:
        confirmed, record, _ = challenges.open_answer(signin, CONFIRMED)
        outcome = after_confirmation(signin, confirmed)
        challenges.spend(record)
        return outcome
    preferred = params.get("PREFERRED_CHALLENGE")
    if preferred is not None and preferred not in (*FIRST_FACTORS, "WEB_AUTHN"):
        raise InvalidParameterException(f"Invalid PREFERRED_CHALLENGE {preferred[:32]}")
    if preferred == "PASSWORD" and params.get("PASSWORD") and \
            "PASSWORD" in allowed_first_factors(client.pool):
        # As USER_PASSWORD_AUTH: user migration, lockout and the unknown-user answers.
        return password.first_factor(signin, username, params["PASSWORD"])
    user = find_user(client.pool, username)
    hiding = signin.hides_users
    if user is None and not hiding:
        raise UserNotFoundException("User does not exist.")
    if user is not None and not user.enabled and not hiding:
        raise NotAuthorizedException("User is disabled.")
    visible = user if user is not None and user.enabled else None
    # Hiding who exists, every user is offered what the pool allows; a code for a contact
    # the user has not verified goes nowhere, as for someone who is not there.
    available = available_challenges(client.pool, None if hiding else visible)
    if preferred in available:
        return _start(signin, visible, username, preferred)
    if visible is None:
        return AuthResult(challenge_name=SELECT, available_challenges=available,
                          session=_hidden_session(client, SELECT, username, o=available))
    signin.user = visible
    result = challenges.issue(signin, SELECT, {}, o=available)
    result.available_challenges = available
    return result


def _start(signin: SignIn, user: PoolUser | None, username: str, challenge: str) -> Outcome:
    """Begin the chosen first factor (``user`` is ``None`` for a hidden one)."""
    client = signin.answering_client(challenge)
    signin.user = user
    if challenge == "PASSWORD":
        return password.first_factor(signin, username, signin.require("PASSWORD"))
    if challenge == "PASSWORD_SRP":  # USERNAME, SRP_A and SECRET_HASH, as USER_SRP_AUTH takes
        return user_srp.initiate(signin)
    attribute = CODE_CHALLENGES[challenge]
    if user is not None and _reachable(user, challenge):
        lockout.check(user)
        pre_authentication(signin, user)
        return codes.send(signin, challenge, attribute, first_factor=True)
    if user is None or signin.hides_users:
        codes.lock_of(signin.pool, username, limit=codes.SIGN_IN_CODE)
        return AuthResult(challenge_name=challenge,
                          session=_hidden_session(client, challenge, username, first=1),
                          challenge_parameters=codes.hidden_delivery(signin.pool, username,
                                                                     attribute))
    raise InvalidParameterException(f"{challenge} is not available for this user.")


def answer_select(signin: SignIn) -> Outcome:
    """SELECT_CHALLENGE: the first factor the user chose, with what it needs."""
    client = signin.answering_client(SELECT)
    username = signin.require("USERNAME")
    check_secret_hash(client, username, signin.presented.get("SECRET_HASH"))
    state = sessions.read(client, signin.session, SELECT)
    choice = signin.presented.get("ANSWER")
    offered = state.data.get("o") or []
    if choice not in offered:
        raise InvalidParameterException(f"ANSWER must be one of {', '.join(offered)}")
    if state.user_id == 0:
        # A hidden user's SELECT_CHALLENGE Session is single use, as a real one is.
        if not srp.shows_as(client.pool, username, state.username) or \
                not once.spend("hidden-select", str(signin.session)):
            raise NotAuthorizedException(INVALID_SESSION)
        return _start(signin, None, username, str(choice))
    user, record, _ = challenges.open_answer(signin, SELECT)
    challenges.spend(record)
    return _start(signin, user, username, str(choice))
