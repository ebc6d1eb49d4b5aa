"""Pool, app client, MFA, resource server and domain operations over real HTTP with boto3.

Every 200 body is checked against botocore's output shape by the ``cognito`` client.
"""

from __future__ import annotations

from typing import Any

import pytest

from django_cognito.models import (
    AppClient,
    PoolUser,
    ResourceServer,
    UserPool,
    UserPoolDomain,
    UserPoolSettings,
)
from django_cognito.services import pools

pytest_plugins = ["tests.api_fixtures"]
pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD_POLICY = {"MinimumLength": 12, "RequireUppercase": False, "RequireLowercase": True,
                   "RequireNumbers": True, "RequireSymbols": False, "PasswordHistorySize": 3,
                   "TemporaryPasswordValidityDays": 3}


# Pools ---------------------------------------------------------------------------------------

def test_create_and_describe_a_configured_pool(cognito: Any, checked: Any) -> None:
    created = cognito.create_user_pool(
        PoolName="shop", Policies={"PasswordPolicy": PASSWORD_POLICY},
        AutoVerifiedAttributes=["email"], AliasAttributes=["email", "preferred_username"],
        UsernameConfiguration={"CaseSensitive": False}, DeletionProtection="ACTIVE",
        Schema=[{"Name": "tier", "AttributeDataType": "String", "Mutable": True}],
        UserPoolTags={"team": "web"}, EmailVerificationSubject="Your code",
        DeviceConfiguration={"ChallengeRequiredOnNewDevice": True},
        AccountRecoverySetting={"RecoveryMechanisms": [{"Name": "verified_email",
                                                         "Priority": 1}]},
        AdminCreateUserConfig={"AllowAdminCreateUserOnly": True})["UserPool"]
    pool = UserPool.objects.get()
    assert created["Id"] == pool.id and created["Name"] == "shop"
    assert created["Arn"] == f"arn:aws:cognito-idp:us-east-1:000000000000:userpool/{pool.id}"
    assert pool.minimum_length == 12 and pool.require_uppercase is False
    assert pool.password_history_size == 3 and pool.temporary_password_validity_days == 3
    assert pool.alias_attributes == ["email", "preferred_username"]
    assert pool.case_sensitive is False and pool.deletion_protection is True
    assert pool.admin_create_user_only and pool.tags == {"team": "web"}
    assert pool.verification_message_template["EmailSubject"] == "Your code"
    assert "custom:tier" in pool.schema_by_name()
    assert UserPoolSettings.objects.get(pool=pool).extra == {
        "DeviceConfiguration": {"ChallengeRequiredOnNewDevice": True}}

    described = cognito.describe_user_pool(UserPoolId=pool.id)["UserPool"]
    assert described["Policies"]["PasswordPolicy"] == PASSWORD_POLICY
    assert described["UsernameConfiguration"] == {"CaseSensitive": False}
    assert described["DeletionProtection"] == "ACTIVE"
    assert described["DeviceConfiguration"] == {"ChallengeRequiredOnNewDevice": True}
    assert described["EmailVerificationSubject"] == "Your code"
    assert described["UserPoolTags"] == {"team": "web"}
    assert described["EstimatedNumberOfUsers"] == 0
    assert described["MfaConfiguration"] == "OFF"
    assert described["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True
    names = [a["Name"] for a in described["SchemaAttributes"]]
    assert names[0] == "sub" and "custom:tier" in names
    assert "CreateUserPool" in checked.operations and "DescribeUserPool" in checked.operations


def test_create_pool_with_defaults(cognito: Any) -> None:
    created = cognito.create_user_pool(PoolName="plain")["UserPool"]
    assert created["Policies"]["PasswordPolicy"] == {
        "MinimumLength": 8, "RequireUppercase": True, "RequireLowercase": True,
        "RequireNumbers": True, "RequireSymbols": True, "PasswordHistorySize": 0,
        "TemporaryPasswordValidityDays": 7}
    assert created["UsernameConfiguration"] == {"CaseSensitive": True}
    assert created["DeletionProtection"] == "INACTIVE"
    assert created["UserPoolTier"] == "ESSENTIALS"
    assert "AliasAttributes" not in created and "UsernameAttributes" not in created


def test_create_pool_refusals_store_nothing(fails: Any, cognito: Any) -> None:
    assert fails(cognito.create_user_pool, PoolName="x", UsernameAttributes=["email"],
                 AliasAttributes=["email"]) == (
        "InvalidParameterException",
        "Only one of the aliasAttributes or usernameAttributes can be set in a User Pool")
    assert fails(cognito.create_user_pool, PoolName="bad/name")[0] == \
        "InvalidParameterException"
    assert fails(cognito.create_user_pool, PoolName="x",
                 VerificationMessageTemplate={"EmailMessage": "no code"}) == (
        "InvalidParameterException", "EmailMessage must contain {####}.")
    assert not UserPool.objects.exists()


def test_update_pool_replaces_the_whole_configuration(cognito: Any, make_pool: Any) -> None:
    pool = make_pool(name="before", password_policy={"MinimumLength": 10},
                     mfa_configuration="OFF", deletion_protection=True,
                     tags={"a": "b"}, user_pool_tier="PLUS", alias_attributes=["email"])
    cognito.update_user_pool(UserPoolId=pool.id, AutoVerifiedAttributes=["email"],
                             Policies={"PasswordPolicy": {"MinimumLength": 9}},
                             UserAttributeUpdateSettings={
                                 "AttributesRequireVerificationBeforeUpdate": ["email"]})
    pool.refresh_from_db()
    # Omitted members return to their defaults; the tier, name and username setup stay.
    assert pool.minimum_length == 9 and pool.require_symbols is True
    assert pool.deletion_protection is False and pool.tags == {}
    assert pool.user_pool_tier == "PLUS" and pool.name == "before"
    assert pool.alias_attributes == ["email"]
    assert pool.user_attribute_update_settings == {
        "AttributesRequireVerificationBeforeUpdate": ["email"]}
    cognito.update_user_pool(UserPoolId=pool.id, PoolName="after",
                             DeviceConfiguration={"DeviceOnlyRememberedOnUserPrompt": True})
    described = cognito.describe_user_pool(UserPoolId=pool.id)["UserPool"]
    assert described["Name"] == "after"
    assert described["Policies"]["PasswordPolicy"]["MinimumLength"] == 8
    assert described["DeviceConfiguration"] == {"DeviceOnlyRememberedOnUserPrompt": True}
    assert "AutoVerifiedAttributes" not in described


def test_update_pool_refusal_changes_nothing(fails: Any, cognito: Any, make_pool: Any) -> None:
    pool = make_pool(name="keep", password_policy={"MinimumLength": 10})
    before = pool.modified_at
    assert fails(cognito.update_user_pool, UserPoolId=pool.id,
                 AutoVerifiedAttributes=[], UserAttributeUpdateSettings={
                     "AttributesRequireVerificationBeforeUpdate": ["email"]}) == (
        "InvalidParameterException",
        "All attributes in AttributesRequireVerificationBeforeUpdate must exist in "
        "AutoVerifiedAttributes")
    pool.refresh_from_db()
    assert pool.minimum_length == 10 and pool.modified_at == before


def test_delete_pool_and_deletion_protection(fails: Any, cognito: Any, make_pool: Any) -> None:
    guarded = make_pool(name="guarded", deletion_protection=True)
    assert fails(cognito.delete_user_pool, UserPoolId=guarded.id) == (
        "InvalidParameterException",
        "The user pool cannot be deleted because deletion protection is activated.")
    cognito.update_user_pool(UserPoolId=guarded.id)  # DeletionProtection back to INACTIVE
    cognito.delete_user_pool(UserPoolId=guarded.id)
    assert not UserPool.objects.exists()
    assert fails(cognito.describe_user_pool, UserPoolId=guarded.id) == (
        "ResourceNotFoundException", f"User pool {guarded.id} does not exist.")


def test_list_user_pools_pages(fails: Any, cognito: Any, make_pool: Any) -> None:
    ids = {make_pool(name=f"p{i}").id for i in range(5)}
    seen: list[str] = []
    answer = cognito.list_user_pools(MaxResults=2)
    pages = 1
    seen += [p["Id"] for p in answer["UserPools"]]
    while "NextToken" in answer:
        answer = cognito.list_user_pools(MaxResults=2, NextToken=answer["NextToken"])
        seen += [p["Id"] for p in answer["UserPools"]]
        pages += 1
    assert pages == 3 and len(seen) == 5 and set(seen) == ids
    assert fails(cognito.list_user_pools, MaxResults=2, NextToken="forged")[0] == \
        "InvalidParameterException"
    # MaxResults is required and 1..60 (botocore's model, enforced by the server).
    assert fails(cognito.list_user_pools, MaxResults=61)[0] == "InvalidParameterException"


def test_list_user_pools_with_a_scoped_key_lists_its_pools(
        scoped_key: Any, fails: Any, make_boto: Any, make_pool: Any, access_key: Any) -> None:
    mine, _other = make_pool(name="mine"), make_pool(name="other")
    key = scoped_key(mine)
    client = make_boto(key_id=key.access_key_id, secret=key.secret)
    answer = client.list_user_pools(MaxResults=60)
    assert [p["Id"] for p in answer["UserPools"]] == [mine.id]
    assert fails(client.create_user_pool, PoolName="new")[0] == "NotAuthorizedException"
    assert UserPool.objects.count() == 2


def test_a_scoped_key_whose_pools_are_deleted_administers_nothing(
        scoped_key: Any, fails: Any, make_boto: Any, make_pool: Any) -> None:
    mine, other = make_pool(name="mine"), make_pool(name="other")
    key = scoped_key(mine)
    client = make_boto(key_id=key.access_key_id, secret=key.secret)
    client.delete_user_pool(UserPoolId=mine.id)
    key.refresh_from_db()
    assert not key.pools.exists() and not key.all_pools
    # Its list of pools is empty now; that must not read as "every pool".
    assert client.list_user_pools(MaxResults=60)["UserPools"] == []
    denied = f"The access key is not allowed to administer {other.id}."
    assert fails(client.describe_user_pool, UserPoolId=other.id) == (
        "NotAuthorizedException", denied)
    assert fails(client.admin_create_user, UserPoolId=other.id, Username="mallory",
                 MessageAction="SUPPRESS") == ("NotAuthorizedException", denied)
    assert fails(client.create_user_pool, PoolName="evil")[0] == "NotAuthorizedException"
    assert list(UserPool.objects.values_list("id", flat=True)) == [other.id]
    assert not PoolUser.objects.exists()


def test_add_custom_attributes(fails: Any, cognito: Any, pool: UserPool) -> None:
    cognito.add_custom_attributes(UserPoolId=pool.id, CustomAttributes=[
        {"Name": "plan", "AttributeDataType": "String", "Mutable": True,
         "StringAttributeConstraints": {"MinLength": "1", "MaxLength": "32"}},
        {"Name": "seats", "AttributeDataType": "Number"}])
    pool.refresh_from_db()
    schema = pool.schema_by_name()
    assert schema["custom:plan"]["StringAttributeConstraints"] == {"MinLength": "1",
                                                                   "MaxLength": "32"}
    assert schema["custom:seats"]["AttributeDataType"] == "Number"
    count = len(pool.schema)
    assert fails(cognito.add_custom_attributes, UserPoolId=pool.id,
                 CustomAttributes=[{"Name": "plan"}]) == (
        "InvalidParameterException", "Existing attribute already has name custom:plan.")
    assert fails(cognito.add_custom_attributes, UserPoolId=pool.id,
                 CustomAttributes=[{"Name": "x" * 21}])[0] == "InvalidParameterException"
    pool.refresh_from_db()
    assert len(pool.schema) == count


def test_mfa_config_is_stored_and_reported(fails: Any, cognito: Any, pool: UserPool) -> None:
    assert cognito.get_user_pool_mfa_config(UserPoolId=pool.id) | {
        "ResponseMetadata": None} == {"MfaConfiguration": "OFF",
                                      "SoftwareTokenMfaConfiguration": {"Enabled": False},
                                      "ResponseMetadata": None}
    answer = cognito.set_user_pool_mfa_config(
        UserPoolId=pool.id, MfaConfiguration="OPTIONAL",
        SoftwareTokenMfaConfiguration={"Enabled": True},
        EmailMfaConfiguration={"Message": "Code {####}", "Subject": "Sign-in code"})
    assert answer["MfaConfiguration"] == "OPTIONAL"
    assert answer["SoftwareTokenMfaConfiguration"] == {"Enabled": True}
    pool.refresh_from_db()
    assert pool.mfa_configuration == "OPTIONAL"
    got = cognito.get_user_pool_mfa_config(UserPoolId=pool.id)
    assert got["EmailMfaConfiguration"] == {"Message": "Code {####}", "Subject": "Sign-in code"}
    assert fails(cognito.set_user_pool_mfa_config, UserPoolId=pool.id,
                 MfaConfiguration="ON")[0] == "InvalidParameterException"
    pool.refresh_from_db()
    assert pool.mfa_configuration == "OPTIONAL"


# App clients -------------------------------------------------------------------------------

def test_create_client_with_secret_and_describe(cognito: Any, pool: UserPool) -> None:
    created = cognito.create_user_pool_client(
        UserPoolId=pool.id, ClientName="server", GenerateSecret=True,
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        AccessTokenValidity=30, TokenValidityUnits={"AccessToken": "minutes"},
        CallbackURLs=["https://app.example.com/cb", "http://localhost:3000/cb"],
        AllowedOAuthFlows=["code"], AllowedOAuthScopes=["openid", "email"],
        AllowedOAuthFlowsUserPoolClient=True, SupportedIdentityProviders=["COGNITO"],
        PreventUserExistenceErrors="ENABLED")["UserPoolClient"]
    client = AppClient.objects.get()
    assert created["ClientId"] == client.id and created["ClientSecret"] == client.secret
    assert len(client.secret or "") == 51
    assert created["AccessTokenValidity"] == 30
    assert created["TokenValidityUnits"] == {"AccessToken": "minutes", "IdToken": "minutes",
                                             "RefreshToken": "days"}
    assert client.callback_urls == ["https://app.example.com/cb", "http://localhost:3000/cb"]
    assert client.prevents_user_existence_errors
    described = cognito.describe_user_pool_client(UserPoolId=pool.id,
                                                  ClientId=client.id)["UserPoolClient"]
    assert described == created


def test_create_client_defaults_and_refusals(fails: Any, cognito: Any, pool: UserPool) -> None:
    created = cognito.create_user_pool_client(UserPoolId=pool.id,
                                              ClientName="spa")["UserPoolClient"]
    assert "ClientSecret" not in created
    assert created["ExplicitAuthFlows"] == ["ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH",
                                            "ALLOW_CUSTOM_AUTH"]
    assert (created["AccessTokenValidity"], created["RefreshTokenValidity"]) == (60, 30)
    assert created["EnableTokenRevocation"] is True
    assert created["PreventUserExistenceErrors"] == "LEGACY"
    refusals = [
        ({"CallbackURLs": ["http://app.example.com/cb"]}, "InvalidParameterException"),
        ({"CallbackURLs": ["https://app.example.com/cb#x"]}, "InvalidParameterException"),
        ({"AllowedOAuthFlows": ["code"], "AllowedOAuthScopes": ["nope/read"]},
         "ScopeDoesNotExistException"),
        ({"AllowedOAuthFlows": ["client_credentials"]}, "InvalidOAuthFlowException"),
        ({"AccessTokenValidity": 60}, "InvalidParameterException"),  # 60 hours
        ({"ExplicitAuthFlows": ["USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH"]},
         "InvalidParameterException"),
        ({"ReadAttributes": ["custom:missing"]}, "InvalidParameterException"),
        ({"DefaultRedirectURI": "https://other.example.com/"}, "InvalidParameterException"),
    ]
    for extra, code in refusals:
        assert fails(cognito.create_user_pool_client, UserPoolId=pool.id, ClientName="bad",
                     **extra)[0] == code, extra
    assert AppClient.objects.count() == 1


def test_update_client_replaces_the_configuration(fails: Any, cognito: Any, pool: UserPool,
                                                  make_client: Any) -> None:
    client = make_client(pool, name="web", generate_secret=True,
                         explicit_auth_flows=["ALLOW_USER_PASSWORD_AUTH",
                                              "ALLOW_REFRESH_TOKEN_AUTH"],
                         prevent_user_existence_errors="ENABLED",
                         callback_urls=["https://a.example.com/"])
    secret = client.secret
    updated = cognito.update_user_pool_client(UserPoolId=pool.id, ClientId=client.id,
                                              AuthSessionValidity=5)["UserPoolClient"]
    client.refresh_from_db()
    assert client.secret == secret == updated["ClientSecret"]
    assert client.name == "web" and client.auth_session_validity == 5
    assert client.explicit_auth_flows == ["ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH",
                                          "ALLOW_CUSTOM_AUTH"]
    assert client.prevent_user_existence_errors == "LEGACY" and client.callback_urls == []
    assert fails(cognito.update_user_pool_client, UserPoolId=pool.id, ClientId=client.id,
                 ClientName="renamed", AuthSessionValidity=20)[0] == \
        "InvalidParameterException"
    client.refresh_from_db()
    assert client.name == "web" and client.auth_session_validity == 5


def test_client_secret_given_and_client_credentials(fails: Any, cognito: Any,
                                                    pool: UserPool) -> None:
    cognito.create_resource_server(UserPoolId=pool.id, Identifier="https://api.example.com",
                                   Name="api", Scopes=[{"ScopeName": "read",
                                                        "ScopeDescription": "Read"}])
    # A secret of one's own comes instead of GenerateSecret (botocore's documentation of
    # ClientSecret), and never with it.
    created = cognito.create_user_pool_client(
        UserPoolId=pool.id, ClientName="machine",
        ClientSecret="my_own_secret_0123456789abc", AllowedOAuthFlows=["client_credentials"],
        AllowedOAuthScopes=["https://api.example.com/read"],
        AllowedOAuthFlowsUserPoolClient=True)["UserPoolClient"]
    assert created["ClientSecret"] == "my_own_secret_0123456789abc"
    assert fails(cognito.create_user_pool_client, UserPoolId=pool.id, ClientName="x",
                 GenerateSecret=True, ClientSecret="my_own_secret_0123456789abc") == (
        "InvalidParameterException",
        "You cannot specify both GenerateSecret as true and provide a ClientSecret value.")


def test_list_and_delete_clients(fails: Any, cognito: Any, pool: UserPool, make_client: Any,
                                 make_pool: Any) -> None:
    ids = {make_client(pool, name=f"c{i}").id for i in range(3)}
    other = make_client(make_pool(name="other"), name="elsewhere")
    first = cognito.list_user_pool_clients(UserPoolId=pool.id, MaxResults=2)
    second = cognito.list_user_pool_clients(UserPoolId=pool.id, MaxResults=2,
                                            NextToken=first["NextToken"])
    assert "NextToken" not in second
    listed = first["UserPoolClients"] + second["UserPoolClients"]
    assert {c["ClientId"] for c in listed} == ids
    assert all(set(c) == {"ClientId", "UserPoolId", "ClientName"} for c in listed)
    victim = sorted(ids)[0]
    cognito.delete_user_pool_client(UserPoolId=pool.id, ClientId=victim)
    assert not AppClient.objects.filter(pk=victim).exists()
    # A client of another pool is not found through this pool.
    assert fails(cognito.delete_user_pool_client, UserPoolId=pool.id, ClientId=other.id) == (
        "ResourceNotFoundException", f"User pool client {other.id} does not exist.")
    assert fails(cognito.describe_user_pool_client, UserPoolId=pool.id,
                 ClientId=victim)[0] == "ResourceNotFoundException"
    assert AppClient.objects.count() == 3


# Resource servers ------------------------------------------------------------------------

def test_resource_server_lifecycle(fails: Any, cognito: Any, pool: UserPool,
                                   make_client: Any) -> None:
    scopes = [{"ScopeName": "read", "ScopeDescription": "Read"},
              {"ScopeName": "write", "ScopeDescription": "Write"}]
    created = cognito.create_resource_server(UserPoolId=pool.id, Identifier="orders",
                                             Name="Orders", Scopes=scopes)["ResourceServer"]
    assert created == {"UserPoolId": pool.id, "Identifier": "orders", "Name": "Orders",
                       "Scopes": scopes}
    assert fails(cognito.create_resource_server, UserPoolId=pool.id, Identifier="orders",
                 Name="again")[0] == "InvalidParameterException"
    client = make_client(pool, allowed_oauth_flows=["code"],
                         allowed_oauth_scopes=["openid", "orders/write"],
                         callback_urls=["https://app.example.com/"],
                         allowed_oauth_flows_user_pool_client=True)
    updated = cognito.update_resource_server(UserPoolId=pool.id, Identifier="orders",
                                             Name="Orders v2", Scopes=scopes[1:])
    assert updated["ResourceServer"]["Scopes"] == scopes[1:]
    described = cognito.describe_resource_server(UserPoolId=pool.id, Identifier="orders")
    assert described["ResourceServer"]["Name"] == "Orders v2"
    cognito.create_resource_server(UserPoolId=pool.id, Identifier="billing", Name="Billing")
    page = cognito.list_resource_servers(UserPoolId=pool.id, MaxResults=1)
    rest = cognito.list_resource_servers(UserPoolId=pool.id, MaxResults=1,
                                         NextToken=page["NextToken"])
    assert [s["Identifier"] for s in page["ResourceServers"] + rest["ResourceServers"]] == [
        "billing", "orders"]
    cognito.delete_resource_server(UserPoolId=pool.id, Identifier="orders")
    client.refresh_from_db()
    assert client.allowed_oauth_scopes == ["openid"]
    assert list(ResourceServer.objects.values_list("identifier", flat=True)) == ["billing"]
    assert fails(cognito.describe_resource_server, UserPoolId=pool.id,
                 Identifier="orders")[0] == "ResourceNotFoundException"


# Domains -------------------------------------------------------------------------------

def test_domain_lifecycle(fails: Any, cognito: Any, pool: UserPool, make_pool: Any) -> None:
    created = cognito.create_user_pool_domain(UserPoolId=pool.id, Domain="shop-login")
    assert created["ManagedLoginVersion"] == 1
    custom = cognito.create_user_pool_domain(
        UserPoolId=pool.id, Domain="auth.example.com", ManagedLoginVersion=2,
        CustomDomainConfig={"CertificateArn": "arn:aws:acm:us-east-1:123456789012:"
                                              "certificate/abc"})
    assert custom["ManagedLoginVersion"] == 2 and custom["CloudFrontDomain"]
    described = cognito.describe_user_pool_domain(Domain="shop-login")["DomainDescription"]
    assert described["UserPoolId"] == pool.id and described["Status"] == "ACTIVE"
    assert described["Domain"] == "shop-login" and "CustomDomainConfig" not in described
    assert cognito.describe_user_pool_domain(Domain="nowhere")["DomainDescription"] == {}
    info = cognito.describe_user_pool(UserPoolId=pool.id)["UserPool"]
    assert (info["Domain"], info["CustomDomain"]) == ("shop-login", "auth.example.com")
    other = make_pool(name="other")
    assert fails(cognito.create_user_pool_domain, UserPoolId=other.id,
                 Domain="shop-login") == (
        "InvalidParameterException", "Domain already associated with another user pool.")
    assert fails(cognito.create_user_pool_domain, UserPoolId=pool.id,
                 Domain="second")[0] == "InvalidParameterException"
    assert fails(cognito.create_user_pool_domain, UserPoolId=other.id,
                 Domain="my-cognito")[0] == "InvalidParameterException"
    assert fails(cognito.create_user_pool_domain, UserPoolId=other.id,
                 Domain="Upper")[0] == "InvalidParameterException"
    cognito.update_user_pool_domain(UserPoolId=pool.id, Domain="shop-login",
                                    ManagedLoginVersion=2)
    assert UserPoolDomain.objects.get(domain="shop-login").managed_login_version == 2
    assert fails(cognito.delete_user_pool_domain, UserPoolId=other.id,
                 Domain="shop-login")[0] == "ResourceNotFoundException"
    cognito.delete_user_pool_domain(UserPoolId=pool.id, Domain="shop-login")
    assert list(UserPoolDomain.objects.values_list("domain", flat=True)) == [
        "auth.example.com"]


def test_pool_deletion_takes_its_resources(cognito: Any, make_pool: Any) -> None:
    pool = make_pool(name="gone")
    pools.create_user_pool_client(pool, "app")
    cognito.create_resource_server(UserPoolId=pool.id, Identifier="api", Name="api")
    cognito.create_user_pool_domain(UserPoolId=pool.id, Domain="gone-login")
    cognito.set_user_pool_mfa_config(UserPoolId=pool.id, MfaConfiguration="OFF",
                                     SoftwareTokenMfaConfiguration={"Enabled": True})
    cognito.delete_user_pool(UserPoolId=pool.id)
    assert not (AppClient.objects.exists() or ResourceServer.objects.exists() or
                UserPoolDomain.objects.exists() or UserPoolSettings.objects.exists())
