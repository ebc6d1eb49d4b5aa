"""Management commands: create pools, clients and users, and seed the demo."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from django_cognito.models import AccessKey, AppClient, PoolUser, UserPool, UserStatus
from django_cognito.services import admin_users, mfa, passwords, pool_config
from django_cognito.services.attributes import update_user_attributes
from tests.factories import PASSWORD

REPO = Path(__file__).resolve().parents[2]
DEMO_KEYS = {"endpoint_url", "region", "user_pool_id", "client_id", "identity_pool_id", "username",
             "password", "admin_url", "admin_username", "admin_password", "aws_access_key_id",
             "aws_secret_access_key", "admin_otpauth_uri", "domain_url"}
DEMO_KEY_ID = "AKIADEMODEMODEMO0000"
DEMO_KEY_SECRET = "DevOnly/CognitoDemoSecretKey/NotForProd0"
DEMO_FLOWS = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH",
              "ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_CUSTOM_AUTH"]
DEMO_PHONE = "+15555550100"


def run(*args: Any, **options: Any) -> str:
    """Run a command and return its stdout."""
    out = StringIO()
    call_command(*args, stdout=out, **options)
    return out.getvalue()


def fields(output: str) -> dict[str, str]:
    """Parse ``Label: value`` lines."""
    result = {}
    for line in output.splitlines():
        label, sep, value = line.partition(":")
        if sep and value.startswith(" "):
            result[label.strip()] = value.strip()
    return result


# cognito_create_pool -------------------------------------------------------------------------

@pytest.mark.django_db
def test_create_pool_prints_the_id_of_a_pool_with_defaults() -> None:
    output = run("cognito_create_pool", "shop")
    pool = UserPool.objects.get()
    assert output == f"{pool.id}\n"
    assert pool.name == "shop"
    assert pool.id.startswith("us-east-1_")
    assert pool.username_attributes == [] and pool.alias_attributes == []
    assert pool.case_sensitive is True
    assert pool.auto_verified_attributes == []
    assert (pool.minimum_length, pool.require_symbols, pool.require_uppercase) == (8, True, True)
    assert pool.deletion_protection is False


@pytest.mark.django_db
def test_a_pool_and_a_client_keep_ids_of_ones_choosing() -> None:
    """A pool moving off AWS keeps its id (and so its issuer); a project names its own."""
    assert run("cognito_create_pool", "shop", "--pool-id", "eu-west-1_Kept12345") == \
        "eu-west-1_Kept12345\n"
    output = run("cognito_create_client", "eu-west-1_Kept12345", "web", "--client-id",
                 "keptclientid0000000000001", "--json")
    assert json.loads(output)["ClientId"] == "keptclientid0000000000001"
    for argv, message in (
            (("cognito_create_pool", "again", "--pool-id", "eu-west-1_Kept12345"),
             "A user pool with id eu-west-1_Kept12345 already exists."),
            (("cognito_create_pool", "bad", "--pool-id", "no-underscore"),
             "Invalid user pool id 'no-underscore'."),
            (("cognito_create_client", "eu-west-1_Kept12345", "x", "--client-id", "bad id!"),
             "Invalid user pool client id 'bad id!'.")):
        with pytest.raises(CommandError, match=re.escape(message)):
            run(*argv)
    assert UserPool.objects.count() == 1 and AppClient.objects.count() == 1


@pytest.mark.django_db
def test_create_pool_options_from_the_command_line() -> None:
    output = run("cognito_create_pool", "shop", "--username-attributes", "email", "phone_number",
                 "--case-insensitive", "--auto-verify", "email", "--auto-verify", "phone_number",
                 "--min-length", "12", "--no-require-symbols", "--no-require-numbers",
                 "--password-history-size", "3", "--deletion-protection")
    pool = UserPool.objects.get(pk=output.strip())
    assert pool.username_attributes == ["email", "phone_number"]
    assert pool.case_sensitive is False
    assert pool.auto_verified_attributes == ["email", "phone_number"]
    assert pool.minimum_length == 12
    assert (pool.require_symbols, pool.require_numbers) == (False, False)
    assert (pool.require_uppercase, pool.require_lowercase) == (True, True)
    assert pool.password_history_size == 3
    assert pool.deletion_protection is True


@pytest.mark.django_db
def test_create_pool_json_matches_the_database() -> None:
    data = json.loads(run("cognito_create_pool", "shop", "--alias-attributes", "email",
                          "preferred_username", "--auto-verify", "email", "--json"))
    pool = UserPool.objects.get()
    assert data == {
        "Id": pool.id,
        "Name": "shop",
        "UsernameAttributes": [],
        "AliasAttributes": ["email", "preferred_username"],
        "UsernameConfiguration": {"CaseSensitive": True},
        "AutoVerifiedAttributes": ["email"],
        "Policies": {"PasswordPolicy": {
            "MinimumLength": 8, "RequireUppercase": True, "RequireLowercase": True,
            "RequireNumbers": True, "RequireSymbols": True, "PasswordHistorySize": 0,
            "TemporaryPasswordValidityDays": 7}},
        "MfaConfiguration": "OFF",
        "DeletionProtection": "INACTIVE",
    }


@pytest.mark.django_db
@pytest.mark.parametrize(("argv", "message"), [
    (["--min-length", "5"],
     "InvalidParameterException: MinimumLength must be between 6 and 99."),
    (["--username-attributes", "email", "--alias-attributes", "phone_number"],
     "InvalidParameterException: Only one of the aliasAttributes or usernameAttributes can be "
     "set in a User Pool"),
    (["--password-history-size", "25"],
     "InvalidParameterException: PasswordHistorySize must be between 0 and 24."),
])
def test_create_pool_cognito_errors_become_command_errors(argv: list[str], message: str) -> None:
    with pytest.raises(CommandError) as caught:
        run("cognito_create_pool", "shop", *argv)
    assert str(caught.value) == message
    assert caught.value.returncode == 1
    assert not UserPool.objects.exists()


@pytest.mark.django_db
def test_create_pool_rejects_an_unknown_attribute_choice() -> None:
    with pytest.raises(CommandError, match="invalid choice: 'nickname'"):
        run("cognito_create_pool", "shop", "--username-attributes", "nickname")
    assert not UserPool.objects.exists()


@pytest.mark.django_db
def test_create_pool_rejects_a_name_too_long() -> None:
    with pytest.raises(CommandError, match="^InvalidParameterException: PoolName must be 1 to "
                                           "128 characters.$"):
        run("cognito_create_pool", "x" * 129)


# cognito_create_client -----------------------------------------------------------------------

@pytest.mark.django_db
def test_create_client_without_secret(pool: UserPool) -> None:
    output = run("cognito_create_client", pool.id, "web")
    client = AppClient.objects.get()
    assert fields(output) == {"Client id": client.id}
    assert client.pool == pool and client.name == "web"
    assert client.secret is None
    assert client.explicit_auth_flows == ["ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH",
                                          "ALLOW_CUSTOM_AUTH"]
    assert client.prevent_user_existence_errors == "LEGACY"


@pytest.mark.django_db
def test_create_client_prints_the_secret_it_stored(pool: UserPool) -> None:
    output = run("cognito_create_client", pool.id, "server", "--generate-secret",
                 "--auth-flows", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH",
                 "--prevent-user-existence-errors")
    printed = fields(output)
    client = AppClient.objects.get(pk=printed["Client id"])
    assert len(printed["Client secret"]) == 51
    assert client.secret == printed["Client secret"]
    assert client.explicit_auth_flows == ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
    assert client.prevent_user_existence_errors == "ENABLED"


@pytest.mark.django_db
def test_create_client_json(pool: UserPool) -> None:
    data = json.loads(run("cognito_create_client", pool.id, "server", "--generate-secret",
                          "--json"))
    client = AppClient.objects.get()
    assert data == {"UserPoolId": pool.id, "ClientName": "server", "ClientId": client.id,
                    "ExplicitAuthFlows": client.explicit_auth_flows,
                    "PreventUserExistenceErrors": "LEGACY", "ClientSecret": client.secret}
    no_secret = json.loads(run("cognito_create_client", pool.id, "web", "--json"))
    assert "ClientSecret" not in no_secret


@pytest.mark.django_db
def test_create_client_unknown_pool() -> None:
    with pytest.raises(CommandError) as caught:
        run("cognito_create_client", "us-east-1_Missing00", "web")
    assert str(caught.value) == ("ResourceNotFoundException: User pool us-east-1_Missing00 does "
                                 "not exist.")
    assert not AppClient.objects.exists()


@pytest.mark.django_db
def test_create_client_refuses_mixed_flow_styles(pool: UserPool) -> None:
    with pytest.raises(CommandError, match="^InvalidParameterException: The ExplicitAuthFlows "
                                           "parameter cannot mix legacy and ALLOW_ values.$"):
        run("cognito_create_client", pool.id, "web", "--auth-flows", "USER_PASSWORD_AUTH",
            "ALLOW_USER_SRP_AUTH")
    assert not AppClient.objects.exists()


# cognito_create_user -------------------------------------------------------------------------

@pytest.mark.django_db
def test_create_user_invites_by_email(pool: UserPool) -> None:
    output = run("cognito_create_user", pool.id, "alice", "--email", "alice@example.com",
                 "--attribute", "given_name=Alice", "--attribute", "nickname=a=b")
    user = PoolUser.objects.get()
    assert fields(output) == {"Username": "alice", "Sub": str(user.sub),
                              "Status": "FORCE_CHANGE_PASSWORD"}
    assert user.status == UserStatus.FORCE_CHANGE_PASSWORD
    assert user.attributes == {"email": "alice@example.com", "given_name": "Alice",
                               "nickname": "a=b"}
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["alice@example.com"]
    assert "Your username is alice and temporary password is" in mail.outbox[0].body
    assert user.temporary_password_expires_at is not None


@pytest.mark.django_db
def test_create_user_with_a_given_temporary_password(pool: UserPool) -> None:
    run("cognito_create_user", pool.id, "alice", "--email", "alice@example.com",
        "--password", PASSWORD)
    user = PoolUser.objects.get()
    assert user.status == UserStatus.FORCE_CHANGE_PASSWORD
    assert passwords.verify(user, PASSWORD)
    assert f"temporary password is {PASSWORD}" in mail.outbox[0].body


@pytest.mark.django_db
def test_create_user_permanent_is_confirmed_without_invitation(make_pool: Any) -> None:
    pool = make_pool(password_policy={"PasswordHistorySize": 2})
    data = json.loads(run("cognito_create_user", pool.id, "bob", "--email", "bob@example.com",
                          "--password", PASSWORD, "--permanent", "--json"))
    user = PoolUser.objects.get()
    assert data == {"Username": "bob", "Sub": str(user.sub), "UserStatus": "CONFIRMED",
                    "Enabled": True}
    assert user.status == UserStatus.CONFIRMED
    assert passwords.verify(user, PASSWORD)
    assert user.temporary_password_expires_at is None
    assert mail.outbox == []


@pytest.mark.django_db
def test_create_user_suppress_sends_nothing(pool: UserPool) -> None:
    run("cognito_create_user", pool.id, "carol", "--email", "carol@example.com", "--suppress")
    assert PoolUser.objects.get().status == UserStatus.FORCE_CHANGE_PASSWORD
    assert mail.outbox == []


@pytest.mark.django_db
def test_create_user_without_contact_sends_nothing(pool: UserPool) -> None:
    run("cognito_create_user", pool.id, "dave")
    assert PoolUser.objects.get().username == "dave"
    assert mail.outbox == []


@pytest.mark.django_db
def test_create_user_explicit_medium_without_matching_attribute(pool: UserPool) -> None:
    with pytest.raises(CommandError, match="^InvalidParameterException: User has no attribute "
                                           "matching desired delivery mediums$"):
        run("cognito_create_user", pool.id, "erin", "--email", "erin@example.com",
            "--delivery-mediums", "SMS")
    assert not PoolUser.objects.exists()


@pytest.mark.django_db
def test_create_user_in_an_email_username_pool(make_pool: Any) -> None:
    pool = make_pool(username_attributes=["email"])
    output = run("cognito_create_user", pool.id, "frank@example.com", "--password", PASSWORD,
                 "--permanent")
    user = PoolUser.objects.get()
    assert fields(output)["Username"] == str(user.sub) == user.username
    assert user.attributes["email"] == "frank@example.com"


@pytest.mark.django_db
@pytest.mark.parametrize(("argv", "message"), [
    (["--password", "short", "--permanent"],
     "InvalidPasswordException: Password did not conform with policy: Password not long enough"),
    (["--password", "alllowercase1!", "--permanent"],
     "InvalidPasswordException: Password did not conform with policy: Password must have "
     "uppercase characters"),
    (["--permanent"], "A permanent password needs --password."),
    (["--attribute", "nickname"], "Invalid attribute 'nickname': expected name=value."),
    (["--attribute", "=x"], "Invalid attribute '=x': expected name=value."),
    (["--attribute", "custom:missing=1"],
     "InvalidParameterException: Attributes did not conform to the schema: custom:missing: "
     "Attribute does not exist in the schema."),
    (["--email", "not-an-email"], "InvalidParameterException: Invalid email address format."),
])
def test_create_user_errors_create_nothing(pool: UserPool, argv: list[str], message: str) -> None:
    with pytest.raises(CommandError) as caught:
        run("cognito_create_user", pool.id, "gina", *argv)
    assert str(caught.value) == message
    assert not PoolUser.objects.exists()
    assert not get_user_model().objects.exists()
    assert mail.outbox == []


@pytest.mark.django_db
def test_create_user_duplicate_username(pool: UserPool) -> None:
    run("cognito_create_user", pool.id, "hank", "--suppress")
    with pytest.raises(CommandError, match="^UsernameExistsException: User already exists$"):
        run("cognito_create_user", pool.id, "hank", "--suppress")
    assert PoolUser.objects.count() == 1


@pytest.mark.django_db
def test_create_user_unknown_pool() -> None:
    with pytest.raises(CommandError, match="^ResourceNotFoundException: User pool "
                                           "us-east-1_Nope does not exist.$"):
        run("cognito_create_user", "us-east-1_Nope", "ivy")


# cognito_create_access_key ------------------------------------------------------------------

@pytest.mark.django_db
def test_create_access_key_prints_a_new_unscoped_key_once() -> None:
    printed = fields(run("cognito_create_access_key", description="ci"))
    key = AccessKey.objects.get()
    assert printed["Access key id"] == key.access_key_id
    assert re.fullmatch(r"AKIA[A-Z2-7]{16}", key.access_key_id)
    assert printed["Secret access key"] == key.secret
    assert len(key.secret) == 40 and printed["Pools"] == "all"
    assert key.description == "ci" and key.is_active and not key.pools.exists()
    assert key.allows(None)
    second = fields(run("cognito_create_access_key"))
    assert second["Access key id"] != key.access_key_id
    assert second["Secret access key"] != key.secret


@pytest.mark.django_db
def test_create_access_key_scoped_to_pools_as_json(make_pool: Any) -> None:
    first, second, other = make_pool(name="a"), make_pool(name="b"), make_pool(name="c")
    data = json.loads(run("cognito_create_access_key", "--pool", first.id, "--pool", second.id,
                          "--json", access_key_id="AKIAFIXEDKEYID000001",
                          secret_access_key="fixed-secret-0123456789abcdef"))
    assert data == {"AccessKeyId": "AKIAFIXEDKEYID000001",
                    "SecretAccessKey": "fixed-secret-0123456789abcdef",
                    "UserPoolIds": [first.id, second.id]}
    key = AccessKey.objects.get()
    assert key.secret == "fixed-secret-0123456789abcdef"
    assert key.allows(first.id) and key.allows(second.id)
    assert not key.allows(other.id) and not key.allows(None)


@pytest.mark.django_db
def test_create_access_key_refusals_store_nothing(make_pool: Any) -> None:
    with pytest.raises(CommandError, match="^ResourceNotFoundException: User pool "
                                           "us-east-1_Nope does not exist.$"):
        run("cognito_create_access_key", "--pool", "us-east-1_Nope")
    with pytest.raises(CommandError, match="^InvalidParameterException: A secret access key"):
        run("cognito_create_access_key", secret_access_key="short")
    with pytest.raises(CommandError, match="^InvalidParameterException: An access key id"):
        run("cognito_create_access_key", access_key_id="lower-case-id-0000")
    assert not AccessKey.objects.exists()
    run("cognito_create_access_key", access_key_id="AKIADUPLICATE0000001")
    with pytest.raises(CommandError, match="^InvalidParameterException: Access key "
                                           "AKIADUPLICATE0000001 already exists.$"):
        run("cognito_create_access_key", access_key_id="AKIADUPLICATE0000001")
    assert AccessKey.objects.count() == 1


# cognito_demo --------------------------------------------------------------------------------

def demo_json(**options: Any) -> dict[str, str]:
    output = run("cognito_demo", "--json", **options)
    data = json.loads(output)
    assert isinstance(data, dict)
    return data


def counts() -> tuple[int, ...]:
    return (UserPool.objects.count(), AppClient.objects.count(), PoolUser.objects.count(),
            get_user_model().objects.count())


@pytest.mark.django_db
@override_settings(DEBUG=True)
def test_demo_json_matches_the_database() -> None:
    data = demo_json()
    assert set(data) == DEMO_KEYS
    pool = UserPool.objects.get()
    client = AppClient.objects.get()
    user = PoolUser.objects.get()
    assert data["endpoint_url"] == "http://testserver/"
    assert data["admin_url"] == "http://testserver/admin/"
    assert data["region"] == "us-east-1" == pool.region
    assert data["user_pool_id"] == pool.id
    assert pool.name == "demo"
    assert pool.case_sensitive is False
    assert pool.alias_attributes == ["email"] and pool.username_attributes == []
    assert pool.auto_verified_attributes == ["email"]
    assert pool.deletion_protection is False
    assert data["client_id"] == client.id
    assert client.pool == pool and client.name == "demo-app"
    assert client.explicit_auth_flows == DEMO_FLOWS
    assert client.secret is None
    assert data["username"] == user.username == "demo"
    assert data["password"] == "Demo-Passw0rd!"
    assert user.status == UserStatus.CONFIRMED and user.enabled
    assert user.attributes["email"] == "demo@example.com" and user.is_verified("email")
    assert user.attributes["phone_number"] == DEMO_PHONE and user.is_verified("phone_number")
    assert passwords.verify(user, data["password"])
    # MFA is optional with TOTP on: the example's enrolment page can set up an authenticator.
    assert pool.mfa_configuration == "OPTIONAL"
    assert mfa.pool_factors(pool) == ["SOFTWARE_TOKEN_MFA"]
    assert mfa.enabled_for(user) == []
    admin = get_user_model().objects.get(username=data["admin_username"])
    assert data["admin_username"] == "admin"
    assert admin.is_superuser and admin.is_staff and admin.is_active
    assert admin.check_password(data["admin_password"])
    assert (data["aws_access_key_id"], data["aws_secret_access_key"]) == (
        DEMO_KEY_ID, DEMO_KEY_SECRET)
    key = AccessKey.objects.get()
    assert key.access_key_id == DEMO_KEY_ID and key.secret == DEMO_KEY_SECRET
    assert key.is_active and not key.pools.exists()
    assert mail.outbox == []


@pytest.mark.django_db
@override_settings(DEBUG=True)
def test_demo_user_signs_in_by_email_alias_ignoring_case() -> None:
    from django_cognito.services.users import find_user

    data = demo_json()
    pool = UserPool.objects.get()
    assert find_user(pool, "Demo@Example.COM") == PoolUser.objects.get()
    assert find_user(pool, "DEMO").username == data["username"]


@pytest.mark.django_db
@override_settings(DEBUG=True)
def test_demo_is_idempotent() -> None:
    first = demo_json()
    before = counts()
    assert before == (1, 1, 1, 2)
    second = demo_json()
    assert second == first
    assert counts() == before
    assert AccessKey.objects.count() == 1


@pytest.mark.django_db
@override_settings(DEBUG=True, COGNITO_DEMO={
    "USER_PASSWORD": "Other-Passw0rd!", "ADMIN_USERNAME": "root",
    "ADMIN_PASSWORD": "Root-Passw0rd!", "AWS_ACCESS_KEY_ID": "AKIAOTHERDEMOKEY0001",
    "AWS_SECRET_ACCESS_KEY": "other-demo-secret-0123456789abcdefghijk"})
def test_demo_uses_configured_credentials() -> None:
    data = demo_json()
    assert (data["password"], data["admin_username"], data["admin_password"]) == (
        "Other-Passw0rd!", "root", "Root-Passw0rd!")
    assert (data["aws_access_key_id"], data["aws_secret_access_key"]) == (
        "AKIAOTHERDEMOKEY0001", "other-demo-secret-0123456789abcdefghijk")
    key = AccessKey.objects.get()
    assert (key.access_key_id, key.secret) == ("AKIAOTHERDEMOKEY0001",
                                               "other-demo-secret-0123456789abcdefghijk")
    assert passwords.verify(PoolUser.objects.get(), "Other-Passw0rd!")
    assert get_user_model().objects.get(username="root").check_password("Root-Passw0rd!")


@pytest.mark.django_db
@override_settings(DEBUG=True)
def test_demo_restores_what_it_prints() -> None:
    data = demo_json()
    user = PoolUser.objects.get()
    admin_users.admin_set_user_password(user, "Changed-Passw0rd!", permanent=False)
    admin_users.set_enabled(user, False)
    update_user_attributes(user, {"email": "moved@example.com",
                                  "phone_number": "+15555550199"}, admin=True)
    assert not user.is_verified("email") and not user.is_verified("phone_number")
    client = AppClient.objects.get()
    client.explicit_auth_flows = ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
    client.save()
    pool = UserPool.objects.get()
    pool_config.set_mfa_config(pool, "OFF", {})
    admin = get_user_model().objects.get(username="admin")
    admin.set_password("changed")
    admin.is_superuser = False
    admin.save()
    AccessKey.objects.update(secret="someone-changed-this-secret-000000", is_active=False)
    before = counts()
    assert demo_json() == data
    assert counts() == before
    user.refresh_from_db()
    assert user.status == UserStatus.CONFIRMED and user.enabled
    assert user.attributes["email"] == "demo@example.com" and user.is_verified("email")
    assert user.attributes["phone_number"] == DEMO_PHONE and user.is_verified("phone_number")
    assert passwords.verify(user, data["password"])
    client.refresh_from_db()
    assert client.explicit_auth_flows == [
        "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_PASSWORD_AUTH",
        "ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_CUSTOM_AUTH"]
    pool.refresh_from_db()
    assert pool.mfa_configuration == "OPTIONAL"
    assert mfa.pool_factors(pool) == ["SOFTWARE_TOKEN_MFA"]
    admin.refresh_from_db()
    assert admin.is_superuser and admin.check_password(data["admin_password"])
    key = AccessKey.objects.get()
    assert key.is_active and key.secret == DEMO_KEY_SECRET


@pytest.mark.django_db
@override_settings(DEBUG=True)
def test_demo_reuses_an_existing_demo_pool_and_client(make_pool: Any, make_client: Any) -> None:
    pool = make_pool(name="demo", alias_attributes=["email"])
    # A client an older demo seeded: without CUSTOM_AUTH, which the run adds.
    client = make_client(pool, name="demo-app", explicit_auth_flows=DEMO_FLOWS[:-1])
    data = demo_json()
    assert (data["user_pool_id"], data["client_id"]) == (pool.id, client.id)
    assert counts()[:2] == (1, 1)
    client.refresh_from_db()
    assert client.explicit_auth_flows == DEMO_FLOWS


@pytest.mark.django_db
@override_settings(DEBUG=True)
def test_demo_keeps_mfa_on_and_other_factors(make_pool: Any) -> None:
    pool = make_pool(name="demo", alias_attributes=["email"])
    pool_config.set_mfa_config(pool, "ON", {"EmailMfaConfiguration": {}})
    demo_json()
    pool.refresh_from_db()
    assert pool.mfa_configuration == "ON"
    assert mfa.pool_factors(pool) == ["SOFTWARE_TOKEN_MFA", "EMAIL_OTP"]


@pytest.mark.django_db
@override_settings(DEBUG=True)
def test_demo_readable_output() -> None:
    output = run("cognito_demo")
    pool = UserPool.objects.get()
    client = AppClient.objects.get()
    printed = fields(output)
    assert printed["Endpoint URL"] == "http://testserver/"
    assert printed["Region"] == "us-east-1"
    assert printed["User pool id"] == pool.id
    assert printed["App client id"] == client.id
    assert printed["Username"].startswith("demo")
    assert printed["Password"] == "Demo-Passw0rd!"
    assert printed["Admin URL"] == "http://testserver/admin/"
    assert printed["Admin login"] == "admin / admin-Passw0rd!"
    assert printed["AWS access key id"] == DEMO_KEY_ID
    assert printed["AWS secret access key"] == DEMO_KEY_SECRET
    # The example project's pages are printed only where the URLconf serves them.
    assert "SMS outbox" not in printed and "TOTP enrolment" not in printed


@pytest.mark.django_db
@pytest.mark.urls("example_project.urls")
@override_settings(DEBUG=True)
def test_demo_readable_output_points_at_the_example_pages() -> None:
    printed = fields(run("cognito_demo"))
    assert printed["SMS outbox"] == "http://testserver/dev/sms/"
    assert printed["TOTP enrolment"] == "http://testserver/dev/totp/"


@pytest.mark.django_db
def test_demo_refuses_to_run_without_debug() -> None:
    with pytest.raises(CommandError, match="runs only with DEBUG=True"):
        run("cognito_demo")
    assert counts() == (0, 0, 0, 0)
    # Forced, it still seeds none of the public passwords or the public access key.
    with pytest.raises(CommandError, match="ADMIN_PASSWORD, AWS_SECRET_ACCESS_KEY, "
                                           "USER_PASSWORD in settings.COGNITO_DEMO"):
        run("cognito_demo", "--force")
    assert counts() == (0, 0, 0, 0)
    own = {"USER_PASSWORD": "Own-Passw0rd!1", "ADMIN_PASSWORD": "Own-Admin-Passw0rd!",
           "AWS_SECRET_ACCESS_KEY": "own/secret/of/forty/characters/000000000"}
    with override_settings(COGNITO_DEMO=own):
        assert set(demo_json(force=True)) == DEMO_KEYS


@pytest.mark.django_db
@override_settings(DEBUG=True, COGNITO={"PUBLIC_BASE_URL": ""})
def test_demo_needs_a_public_base_url() -> None:
    with pytest.raises(CommandError, match=r"Set COGNITO\['PUBLIC_BASE_URL'\]"):
        run("cognito_demo")
    assert counts() == (0, 0, 0, 0)


@pytest.mark.django_db
@override_settings(DEBUG=True, COGNITO={"PUBLIC_BASE_URL": "https://auth.example.com/id/",
                                        "REGION": "eu-west-1"})
def test_demo_urls_follow_the_settings() -> None:
    data = demo_json()
    assert data["endpoint_url"] == "https://auth.example.com/id/"
    assert data["admin_url"] == "https://auth.example.com/id/admin/"
    assert data["region"] == "eu-west-1"
    assert data["user_pool_id"].startswith("eu-west-1_")


@pytest.mark.django_db
@override_settings(DEBUG=True, COGNITO_DEMO={"USER_PASSWORD": "weak"})
def test_demo_with_a_password_the_pool_refuses_leaves_nothing() -> None:
    with pytest.raises(CommandError, match="^InvalidPasswordException: "):
        run("cognito_demo")
    assert counts() == (0, 0, 0, 0)


# The example project, end to end ------------------------------------------------------------

def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - fixed argv, no shell
        [sys.executable, "manage.py", *args], cwd=REPO, env=env, capture_output=True,
        text=True, timeout=120, check=False)


def test_example_project_demo_in_a_subprocess(tmp_path: Path) -> None:
    db_path = tmp_path / "demo.sqlite3"
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("DJANGO_", "COGNITO_"))}
    env.update(DJANGO_SETTINGS_MODULE="example_project.settings", DJANGO_DB_PATH=str(db_path),
               PORT="8123", PYTHONPATH=str(REPO))
    migrated = manage("migrate", "--noinput", env=env)
    assert migrated.returncode == 0, migrated.stderr
    first = manage("cognito_demo", "--json", env=env)
    assert first.returncode == 0, first.stderr
    data = json.loads(first.stdout)
    assert set(data) == DEMO_KEYS | {"relying_party_url"}
    assert data["relying_party_url"] == "http://127.0.0.1:8123/rp/"
    assert data["domain_url"].startswith("http://127.0.0.1:8123/domains/demo-")
    assert data["endpoint_url"] == "http://127.0.0.1:8123/"
    assert data["admin_url"] == "http://127.0.0.1:8123/admin/"
    assert data["region"] == "us-east-1"
    assert (data["username"], data["password"]) == ("demo", "Demo-Passw0rd!")
    assert (data["admin_username"], data["admin_password"]) == ("admin", "admin-Passw0rd!")
    assert (data["aws_access_key_id"], data["aws_secret_access_key"]) == (
        DEMO_KEY_ID, DEMO_KEY_SECRET)

    second = manage("cognito_demo", "--json", env=env)
    assert second.returncode == 0, second.stderr
    assert json.loads(second.stdout) == data
    readable = manage("cognito_demo", env=env)
    assert readable.returncode == 0, readable.stderr
    printed = fields(readable.stdout)
    assert printed["App client id"] == data["client_id"]
    assert printed["SMS outbox"] == "http://127.0.0.1:8123/dev/sms/"
    assert printed["TOTP enrolment"] == "http://127.0.0.1:8123/dev/totp/"

    with sqlite3.connect(db_path) as db:
        pools = db.execute("SELECT id, name FROM django_cognito_userpool").fetchall()
        clients = db.execute("SELECT id, explicit_auth_flows, secret "
                             "FROM django_cognito_appclient ORDER BY name").fetchall()
        users = db.execute("SELECT username, status FROM django_cognito_pooluser").fetchall()
        admins = db.execute("SELECT username FROM auth_user WHERE is_superuser").fetchall()
        keys = db.execute("SELECT access_key_id, secret FROM django_cognito_accesskey").fetchall()
    assert pools == [(data["user_pool_id"], "demo")]
    assert [(c[0], json.loads(c[1]), c[2]) for c in clients] == [
        (data["client_id"], DEMO_FLOWS, None),
        ("examplewebclient0000000001", ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"], None)]
    assert printed["Managed login (a relying party)"] == "http://127.0.0.1:8123/rp/"
    assert users == [("demo", "CONFIRMED")]
    assert admins == [("admin",)]
    # One key, its secret encrypted at rest (never the plain text in the row).
    assert [k[0] for k in keys] == [DEMO_KEY_ID]
    assert DEMO_KEY_SECRET not in keys[0][1]

    failed = manage("cognito_create_client", "us-east-1_Missing00", "web", env=env)
    assert failed.returncode == 1
    assert failed.stderr.strip() == ("CommandError: ResourceNotFoundException: User pool "
                                     "us-east-1_Missing00 does not exist.")
    assert "Traceback" not in failed.stderr
