"""MFA: software tokens, per-user factor preferences and the MFA sign-in challenges.

Reference §1.5 (challenges and the order after the password) and §1.8 (MFA operations).
The sign-in step and the challenge handlers register themselves with ``services.auth``.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.db.models import F, Q

from .. import signals
from ..clock import now
from ..crypto import secrets as cs
from ..exceptions import (
    AliasExistsException,
    CodeMismatchException,
    EnableSoftwareTokenMFAException,
    InvalidParameterException,
    NotAuthorizedException,
    SoftwareTokenMFANotFoundException,
)
from ..models import AppClient, MfaChallenge, MfaPreference, PoolUser, SoftwareToken, UserPool
from . import auth, delivery, lockout, sessions, totp, triggers, user_auth
from .clients import check_secret_hash
from .pool_config import enabled_factors, mfa_config
from .users import find_user, mark_verified, save_user

SMS, TOTP, EMAIL = "SMS_MFA", "SOFTWARE_TOKEN_MFA", "EMAIL_OTP"
FACTORS = (SMS, TOTP, EMAIL)
# Wrong answers a challenge survives; the next answer after the last one finds it dead.
MAX_ATTEMPTS = 3
INVALID_SESSION = "Invalid session for the user."
EXPIRED_SESSION = "Invalid session for the user, session is expired."
WRONG_CODE = "Invalid code or auth state for the user."
DEFAULT_SMS_MESSAGE = "Your authentication code is {####}. "
DEFAULT_EMAIL_MESSAGE = "Your authentication code is {####}."
DEFAULT_EMAIL_SUBJECT = "Your authentication code"
_PREFERENCE_FIELDS = {SMS: "sms_enabled", TOTP: "software_token_enabled",
                      EMAIL: "email_enabled"}


# --- Pool and user settings -----------------------------------------------------------------

def pool_factors(pool: UserPool) -> list[str]:
    """The factors SetUserPoolMfaConfig turned on for ``pool``."""
    return enabled_factors(mfa_config(pool))


def preference_of(user: PoolUser) -> MfaPreference:
    """The user's MFA preference (an unsaved empty one when never set)."""
    return MfaPreference.objects.filter(user=user).first() or MfaPreference(user=user)


def confirmed_token(user: PoolUser) -> SoftwareToken | None:
    """The user's verified software token, if any."""
    token = SoftwareToken.objects.filter(user=user).first()
    return token if token is not None and token.confirmed else None


def enabled_for(user: PoolUser) -> list[str]:
    """The factors the user enabled (``UserMFASettingList``), in Cognito's order."""
    preference = preference_of(user)
    return [f for f in FACTORS if getattr(preference, _PREFERENCE_FIELDS[f])]


def mfa_settings(user: PoolUser) -> dict[str, Any]:
    """``UserMFASettingList`` and, when set, ``PreferredMfaSetting`` for (Admin)GetUser."""
    preference = preference_of(user)
    shape: dict[str, Any] = {
        "UserMFASettingList": [f for f in FACTORS
                               if getattr(preference, _PREFERENCE_FIELDS[f])]}
    if preference.preferred:
        shape["PreferredMfaSetting"] = preference.preferred
    return shape


def _setting(value: object, name: str) -> tuple[bool | None, bool | None] | None:
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise InvalidParameterException(f"{name} must be an object.")
    enabled, preferred = value.get("Enabled"), value.get("PreferredMfa")
    for flag in (enabled, preferred):
        if flag is not None and not isinstance(flag, bool):
            raise InvalidParameterException(f"{name} members must be booleans.")
    return enabled, preferred


