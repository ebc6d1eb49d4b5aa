"""MFA operations: software-token enrolment and per-user MFA preferences."""

from __future__ import annotations

from typing import Any

from ...exceptions import InvalidParameterException
from ...services import mfa
from ...services.access import user_for_access_token
from ...services.signin import mfa as signin_mfa
from ..registry import Call, operation
from .common import pool_of, user_of


def _one_of(call: Call) -> tuple[Any, Any]:
    token, session = call.params.get("AccessToken"), call.params.get("Session")
    if (token is None) == (session is None):
        raise InvalidParameterException("Provide exactly one of AccessToken and Session.")
    return token, session


@operation("AssociateSoftwareToken")
def associate_software_token(call: Call) -> dict[str, Any]:
    token, session = _one_of(call)
    if token is not None:
        user, _ = user_for_access_token(token)
        return {"SecretCode": mfa.associate_software_token(user)}
    secret, next_session = signin_mfa.associate_with_session(session)
    return {"SecretCode": secret, "Session": next_session}


@operation("VerifySoftwareToken")
def verify_software_token(call: Call) -> dict[str, Any]:
    token, session = _one_of(call)
    code, name = call.params["UserCode"], call.params.get("FriendlyDeviceName")
    if token is not None:
        user, _ = user_for_access_token(token)
        mfa.verify_software_token(user, code, name)
        return {"Status": "SUCCESS"}
    return {"Status": "SUCCESS", "Session": signin_mfa.verify_with_session(session, code, name)}


def _preferences(call: Call) -> dict[str, Any]:
    p = call.params
    return {"sms": p.get("SMSMfaSettings"), "software_token": p.get("SoftwareTokenMfaSettings"),
            "email": p.get("EmailMfaSettings")}


@operation("SetUserMFAPreference")
def set_user_mfa_preference(call: Call) -> dict[str, Any]:
    user, _ = user_for_access_token(call.params["AccessToken"])
    mfa.set_user_mfa_preference(user, **_preferences(call))
    return {}


@operation("AdminSetUserMFAPreference")
def admin_set_user_mfa_preference(call: Call) -> dict[str, Any]:
    mfa.set_user_mfa_preference(user_of(call, pool_of(call)), **_preferences(call))
    return {}
