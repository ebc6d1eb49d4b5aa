"""Administrative user operations (SigV4): create, read, change, disable, delete, list."""

from __future__ import annotations

from typing import Any

from ...exceptions import InvalidParameterException
from ...models import UserPool
from ...services import admin_users, attributes, listing, recovery, signup, tokens
from .. import shapes
from ..registry import Call, operation
from .common import pool_of, user_of


@operation("AdminCreateUser")
def admin_create_user(call: Call) -> dict[str, Any]:
    p = call.params
    user = admin_users.admin_create_user(
        pool_of(call), p["Username"], attributes=p.get("UserAttributes"),
        temporary_password=p.get("TemporaryPassword"), message_action=p.get("MessageAction"),
        desired_delivery_mediums=p.get("DesiredDeliveryMediums"),
        force_alias_creation=bool(p.get("ForceAliasCreation")),
        validation_data=p.get("ValidationData"), client_metadata=p.get("ClientMetadata"))
    return {"User": shapes.user_type(user)}


@operation("AdminGetUser")
def admin_get_user(call: Call) -> dict[str, Any]:
    return shapes.admin_get_user(user_of(call, pool_of(call)))


@operation("AdminDeleteUser")
def admin_delete_user(call: Call) -> dict[str, Any]:
    admin_users.admin_delete_user(user_of(call, pool_of(call)))
    return {}


@operation("AdminUpdateUserAttributes")
def admin_update_user_attributes(call: Call) -> dict[str, Any]:
    p = call.params
    attributes.update_user_attributes(user_of(call, pool_of(call)), p["UserAttributes"],
                                      admin=True, client_metadata=p.get("ClientMetadata"))
    return {}


@operation("AdminDeleteUserAttributes")
def admin_delete_user_attributes(call: Call) -> dict[str, Any]:
    attributes.delete_user_attributes(user_of(call, pool_of(call)),
                                      call.params["UserAttributeNames"], admin=True)
    return {}


@operation("AdminSetUserPassword")
def admin_set_user_password(call: Call) -> dict[str, Any]:
    p = call.params
    admin_users.admin_set_user_password(user_of(call, pool_of(call)), p["Password"],
                                        permanent=bool(p.get("Permanent")))
    return {}


@operation("AdminConfirmSignUp")
def admin_confirm_sign_up(call: Call) -> dict[str, Any]:
    signup.admin_confirm_sign_up(user_of(call, pool_of(call)),
                                 client_metadata=call.params.get("ClientMetadata"))
    return {}


@operation("AdminDisableUser")
def admin_disable_user(call: Call) -> dict[str, Any]:
    admin_users.set_enabled(user_of(call, pool_of(call)), False)
    return {}


@operation("AdminEnableUser")
def admin_enable_user(call: Call) -> dict[str, Any]:
    admin_users.set_enabled(user_of(call, pool_of(call)), True)
    return {}


@operation("AdminResetUserPassword")
def admin_reset_user_password(call: Call) -> dict[str, Any]:
    recovery.admin_reset_user_password(user_of(call, pool_of(call)),
                                       client_metadata=call.params.get("ClientMetadata"))
    return {}


@operation("AdminUserGlobalSignOut")
def admin_user_global_sign_out(call: Call) -> dict[str, Any]:
    tokens.global_sign_out(user_of(call, pool_of(call)))
    return {}


def attributes_to_get(pool: UserPool, names: object) -> list[str] | None:
    """ListUsers' AttributesToGet: names of the pool's schema (``sub`` included)."""
    wanted = shapes.check_attributes_to_get(names)
    if wanted is not None:
        schema = pool.schema_by_name()
        unknown = [n for n in wanted if n not in schema]
        if unknown:
            raise InvalidParameterException(
                f"One or more requested attributes do not exist: {unknown[0][:64]}")
    return wanted


@operation("ListUsers")
def list_users(call: Call) -> dict[str, Any]:
    p = call.params
    pool = pool_of(call)
    only = attributes_to_get(pool, p.get("AttributesToGet"))
    page = listing.list_users(pool, filter=p.get("Filter"), limit=p.get("Limit"),
                              token=p.get("PaginationToken"))
    if only:
        # Cognito answers AttributesToGet only when every user listed has each attribute
        # (the model's documentation): a page never silently lacks what was asked for.
        missing = next((name for name in only if name != "sub"
                        for user in page.items if not user.attributes.get(name)), None)
        if missing is not None:
            raise InvalidParameterException(
                f"Not every user in the results has a value for {missing[:64]}.")
    response: dict[str, Any] = {"Users": [shapes.user_type(u, only=only) for u in page.items]}
    if page.next_token:
        response["PaginationToken"] = page.next_token
    return response
