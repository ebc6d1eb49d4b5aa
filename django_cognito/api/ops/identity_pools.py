"""Identity pool configuration on the cognito-identity JSON API (SigV4): pools, roles,
principal tag maps and tags (reference §8.1)."""

from __future__ import annotations

import re
from functools import partial
from typing import Any

from ...exceptions import InvalidParameterException, NotAuthorizedException
from ...models import IdentityPool
from ...services.identity import pools
from ..registry import Call, operation
from ..shapes import ACCOUNT_ID

identity_operation = partial(operation, service="cognito-identity")
ARN_RE = re.compile(r"arn:aws:cognito-identity:([a-z0-9-]+):([0-9]{12}):identitypool/(.+)")


def require_account_key(call: Call) -> None:
    # Identity pools belong to the account: only a key that administers every pool may
    # manage them.
    if call.access_key is not None and not call.access_key.all_pools:
        raise NotAuthorizedException("The access key is not allowed to administer "
                                     "identity pools.")


def identity_pool_of(call: Call) -> IdentityPool:
    require_account_key(call)
    return pools.get_pool(call.params["IdentityPoolId"])


def _pool_of_arn(call: Call) -> IdentityPool:
    require_account_key(call)
    arn = call.params["ResourceArn"]
    match = ARN_RE.fullmatch(arn)
    if not match or match.group(2) != ACCOUNT_ID:
        raise InvalidParameterException(f"Invalid ResourceArn: {arn}")
    pool = pools.get_pool(match.group(3))
    if pool.region != match.group(1):
        raise InvalidParameterException(f"Invalid ResourceArn: {arn}")
    return pool


def pool_type(pool: IdentityPool) -> dict[str, Any]:
    """The ``IdentityPool`` shape."""
    shape: dict[str, Any] = {
        "IdentityPoolId": pool.pk, "IdentityPoolName": pool.name,
        "AllowUnauthenticatedIdentities": pool.allow_unauthenticated_identities,
        "AllowClassicFlow": pool.allow_classic_flow,
        "SupportedLoginProviders": pool.supported_login_providers,
        "OpenIdConnectProviderARNs": pool.openid_connect_provider_arns,
        "CognitoIdentityProviders": pool.cognito_identity_providers,
        "SamlProviderARNs": pool.saml_provider_arns,
        "IdentityPoolTags": pool.tags,
    }
    if pool.developer_provider_name:
        shape["DeveloperProviderName"] = pool.developer_provider_name
    return shape


@identity_operation("CreateIdentityPool")
def create_identity_pool(call: Call) -> dict[str, Any]:
    require_account_key(call)
    return pool_type(pools.create_pool(call.params))


@identity_operation("DescribeIdentityPool")
def describe_identity_pool(call: Call) -> dict[str, Any]:
    return pool_type(identity_pool_of(call))


@identity_operation("UpdateIdentityPool")
def update_identity_pool(call: Call) -> dict[str, Any]:
    return pool_type(pools.update_pool(identity_pool_of(call), call.params))


@identity_operation("DeleteIdentityPool")
def delete_identity_pool(call: Call) -> dict[str, Any]:
    pools.delete_pool(identity_pool_of(call))
    return {}


@identity_operation("ListIdentityPools")
def list_identity_pools(call: Call) -> dict[str, Any]:
    require_account_key(call)
    p = call.params
    page = pools.list_pools(p["MaxResults"], p.get("NextToken"))
    response: dict[str, Any] = {"IdentityPools": [
        {"IdentityPoolId": pool.pk, "IdentityPoolName": pool.name} for pool in page.items]}
    if page.next_token:
        response["NextToken"] = page.next_token
    return response


@identity_operation("SetIdentityPoolRoles")
def set_identity_pool_roles(call: Call) -> dict[str, Any]:
    p = call.params
    pools.set_roles(identity_pool_of(call), p["Roles"], p.get("RoleMappings"))
    return {}


@identity_operation("GetIdentityPoolRoles")
def get_identity_pool_roles(call: Call) -> dict[str, Any]:
    pool = identity_pool_of(call)
    response: dict[str, Any] = {"IdentityPoolId": pool.pk, "Roles": pool.roles}
    if pool.role_mappings:
        response["RoleMappings"] = pool.role_mappings
    return response


def _tag_map(pool: IdentityPool, provider: str, use_defaults: bool,
             tags: dict[str, str]) -> dict[str, Any]:
    return {"IdentityPoolId": pool.pk, "IdentityProviderName": provider,
            "UseDefaults": use_defaults, "PrincipalTags": tags}


@identity_operation("SetPrincipalTagAttributeMap")
def set_principal_tag_attribute_map(call: Call) -> dict[str, Any]:
    p = call.params
    pool = identity_pool_of(call)
    provider = p["IdentityProviderName"]
    use_defaults, tags = pools.set_principal_tags(pool, provider, p.get("UseDefaults"),
                                                  p.get("PrincipalTags"))
    return _tag_map(pool, provider, use_defaults, tags)


@identity_operation("GetPrincipalTagAttributeMap")
def get_principal_tag_attribute_map(call: Call) -> dict[str, Any]:
    pool = identity_pool_of(call)
    provider = call.params["IdentityProviderName"]
    use_defaults, tags = pools.get_principal_tags(pool, provider)
    return _tag_map(pool, provider, use_defaults, tags)


@identity_operation("TagResource")
def tag_resource(call: Call) -> dict[str, Any]:
    pools.tag(_pool_of_arn(call), call.params["Tags"])
    return {}


@identity_operation("UntagResource")
def untag_resource(call: Call) -> dict[str, Any]:
    pools.untag(_pool_of_arn(call), call.params["TagKeys"])
    return {}


@identity_operation("ListTagsForResource")
def list_tags_for_resource(call: Call) -> dict[str, Any]:
    return {"Tags": _pool_of_arn(call).tags}
