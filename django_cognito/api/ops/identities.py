"""Identities on the cognito-identity JSON API: the unsigned GetId, GetOpenIdToken,
GetCredentialsForIdentity and UnlinkIdentity, and the signed DescribeIdentity,
ListIdentities and DeleteIdentities (reference §8.1, §8.2)."""

from __future__ import annotations

from typing import Any

from ...models import Identity
from ...services.identity import credentials, developer, identities, pools
from ..registry import Call
from .identity_pools import identity_operation, identity_pool_of, require_account_key


def identity_description(identity: Identity) -> dict[str, Any]:
    """The ``IdentityDescription`` shape."""
    return {"IdentityId": identity.pk, "Logins": identities.providers_of(identity),
            "CreationDate": identity.created_at.timestamp(),
            "LastModifiedDate": identity.modified_at.timestamp()}


@identity_operation("GetId")
def get_id(call: Call) -> dict[str, Any]:
    p = call.params
    pool = pools.get_pool(p["IdentityPoolId"])
    return {"IdentityId": identities.get_id(pool, p.get("Logins")).pk}


@identity_operation("GetOpenIdToken")
def get_open_id_token(call: Call) -> dict[str, Any]:
    p = call.params
    identity, token = credentials.open_id_token(p["IdentityId"], p.get("Logins"))
    return {"IdentityId": identity.pk, "Token": token}


@identity_operation("GetCredentialsForIdentity")
def get_credentials_for_identity(call: Call) -> dict[str, Any]:
    p = call.params
    identity, found = credentials.credentials(p["IdentityId"], p.get("Logins"),
                                              p.get("CustomRoleArn"))
    return {"IdentityId": identity.pk, "Credentials": {
        "AccessKeyId": found.access_key_id, "SecretKey": found.secret_key,
        "SessionToken": found.session_token, "Expiration": found.expiration.timestamp()}}


@identity_operation("UnlinkIdentity")
def unlink_identity(call: Call) -> dict[str, Any]:
    p = call.params
    developer.unlink(p["IdentityId"], p["Logins"], p["LoginsToRemove"])
    return {}


@identity_operation("DescribeIdentity")
def describe_identity(call: Call) -> dict[str, Any]:
    require_account_key(call)
    return identity_description(identities.get_identity(call.params["IdentityId"]))


@identity_operation("ListIdentities")
def list_identities(call: Call) -> dict[str, Any]:
    p = call.params
    pool = identity_pool_of(call)
    page = identities.list_identities(pool, p["MaxResults"], p.get("NextToken"),
                                      hide_disabled=bool(p.get("HideDisabled")))
    response: dict[str, Any] = {
        "IdentityPoolId": pool.pk,
        "Identities": [identity_description(identity) for identity in page.items]}
    if page.next_token:
        response["NextToken"] = page.next_token
    return response


@identity_operation("DeleteIdentities")
def delete_identities(call: Call) -> dict[str, Any]:
    require_account_key(call)
    # AWS reports only ids it failed to process (AccessDenied, InternalServerError); an
    # unknown id is not an error.
    identities.delete_identities(call.params["IdentityIdsToDelete"])
    return {"UnprocessedIdentityIds": []}
