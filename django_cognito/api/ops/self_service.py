"""Operations a signed-in user calls with an access token (scope
``aws.cognito.signin.user.admin``)."""

from __future__ import annotations

from typing import Any

from ...models import AppClient, PoolUser
from ...services import admin_users, attributes, recovery, tokens
from ...services.access import user_for_access_token
from .. import shapes
from ..registry import Call, operation


def _caller(call: Call) -> tuple[PoolUser, AppClient | None]:
    user, claims = user_for_access_token(call.params["AccessToken"])
    client = AppClient.objects.filter(pk=claims.get("client_id"), pool=user.pool).first()
    return user, client


@operation("GetUser")
def get_user(call: Call) -> dict[str, Any]:
    user, client = _caller(call)
    settings = shapes.mfa_settings(user)  # the list is omitted while empty, as Cognito does
    return {"Username": user.username,
            "UserAttributes": shapes.attribute_list(user, client),
            **{k: v for k, v in settings.items() if v}}


@operation("UpdateUserAttributes")
def update_user_attributes(call: Call) -> dict[str, Any]:
    user, client = _caller(call)
    details = attributes.update_user_attributes(
        user, call.params["UserAttributes"], client=client,
        client_metadata=call.params.get("ClientMetadata"))
    return {"CodeDeliveryDetailsList": details}


@operation("DeleteUserAttributes")
def delete_user_attributes(call: Call) -> dict[str, Any]:
    user, client = _caller(call)
    attributes.delete_user_attributes(user, call.params["UserAttributeNames"], client=client)
    return {}


@operation("DeleteUser")
def delete_user(call: Call) -> dict[str, Any]:
    user, _ = _caller(call)
    admin_users.admin_delete_user(user)
    return {}


@operation("ChangePassword")
def change_password(call: Call) -> dict[str, Any]:
    user, claims = user_for_access_token(call.params["AccessToken"])
    recovery.change_password(user, call.params.get("PreviousPassword"),
                             call.params["ProposedPassword"], session=claims.get("origin_jti"))
    return {}


@operation("GlobalSignOut")
def global_sign_out(call: Call) -> dict[str, Any]:
    user, _ = _caller(call)
    tokens.global_sign_out(user)
    return {}


@operation("GetUserAttributeVerificationCode")
def get_user_attribute_verification_code(call: Call) -> dict[str, Any]:
    user, client = _caller(call)
    details = attributes.get_user_attribute_verification_code(
        user, call.params["AttributeName"], client=client,
        client_metadata=call.params.get("ClientMetadata"))
    return {"CodeDeliveryDetails": details}


@operation("VerifyUserAttribute")
def verify_user_attribute(call: Call) -> dict[str, Any]:
    user, _ = _caller(call)
    attributes.verify_user_attribute(user, call.params["AttributeName"], call.params["Code"])
    return {}
