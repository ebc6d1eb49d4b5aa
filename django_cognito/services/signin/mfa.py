"""The MFA step of a sign-in and its challenges (reference §1.5, §1.8): SMS_MFA,
SOFTWARE_TOKEN_MFA, EMAIL_OTP, SELECT_MFA_TYPE and MFA_SETUP (TOTP enrolment mid sign-in)."""

from __future__ import annotations

import json

from django.db import transaction

from ...clock import now
from ...exceptions import (
    CodeMismatchException,
    EnableSoftwareTokenMFAException,
    InvalidParameterException,
    NotAuthorizedException,
)
from ...models import AppClient, PoolUser
from .. import lockout
from ..mfa import (
    EMAIL,
    SMS,
    TOTP,
    associate_software_token,
    confirmed_token,
    enabled_for,
    pool_factors,
    preference_of,
    spend_totp,
    verify_software_token,
)
from . import challenges, codes, sessions
from .results import INVALID_SESSION, WRONG_CODE, AuthResult, Proceed, SignIn

SELECT_MFA_TYPE = "SELECT_MFA_TYPE"
MFA_SETUP = "MFA_SETUP"
_CONTACT = {SMS: "phone_number", EMAIL: "email"}


def _usable(user: PoolUser, pool_on: list[str]) -> list[str]:
    """Enabled factors the user can answer now; TOTP outlives the pool switching it off."""
    usable = []
    for factor in enabled_for(user):
        if factor == TOTP and confirmed_token(user) is not None:
            usable.append(factor)
        elif factor in _CONTACT and factor in pool_on and user.attr(_CONTACT[factor]):
            usable.append(factor)
    return usable


def mfa_step(signin: SignIn) -> AuthResult | None:
    """The MFA decision of reference §1.5 after the first factor (and a new password)."""
    user = signin.found()
    mode = signin.pool.mfa_configuration
    if mode == "OFF" or signin.passwordless:
        return None
    # Locked by wrong second factors: no new challenge (nor another code sent) until it lifts.
    lockout.check_second_factor(user)
    pool_on = pool_factors(signin.pool)
    usable = _usable(user, pool_on)
    preferred = preference_of(user).preferred
    if preferred in usable:
        return _challenge(signin, preferred)
    if len(usable) == 1:
        return _challenge(signin, usable[0])
    if usable:
        return challenges.issue(signin, SELECT_MFA_TYPE, {"MFAS_CAN_CHOOSE": json.dumps(usable)},
                                o=usable)
    if mode != "ON":
        return None
    # Required MFA reaches a user with no factor through the contact the pool can use.
    for factor in (SMS, EMAIL):
        if factor in pool_on and user.attr(_CONTACT[factor]):
            return _challenge(signin, factor)
    return challenges.issue(signin, MFA_SETUP, {"MFAS_CAN_SETUP": json.dumps(pool_on)})


def _challenge(signin: SignIn, factor: str) -> AuthResult:
    if factor == TOTP:
        return challenges.issue(signin, TOTP, {"USER_ID_FOR_SRP": signin.found().username})
    return codes.send(signin, factor, _CONTACT[factor])


def answer_totp(signin: SignIn) -> Proceed:
    """SOFTWARE_TOKEN_MFA: a TOTP code, each time step accepted once."""
    code = signin.require("SOFTWARE_TOKEN_MFA_CODE")
    user, record, _ = challenges.open_answer(signin, TOTP)
    lockout.check_second_factor(user)
    challenges.reserve_attempt(record)
    if not spend_totp(user, code):
        lockout.failed_second_factor(user)
        raise CodeMismatchException(WRONG_CODE)
    challenges.spend(record)
    lockout.second_factor_succeeded(user)
    return Proceed(signin, after="mfa")


def answer_select(signin: SignIn) -> AuthResult:
    """SELECT_MFA_TYPE: the factor the user chose is challenged."""
    _, record, state = challenges.open_answer(signin, SELECT_MFA_TYPE)
    choice = signin.presented.get("ANSWER")
    if choice not in state.data.get("o", []):
        raise InvalidParameterException(
            f"ANSWER must be one of {json.dumps(state.data.get('o', []))}")
    challenges.spend(record)
    signin.source = str(state.data.get("s", ""))
    return _challenge(signin, str(choice))


def answer_setup(signin: SignIn) -> Proceed:
    """MFA_SETUP, once VerifySoftwareToken has enrolled a token with the Session."""
    _, record, _ = challenges.open_answer(signin, MFA_SETUP)
    if not record.verified:
        raise InvalidParameterException(
            "Software token has not been verified; call VerifySoftwareToken with the Session.")
    challenges.spend(record)
    return Proceed(signin, after="mfa")


# --- Enrolment during sign-in (MFA_SETUP) ---------------------------------------------------

def _setup_client(session: object) -> AppClient:
    """The app client a sign-in Session was issued to (the full check comes next)."""
    if not isinstance(session, str) or len(session) > sessions.MAX_SESSION_LENGTH:
        raise NotAuthorizedException(INVALID_SESSION)
    client_id = sessions.client_id_of(session)
    client = AppClient.objects.select_related("pool").filter(pk=client_id).first() \
        if client_id else None
    if client is None:
        raise NotAuthorizedException(INVALID_SESSION)
    return client


def _next_session(client: AppClient, state: sessions.AuthSession) -> str:
    return sessions.issue(client, state.user_id, MFA_SETUP, state.username, **state.data)


def associate_with_session(session: object) -> tuple[str, str]:
    """AssociateSoftwareToken with an MFA_SETUP Session: the secret and a fresh Session."""
    client = _setup_client(session)
    user, _, state = challenges.open_named(client, session, MFA_SETUP)
    return associate_software_token(user), _next_session(client, state)


def verify_with_session(session: object, code: object, friendly_name: object = None) -> str:
    """VerifySoftwareToken with an MFA_SETUP Session: enable TOTP; a Session to answer with."""
    client = _setup_client(session)
    user, record, state = challenges.open_named(client, session, MFA_SETUP)
    lockout.check_second_factor(user)
    try:
        verify_software_token(user, code, friendly_name)
    except EnableSoftwareTokenMFAException:
        challenges.count_wrong(record)
        lockout.failed_second_factor(user)
        raise
    with transaction.atomic():
        preference = preference_of(user)
        preference.software_token_enabled = True
        preference.preferred = preference.preferred or TOTP
        preference.modified_at = now()
        preference.save()
        challenges.mark_verified(record)
    return _next_session(client, state)
