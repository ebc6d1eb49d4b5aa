"""Administrative user and group operations over real HTTP with boto3, and how the API
authenticates them: SigV4 against stored access keys, clock skew, pool-scoped keys.

Every 200 body is checked against botocore's output shape by the ``cognito`` client.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from unittest.mock import ANY

import pytest
from django.core import mail

from django_cognito import clock
from django_cognito.models import (
    AccessKey,
    Group,
    GroupMembership,
    PoolUser,
    RefreshToken,
    UserPool,
    UserStatus,
)
from django_cognito.services import admin_users, passwords, resources, signup, tokens
from tests.factories import PASSWORD
from tests.factories import create_user as make_user

pytest_plugins = ["tests.api_fixtures"]
pytestmark = pytest.mark.django_db(transaction=True)


def attrs(items: list[dict[str, str]]) -> dict[str, str]:
    return {a["Name"]: a["Value"] for a in items}


# Admin users -----------------------------------------------------------------------------

def test_admin_create_user_invites_by_email(cognito: Any, pool: UserPool) -> None:
    answer = cognito.admin_create_user(
        UserPoolId=pool.id, Username="ann", DesiredDeliveryMediums=["EMAIL"],
        UserAttributes=[{"Name": "email", "Value": "ann@example.com"},
                        {"Name": "email_verified", "Value": "true"}])
    user = PoolUser.objects.get()
    shown = answer["User"]
    assert shown["Username"] == "ann" and shown["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    assert shown["Enabled"] is True
    assert attrs(shown["Attributes"]) == {"sub": str(user.sub), "email": "ann@example.com",
                                          "email_verified": "true"}
    assert user.status == UserStatus.FORCE_CHANGE_PASSWORD
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["ann@example.com"]
    assert "ann" in mail.outbox[0].body


def test_admin_create_user_refusals(cognito: Any, fails: Any, pool: UserPool) -> None:
    make_user(pool, "ann")
    assert fails(cognito.admin_create_user, UserPoolId=pool.id, Username="ann",
                 MessageAction="SUPPRESS") == ("UsernameExistsException", "User already exists")
    assert fails(cognito.admin_create_user, UserPoolId=pool.id, Username="bob",
                 TemporaryPassword="short", MessageAction="SUPPRESS")[0] == \
        "InvalidPasswordException"
    assert fails(cognito.admin_create_user, UserPoolId=pool.id, Username="bob",
                 MessageAction="SUPPRESS",
                 UserAttributes=[{"Name": "custom:nope", "Value": "x"}])[0] == \
        "InvalidParameterException"
    assert fails(cognito.admin_create_user, UserPoolId=pool.id, Username="ann",
                 MessageAction="RESEND") == (
        "UnsupportedUserStateException",
        "Resend not possible. ann status is not FORCE_CHANGE_PASSWORD")
    assert list(PoolUser.objects.values_list("username", flat=True)) == ["ann"]


def test_admin_get_update_and_delete_attributes(cognito: Any, fails: Any,
                                                pool: UserPool) -> None:
    user = make_user(pool, "ann", given_name="Ann", family_name="Lee")
    got = cognito.admin_get_user(UserPoolId=pool.id, Username="ann")
    assert got["Username"] == "ann" and got["UserStatus"] == "CONFIRMED"
    assert attrs(got["UserAttributes"])["given_name"] == "Ann"
    assert got["UserMFASettingList"] == []
    cognito.admin_update_user_attributes(
        UserPoolId=pool.id, Username="ann",
        UserAttributes=[{"Name": "given_name", "Value": "Annie"},
                        {"Name": "email", "Value": "annie@example.com"},
                        {"Name": "email_verified", "Value": "true"}])
    user.refresh_from_db()
    assert user.attributes["given_name"] == "Annie"
    assert user.attributes["email"] == "annie@example.com" and user.is_verified("email")
    cognito.admin_delete_user_attributes(UserPoolId=pool.id, Username="ann",
                                         UserAttributeNames=["family_name"])
    user.refresh_from_db()
    assert "family_name" not in user.attributes
    assert fails(cognito.admin_update_user_attributes, UserPoolId=pool.id, Username="ann",
                 UserAttributes=[{"Name": "sub", "Value": "x"}])[0] == \
        "InvalidParameterException"
    assert fails(cognito.admin_get_user, UserPoolId=pool.id, Username="nobody") == (
        "UserNotFoundException", "User does not exist.")


def test_admin_passwords_status_and_sign_out(cognito: Any, fails: Any, pool: UserPool,
                                             client_app: Any) -> None:
    user = make_user(pool, "ann")
    cognito.admin_set_user_password(UserPoolId=pool.id, Username="ann",
                                    Password="Temp-Passw0rd!")
    user.refresh_from_db()
    assert user.status == UserStatus.FORCE_CHANGE_PASSWORD
    cognito.admin_set_user_password(UserPoolId=pool.id, Username="ann",
                                    Password="Perm-Passw0rd!", Permanent=True)
    user.refresh_from_db()
    assert user.status == UserStatus.CONFIRMED and passwords.verify(user, "Perm-Passw0rd!")
    assert fails(cognito.admin_set_user_password, UserPoolId=pool.id, Username="ann",
                 Password="weak", Permanent=True)[0] == "InvalidPasswordException"

    tokens.sign_in(client_app, user, "TokenGeneration_Authentication")
    cognito.admin_user_global_sign_out(UserPoolId=pool.id, Username="ann")
    assert not RefreshToken.objects.filter(user=user, revoked_at=None).exists()

    cognito.admin_disable_user(UserPoolId=pool.id, Username="ann")
    got = cognito.admin_get_user(UserPoolId=pool.id, Username="ann")
    assert got["Enabled"] is False
    cognito.admin_enable_user(UserPoolId=pool.id, Username="ann")
    user.refresh_from_db()
    assert user.enabled

    mail.outbox.clear()
    cognito.admin_reset_user_password(UserPoolId=pool.id, Username="ann")
    user.refresh_from_db()
    assert user.status == UserStatus.RESET_REQUIRED
    assert mail.outbox[-1].to == ["ann@example.com"]
    assert re.search(r"\b\d{6}\b", mail.outbox[-1].body)


def test_admin_confirm_sign_up_and_delete(cognito: Any, fails: Any, pool: UserPool,
                                          client_app: Any) -> None:
    signup.sign_up(client_app, "ann", PASSWORD, {"email": "ann@example.com"})
    assert PoolUser.objects.get().status == UserStatus.UNCONFIRMED
    cognito.admin_confirm_sign_up(UserPoolId=pool.id, Username="ann")
    assert PoolUser.objects.get().status == UserStatus.CONFIRMED
    assert fails(cognito.admin_confirm_sign_up, UserPoolId=pool.id, Username="ann") == (
        "NotAuthorizedException", "User cannot be confirmed. Current status is CONFIRMED")
    cognito.admin_delete_user(UserPoolId=pool.id, Username="ann")
    assert not PoolUser.objects.exists()
    assert fails(cognito.admin_delete_user, UserPoolId=pool.id,
                 Username="ann")[0] == "UserNotFoundException"


def test_list_users_filters_pages_and_projects(cognito: Any, fails: Any,
                                               pool: UserPool) -> None:
    for name in ("amy", "ann", "bob"):
        make_user(pool, name, given_name=name.title())
    admin_users.set_enabled(PoolUser.objects.get(username="bob"), False)
    everyone = cognito.list_users(UserPoolId=pool.id)["Users"]
    assert sorted(u["Username"] for u in everyone) == ["amy", "ann", "bob"]
    prefixed = cognito.list_users(UserPoolId=pool.id, Filter='email ^= "a"')["Users"]
    assert sorted(u["Username"] for u in prefixed) == ["amy", "ann"]
    disabled = cognito.list_users(UserPoolId=pool.id, Filter='status = "Disabled"')["Users"]
    assert [u["Username"] for u in disabled] == ["bob"]
    first = cognito.list_users(UserPoolId=pool.id, Limit=2, AttributesToGet=["given_name"])
    assert len(first["Users"]) == 2 and "PaginationToken" in first
    assert all(attrs(u["Attributes"]).keys() == {"given_name"} for u in first["Users"])
    rest = cognito.list_users(UserPoolId=pool.id, Limit=2,
                              AttributesToGet=["given_name"],
                              PaginationToken=first["PaginationToken"])
    assert "PaginationToken" not in rest
    assert sorted(u["Username"] for u in first["Users"] + rest["Users"]) == [
        "amy", "ann", "bob"]
    assert fails(cognito.list_users, UserPoolId=pool.id, Filter='nickname = "x"') == (
        "InvalidParameterException", "Invalid search attribute: nickname")
    assert fails(cognito.list_users, UserPoolId=pool.id,
                 AttributesToGet=["custom:nope"])[0] == "InvalidParameterException"
    # Every user listed must have each attribute asked for (the model's documentation).
    make_user(pool, "cid")
    assert fails(cognito.list_users, UserPoolId=pool.id, AttributesToGet=["given_name"]) == (
        "InvalidParameterException", "Not every user in the results has a value for "
        "given_name.")
    named = cognito.list_users(UserPoolId=pool.id, Filter='given_name ^= "A"',
                               AttributesToGet=["given_name", "sub"])["Users"]
    assert sorted(attrs(u["Attributes"])["given_name"] for u in named) == ["Amy", "Ann"]
    assert fails(cognito.list_users, UserPoolId=pool.id, Limit=61)[0] == \
        "InvalidParameterException"


# Groups ------------------------------------------------------------------------------------

def test_group_lifecycle_and_membership(cognito: Any, fails: Any, pool: UserPool) -> None:
    ann = make_user(pool, "ann")
    make_user(pool, "bob")
    created = cognito.create_group(UserPoolId=pool.id, GroupName="admins",
                                   Description="Administrators", Precedence=1,
                                   RoleArn="arn:aws:iam::123456789012:role/Admin")["Group"]
    assert created["GroupName"] == "admins" and created["Precedence"] == 1
    assert created["UserPoolId"] == pool.id
    assert fails(cognito.create_group, UserPoolId=pool.id, GroupName="admins") == (
        "GroupExistsException", "A group with the name already exists.")
    cognito.create_group(UserPoolId=pool.id, GroupName="readers")
    updated = cognito.update_group(UserPoolId=pool.id, GroupName="readers",
                                   Description="Read only", Precedence=5)["Group"]
    assert (updated["Description"], updated["Precedence"]) == ("Read only", 5)
    got = cognito.get_group(UserPoolId=pool.id, GroupName="admins")["Group"]
    assert got["RoleArn"] == "arn:aws:iam::123456789012:role/Admin"

    page = cognito.list_groups(UserPoolId=pool.id, Limit=1)
    rest = cognito.list_groups(UserPoolId=pool.id, Limit=1, NextToken=page["NextToken"])
    assert [g["GroupName"] for g in page["Groups"] + rest["Groups"]] == ["admins", "readers"]

    for group in ("admins", "readers"):
        cognito.admin_add_user_to_group(UserPoolId=pool.id, GroupName=group, Username="ann")
    cognito.admin_add_user_to_group(UserPoolId=pool.id, GroupName="admins", Username="ann")
    assert GroupMembership.objects.filter(user=ann).count() == 2
    groups = cognito.admin_list_groups_for_user(UserPoolId=pool.id, Username="ann")["Groups"]
    assert [g["GroupName"] for g in groups] == ["admins", "readers"]
    members = cognito.list_users_in_group(UserPoolId=pool.id, GroupName="admins")["Users"]
    assert [u["Username"] for u in members] == ["ann"]
    cognito.admin_remove_user_from_group(UserPoolId=pool.id, GroupName="admins",
                                         Username="ann")
    assert cognito.list_users_in_group(UserPoolId=pool.id, GroupName="admins")["Users"] == []

    assert fails(cognito.get_group, UserPoolId=pool.id, GroupName="nope") == (
        "ResourceNotFoundException", "Group not found.")
    assert fails(cognito.admin_add_user_to_group, UserPoolId=pool.id, GroupName="nope",
                 Username="ann")[0] == "ResourceNotFoundException"
    assert fails(cognito.admin_add_user_to_group, UserPoolId=pool.id, GroupName="admins",
                 Username="nobody")[0] == "UserNotFoundException"
    cognito.delete_group(UserPoolId=pool.id, GroupName="readers")
    assert list(Group.objects.values_list("name", flat=True)) == ["admins"]
    assert not GroupMembership.objects.exists()


# Authentication of admin calls -----------------------------------------------------------

def test_wrong_secret_is_an_invalid_signature(make_boto: Any, fails: Any, access_key: Any,
                                              pool: UserPool) -> None:
    client = make_boto(secret="not-the-secret-0123456789abcdefghijklm")
    assert fails(client.admin_create_user, UserPoolId=pool.id, Username="eve",
                 MessageAction="SUPPRESS") == (
        "InvalidSignatureException",
        "The request signature we calculated does not match the signature you provided. "
        "Check your AWS Secret Access Key and signing method.")
    assert not PoolUser.objects.exists()


def test_unknown_or_inactive_key_is_unrecognized(make_boto: Any, fails: Any,
                                                 access_key: AccessKey, pool: UserPool) -> None:
    stranger = make_boto(key_id="AKIAUNKNOWNKEY000001")
    expected = ("UnrecognizedClientException",
                "The security token included in the request is invalid.")
    assert fails(stranger.describe_user_pool, UserPoolId=pool.id) == expected
    access_key.is_active = False
    access_key.save()
    assert fails(make_boto().describe_user_pool, UserPoolId=pool.id) == expected


def test_a_skewed_clock_is_an_invalid_signature(cognito: Any, fails: Any,
                                                pool: UserPool) -> None:
    for minutes in (20, -20):
        with clock.shifted(dt.timedelta(minutes=minutes)):
            code, message = fails(cognito.admin_create_user, UserPoolId=pool.id,
                                  Username="late", MessageAction="SUPPRESS")
        assert code == "InvalidSignatureException" and message.startswith("Signature expired")
    with clock.shifted(dt.timedelta(minutes=14)):
        assert cognito.describe_user_pool(UserPoolId=pool.id)["UserPool"]["Id"] == pool.id
    assert not PoolUser.objects.exists()


def test_a_signature_scoped_to_another_region_is_refused(make_boto: Any, fails: Any,
                                                         pool: UserPool, settings: Any,
                                                         access_key: Any) -> None:
    elsewhere = make_boto(region="eu-west-1")
    assert fails(elsewhere.describe_user_pool, UserPoolId=pool.id) == (
        "InvalidSignatureException", "Credential should be scoped to a valid region.")
    assert fails(elsewhere.create_user_pool, PoolName="x")[0] == "InvalidSignatureException"
    settings.COGNITO = {**settings.COGNITO, "REGION": "eu-west-1"}
    assert elsewhere.describe_user_pool(UserPoolId=pool.id)["UserPool"]["Id"] == pool.id
    assert UserPool.objects.count() == 1


def test_unsigned_admin_call_is_refused(make_boto: Any, fails: Any, pool: UserPool) -> None:
    unsigned = make_boto(signed=False)
    assert fails(unsigned.admin_create_user, UserPoolId=pool.id, Username="eve",
                 MessageAction="SUPPRESS") == ("MissingAuthenticationTokenException",
                                               "Missing Authentication Token")
    assert fails(unsigned.create_user_pool, PoolName="x")[0] == \
        "MissingAuthenticationTokenException"
    assert not PoolUser.objects.exists() and UserPool.objects.count() == 1


def test_a_key_scoped_to_another_pool_is_not_authorized(make_boto: Any, fails: Any,
                                                        scoped_key: Any, make_pool: Any) -> None:
    mine, theirs = make_pool(name="mine"), make_pool(name="theirs")
    key = scoped_key(mine)
    client = make_boto(key_id=key.access_key_id, secret=key.secret)
    assert client.describe_user_pool(UserPoolId=mine.id)["UserPool"]["Id"] == mine.id
    denied = [(client.describe_user_pool, {}),
              (client.admin_create_user, {"Username": "eve", "MessageAction": "SUPPRESS"}),
              (client.create_group, {"GroupName": "g"}),
              (client.list_users, {}),
              (client.delete_user_pool, {})]
    for call, params in denied:
        assert fails(call, UserPoolId=theirs.id, **params) == (
            "NotAuthorizedException",
            f"The access key is not allowed to administer {theirs.id}.")
    assert not PoolUser.objects.exists() and not Group.objects.exists()
    assert UserPool.objects.count() == 2
    # A domain names no pool in the request: one the key may not see describes as empty.
    resources.create_domain(theirs, "theirs-login")
    assert client.describe_user_pool_domain(Domain="theirs-login") == {
        "DomainDescription": {}, "ResponseMetadata": ANY}


def test_unknown_resources_are_not_found(cognito: Any, fails: Any, pool: UserPool) -> None:
    assert fails(cognito.describe_user_pool, UserPoolId="us-east-1_Missing00") == (
        "ResourceNotFoundException", "User pool us-east-1_Missing00 does not exist.")
    assert fails(cognito.admin_get_user, UserPoolId="us-east-1_Missing00",
                 Username="ann")[0] == "ResourceNotFoundException"
    assert fails(cognito.describe_user_pool_client, UserPoolId=pool.id,
                 ClientId="abcdefghijklmnopqrstuvwxyz") == (
        "ResourceNotFoundException", "User pool client abcdefghijklmnopqrstuvwxyz does not exist.")
    assert fails(cognito.delete_group, UserPoolId=pool.id, GroupName="missing") == (
        "ResourceNotFoundException", "Group not found.")


# Access keys in the Django admin ---------------------------------------------------------

def test_admin_site_creates_a_key_and_shows_the_secret_once(admin_client: Any,
                                                            make_pool: Any) -> None:
    pool = make_pool(name="scoped")
    response = admin_client.post("/admin/django_cognito/accesskey/add/",
                                 {"description": "deploy bot", "pools": [pool.id]})
    assert response.status_code == 200
    key = AccessKey.objects.get()
    page = response.content.decode()
    assert key.access_key_id in page and key.secret in page
    assert key.description == "deploy bot" and list(key.pools.all()) == [pool]
    assert key.allows(pool.id) and not key.allows(None)
    change = admin_client.get(f"/admin/django_cognito/accesskey/{key.pk}/change/")
    assert change.status_code == 200
    assert key.access_key_id in change.content.decode()
    assert (key.secret or "") not in change.content.decode()
    listing = admin_client.get("/admin/django_cognito/accesskey/")
    assert listing.status_code == 200 and key.access_key_id in listing.content.decode()


def test_admin_site_key_needs_pools_or_all_pools(admin_client: Any, make_pool: Any) -> None:
    pool = make_pool(name="scoped")
    for form in ({"description": "neither"},
                 {"description": "both", "all_pools": "on", "pools": [pool.id]}):
        response = admin_client.post("/admin/django_cognito/accesskey/add/", form)
        assert response.status_code == 200
        assert "or tick “All pools”" in response.content.decode()
    assert not AccessKey.objects.exists()
    admin_client.post("/admin/django_cognito/accesskey/add/",
                      {"description": "everything", "all_pools": "on"})
    key = AccessKey.objects.get()
    assert key.all_pools and key.allows(None) and key.allows(pool.id)
    listing = admin_client.get("/admin/django_cognito/accesskey/").content.decode()
    assert "all pools" in listing
    # An existing key may be left with no pool (here: switched off), not with both.
    change = f"/admin/django_cognito/accesskey/{key.pk}/change/"
    both = admin_client.post(change, {"description": "x", "all_pools": "on",
                                      "pools": [pool.id], "is_active": "on"})
    assert both.status_code == 200 and AccessKey.objects.get().all_pools
    off = admin_client.post(change, {"description": "retired"})
    assert off.status_code == 302
    key.refresh_from_db()
    assert not key.all_pools and not key.is_active and not key.pools.exists()
    assert "none" in admin_client.get("/admin/django_cognito/accesskey/").content.decode()
