"""Identity pool configuration on the cognito-identity API over real HTTP with boto3.

Every 200 body is checked against botocore's ``cognito-identity`` output shapes.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.error import HTTPError
from urllib.request import Request, urlopen

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from django_cognito.models import Identity, IdentityLogin, IdentityPool
from tests.api_fixtures import (
    ACCESS_KEY_ID,
    SCOPED_KEY_ID,
    SCOPED_SECRET,
    SECRET,
)
from tests.factories import create_access_key

pytest_plugins = ["tests.api_fixtures"]
pytestmark = pytest.mark.django_db(transaction=True)

USER_POOL = "cognito-idp.us-east-1.amazonaws.com/us-east-1_Abc123"
AUTH_ROLE = "arn:aws:iam::123456789012:role/Cognito_Auth"
UNAUTH_ROLE = "arn:aws:iam::123456789012:role/Cognito_Unauth"
OIDC_ARN = "arn:aws:iam::123456789012:oidc-provider/login.example.com"
SAML_ARN = "arn:aws:iam::123456789012:saml-provider/corp"



def _create(identity: Any, **extra: Any) -> dict[str, Any]:
    params: dict[str, Any] = {
        "IdentityPoolName": "photos", "AllowUnauthenticatedIdentities": True,
        "SupportedLoginProviders": {"accounts.google.com": "app-id.apps.googleusercontent.com"},
        "CognitoIdentityProviders": [{"ProviderName": USER_POOL, "ClientId": "client1",
                                      "ServerSideTokenCheck": True}],
        "OpenIdConnectProviderARNs": [OIDC_ARN], "SamlProviderARNs": [SAML_ARN],
        "IdentityPoolTags": {"team": "web"}, **extra}
    result: dict[str, Any] = identity.create_identity_pool(**params)
    return result


def _arn(pool_id: str) -> str:
    return f"arn:aws:cognito-identity:us-east-1:000000000000:identitypool/{pool_id}"


# Pools ---------------------------------------------------------------------------------------

def test_create_describe_update_delete(identity: Any, checked: Any, fails: Any) -> None:
    created = _create(identity, DeveloperProviderName="login.shop")
    pool_id = created["IdentityPoolId"]
    region, _, rest = pool_id.partition(":")
    assert region == "us-east-1" and len(rest) == 36
    assert created["AllowClassicFlow"] is False
    assert created["CognitoIdentityProviders"][0]["ServerSideTokenCheck"] is True
    assert created["DeveloperProviderName"] == "login.shop"
    assert IdentityPool.objects.get().tags == {"team": "web"}

    described = identity.describe_identity_pool(IdentityPoolId=pool_id)
    assert {k: v for k, v in described.items() if k != "ResponseMetadata"} == \
        {k: v for k, v in created.items() if k != "ResponseMetadata"}

    updated = identity.update_identity_pool(
        IdentityPoolId=pool_id, IdentityPoolName="photos2", AllowUnauthenticatedIdentities=False,
        AllowClassicFlow=True)
    assert updated["IdentityPoolName"] == "photos2" and updated["AllowClassicFlow"] is True
    assert updated["DeveloperProviderName"] == "login.shop"
    assert updated["SupportedLoginProviders"] == {} and updated["IdentityPoolTags"] == {
        "team": "web"}
    assert fails(identity.update_identity_pool, IdentityPoolId=pool_id,
                 IdentityPoolName="x", AllowUnauthenticatedIdentities=False,
                 DeveloperProviderName="other")[0] == "InvalidParameterException"

    identity.delete_identity_pool(IdentityPoolId=pool_id)
    assert not IdentityPool.objects.exists()
    code, message = fails(identity.describe_identity_pool, IdentityPoolId=pool_id)
    assert code == "ResourceNotFoundException" and pool_id in message
    assert fails(identity.delete_identity_pool, IdentityPoolId=pool_id)[0] == \
        "ResourceNotFoundException"
    assert {"CreateIdentityPool", "DescribeIdentityPool", "UpdateIdentityPool",
            "DeleteIdentityPool"} <= set(checked.operations)


def test_list_pages(identity: Any, fails: Any) -> None:
    made = {_create(identity, IdentityPoolName=f"p{i}")["IdentityPoolId"] for i in range(5)}
    seen: list[str] = []
    token = None
    while True:
        page = identity.list_identity_pools(MaxResults=2, **({"NextToken": token} if token
                                                             else {}))
        assert len(page["IdentityPools"]) <= 2
        seen += [p["IdentityPoolId"] for p in page["IdentityPools"]]
        token = page.get("NextToken")
        if not token:
            break
    assert sorted(seen) == sorted(made)
    assert fails(identity.list_identity_pools, MaxResults=2, NextToken="forged")[0] == \
        "InvalidParameterException"
    assert fails(identity.list_identity_pools, MaxResults=61)[0] == "InvalidParameterException"


@pytest.mark.parametrize("extra", [
    {"IdentityPoolName": "bad/name"},
    {"OpenIdConnectProviderARNs": ["arn:aws:iam::123456789012:role/NotAProvider"]},
    {"SamlProviderARNs": [OIDC_ARN]},
    {"CognitoIdentityProviders": [{"ProviderName": "example.com/pool", "ClientId": "c"}]},
    {"CognitoIdentityProviders": [{"ProviderName": USER_POOL}]},
    {"CognitoIdentityProviders": [{"ProviderName": USER_POOL, "ClientId": "c"},
                                  {"ProviderName": USER_POOL, "ClientId": "c"}]},
    {"SupportedLoginProviders": {"cognito-identity.amazonaws.com": "x"}},
    {"DeveloperProviderName": "has space"},
])
def test_create_refuses_bad_input(identity: Any, fails: Any, extra: dict[str, Any]) -> None:
    assert fails(_create, identity, **extra)[0] == "InvalidParameterException"
    assert not IdentityPool.objects.exists()


def test_malformed_pool_id_and_missing_members(identity: Any, fails: Any) -> None:
    assert fails(identity.describe_identity_pool, IdentityPoolId="nocolon")[0] == \
        "InvalidParameterException"
    assert fails(identity.describe_identity_pool, IdentityPoolId="us-east-1:abc-1")[0] == \
        "ResourceNotFoundException"


def test_unsigned_and_scoped_keys_are_refused(identity: Any,
                                              make_boto: Any, fails: Any) -> None:
    pool_id = _create(identity)["IdentityPoolId"]
    unsigned = make_boto(signed=False, service="cognito-identity")
    assert fails(unsigned.describe_identity_pool, IdentityPoolId=pool_id)[0] == \
        "MissingAuthenticationTokenException"
    create_access_key(SCOPED_KEY_ID, SCOPED_SECRET)
    scoped = make_boto(key_id=SCOPED_KEY_ID, secret=SCOPED_SECRET, service="cognito-identity")
    assert fails(scoped.describe_identity_pool, IdentityPoolId=pool_id)[0] == \
        "NotAuthorizedException"
    assert fails(scoped.list_identity_pools, MaxResults=5)[0] == "NotAuthorizedException"


# Roles ---------------------------------------------------------------------------------------

def test_roles_and_mappings(identity: Any, checked: Any, fails: Any) -> None:
    pool_id = _create(identity)["IdentityPoolId"]
    assert identity.get_identity_pool_roles(IdentityPoolId=pool_id)["Roles"] == {}
    mappings = {
        f"{USER_POOL}:client1": {"Type": "Token", "AmbiguousRoleResolution": "AuthenticatedRole"},
        "accounts.google.com": {
            "Type": "Rules", "AmbiguousRoleResolution": "Deny",
            "RulesConfiguration": {"Rules": [{"Claim": "hd", "MatchType": "Equals",
                                              "Value": "example.com", "RoleARN": AUTH_ROLE}]}}}
    identity.set_identity_pool_roles(
        IdentityPoolId=pool_id, Roles={"authenticated": AUTH_ROLE,
                                       "unauthenticated": UNAUTH_ROLE}, RoleMappings=mappings)
    got = identity.get_identity_pool_roles(IdentityPoolId=pool_id)
    assert got["Roles"] == {"authenticated": AUTH_ROLE, "unauthenticated": UNAUTH_ROLE}
    assert got["RoleMappings"] == mappings
    identity.set_identity_pool_roles(IdentityPoolId=pool_id, Roles={"authenticated": AUTH_ROLE})
    got = identity.get_identity_pool_roles(IdentityPoolId=pool_id)
    assert got["Roles"] == {"authenticated": AUTH_ROLE} and "RoleMappings" not in got
    assert {"SetIdentityPoolRoles", "GetIdentityPoolRoles"} <= set(checked.operations)
    assert fails(identity.get_identity_pool_roles, IdentityPoolId="us-east-1:0000")[0] == \
        "ResourceNotFoundException"


@pytest.mark.parametrize("roles, mappings", [
    ({"admin": AUTH_ROLE}, None),
    ({"authenticated": "not-an-arn-at-all-really"}, None),
    ({"authenticated": "arn:aws:s3:::bucket-name-here/x"}, None),
    ({}, {"accounts.google.com": {"Type": "Token"}}),
    ({}, {"accounts.google.com": {"Type": "Rules", "AmbiguousRoleResolution": "Deny"}}),
    ({}, {"accounts.google.com": {"Type": "Other", "AmbiguousRoleResolution": "Deny"}}),
    ({}, {"accounts.google.com": {"Type": "Rules", "AmbiguousRoleResolution": "Deny",
                                  "RulesConfiguration": {"Rules": [
                                      {"Claim": "a", "MatchType": "Equals", "Value": "b",
                                       "RoleARN": "arn:aws:iam::1:user/x1234567890"}]}}}),
    ({}, {"accounts.google.com": {"Type": "Rules", "AmbiguousRoleResolution": "Deny",
                                  "RulesConfiguration": {"Rules": [
                                      {"Claim": "a", "MatchType": "Equals", "Value": "b",
                                       "RoleARN": AUTH_ROLE}] * 26}}}),
    ({}, {"accounts.google.com": {"Type": "Token", "AmbiguousRoleResolution": "Maybe"}}),
    ({}, {f"login{n}.example.com": {"Type": "Token", "AmbiguousRoleResolution": "Deny"}
          for n in range(11)}),
])
def test_roles_refuse_bad_input(identity: Any, fails: Any, roles: Any, mappings: Any) -> None:
    pool_id = _create(identity)["IdentityPoolId"]
    params: dict[str, Any] = {"IdentityPoolId": pool_id, "Roles": roles}
    if mappings is not None:
        params["RoleMappings"] = mappings
    assert fails(identity.set_identity_pool_roles, **params)[0] == "InvalidParameterException"
    assert IdentityPool.objects.get().roles == {}


# Principal tags ------------------------------------------------------------------------------

def test_principal_tag_maps(identity: Any, checked: Any, fails: Any) -> None:
    pool_id = _create(identity)["IdentityPoolId"]
    got = identity.get_principal_tag_attribute_map(IdentityPoolId=pool_id,
                                                   IdentityProviderName=USER_POOL)
    assert got["UseDefaults"] is True and got["PrincipalTags"] == {"client": "aud",
                                                                  "username": "sub"}
    set_ = identity.set_principal_tag_attribute_map(
        IdentityPoolId=pool_id, IdentityProviderName="accounts.google.com", UseDefaults=False,
        PrincipalTags={"domain": "hd"})
    assert set_["UseDefaults"] is False and set_["PrincipalTags"] == {"domain": "hd"}
    got = identity.get_principal_tag_attribute_map(IdentityPoolId=pool_id,
                                                   IdentityProviderName="accounts.google.com")
    assert got["PrincipalTags"] == {"domain": "hd"}
    assert fails(identity.get_principal_tag_attribute_map, IdentityPoolId=pool_id,
                 IdentityProviderName="graph.facebook.com")[0] == "InvalidParameterException"
    assert fails(identity.set_principal_tag_attribute_map, IdentityPoolId=pool_id,
                 IdentityProviderName="x" * 129)[0] == "InvalidParameterException"
    assert fails(identity.set_principal_tag_attribute_map, IdentityPoolId="us-east-1:0",
                 IdentityProviderName=USER_POOL)[0] == "ResourceNotFoundException"
    assert {"SetPrincipalTagAttributeMap", "GetPrincipalTagAttributeMap"} <= set(
        checked.operations)


# Tags ----------------------------------------------------------------------------------------

def test_tags(identity: Any, checked: Any, fails: Any) -> None:
    pool_id = _create(identity)["IdentityPoolId"]
    arn = _arn(pool_id)
    identity.tag_resource(ResourceArn=arn, Tags={"env": "dev"})
    assert identity.list_tags_for_resource(ResourceArn=arn)["Tags"] == {"team": "web",
                                                                        "env": "dev"}
    identity.untag_resource(ResourceArn=arn, TagKeys=["team", "absent"])
    assert identity.list_tags_for_resource(ResourceArn=arn)["Tags"] == {"env": "dev"}
    assert fails(identity.tag_resource, ResourceArn=arn,
                 Tags={f"k{i}": "v" for i in range(50)})[0] == "InvalidParameterException"
    assert fails(identity.list_tags_for_resource,
                 ResourceArn=arn.replace("000000000000", "111111111111"))[0] == \
        "InvalidParameterException"
    assert fails(identity.list_tags_for_resource,
                 ResourceArn="arn:aws:cognito-idp:us-east-1:000000000000:userpool/x")[0] == \
        "InvalidParameterException"
    assert fails(identity.untag_resource, ResourceArn=_arn("us-east-1:0000"),
                 TagKeys=["a"])[0] == "ResourceNotFoundException"
    assert {"TagResource", "UntagResource", "ListTagsForResource"} <= set(checked.operations)


def test_update_refuses_bad_input_and_unknown_pools(identity: Any, fails: Any) -> None:
    pool_id = _create(identity)["IdentityPoolId"]
    base = {"IdentityPoolId": pool_id, "IdentityPoolName": "photos",
            "AllowUnauthenticatedIdentities": False}
    assert fails(identity.update_identity_pool, **base,
                 SamlProviderARNs=["arn:aws:iam::1:saml-provider/x"])[0] == \
        "InvalidParameterException"
    assert fails(identity.update_identity_pool,
                 **{**base, "IdentityPoolId": "us-east-1:0000"})[0] == \
        "ResourceNotFoundException"
    assert IdentityPool.objects.get().allow_unauthenticated_identities is True


def test_delete_removes_identities_and_logins(identity: Any) -> None:
    pool_id = _create(identity)["IdentityPoolId"]
    pool = IdentityPool.objects.get()
    made = Identity.objects.create(id="us-east-1:aaaaaaaa-0000-0000-0000-000000000000",
                                   pool=pool)
    IdentityLogin.objects.create(identity=made, pool=pool, provider="accounts.google.com",
                                 subject="s1")
    identity.delete_identity_pool(IdentityPoolId=pool_id)
    assert not Identity.objects.exists() and not IdentityLogin.objects.exists()


def _signed_post(url: str, service: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    data = json.dumps(body).encode()
    request = AWSRequest(method="POST", url=url, data=data, headers={
        "Content-Type": "application/x-amz-json-1.1",
        "X-Amz-Target": "AWSCognitoIdentityService.ListIdentityPools"})
    SigV4Auth(Credentials(ACCESS_KEY_ID, SECRET), service, "us-east-1").add_auth(request)
    raw = Request(url, data=data, headers=dict(request.headers.items()),  # noqa: S310
                  method="POST")
    try:
        with urlopen(raw, timeout=10) as response:  # noqa: S310 (the live test server)
            return response.status, json.loads(response.read())
    except HTTPError as error:
        return error.code, json.loads(error.read())


def test_the_signature_must_be_scoped_to_cognito_identity(api_base: str, identity: Any) -> None:
    status, body = _signed_post(api_base + "/", "cognito-identity", {"MaxResults": 5})
    assert status == 200 and body == {"IdentityPools": []}
    status, body = _signed_post(api_base + "/", "cognito-idp", {"MaxResults": 5})
    assert status == 400 and body["__type"] == "InvalidSignatureException"
