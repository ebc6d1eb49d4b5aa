"""MFA settings: software tokens and per-user factor preferences (reference §1.8).

The MFA step of a sign-in and its challenges are in ``services.signin.mfa``.
"""

from __future__ import annotations

from collections.abc import Mapping

from .. import django_users
from ..clock import now
from ..crypto import totp
from ..exceptions import (
    EnableSoftwareTokenMFAException,
    InvalidParameterException,
    SoftwareTokenMFANotFoundException,
)
from ..models import MfaPreference, PoolTOTPDevice, PoolUser, SoftwareToken, UserPool
from .pool_config import enabled_factors, mfa_config

SMS, TOTP, EMAIL = "SMS_MFA", "SOFTWARE_TOKEN_MFA", "EMAIL_OTP"
FACTORS = (SMS, TOTP, EMAIL)
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
    # django-otp sees it too, as a device of the linked Django user (match_token,
    # OTPMiddleware, otp_required).
    PoolTOTPDevice.objects.update_or_create(
        token=token, defaults={"user": django_users.linked(user),
                               "name": token.friendly_name or "Software token",
                               "confirmed": True})
    return token


def spend_totp(user: PoolUser, code: object) -> bool:
    """Accept a TOTP code once: the step is claimed by a conditional update (no race)."""
    token = confirmed_token(user)
    return token is not None and token.spend(code)
