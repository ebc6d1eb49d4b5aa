"""The user migration trigger on sign-in and on forgot password (reference §4.2)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jwt
import pytest
from django.contrib.auth.hashers import check_password
from django.core import mail

from django_cognito import signals
from django_cognito.crypto.secrets import secret_hash
from django_cognito.exceptions import (
    InvalidLambdaResponseException,
    NotAuthorizedException,
    PasswordResetRequiredException,
    TriggerRejected,
    UserLambdaValidationException,
    UserNotFoundException,
)
from django_cognito.models import AppClient, PoolUser, RefreshToken, UserPool, UserStatus
from django_cognito.services import recovery, signin, triggers
from tests.effects import last_code
from tests.factories import NEW_PASSWORD, PASSWORD

pytestmark = pytest.mark.django_db

EMAIL = "legacy@example.com"
ALL_FLOWS = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH",
             "ALLOW_REFRESH_TOKEN_AUTH"]
EMPTY_RESPONSE = {"userAttributes": None, "finalUserStatus": None, "messageAction": None,
                  "desiredDeliveryMediums": None, "forceAliasCreation": None,
                  "enableSMSMFA": None}
ATTRIBUTES = {"email": EMAIL, "email_verified": "true", "name": "Legacy User"}

Respond = Callable[[dict[str, Any]], None]


@pytest.fixture
def migrate(record: Callable[..., list[dict[str, Any]]]
           ) -> Callable[[Respond | None], list[dict[str, Any]]]:
    """Record user_migration events; ``respond`` may fill the response."""
    return lambda respond=None: record(signals.user_migration, respond)

def found(attributes: Any = None, status: Any = "CONFIRMED", **extra: Any) -> Respond:
    """A receiver body that finds the user in the old store."""
    def respond(event: dict[str, Any]) -> None:
        event["response"]["userAttributes"] = dict(ATTRIBUTES) if attributes is None \
            else attributes
        if status is not None:
            event["response"]["finalUserStatus"] = status
        event["response"].update(extra)
    return respond


@pytest.fixture
def client(pool: UserPool, make_client: Any) -> AppClient:
    return make_client(pool, explicit_auth_flows=ALL_FLOWS)


def sign_in(client: AppClient, username: str = "legacy", password: str = PASSWORD, *,
            admin: bool = False, metadata: Any = None, **extra: str) -> signin.AuthResult:
    flow = "ADMIN_USER_PASSWORD_AUTH" if admin else "USER_PASSWORD_AUTH"
    return signin.initiate_auth(client, flow, {"USERNAME": username, "PASSWORD": password, **extra},
                              admin=admin, client_metadata=metadata)


def user_count() -> tuple[int, int]:
    return PoolUser.objects.count(), RefreshToken.objects.count()


# On sign-in ------------------------------------------------------------------------------------

def test_sign_in_migrates_a_confirmed_user(pool: UserPool, client: AppClient,
                                           migrate: Any) -> None:
    calls = migrate(found(messageAction="SUPPRESS"))
    result = sign_in(client, metadata={"source": "app"})
    assert result.tokens is not None
    assert calls == [{
        "version": "1", "triggerSource": "UserMigration_Authentication",
        "region": pool.region, "userPoolId": pool.id, "userName": "legacy",
        "callerContext": {"awsSdkVersion": triggers.SDK_VERSION, "clientId": client.id},
        "request": {"password": PASSWORD, "validationData": {"source": "app"},
                    "clientMetadata": {"source": "app"}},
        "response": EMPTY_RESPONSE,
    }]
    user = PoolUser.objects.get(pool=pool)
    assert user.username == "legacy" and user.status == UserStatus.CONFIRMED
    assert user.attributes == ATTRIBUTES
    assert user.enabled and user.user is not None
    assert check_password(PASSWORD, user.password)
    claims = jwt.decode(result.tokens.id_token, options={"verify_signature": False})
    assert claims["sub"] == str(user.sub) and claims["email"] == EMAIL
    assert claims["email_verified"] is True and claims["cognito:username"] == "legacy"
    assert RefreshToken.objects.filter(user=user).count() == 1
    assert mail.outbox == []
    # Now a local user: the trigger is not consulted again, for a right or a wrong password.
    assert sign_in(client).tokens is not None
    with pytest.raises(NotAuthorizedException):
        sign_in(client, password="Wr0ng-Passw0rd!")
    assert len(calls) == 1


def test_migration_through_the_admin_flow(pool: UserPool, client: AppClient,
                                          migrate: Any) -> None:
    calls = migrate(found())
    assert sign_in(client, admin=True).tokens is not None
    assert [e["triggerSource"] for e in calls] == ["UserMigration_Authentication"]


def test_migrated_password_bypasses_the_policy(pool: UserPool, client: AppClient,
                                               migrate: Any) -> None:
    migrate(found())
    assert sign_in(client, password="weak").tokens is not None
    assert check_password("weak", PoolUser.objects.get(pool=pool).password)


@pytest.mark.parametrize("status", ["RESET_REQUIRED", None])
def test_reset_required_migration(pool: UserPool, client: AppClient, migrate: Any,
                                  status: str | None) -> None:
    migrate(found(status=status))
    with pytest.raises(PasswordResetRequiredException):
        sign_in(client)
    user = PoolUser.objects.get(pool=pool)
    assert user.status == UserStatus.RESET_REQUIRED and user.attributes == ATTRIBUTES
    assert RefreshToken.objects.count() == 0


def test_reset_required_migration_is_masked_when_existence_errors_are_prevented(
        pool: UserPool, make_client: Any, migrate: Any) -> None:
    client = make_client(pool, explicit_auth_flows=ALL_FLOWS,
                         prevent_user_existence_errors="ENABLED")
    migrate(found(status="RESET_REQUIRED"))
    with pytest.raises(NotAuthorizedException) as caught:
        sign_in(client)
    assert caught.value.message == "Incorrect username or password."


@pytest.mark.parametrize(("setting", "error"), [("LEGACY", UserNotFoundException),
                                                ("ENABLED", NotAuthorizedException)])
@pytest.mark.parametrize("connected", [True, False])
def test_nothing_found_is_the_unknown_user_error(pool: UserPool, make_client: Any,
                                                 migrate: Any, setting: str,
                                                 error: type[Exception],
                                                 connected: bool) -> None:
    client = make_client(pool, explicit_auth_flows=ALL_FLOWS,
                         prevent_user_existence_errors=setting)
    calls = migrate() if connected else []
    with pytest.raises(error):
        sign_in(client)
    assert len(calls) == (1 if connected else 0)
    assert user_count() == (0, 0)


@pytest.mark.parametrize("attributes", [{}, None])
def test_empty_attributes_are_nothing_found(pool: UserPool, client: AppClient, migrate: Any,
                                            attributes: Any) -> None:
    def respond(event: dict[str, Any]) -> None:
        event["response"].update({"userAttributes": attributes, "finalUserStatus": "CONFIRMED"})

    migrate(respond)
    with pytest.raises(UserNotFoundException):
        sign_in(client)
    assert user_count() == (0, 0)


def test_a_raising_receiver_denies_the_sign_in(pool: UserPool, client: AppClient,
                                               migrate: Any) -> None:
    def deny(event: dict[str, Any]) -> None:
        raise TriggerRejected("old store unavailable")

    migrate(deny)
    with pytest.raises(UserLambdaValidationException) as caught:
        sign_in(client)
    assert caught.value.message == "UserMigration failed with error old store unavailable."
    assert user_count() == (0, 0)


@pytest.mark.parametrize("status", ["FORCE_CHANGE_PASSWORD", "UNCONFIRMED", "confirmed", 5,
                                    ["CONFIRMED"]])
def test_invalid_final_status(pool: UserPool, client: AppClient, migrate: Any,
                              status: Any) -> None:
    migrate(found(status=status))
    with pytest.raises(InvalidLambdaResponseException):
        sign_in(client)
    assert user_count() == (0, 0)


@pytest.mark.parametrize("attributes", [
    {"email": "not-an-email"},
    {"email": EMAIL, "nonexistent": "x"},
    {"email": 5},
    {"email": EMAIL, "sub": "00000000-0000-0000-0000-000000000000"},
    "email=legacy@example.com",
    [{"Name": "email"}, "x"],
])
def test_invalid_attributes(pool: UserPool, client: AppClient, migrate: Any,
                            attributes: Any) -> None:
    migrate(found(attributes=attributes))
    with pytest.raises(InvalidLambdaResponseException):
        sign_in(client)
    assert user_count() == (0, 0)


def test_secret_hash_is_checked_before_the_trigger(pool: UserPool, make_client: Any,
                                                   migrate: Any) -> None:
    client = make_client(pool, explicit_auth_flows=ALL_FLOWS, generate_secret=True)
    calls = migrate(found())
    with pytest.raises(NotAuthorizedException):
        sign_in(client, SECRET_HASH="garbage")
    assert calls == [] and user_count() == (0, 0)
    assert sign_in(client, SECRET_HASH=secret_hash(client.secret, "legacy", client.id)
                   ).tokens is not None


def test_migration_into_an_email_username_pool(make_pool: Any, make_client: Any,
                                               migrate: Any) -> None:
    pool = make_pool(username_attributes=["email"])
    client = make_client(pool, explicit_auth_flows=ALL_FLOWS)
    calls = migrate(found(attributes={"email": EMAIL, "email_verified": "true"}))
    result = sign_in(client, EMAIL)
    assert result.tokens is not None
    user = PoolUser.objects.get(pool=pool)
    assert calls[0]["userName"] == EMAIL
    assert user.username == str(user.sub) and user.attributes["email"] == EMAIL
    claims = jwt.decode(result.tokens.access_token, options={"verify_signature": False})
    assert claims["username"] == str(user.sub)
    assert sign_in(client, EMAIL).tokens is not None and len(calls) == 1


# On forgot password ----------------------------------------------------------------------------

def test_forgot_password_migrates_a_reset_required_user_and_sends_a_code(
        pool: UserPool, client: AppClient, migrate: Any) -> None:
    calls = migrate(found(status="CONFIRMED"))
    details = recovery.forgot_password(client, "legacy", client_metadata={"source": "app"})
    assert calls == [{
        "version": "1", "triggerSource": "UserMigration_ForgotPassword",
        "region": pool.region, "userPoolId": pool.id, "userName": "legacy",
        "callerContext": {"awsSdkVersion": triggers.SDK_VERSION, "clientId": client.id},
        "request": {"validationData": {"source": "app"}, "clientMetadata": {"source": "app"}},
        "response": EMPTY_RESPONSE,
    }]
    user = PoolUser.objects.get(pool=pool)
    # Whatever the receiver says, a user found this way has no password yet.
    assert user.status == UserStatus.RESET_REQUIRED and user.attributes == ATTRIBUTES
    assert user.password == ""
    assert details["DeliveryMedium"] == "EMAIL" and details["AttributeName"] == "email"
    assert [m.to for m in mail.outbox] == [[EMAIL]]
    with pytest.raises(NotAuthorizedException):
        sign_in(client, password="Any-Passw0rd!")  # no password yet
    recovery.confirm_forgot_password(client, "legacy", last_code(EMAIL), NEW_PASSWORD)
    user.refresh_from_db()
    assert user.status == UserStatus.CONFIRMED
    assert sign_in(client, password=NEW_PASSWORD).tokens is not None
    assert len(calls) == 1


@pytest.mark.parametrize("connected", [True, False])
def test_forgot_password_for_nobody(pool: UserPool, client: AppClient, migrate: Any,
                                    connected: bool) -> None:
    calls = migrate() if connected else []
    with pytest.raises(UserNotFoundException):
        recovery.forgot_password(client, "legacy")
    assert len(calls) == (1 if connected else 0)
    assert user_count() == (0, 0) and mail.outbox == []


def test_forgot_password_for_nobody_when_existence_errors_are_prevented(
        pool: UserPool, make_client: Any, migrate: Any) -> None:
    client = make_client(pool, explicit_auth_flows=ALL_FLOWS,
                         prevent_user_existence_errors="ENABLED")
    migrate()
    details = recovery.forgot_password(client, "legacy")
    assert set(details) == {"Destination", "DeliveryMedium", "AttributeName"}
    assert user_count() == (0, 0) and mail.outbox == []


def test_forgot_password_migration_denied(pool: UserPool, client: AppClient,
                                          migrate: Any) -> None:
    def deny(event: dict[str, Any]) -> None:
        raise TriggerRejected("nope")

    migrate(deny)
    with pytest.raises(UserLambdaValidationException) as caught:
        recovery.forgot_password(client, "legacy")
    assert caught.value.message == "UserMigration failed with error nope."
    assert user_count() == (0, 0) and mail.outbox == []


def test_forgot_password_of_an_existing_user_does_not_migrate(pool: UserPool, client: AppClient,
                                                              migrate: Any) -> None:
    calls = migrate(found())
    sign_in(client)  # migrated here
    recovery.forgot_password(client, "legacy")
    assert [e["triggerSource"] for e in calls] == ["UserMigration_Authentication"]
    assert PoolUser.objects.count() == 1
