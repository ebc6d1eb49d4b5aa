"""Public user-lifecycle operations: SignUp, confirmation codes, forgotten passwords."""

from __future__ import annotations

from typing import Any

from ...services import recovery, signup
from ...services.signin import choice
from ..registry import Call, operation
from .common import client_of


@operation("SignUp")
def sign_up(call: Call) -> dict[str, Any]:
    p = call.params
    client = client_of(call)
    result = signup.sign_up(client, p["Username"], p.get("Password"),
                            p.get("UserAttributes"), validation_data=p.get("ValidationData"),
                            client_metadata=p.get("ClientMetadata"),
                            secret_hash=p.get("SecretHash"))
    response: dict[str, Any] = {"UserConfirmed": result.confirmed,
                                "UserSub": str(result.user.sub)}
    if result.code_delivery:
        response["CodeDeliveryDetails"] = result.code_delivery
    session = choice.session_after_sign_up(client, result.user)
    if session is not None:
        response["Session"] = session
    return response


@operation("ConfirmSignUp")
def confirm_sign_up(call: Call) -> dict[str, Any]:
    p = call.params
    client = client_of(call)
    user = signup.confirm_sign_up(client, p["Username"], p["ConfirmationCode"],
                                  force_alias_creation=bool(p.get("ForceAliasCreation")),
                                  client_metadata=p.get("ClientMetadata"),
                                  secret_hash=p.get("SecretHash"), session=p.get("Session"))
    # A USER_AUTH client gets a Session that signs the user in: the code proved the contact.
    session = choice.session_after_confirmation(client, user)
    return {} if session is None else {"Session": session}


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