def set_user_mfa_preference(user: PoolUser, *, sms: object = None, software_token: object = None,
                            email: object = None) -> MfaPreference:
    """(Admin)SetUserMFAPreference: enable or disable factors and choose the preferred one."""
    given = {factor: setting for factor, setting in (
        (SMS, _setting(sms, "SMSMfaSettings")),
        (TOTP, _setting(software_token, "SoftwareTokenMfaSettings")),
        (EMAIL, _setting(email, "EmailMfaSettings"))) if setting is not None}
    if sum(1 for _, preferred in given.values() if preferred) > 1:
        raise InvalidParameterException("Only one MFA method can be preferred.")
    preference = preference_of(user)
    for factor, (enabled, preferred) in given.items():
        field = _PREFERENCE_FIELDS[factor]
        turned_on = enabled if enabled is not None else getattr(preference, field)
        if preferred and not turned_on:
            raise InvalidParameterException(f"{factor} must be enabled to be preferred.")
        if enabled:
            _check_can_enable(user, factor)
        setattr(preference, field, turned_on)
        if preferred:
            preference.preferred = factor
        elif preference.preferred == factor and (preferred is False or not turned_on):
            preference.preferred = ""
    preference.modified_at = now()
    preference.save()
    return preference


def _check_can_enable(user: PoolUser, factor: str) -> None:
    if factor == TOTP and confirmed_token(user) is None:
        raise InvalidParameterException("User has not verified software token mfa")
    if factor == SMS and not user.attr("phone_number"):
        raise InvalidParameterException(
            "User does not have delivery config set to turn on SMS_MFA")
    if factor == EMAIL and not user.attr("email"):
        raise InvalidParameterException(
            "User does not have delivery config set to turn on EMAIL_OTP")


# --- Software tokens ------------------------------------------------------------------------

def _require_totp(pool: UserPool) -> None:
    if TOTP not in pool_factors(pool):
        raise SoftwareTokenMFANotFoundException()


def associate_software_token(user: PoolUser) -> str:
    """AssociateSoftwareToken: a new secret, pending until VerifySoftwareToken proves it."""
    _require_totp(user.pool)
    secret = totp.new_secret()
    token = SoftwareToken.objects.filter(user=user).first() or SoftwareToken(user=user)
    token.pending_secret = secret
    token.save()
    return secret


def verify_software_token(user: PoolUser, code: object, friendly_name: object = None
                          ) -> SoftwareToken:
    """VerifySoftwareToken: confirm the pending secret with a code from the authenticator."""
    _require_totp(user.pool)
    token = SoftwareToken.objects.filter(user=user).first()
    if token is None or not token.pending_secret:
        raise SoftwareTokenMFANotFoundException(
            "No software token has been associated with the user.")
    step = totp.matching_step(token.pending_secret, code)
    if step is None:
        raise EnableSoftwareTokenMFAException()
    token.secret, token.pending_secret = token.pending_secret, None
    token.last_used_step = step  # the enrolment code cannot sign in afterwards
    token.friendly_name = friendly_name[:256] if isinstance(friendly_name, str) else ""
    token.verified_at = now()
    token.save()
    return token


def _spend_totp(user: PoolUser, code: object) -> bool:
    """Accept a TOTP code once: the step is claimed by a conditional update (no race)."""
    token = confirmed_token(user)
    if token is None or token.secret is None:
        return False
    step = totp.matching_step(token.secret, code, token.last_used_step)
    if step is None:
        return False
    fresh = Q(last_used_step__isnull=True) | Q(last_used_step__lt=step)
    return SoftwareToken.objects.filter(Q(pk=token.pk) & fresh).update(
        last_used_step=step) == 1


# --- Sign-in step ---------------------------------------------------------------------------

def _usable(user: PoolUser, pool_on: list[str]) -> list[str]:
    """Enabled factors the user can answer now; TOTP outlives the pool switching it off."""
    usable = []
    for factor in enabled_for(user):
        if factor == TOTP and confirmed_token(user) is not None:
            usable.append(factor)
        elif factor == SMS and SMS in pool_on and user.attr("phone_number"):
            usable.append(factor)
        elif factor == EMAIL and EMAIL in pool_on and user.attr("email"):
            usable.append(factor)
    return usable


