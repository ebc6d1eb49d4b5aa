"""Developer-authenticated identities on the cognito-identity JSON API (SigV4):
GetOpenIdTokenForDeveloperIdentity, LookupDeveloperIdentity, MergeDeveloperIdentities and
UnlinkDeveloperIdentity (reference §8.1, §8.4)."""

from __future__ import annotations

from typing import Any

from ...services.identity import developer
from ..registry import Call
from .identity_pools import identity_operation, identity_pool_of


@identity_operation("GetOpenIdTokenForDeveloperIdentity")
def get_open_id_token_for_developer_identity(call: Call) -> dict[str, Any]:
    p = call.params
    identity, token = developer.open_id_token(
        identity_pool_of(call), p.get("IdentityId"), p["Logins"], p.get("PrincipalTags"),
        p.get("TokenDuration"))
    return {"IdentityId": identity.pk, "Token": token}


@identity_operation("LookupDeveloperIdentity")
def lookup_developer_identity(call: Call) -> dict[str, Any]:
    p = call.params
    identity_id, page = developer.lookup(
        identity_pool_of(call), p.get("IdentityId"), p.get("DeveloperUserIdentifier"),
        p.get("MaxResults"), p.get("NextToken"))
    response: dict[str, Any] = {
        "IdentityId": identity_id,
        "DeveloperUserIdentifierList": [row.subject for row in page.items]}
    if page.next_token:
        response["NextToken"] = page.next_token
    return response


@identity_operation("MergeDeveloperIdentities")
def merge_developer_identities(call: Call) -> dict[str, Any]:
    p = call.params
    identity = developer.merge_users(identity_pool_of(call), p["DeveloperProviderName"],
                                     p["SourceUserIdentifier"], p["DestinationUserIdentifier"])
    return {"IdentityId": identity.pk}


@identity_operation("UnlinkDeveloperIdentity")
def unlink_developer_identity(call: Call) -> dict[str, Any]:
    p = call.params
    developer.unlink_user(identity_pool_of(call), p["IdentityId"], p["DeveloperProviderName"],
                          p["DeveloperUserIdentifier"])
    return {}
