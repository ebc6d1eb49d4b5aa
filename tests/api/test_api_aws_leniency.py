"""No stricter than AWS where AWS is lenient (issue 12, item 9): requests real Cognito
accepts, through boto3 over HTTP (docs/fidelity.md lists the refusals that stay)."""

from __future__ import annotations

from typing import Any

from django.core import mail

from django_cognito.crypto.secrets import secret_hash
from django_cognito.models import PoolUser, UserPool, UserStatus
from django_cognito.services import delivery, passwords

pytest_plugins = ["tests.api_fixtures"]


def test_admin_create_user_without_contact_or_message_action(cognito: Any,
                                                             pool: UserPool) -> None:
    """No email, no phone, no MessageAction: AWS creates the user and sends nothing."""
    user = cognito.admin_create_user(UserPoolId=pool.id, Username="nocontact")["User"]
    assert user["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    stored = PoolUser.objects.get(pool=pool, username="nocontact")
    assert stored.status == UserStatus.FORCE_CHANGE_PASSWORD
    assert mail.outbox == [] and delivery.outbox == []


def test_admin_create_user_still_refuses_mediums_it_cannot_use(cognito: Any, fails: Any,
                                                               pool: UserPool) -> None:
    assert fails(cognito.admin_create_user, UserPoolId=pool.id, Username="nocontact",
                 DesiredDeliveryMediums=["EMAIL"]) == (
        "InvalidParameterException", "User has no attribute matching desired delivery mediums")
    assert not PoolUser.objects.filter(username="nocontact").exists()


def test_mfa_with_an_sms_configuration_needs_no_auto_verified_phone(cognito: Any) -> None:
    for mode in ("ON", "OPTIONAL"):
        created = cognito.create_user_pool(
            PoolName=f"mfa-{mode.lower()}", MfaConfiguration=mode,
            AutoVerifiedAttributes=["email"],
            SmsConfiguration={"SnsCallerArn": "arn:aws:iam::123456789012:role/sns",
                              "ExternalId": "x"})["UserPool"]
        assert created["MfaConfiguration"] == mode
        assert cognito.get_user_pool_mfa_config(UserPoolId=created["Id"])[
            "MfaConfiguration"] == mode


def test_boolean_attribute_values_ignore_case(cognito: Any, pool: UserPool) -> None:
    cognito.admin_create_user(
        UserPoolId=pool.id, Username="ann", MessageAction="SUPPRESS",
        UserAttributes=[{"Name": "email", "Value": "ann@example.com"},
                        {"Name": "email_verified", "Value": "True"}])
    assert PoolUser.objects.get(username="ann").is_verified("email")  # stored as "true"
    cognito.admin_update_user_attributes(
        UserPoolId=pool.id, Username="ann",
        UserAttributes=[{"Name": "email_verified", "Value": "FALSE"}])
    got = cognito.admin_get_user(UserPoolId=pool.id, Username="ann")["UserAttributes"]
    assert {"Name": "email_verified", "Value": "false"} in got


def test_admin_create_user_resends_to_no_contact_as_it_creates(cognito: Any,
                                                                pool: UserPool) -> None:
    """RESEND is the same operation: a user with no email or phone gets a new temporary
    password and no message, as when it was created."""
    cognito.admin_create_user(UserPoolId=pool.id, Username="nocontact")
    resent = cognito.admin_create_user(UserPoolId=pool.id, Username="nocontact",
                                       MessageAction="RESEND",
                                       TemporaryPassword="Fresh-Temp-1")["User"]
    assert resent["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    assert passwords.verify(PoolUser.objects.get(username="nocontact"), "Fresh-Temp-1")
    assert mail.outbox == [] and delivery.outbox == []


def test_empty_attribute_lists_change_nothing(cognito: Any, pool: UserPool) -> None:
    """The model sets UserAttributes and UserAttributeNames no minimum; AWS refuses
    neither empty list."""
    cognito.admin_create_user(UserPoolId=pool.id, Username="ann", MessageAction="SUPPRESS",
                              UserAttributes=[{"Name": "name", "Value": "Ann"}])
    cognito.admin_update_user_attributes(UserPoolId=pool.id, Username="ann",
                                         UserAttributes=[])
    cognito.admin_delete_user_attributes(UserPoolId=pool.id, Username="ann",
                                         UserAttributeNames=[])
    assert PoolUser.objects.get(username="ann").attributes["name"] == "Ann"


def test_client_secret_of_ones_own_without_generate_secret(cognito: Any, make_boto: Any,
                                                           pool: UserPool) -> None:
    """ClientSecret comes instead of GenerateSecret (botocore's documentation of the
    member), and the client signs in with it."""
    secret = "our_own_secret_0123456789"
    client = cognito.create_user_pool_client(
        UserPoolId=pool.id, ClientName="own-secret", ClientSecret=secret,
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"])["UserPoolClient"]
    assert client["ClientSecret"] == secret
    cognito.admin_create_user(UserPoolId=pool.id, Username="ann", MessageAction="SUPPRESS")
    cognito.admin_set_user_password(UserPoolId=pool.id, Username="ann",
                                    Password="Correct-Horse-1", Permanent=True)
    result = make_boto(signed=False).initiate_auth(
        ClientId=client["ClientId"], AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "ann", "PASSWORD": "Correct-Horse-1",
                        "SECRET_HASH": secret_hash(secret, "ann", client["ClientId"])})
    assert result["AuthenticationResult"]["AccessToken"]


def test_a_scope_an_app_client_allows_can_leave_its_server(cognito: Any,
                                                           pool: UserPool) -> None:
    """AWS lets UpdateResourceServer drop a scope a client allows; the client loses it, as
    when the whole server is deleted."""
    scopes = [{"ScopeName": "read", "ScopeDescription": "Read"},
              {"ScopeName": "write", "ScopeDescription": "Write"}]
    cognito.create_resource_server(UserPoolId=pool.id, Identifier="orders", Name="Orders",
                                   Scopes=scopes)
    client = cognito.create_user_pool_client(
        UserPoolId=pool.id, ClientName="web", AllowedOAuthFlowsUserPoolClient=True,
        AllowedOAuthFlows=["code"], CallbackURLs=["https://app.example.com/"],
        AllowedOAuthScopes=["openid", "orders/read", "orders/write"])["UserPoolClient"]
    updated = cognito.update_resource_server(UserPoolId=pool.id, Identifier="orders",
                                             Name="Orders", Scopes=scopes[:1])
    assert updated["ResourceServer"]["Scopes"] == scopes[:1]
    described = cognito.describe_user_pool_client(UserPoolId=pool.id,
                                                  ClientId=client["ClientId"])
    assert described["UserPoolClient"]["AllowedOAuthScopes"] == ["openid", "orders/read"]


def test_custom_attribute_names_take_what_the_model_allows(cognito: Any) -> None:
    """CustomAttributeNameType allows letters, marks, symbols, numbers and punctuation:
    a dot or a slash as well as [A-Za-z0-9_-]."""
    created = cognito.create_user_pool(
        PoolName="dotted", Schema=[{"Name": "tenant.id", "AttributeDataType": "String"}])
    pool_id = created["UserPool"]["Id"]
    cognito.add_custom_attributes(UserPoolId=pool_id, CustomAttributes=[
        {"Name": "dept/code", "AttributeDataType": "String"}])
    names = {a["Name"] for a in cognito.describe_user_pool(UserPoolId=pool_id)[
        "UserPool"]["SchemaAttributes"]}
    assert {"custom:tenant.id", "custom:dept/code"} <= names
    cognito.admin_create_user(UserPoolId=pool_id, Username="ann", MessageAction="SUPPRESS",
                              UserAttributes=[{"Name": "custom:tenant.id", "Value": "t1"},
                                              {"Name": "custom:dept/code", "Value": "d7"}])
    got = cognito.admin_get_user(UserPoolId=pool_id, Username="ann")["UserAttributes"]
    assert {"Name": "custom:tenant.id", "Value": "t1"} in got
    assert {"Name": "custom:dept/code", "Value": "d7"} in got