def mfa_step(client: AppClient, user: PoolUser, metadata: dict[str, str], source: str
             ) -> auth.AuthResult | None:
    """The MFA decision of reference §1.5 after the first factor (and a new password)."""
    mode = user.pool.mfa_configuration
    if mode == "OFF":
        return None
    pool_on = pool_factors(user.pool)
    usable = _usable(user, pool_on)
    preferred = preference_of(user).preferred
    if preferred in usable:
        return _challenge(client, user, preferred, source, metadata)
    if len(usable) == 1:
        return _challenge(client, user, usable[0], source, metadata)
    if usable:
        return issue_challenge(client, user, "SELECT_MFA_TYPE", source,
                      {"MFAS_CAN_CHOOSE": json.dumps(usable)}, o=usable)
    if mode != "ON":
        return None
    # Required MFA reaches a user with no factor through the contact the pool can use.
    if SMS in pool_on and user.attr("phone_number"):
        return _challenge(client, user, SMS, source, metadata)
    if EMAIL in pool_on and user.attr("email"):
        return _challenge(client, user, EMAIL, source, metadata)
    return issue_challenge(client, user, "MFA_SETUP", source,
                  {"MFAS_CAN_SETUP": json.dumps(pool_on)})


def issue_challenge(client: AppClient, user: PoolUser, challenge: str, source: str,
           parameters: dict[str, str], *, code: str = "", **data: Any) -> auth.AuthResult:
    """Store the challenge's state and return it with a Session naming that state."""
    MfaChallenge.objects.filter(user=user, expires_at__lte=now()).delete()
    salt = cs.random_string(16) if code else ""
    record = MfaChallenge.objects.create(
        user=user, challenge=challenge, salt=salt,
        code_hash=cs.hash_code(code, salt) if code else "",
        expires_at=now() + dt.timedelta(minutes=client.auth_session_validity))
    session = sessions.issue(client, user.pk, challenge, user.username, m=str(record.pk),
                             s=source, **data)
    return auth.AuthResult(challenge_name=challenge, session=session,
                           challenge_parameters=parameters)


def _challenge(client: AppClient, user: PoolUser, factor: str, source: str,
               metadata: dict[str, str]) -> auth.AuthResult:
    if factor == TOTP:
        return issue_challenge(client, user, TOTP, source, {"USER_ID_FOR_SRP": user.username})
    attribute = "phone_number" if factor == SMS else "email"
    return send_code_challenge(client, user, factor, attribute, source, metadata)


def send_code_challenge(client: AppClient, user: PoolUser, challenge: str, attribute: str,
                        source: str, metadata: dict[str, str], *,
                        first_factor: bool = False) -> auth.AuthResult:
    """Send a one-time code to ``attribute`` and return ``challenge`` (SMS_MFA, EMAIL_OTP, or
    USER_AUTH's passwordless EMAIL_OTP / SMS_OTP when ``first_factor``)."""
    code = cs.new_code()
    message = _render(client, user, attribute, code, metadata)
    data = {"first": 1} if first_factor else {}
    result = issue_challenge(client, user, challenge, source, {
        "CODE_DELIVERY_DELIVERY_MEDIUM": message.medium,
        "CODE_DELIVERY_DESTINATION": delivery.mask(message.medium, message.destination)},
        code=code, **data)
    delivery.send(user.pool, message)
    return result


def _render(client: AppClient, user: PoolUser, attribute: str, code: str,
            metadata: dict[str, str]) -> delivery.Message:
    """The MFA code message: the custom message trigger first, else the pool's MFA texts."""
    pool = user.pool
    if triggers.has_receivers(signals.custom_message, pool):
        return delivery.render(pool, client, user, attribute=attribute, code=code,
                               source="CustomMessage_Authentication", client_metadata=metadata)
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
        purpose="CustomMessage_Authentication", code=code, user=user, client=client,
        client_metadata=metadata)


# --- Challenge answers ----------------------------------------------------------------------

