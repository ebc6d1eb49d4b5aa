"""Public user-lifecycle operations: SignUp, confirmation codes, forgotten passwords."""

from __future__ import annotations

from typing import Any

from ...services import recovery, signup
from ..registry import Call, operation
from .common import client_of


@operation("SignUp")
def sign_up(call: Call) -> dict[str, Any]:
    p = call.params
    result = signup.sign_up(client_of(call), p["Username"], p.get("Password"),
                            p.get("UserAttributes"), validation_data=p.get("ValidationData"),
                            client_metadata=p.get("ClientMetadata"),
                            secret_hash=p.get("SecretHash"))
    response: dict[str, Any] = {"UserConfirmed": result.confirmed,
                                "UserSub": str(result.user.sub)}
    if result.code_delivery:
        response["CodeDeliveryDetails"] = result.code_delivery
    return response


@operation("ConfirmSignUp")
def confirm_sign_up(call: Call) -> dict[str, Any]:
    p = call.params
    signup.confirm_sign_up(client_of(call), p["Username"], p["ConfirmationCode"],
                           force_alias_creation=bool(p.get("ForceAliasCreation")),
                           client_metadata=p.get("ClientMetadata"),
                           secret_hash=p.get("SecretHash"))
    return {}


@operation("ResendConfirmationCode")
def resend_confirmation_code(call: Call) -> dict[str, Any]:
    p = call.params
    details = signup.resend_confirmation_code(client_of(call), p["Username"],
                                              client_metadata=p.get("ClientMetadata"),
                                              secret_hash=p.get("SecretHash"))
    return {"CodeDeliveryDetails": details}


@operation("ForgotPassword")
def forgot_password(call: Call) -> dict[str, Any]:
    p = call.params
    details = recovery.forgot_password(client_of(call), p["Username"],
                                       client_metadata=p.get("ClientMetadata"),
                                       secret_hash=p.get("SecretHash"))
    return {"CodeDeliveryDetails": details}


@operation("ConfirmForgotPassword")
def confirm_forgot_password(call: Call) -> dict[str, Any]:
    p = call.params
    recovery.confirm_forgot_password(client_of(call), p["Username"], p["ConfirmationCode"],
                                     p["Password"], client_metadata=p.get("ClientMetadata"),
                                     secret_hash=p.get("SecretHash"))
    return {}