def _open(client: AppClient, session: object, challenge: str, username: str | None = None
          ) -> tuple[PoolUser, MfaChallenge, sessions.AuthSession]:
    """The live challenge a Session names, checked against the user who answers."""
    state = sessions.read(client, session, challenge)
    try:
        record_id = uuid.UUID(str(state.data.get("m")))
    except ValueError:
        raise NotAuthorizedException(INVALID_SESSION) from None
    record = (MfaChallenge.objects.select_related("user__pool")
              .filter(pk=record_id, user_id=state.user_id, challenge=challenge).first())
    if record is None or record.attempts >= MAX_ATTEMPTS:
        raise NotAuthorizedException(INVALID_SESSION)
    if record.expires_at <= now():
        record.delete()
        raise NotAuthorizedException(EXPIRED_SESSION)
    user = record.user
    if username is not None and find_user(client.pool, username) != user:
        raise NotAuthorizedException(INVALID_SESSION)
    if not user.enabled:
        raise NotAuthorizedException("User is disabled.")
    return user, record, state


def open_challenge(client: AppClient, answers: dict[str, str], session: object, challenge: str
               ) -> tuple[PoolUser, MfaChallenge, sessions.AuthSession]:
    username = answers.get("USERNAME")
    if not username:
        raise InvalidParameterException("Missing required parameter USERNAME")
    check_secret_hash(client, username, answers.get("SECRET_HASH"))
    return _open(client, session, challenge, username)


def _count_wrong(record: MfaChallenge) -> None:
    """Record a wrong answer; it survives the error raised next (no enclosing transaction)."""
    MfaChallenge.objects.filter(pk=record.pk).update(attempts=F("attempts") + 1)


def spend_challenge(record: MfaChallenge) -> None:
    """Use the challenge up; a concurrent answer that already did so loses."""
    if MfaChallenge.objects.filter(pk=record.pk).delete()[0] == 0:
        raise NotAuthorizedException(INVALID_SESSION)


def _code_answer(client: AppClient, answers: dict[str, str], session: object,
                 metadata: dict[str, str], factor: str, key: str) -> auth.AuthResult:
    code = answers.get(key)
    if not code:
        raise InvalidParameterException(f"Missing required parameter {key}")
    if sessions.read(client, session, factor).user_id == 0:
        # USER_AUTH's code "sent" to an unknown or disabled user (PreventUserExistenceErrors).
        user_auth.answer_hidden_code(client, answers, str(session), factor)
    user, record, state = open_challenge(client, answers, session, factor)
    first = bool(state.data.get("first"))
    if first:  # a passwordless first factor (USER_AUTH): guarded as a password is
        lockout.check(user)
    if not cs.check_code(code[:16], record.salt, record.code_hash):
        _count_wrong(record)
        if first:
            lockout.failed(user)
        raise CodeMismatchException(WRONG_CODE)
    spend_challenge(record)
    if first:  # no MFA after a passwordless first factor
        lockout.succeeded(user)
        return auth.after_password(client, user, metadata, second_factor=False)
    if factor == SMS and not user.is_verified("phone_number"):
        # The code reached the phone, which proves it (reference §1.8).
        try:
            mark_verified(user, "phone_number", force_alias=False)
            save_user(user, ["attributes"])
        except AliasExistsException:
            user.refresh_from_db()
    return auth.finish(client, user, state.data.get("s", "TokenGeneration_Authentication"),
                       metadata)


@auth.challenge_handler(SMS)
def _answer_sms(client: AppClient, answers: dict[str, str], session: object,
                metadata: dict[str, str], admin: bool) -> auth.AuthResult:
    return _code_answer(client, answers, session, metadata, SMS, "SMS_MFA_CODE")


@auth.challenge_handler(EMAIL)
def _answer_email(client: AppClient, answers: dict[str, str], session: object,
                  metadata: dict[str, str], admin: bool) -> auth.AuthResult:
    return _code_answer(client, answers, session, metadata, EMAIL, "EMAIL_OTP_CODE")


@auth.challenge_handler("SMS_OTP")
def _answer_sms_otp(client: AppClient, answers: dict[str, str], session: object,
                    metadata: dict[str, str], admin: bool) -> auth.AuthResult:
    return _code_answer(client, answers, session, metadata, "SMS_OTP", "SMS_OTP_CODE")


@auth.challenge_handler(TOTP)
def _answer_totp(client: AppClient, answers: dict[str, str], session: object,
                 metadata: dict[str, str], admin: bool) -> auth.AuthResult:
    code = answers.get("SOFTWARE_TOKEN_MFA_CODE")
    if not code:
        raise InvalidParameterException("Missing required parameter SOFTWARE_TOKEN_MFA_CODE")
    user, record, state = open_challenge(client, answers, session, TOTP)
    if not _spend_totp(user, code):
        _count_wrong(record)
        raise CodeMismatchException(WRONG_CODE)
    spend_challenge(record)
    return auth.finish(client, user, state.data.get("s", "TokenGeneration_Authentication"),
                       metadata)


@auth.challenge_handler("SELECT_MFA_TYPE")
def _answer_select(client: AppClient, answers: dict[str, str], session: object,
                   metadata: dict[str, str], admin: bool) -> auth.AuthResult:
    user, record, state = open_challenge(client, answers, session, "SELECT_MFA_TYPE")
    choice = answers.get("ANSWER")
    if choice not in state.data.get("o", []):
        raise InvalidParameterException(
            f"ANSWER must be one of {json.dumps(state.data.get('o', []))}")
    spend_challenge(record)
    return _challenge(client, user, str(choice), state.data.get("s", ""), metadata)


@auth.challenge_handler("MFA_SETUP")
def _answer_setup(client: AppClient, answers: dict[str, str], session: object,
                  metadata: dict[str, str], admin: bool) -> auth.AuthResult:
    user, record, state = open_challenge(client, answers, session, "MFA_SETUP")
    if not record.verified:
        raise InvalidParameterException(
            "Software token has not been verified; call VerifySoftwareToken with the Session.")
    spend_challenge(record)
    return auth.finish(client, user, state.data.get("s", "TokenGeneration_Authentication"),
                       metadata)


# --- Enrolment during sign-in (MFA_SETUP) ---------------------------------------------------

def _setup_client(session: object) -> AppClient:
    """The app client a sign-in Session was issued to (the full check comes next)."""
    client_id = sessions.client_id_of(session)
    client = AppClient.objects.select_related("pool").filter(pk=client_id).first() \
        if client_id else None
    if client is None:
        raise NotAuthorizedException(INVALID_SESSION)
    return client


def _next_session(client: AppClient, state: sessions.AuthSession) -> str:
    return sessions.issue(client, state.user_id, "MFA_SETUP", state.username, **state.data)


def associate_with_session(session: object) -> tuple[str, str]:
    """AssociateSoftwareToken with an MFA_SETUP Session: the secret and a fresh Session."""
    if not isinstance(session, str) or len(session) > sessions.MAX_SESSION_LENGTH:
        raise NotAuthorizedException(INVALID_SESSION)
    client = _setup_client(session)
    user, _, state = _open(client, session, "MFA_SETUP")
    return associate_software_token(user), _next_session(client, state)


def verify_with_session(session: object, code: object, friendly_name: object = None) -> str:
    """VerifySoftwareToken with an MFA_SETUP Session: enable TOTP; a Session to answer with."""
    if not isinstance(session, str) or len(session) > sessions.MAX_SESSION_LENGTH:
        raise NotAuthorizedException(INVALID_SESSION)
    client = _setup_client(session)
    user, record, state = _open(client, session, "MFA_SETUP")
    try:
        verify_software_token(user, code, friendly_name)
    except EnableSoftwareTokenMFAException:
        _count_wrong(record)
        raise
    with transaction.atomic():
        preference = preference_of(user)
        preference.software_token_enabled = True
        preference.preferred = preference.preferred or TOTP
        preference.modified_at = now()
        preference.save()
        MfaChallenge.objects.filter(pk=record.pk).update(verified=True)
    return _next_session(client, state)


if mfa_step not in auth.POST_FIRST_FACTOR_STEPS:
    auth.POST_FIRST_FACTOR_STEPS.append(mfa_step)
