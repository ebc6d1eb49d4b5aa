"""InitiateAuth / RespondToAuthChallenge: password flows, decision order, NEW_PASSWORD_REQUIRED,
SECRET_HASH and the pre/post authentication triggers (reference §1.4–§1.6, §2.6, §4)."""

from __future__ import annotations

import base64
import copy
import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher, check_password
from django.dispatch import Signal

from django_cognito import clock, signals
from django_cognito.crypto.secrets import secret_hash
from django_cognito.exceptions import (
    InvalidParameterException,
    InvalidPasswordException,
    NotAuthorizedException,
    PasswordResetRequiredException,
    TriggerRejected,
    UserLambdaValidationException,
    UserNotConfirmedException,
    UserNotFoundException,
)
from django_cognito.models import AppClient, PoolUser, RefreshToken, UserPool, UserStatus
from django_cognito.services import admin_users, recovery, signin, signup, triggers
from django_cognito.services.signin import sessions
from tests.claims import decode
from tests.factories import NEW_PASSWORD, PASSWORD, TEMPORARY
from tests.factories import create_user as create

pytestmark = pytest.mark.django_db

EMAIL = "alice@example.com"
ALL_FLOWS = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH",
             "ALLOW_REFRESH_TOKEN_AUTH"]
PASSWORD_FLOWS = [("USER_PASSWORD_AUTH", False), ("ADMIN_USER_PASSWORD_AUTH", True),
                  ("ADMIN_NO_SRP_AUTH", True)]

Receiver = Callable[..., None]
Connect = Callable[[Signal, Receiver], Receiver]


def recorder(connect: Connect, signal: Signal,
             error: Exception | None = None) -> list[dict[str, Any]]:
    """Record each event a signal carries; raise ``error`` from the receiver when given."""
    calls: list[dict[str, Any]] = []

    def receiver(sender: Any, event: dict[str, Any], pool: UserPool,
                 client: AppClient | None, **kwargs: Any) -> None:
        calls.append(copy.deepcopy(event))
        if error is not None:
            raise error

    connect(signal, receiver)
    return calls


@pytest.fixture
def client(pool: UserPool, make_client: Any) -> AppClient:
    return make_client(pool, explicit_auth_flows=ALL_FLOWS)


def reload(user: PoolUser) -> PoolUser:
    return PoolUser.objects.get(pk=user.pk)


def password_auth(client: AppClient, username: str, password: str = PASSWORD, *,
                  flow: str = "USER_PASSWORD_AUTH", admin: bool = False,
                  **extra: str) -> signin.AuthResult:
    return signin.initiate_auth(client, flow, {"USERNAME": username, "PASSWORD": password, **extra},
                              admin=admin)


def start_challenge(client: AppClient, username: str = "alice") -> signin.AuthResult:
    result = password_auth(client, username, TEMPORARY)
    assert result.challenge_name == "NEW_PASSWORD_REQUIRED"
    assert result.tokens is None and result.session
    return result


def answer(client: AppClient, session: object, username: str = "alice",
           password: str = NEW_PASSWORD, **extra: str) -> signin.AuthResult:
    return signin.respond_to_auth_challenge(
        client, "NEW_PASSWORD_REQUIRED",
        {"USERNAME": username, "NEW_PASSWORD": password, **extra}, session)


def snapshot(user: PoolUser) -> tuple[Any, ...]:
    fresh = reload(user)
    return (fresh.status, fresh.password, fresh.attributes, fresh.enabled,
            RefreshToken.objects.count(), PoolUser.objects.count())


# Flows ------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("flow", "admin"), PASSWORD_FLOWS)
def test_password_flows_issue_tokens(pool: UserPool, client: AppClient, flow: str,
                                     admin: bool) -> None:
    user = create(pool)
    result = password_auth(client, "alice", flow=flow, admin=admin)
    assert result.challenge_name is None and result.session is None
    assert result.tokens is not None and result.tokens.refresh_token
    claims = decode(pool, result.tokens.id_token, audience=client.id)
    assert claims["sub"] == str(user.sub)
    assert claims["cognito:username"] == "alice"
    assert decode(pool, result.tokens.access_token)["username"] == "alice"
    assert RefreshToken.objects.filter(user=user, client=client).count() == 1


@pytest.mark.parametrize(("flow", "admin"), [("USER_PASSWORD_AUTH", True),
                                             ("ADMIN_USER_PASSWORD_AUTH", False),
                                             ("ADMIN_NO_SRP_AUTH", False)])
def test_password_flow_on_the_wrong_operation_is_refused(pool: UserPool, client: AppClient,
                                                         flow: str, admin: bool) -> None:
    create(pool)
    with pytest.raises(InvalidParameterException):
        password_auth(client, "alice", flow=flow, admin=admin)
    assert RefreshToken.objects.count() == 0


@pytest.mark.parametrize(("flow", "admin", "enabled_by"), [
    ("USER_PASSWORD_AUTH", False, ["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]),
    ("ADMIN_USER_PASSWORD_AUTH", True, ["ALLOW_USER_PASSWORD_AUTH"]),
    ("ADMIN_NO_SRP_AUTH", True, ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]),
    ("USER_PASSWORD_AUTH", False, None),  # the defaults: refresh, SRP and custom auth
])
def test_password_flow_not_enabled_for_the_client(pool: UserPool, make_client: Any, flow: str,
                                                  admin: bool, enabled_by: list[str] | None
                                                  ) -> None:
    client = make_client(pool, explicit_auth_flows=enabled_by)
    create(pool)
    with pytest.raises(InvalidParameterException) as caught:
        password_auth(client, "alice", flow=flow, admin=admin)
    assert caught.value.message == f"{flow} flow not enabled for this client"
    assert RefreshToken.objects.count() == 0


@pytest.mark.parametrize("flow", ["REFRESH_TOKEN_AUTH", "REFRESH_TOKEN"])
@pytest.mark.parametrize("admin", [False, True])
def test_refresh_flow_not_enabled_for_the_client(pool: UserPool, make_client: Any, flow: str,
                                                 admin: bool) -> None:
    signing_client = make_client(pool, explicit_auth_flows=["ALLOW_USER_PASSWORD_AUTH"])
    create(pool)
    tokens = password_auth(signing_client, "alice").tokens
    assert tokens is not None and tokens.refresh_token
    with pytest.raises(InvalidParameterException) as caught:
        signin.initiate_auth(signing_client, flow, {"REFRESH_TOKEN": tokens.refresh_token},
                           admin=admin)
    assert caught.value.message == f"{flow} flow not enabled for this client"


@pytest.mark.parametrize(("legacy", "flow", "admin"), [
    (["USER_PASSWORD_AUTH"], "USER_PASSWORD_AUTH", False),
    (["ADMIN_NO_SRP_AUTH"], "ADMIN_NO_SRP_AUTH", True),
    (["ADMIN_NO_SRP_AUTH"], "ADMIN_USER_PASSWORD_AUTH", True),
])
def test_legacy_client_values_enable_their_flows_and_refresh(pool: UserPool, make_client: Any,
                                                            legacy: list[str], flow: str,
                                                            admin: bool) -> None:
    client = make_client(pool, explicit_auth_flows=legacy)
    create(pool)
    tokens = password_auth(client, "alice", flow=flow, admin=admin).tokens
    assert tokens is not None and tokens.refresh_token
    refreshed = signin.initiate_auth(client, "REFRESH_TOKEN_AUTH",
                                   {"REFRESH_TOKEN": tokens.refresh_token}).tokens
    assert refreshed is not None and refreshed.refresh_token is None


@pytest.mark.parametrize("flow", ["BOGUS_AUTH", "", None, 5, ["USER_PASSWORD_AUTH"],
                                  "user_password_auth"])
def test_unknown_flow(pool: UserPool, client: AppClient, flow: object) -> None:
    create(pool)
    with pytest.raises(InvalidParameterException):
        signin.initiate_auth(client, flow, {"USERNAME": "alice", "PASSWORD": PASSWORD})
    assert RefreshToken.objects.count() == 0


@pytest.mark.parametrize(("flow", "admin", "params", "missing"), [
    ("USER_PASSWORD_AUTH", False, {"PASSWORD": PASSWORD}, "USERNAME"),
    ("USER_PASSWORD_AUTH", False, {"USERNAME": "alice"}, "PASSWORD"),
    ("USER_PASSWORD_AUTH", False, {"USERNAME": "", "PASSWORD": PASSWORD}, "USERNAME"),
    ("USER_PASSWORD_AUTH", False, {"USERNAME": "alice", "PASSWORD": ""}, "PASSWORD"),
    ("ADMIN_USER_PASSWORD_AUTH", True, {"PASSWORD": PASSWORD}, "USERNAME"),
    ("ADMIN_USER_PASSWORD_AUTH", True, {"USERNAME": "alice"}, "PASSWORD"),
    ("REFRESH_TOKEN_AUTH", False, {}, "REFRESH_TOKEN"),
    ("REFRESH_TOKEN", True, {"USERNAME": "alice"}, "REFRESH_TOKEN"),
    ("USER_PASSWORD_AUTH", False, None, "USERNAME"),
])
def test_missing_auth_parameters(pool: UserPool, client: AppClient, flow: str, admin: bool,
                                 params: dict[str, str] | None, missing: str) -> None:
    user = create(pool)
    before = snapshot(user)
    with pytest.raises(InvalidParameterException) as caught:
        signin.initiate_auth(client, flow, params, admin=admin)
    assert caught.value.message == f"Missing required parameter {missing}"
    assert snapshot(user) == before


@pytest.mark.parametrize("params", [
    "USERNAME=alice", ["USERNAME", "alice"], 5, True,
    {"USERNAME": "alice", "PASSWORD": 12345678},
    {"USERNAME": ["alice"], "PASSWORD": PASSWORD},
    {"USERNAME": "alice", "PASSWORD": None},
    {"USERNAME": "alice", "PASSWORD": {"value": PASSWORD}},
    {"USERNAME": "alice", "PASSWORD": "Passw0rd!\ud800"},
    {1: "alice", "USERNAME": "alice", "PASSWORD": PASSWORD},
])
def test_malformed_auth_parameters_change_nothing(pool: UserPool, client: AppClient,
                                                  params: object) -> None:
    user = create(pool)
    before = snapshot(user)
    for _ in range(6):  # would lock the user out if they counted as failed attempts
        with pytest.raises(InvalidParameterException):
            signin.initiate_auth(client, "USER_PASSWORD_AUTH", params)
    assert snapshot(user) == before
    assert password_auth(client, "alice").tokens is not None


@pytest.mark.parametrize("metadata", ["x", ["a"], {"a": 1}, {"a": None}])
def test_malformed_client_metadata_changes_nothing(pool: UserPool, client: AppClient,
                                                   metadata: object) -> None:
    user = create(pool)
    before = snapshot(user)
    with pytest.raises(InvalidParameterException):
        signin.initiate_auth(client, "USER_PASSWORD_AUTH",
                           {"USERNAME": "alice", "PASSWORD": PASSWORD}, client_metadata=metadata)
    assert snapshot(user) == before


def test_sign_in_with_a_verified_email_alias(make_pool: Any, make_client: Any) -> None:
    pool = make_pool(alias_attributes=["email"])
    client = make_client(pool, explicit_auth_flows=ALL_FLOWS)
    create(pool, "alice")
    tokens = password_auth(client, EMAIL).tokens
    assert tokens is not None
    assert decode(pool, tokens.id_token, audience=client.id)["cognito:username"] == "alice"


def test_sign_in_in_an_email_username_pool(make_pool: Any, make_client: Any) -> None:
    pool = make_pool(username_attributes=["email"])
    client = make_client(pool, explicit_auth_flows=ALL_FLOWS)
    user = create(pool, EMAIL, attributes={"email_verified": "true"})
    assert user.username == str(user.sub)
    tokens = password_auth(client, EMAIL).tokens
    assert tokens is not None
    claims = decode(pool, tokens.id_token, audience=client.id)
    assert claims["cognito:username"] == str(user.sub) and claims["email"] == EMAIL
    assert decode(pool, tokens.access_token)["username"] == str(user.sub)


# Decision order after the password ---------------------------------------------------------------

def test_wrong_password(pool: UserPool, client: AppClient) -> None:
    user = create(pool)
    before = snapshot(user)
    with pytest.raises(NotAuthorizedException) as caught:
        password_auth(client, "alice", "Wrong-Passw0rd")
    assert caught.value.message == "Incorrect username or password."
    assert snapshot(user) == before


@pytest.mark.parametrize(("setting", "error", "message"), [
    ("LEGACY", UserNotFoundException, "User does not exist."),
    ("ENABLED", NotAuthorizedException, "Incorrect username or password."),
])
def test_unknown_user(pool: UserPool, make_client: Any, setting: str, error: type[Exception],
                      message: str) -> None:
    client = make_client(pool, explicit_auth_flows=ALL_FLOWS,
                         prevent_user_existence_errors=setting)
    for flow, admin in PASSWORD_FLOWS:
        with pytest.raises(error) as caught:
            password_auth(client, "nobody", flow=flow, admin=admin)
        assert str(caught.value) == message
    assert PoolUser.objects.count() == 0


class CountingHasher(MD5PasswordHasher):
    """The tests' fast hasher, counting the hashes it computes."""

    algorithm = "counting-md5"
    hashes = 0

    def encode(self, password: str, salt: str) -> str:
        type(self).hashes += 1
        return super().encode(password, salt).replace("md5$", "counting-md5$", 1)

    def verify(self, password: str, encoded: str) -> bool:
        type(self).hashes += 1
        return super().verify(password, encoded.replace("counting-md5$", "md5$", 1))


@pytest.mark.parametrize("case", ["unknown", "wrong password", "no password"])
def test_an_unknown_user_costs_a_hash_like_a_wrong_password(
        pool: UserPool, make_client: Any, settings: Any, case: str) -> None:
    """Under PreventUserExistenceErrors the hasher runs once whether or not the user exists."""
    settings.PASSWORD_HASHERS = ["tests.services.test_auth.CountingHasher"]
    client = make_client(pool, explicit_auth_flows=ALL_FLOWS,
                         prevent_user_existence_errors="ENABLED")
    user = create(pool)
    if case == "no password":
        PoolUser.objects.filter(pk=user.pk).update(password="")
    name = "nobody" if case == "unknown" else "alice"
    for flow, admin in PASSWORD_FLOWS:
        CountingHasher.hashes = 0
        with pytest.raises(NotAuthorizedException, match="Incorrect username or password."):
            password_auth(client, name, "Wrong-Passw0rd", flow=flow, admin=admin)
        assert CountingHasher.hashes == 1


def test_disabled_user_with_the_right_password(pool: UserPool, client: AppClient) -> None:
    user = create(pool)
    admin_users.set_enabled(user, False)
    with pytest.raises(NotAuthorizedException) as caught:
        password_auth(client, "alice")
    assert caught.value.message == "User is disabled."
    with pytest.raises(NotAuthorizedException) as caught:
        password_auth(client, "alice", "Wrong-Passw0rd")
    assert caught.value.message == "Incorrect username or password."
    assert RefreshToken.objects.count() == 0


def test_disabled_comes_before_every_status(pool: UserPool, client: AppClient) -> None:
    user = create(pool, confirmed=False)
    admin_users.set_enabled(user, False)
    with pytest.raises(NotAuthorizedException) as caught:
        password_auth(client, "alice", TEMPORARY)
    assert caught.value.message == "User is disabled."


def test_unconfirmed_user(pool: UserPool, client: AppClient) -> None:
    signup.sign_up(client, "alice", PASSWORD, [{"Name": "email", "Value": EMAIL}])
    with pytest.raises(UserNotConfirmedException) as caught:
        password_auth(client, "alice")
    assert caught.value.message == "User is not confirmed."
    with pytest.raises(NotAuthorizedException) as wrong:
        password_auth(client, "alice", "Wrong-Passw0rd")
    assert wrong.value.message == "Incorrect username or password."
    assert RefreshToken.objects.count() == 0


@pytest.mark.parametrize(("setting", "error", "message"), [
    ("LEGACY", PasswordResetRequiredException, "Password reset required for the user"),
    ("ENABLED", NotAuthorizedException, "Incorrect username or password."),
])
def test_reset_required_user(pool: UserPool, make_client: Any, setting: str,
                             error: type[Exception], message: str) -> None:
    client = make_client(pool, explicit_auth_flows=ALL_FLOWS,
                         prevent_user_existence_errors=setting)
    user = create(pool)
    recovery.admin_reset_user_password(user)
    with pytest.raises(error) as caught:
        password_auth(client, "alice")
    assert str(caught.value) == message
    assert reload(user).status == UserStatus.RESET_REQUIRED
    assert RefreshToken.objects.count() == 0


def test_force_change_password_gets_the_new_password_challenge(make_pool: Any,
                                                               make_client: Any) -> None:
    pool = make_pool(schema=[{"Name": "email", "Required": True},
                             {"Name": "name", "Required": True}])
    client = make_client(pool, explicit_auth_flows=ALL_FLOWS)
    user = create(pool, confirmed=False,
                  attributes={"email": EMAIL, "email_verified": "true", "locale": "en"})
    result = start_challenge(client)
    params = result.challenge_parameters
    assert set(params) == {"USER_ID_FOR_SRP", "requiredAttributes", "userAttributes"}
    assert params["USER_ID_FOR_SRP"] == "alice"
    assert json.loads(params["requiredAttributes"]) == ["userAttributes.name"]
    attributes = json.loads(params["userAttributes"])
    assert attributes["email"] == EMAIL and attributes["locale"] == "en"
    assert "name" not in attributes
    assert reload(user).status == UserStatus.FORCE_CHANGE_PASSWORD
    assert RefreshToken.objects.count() == 0


def test_challenge_in_an_email_username_pool_names_the_internal_username(
        make_pool: Any, make_client: Any) -> None:
    pool = make_pool(username_attributes=["email"])
    client = make_client(pool, explicit_auth_flows=ALL_FLOWS)
    user = create(pool, EMAIL, confirmed=False, attributes={})
    result = start_challenge(client, EMAIL)
    assert result.challenge_parameters["USER_ID_FOR_SRP"] == str(user.sub)
    assert json.loads(result.challenge_parameters["requiredAttributes"]) == []
    tokens = answer(client, result.session, str(user.sub)).tokens
    assert tokens is not None
    assert decode(pool, tokens.access_token)["username"] == str(user.sub)


@pytest.mark.parametrize(("days", "elapsed", "expired"), [
    (7, dt.timedelta(days=6, hours=23), False),
    (7, dt.timedelta(days=7, seconds=1), True),
    (1, dt.timedelta(days=1, seconds=1), True),
])
def test_temporary_password_expiry(make_pool: Any, make_client: Any, days: int,
                                   elapsed: dt.timedelta, expired: bool) -> None:
    pool = make_pool(password_policy={"TemporaryPasswordValidityDays": days})
    client = make_client(pool, explicit_auth_flows=ALL_FLOWS)
    create(pool, confirmed=False)
    clock.advance(elapsed)
    if not expired:
        start_challenge(client)
        return
    with pytest.raises(NotAuthorizedException) as caught:
        password_auth(client, "alice", TEMPORARY)
    assert caught.value.message == ("Temporary password has expired and must be reset by an "
                                    "administrator.")


def test_expired_temporary_password_still_needs_the_right_password(pool: UserPool,
                                                                   client: AppClient) -> None:
    create(pool, confirmed=False)
    clock.advance(dt.timedelta(days=8))
    with pytest.raises(NotAuthorizedException) as caught:
        password_auth(client, "alice", "Wrong-Passw0rd")
    assert caught.value.message == "Incorrect username or password."


# NEW_PASSWORD_REQUIRED -------------------------------------------------------------------------

@pytest.fixture
def required_pool(make_pool: Any) -> UserPool:
    return make_pool(schema=[{"Name": "name", "Required": True}])


@pytest.fixture
def required_client(required_pool: UserPool, make_client: Any) -> AppClient:
    return make_client(required_pool, explicit_auth_flows=ALL_FLOWS)


def test_new_password_challenge_answered(required_pool: UserPool,
                                         required_client: AppClient) -> None:
    user = create(required_pool, confirmed=False)
    session = start_challenge(required_client).session
    result = answer(required_client, session, **{"userAttributes.name": "Alice Liddell"})
    assert result.challenge_name is None and result.tokens is not None
    fresh = reload(user)
    assert fresh.status == UserStatus.CONFIRMED
    assert fresh.attributes["name"] == "Alice Liddell"
    assert fresh.temporary_password_expires_at is None
    assert check_password(NEW_PASSWORD, fresh.password)
    claims = decode(required_pool, result.tokens.id_token, audience=required_client.id)
    assert claims["name"] == "Alice Liddell" and claims["cognito:username"] == "alice"
    assert RefreshToken.objects.filter(user=user).count() == 1
    # The new password signs in; the temporary one no longer does.
    assert password_auth(required_client, "alice", NEW_PASSWORD).tokens is not None
    with pytest.raises(NotAuthorizedException):
        password_auth(required_client, "alice", TEMPORARY)


def test_new_password_must_meet_the_policy(required_pool: UserPool,
                                           required_client: AppClient) -> None:
    user = create(required_pool, confirmed=False)
    session = start_challenge(required_client).session
    before = snapshot(user)
    with pytest.raises(InvalidPasswordException) as caught:
        answer(required_client, session, password="short", **{"userAttributes.name": "A"})
    assert caught.value.message == "Password did not conform with policy: Password not long enough"
    with pytest.raises(InvalidPasswordException):
        answer(required_client, session, password="nouppercase1!", **{"userAttributes.name": "A"})
    assert snapshot(user) == before
    # A refused answer does not spend the session.
    assert answer(required_client, session, **{"userAttributes.name": "A"}).tokens is not None


def test_missing_required_attribute_is_refused(required_pool: UserPool,
                                               required_client: AppClient) -> None:
    user = create(required_pool, confirmed=False)
    session = start_challenge(required_client).session
    before = snapshot(user)
    for extra in ({}, {"userAttributes.name": ""}):
        with pytest.raises(InvalidParameterException) as caught:
            answer(required_client, session, **extra)
        assert caught.value.message == ("Attributes did not conform to the schema: name: "
                                        "The attribute is required")
    assert snapshot(user) == before


def test_attributes_the_client_may_not_write_are_refused(required_pool: UserPool,
                                                         required_client: AppClient) -> None:
    user = create(required_pool, confirmed=False)
    session = start_challenge(required_client).session
    before = snapshot(user)
    with pytest.raises(NotAuthorizedException):
        answer(required_client, session, **{"userAttributes.name": "A",
                                            "userAttributes.email_verified": "false"})
    with pytest.raises(InvalidParameterException):
        answer(required_client, session, **{"userAttributes.name": "A",
                                            "userAttributes.nonexistent": "x"})
    assert snapshot(user) == before


def test_the_challenge_sets_a_required_immutable_attribute_left_out_at_creation(
        make_pool: Any, make_client: Any) -> None:
    pool = make_pool(schema=[{"Name": "given_name", "Required": True, "Mutable": False}])
    client = make_client(pool, explicit_auth_flows=ALL_FLOWS)
    user = create(pool, confirmed=False)
    result = start_challenge(client)
    assert json.loads(result.challenge_parameters["requiredAttributes"]) == [
        "userAttributes.given_name"]
    assert answer(client, result.session,
                  **{"userAttributes.given_name": "Alice"}).tokens is not None
    assert reload(user).attributes["given_name"] == "Alice"
    # Once it has a value, it is immutable again.
    other = create(pool, "bob", confirmed=False,
                   attributes={"given_name": "Bob", "email": EMAIL})
    session = start_challenge(client, "bob").session
    with pytest.raises(InvalidParameterException) as caught:
        answer(client, session, "bob", **{"userAttributes.given_name": "Robert"})
    assert caught.value.message == ("Attributes did not conform to the schema: given_name: "
                                    "Attribute cannot be updated. (changing an immutable "
                                    "attribute)")
    assert reload(other).attributes["given_name"] == "Bob"


def test_a_new_email_given_in_the_challenge_is_not_verified(make_pool: Any,
                                                            make_client: Any) -> None:
    pool = make_pool(alias_attributes=["email"])
    client = make_client(pool, explicit_auth_flows=ALL_FLOWS)
    user = create(pool, confirmed=False)
    session = start_challenge(client).session
    result = answer(client, session, **{"userAttributes.email": "other@example.com",
                                        "userAttributes.name": "Alice"})
    assert result.tokens is not None
    fresh = reload(user)
    assert fresh.attributes["email"] == "other@example.com"
    assert fresh.attributes["email_verified"] == "false"
    assert decode(pool, result.tokens.id_token, audience=client.id)["email_verified"] is False
    # An unverified email is no sign-in alias, and the old one is gone.
    for alias in ("other@example.com", EMAIL):
        with pytest.raises(UserNotFoundException):
            password_auth(client, alias, NEW_PASSWORD)


def test_an_unchanged_email_given_in_the_challenge_stays_verified(pool: UserPool,
                                                                  client: AppClient) -> None:
    user = create(pool, confirmed=False)
    session = start_challenge(client).session
    assert answer(client, session, **{"userAttributes.email": EMAIL}).tokens is not None
    assert reload(user).attributes["email_verified"] == "true"


@pytest.mark.parametrize("session", [None, 5, "", "short", "x" * 40, "!" * 64, "A" * 3000,
                                     ["session"]])
def test_bad_session_is_refused(pool: UserPool, client: AppClient, session: object) -> None:
    user = create(pool, confirmed=False)
    start_challenge(client)
    before = snapshot(user)
    with pytest.raises(NotAuthorizedException) as caught:
        answer(client, session)
    assert caught.value.message == "Invalid session for the user."
    assert snapshot(user) == before


def test_tampered_session_is_refused(pool: UserPool, client: AppClient) -> None:
    user = create(pool, confirmed=False)
    session = start_challenge(client).session
    assert session is not None
    middle = len(session) // 2
    flipped = session[:middle] + ("A" if session[middle] != "A" else "B") + session[middle + 1:]
    before = snapshot(user)
    for bad in (flipped, session[:-8], "AAAA" + session):
        with pytest.raises(NotAuthorizedException) as caught:
            answer(client, bad)
        assert caught.value.message.startswith("Invalid session for the user")
    assert snapshot(user) == before


def test_sessions_are_opaque_and_never_repeat(pool: UserPool, client: AppClient) -> None:
    """A readable Session would show the user's database id, or its absence for a user that
    PreventUserExistenceErrors hides."""
    create(pool, confirmed=False)
    first, second = (start_challenge(client).session for _ in range(2))
    assert first and second and first != second
    for session in (first, second):
        raw = base64.urlsafe_b64decode(session + "=" * (-len(session) % 4))
        # Five or more known bytes: random ciphertext holds them about once in 10^9.
        assert b"alice" not in raw and b"NEW_PASSWORD" not in raw and b'"u":' not in raw
    assert answer(client, second).tokens is not None


def test_each_purpose_has_keys_of_its_own(settings: Any) -> None:
    from cryptography.fernet import Fernet, InvalidToken

    from django_cognito.crypto.fields import fernet

    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.COGNITO = {**settings.COGNITO, "ENCRYPTION_KEYS": [old]}
    token = fernet("session").encrypt(b"state")
    for other in ("srp-block", "device-srp-block", ""):
        with pytest.raises(InvalidToken):
            fernet(other).decrypt(token)
    # Rotating the configured keys rotates every purpose's: the old one still opens.
    settings.COGNITO = {**settings.COGNITO, "ENCRYPTION_KEYS": [new, old]}
    assert fernet("session").decrypt(token) == b"state"
    # Keys given as bytes (what Fernet.generate_key returns) work for every purpose too.
    settings.COGNITO = {**settings.COGNITO, "ENCRYPTION_KEYS": [new.encode(), old.encode()]}
    assert fernet("session").decrypt(token) == b"state"
    from django.core import checks as django_checks
    assert [m.id for m in django_checks.run_checks() if m.id == "cognito.E004"] == []


def test_a_session_for_the_longest_username_fits_the_api(pool: UserPool,
                                                         client: AppClient) -> None:
    name = "\U00020000" * 128  # the longest username, 4 bytes a character in UTF-8
    create(pool, name, confirmed=False)
    session = start_challenge(client, name).session
    assert session is not None and len(session) <= sessions.MAX_SESSION_LENGTH
    assert answer(client, session, name).tokens is not None


def test_session_of_another_challenge_is_refused(pool: UserPool, client: AppClient) -> None:
    user = create(pool, confirmed=False)
    other = sessions.issue(client, user.pk, "SMS_MFA", user.username)
    with pytest.raises(NotAuthorizedException) as caught:
        answer(client, other)
    assert caught.value.message == "Invalid session for the user."
    assert reload(user).status == UserStatus.FORCE_CHANGE_PASSWORD


@pytest.mark.parametrize(("validity", "elapsed", "expired"), [
    (3, dt.timedelta(minutes=2, seconds=50), False),
    (3, dt.timedelta(minutes=3, seconds=2), True),
    (10, dt.timedelta(minutes=9, seconds=50), False),
    (10, dt.timedelta(minutes=10, seconds=2), True),
])
def test_session_expires_after_auth_session_validity(pool: UserPool, make_client: Any,
                                                     validity: int, elapsed: dt.timedelta,
                                                     expired: bool) -> None:
    client = make_client(pool, explicit_auth_flows=ALL_FLOWS, auth_session_validity=validity)
    user = create(pool, confirmed=False)
    session = start_challenge(client).session
    clock.advance(elapsed)
    if not expired:
        assert answer(client, session).tokens is not None
        return
    before = snapshot(user)
    with pytest.raises(NotAuthorizedException) as caught:
        answer(client, session)
    assert caught.value.message == "Invalid session for the user, session is expired."
    assert snapshot(user) == before


def test_session_of_another_client_is_refused(pool: UserPool, client: AppClient,
                                              make_client: Any) -> None:
    other = make_client(pool, name="other", explicit_auth_flows=ALL_FLOWS)
    user = create(pool, confirmed=False)
    session = start_challenge(client).session
    before = snapshot(user)
    with pytest.raises(NotAuthorizedException) as caught:
        answer(other, session)
    assert caught.value.message == "Invalid session for the user."
    assert snapshot(user) == before


def test_session_of_another_user_is_refused(pool: UserPool, client: AppClient) -> None:
    alice = create(pool, "alice", confirmed=False)
    bob = create(pool, "bob", confirmed=False, attributes={})
    session = start_challenge(client, "alice").session
    before = (snapshot(alice), snapshot(bob))
    for username in ("bob", "nobody"):
        with pytest.raises(NotAuthorizedException) as caught:
            answer(client, session, username)
        assert caught.value.message == "Invalid session for the user."
    assert (snapshot(alice), snapshot(bob)) == before


def test_session_cannot_be_reused_after_success(pool: UserPool, client: AppClient) -> None:
    user = create(pool, confirmed=False)
    session = start_challenge(client).session
    assert answer(client, session).tokens is not None
    after = snapshot(user)
    with pytest.raises(NotAuthorizedException) as caught:
        answer(client, session, password="An0ther-Passw0rd")
    assert caught.value.message == "Invalid session for the user."
    assert snapshot(user) == after


def test_user_disabled_during_the_challenge(pool: UserPool, client: AppClient) -> None:
    user = create(pool, confirmed=False)
    session = start_challenge(client).session
    admin_users.set_enabled(user, False)
    before = snapshot(user)
    with pytest.raises(NotAuthorizedException) as caught:
        answer(client, session)
    assert caught.value.message == "User is disabled."
    assert snapshot(user) == before


@pytest.mark.parametrize(("name", "responses"), [
    ("SMS_MFA", {"USERNAME": "alice", "NEW_PASSWORD": NEW_PASSWORD}),
    (None, {"USERNAME": "alice", "NEW_PASSWORD": NEW_PASSWORD}),
    ("NEW_PASSWORD_REQUIRED", {"NEW_PASSWORD": NEW_PASSWORD}),
    ("NEW_PASSWORD_REQUIRED", {"USERNAME": "alice"}),
    ("NEW_PASSWORD_REQUIRED", {"USERNAME": "alice", "NEW_PASSWORD": 5}),
    ("NEW_PASSWORD_REQUIRED", "USERNAME=alice"),
])
def test_malformed_challenge_responses(pool: UserPool, client: AppClient, name: object,
                                       responses: object) -> None:
    user = create(pool, confirmed=False)
    session = start_challenge(client).session
    before = snapshot(user)
    with pytest.raises((InvalidParameterException, InvalidPasswordException)):
        signin.respond_to_auth_challenge(client, name, responses, session)
    assert snapshot(user) == before


# SECRET_HASH ----------------------------------------------------------------------------------

@pytest.fixture
def confidential(pool: UserPool, make_client: Any) -> AppClient:
    return make_client(pool, name="confidential", explicit_auth_flows=ALL_FLOWS,
                       generate_secret=True)


@pytest.mark.parametrize(("flow", "admin"), PASSWORD_FLOWS)
def test_secret_hash_is_required_with_a_client_secret(pool: UserPool, confidential: AppClient,
                                                      flow: str, admin: bool) -> None:
    create(pool)
    with pytest.raises(NotAuthorizedException) as caught:
        password_auth(confidential, "alice", flow=flow, admin=admin)
    assert caught.value.message == (f"Client {confidential.id} is configured with secret but "
                                    f"SECRET_HASH was not received")
    for wrong in (secret_hash(confidential.secret, "bob", confidential.id),
                  secret_hash("not-the-secret", "alice", confidential.id), "garbage"):
        with pytest.raises(NotAuthorizedException) as caught:
            password_auth(confidential, "alice", flow=flow, admin=admin, SECRET_HASH=wrong)
        assert caught.value.message == f"Unable to verify secret hash for client {confidential.id}"
    assert RefreshToken.objects.count() == 0
    right = secret_hash(confidential.secret, "alice", confidential.id)
    assert password_auth(confidential, "alice", flow=flow, admin=admin,
                         SECRET_HASH=right).tokens is not None


def test_secret_hash_is_checked_before_the_user_is_looked_up(pool: UserPool,
                                                             confidential: AppClient) -> None:
    with pytest.raises(NotAuthorizedException) as caught:
        password_auth(confidential, "nobody")
    assert "SECRET_HASH" in caught.value.message


def test_secret_hash_on_the_new_password_challenge(pool: UserPool,
                                                   confidential: AppClient) -> None:
    user = create(pool, confirmed=False)
    right = secret_hash(confidential.secret, "alice", confidential.id)
    result = password_auth(confidential, "alice", TEMPORARY, SECRET_HASH=right)
    before = snapshot(user)
    with pytest.raises(NotAuthorizedException):
        answer(confidential, result.session)
    with pytest.raises(NotAuthorizedException):
        answer(confidential, result.session, SECRET_HASH="garbage")
    assert snapshot(user) == before
    assert answer(confidential, result.session, SECRET_HASH=right).tokens is not None


# Pre and post authentication triggers -----------------------------------------------------------

def _envelope(pool: UserPool, client: AppClient, source: str, user: PoolUser,
              request: dict[str, Any], response: dict[str, Any]) -> dict[str, Any]:
    return {"version": "1", "triggerSource": source, "region": pool.region,
            "userPoolId": pool.id, "userName": user.username,
            "callerContext": {"awsSdkVersion": triggers.SDK_VERSION, "clientId": client.id},
            "request": request, "response": response}


def _attributes(user: PoolUser, status: str = "CONFIRMED") -> dict[str, str]:
    return {**user.attributes, "sub": str(user.sub), "cognito:user_status": status}


def test_pre_and_post_authentication_events(pool: UserPool, client: AppClient,
                                            connect: Connect) -> None:
    user = create(pool)
    pre = recorder(connect, signals.pre_authentication)
    post = recorder(connect, signals.post_authentication)
    result = signin.initiate_auth(client, "USER_PASSWORD_AUTH",
                                {"USERNAME": "alice", "PASSWORD": PASSWORD},
                                client_metadata={"app": "web"})
    assert result.tokens is not None
    assert pre == [_envelope(pool, client, "PreAuthentication_Authentication", user,
                             {"userAttributes": _attributes(user),
                              "validationData": {"app": "web"}, "userNotFound": False}, {})]
    # InitiateAuth's ClientMetadata reaches pre authentication only (reference §4.1).
    assert post == [_envelope(pool, client, "PostAuthentication_Authentication", user,
                              {"userAttributes": _attributes(user), "newDeviceUsed": False,
                               "clientMetadata": {}}, {})]


def test_post_authentication_gets_the_client_metadata_of_the_challenge_answer(
        pool: UserPool, client: AppClient, connect: Connect) -> None:
    create(pool, confirmed=False)
    post = recorder(connect, signals.post_authentication)
    session = signin.initiate_auth(client, "USER_PASSWORD_AUTH",
                                 {"USERNAME": "alice", "PASSWORD": TEMPORARY},
                                 client_metadata={"step": "initiate"}).session
    result = signin.respond_to_auth_challenge(
        client, "NEW_PASSWORD_REQUIRED", {"USERNAME": "alice", "NEW_PASSWORD": NEW_PASSWORD},
        session, client_metadata={"step": "respond"})
    assert result.tokens is not None
    assert [e["request"]["clientMetadata"] for e in post] == [{"step": "respond"}]


def test_pre_authentication_denies(pool: UserPool, client: AppClient, connect: Connect) -> None:
    user = create(pool)
    post = recorder(connect, signals.post_authentication)
    recorder(connect, signals.pre_authentication, TriggerRejected("blocked by policy"))
    before = snapshot(user)
    with pytest.raises(UserLambdaValidationException) as caught:
        password_auth(client, "alice")
    assert caught.value.message == "PreAuthentication failed with error blocked by policy."
    assert post == []
    assert snapshot(user) == before


def test_pre_authentication_runs_for_the_admin_flow_and_a_challenge(pool: UserPool,
                                                                    client: AppClient,
                                                                    connect: Connect) -> None:
    user = create(pool, confirmed=False)
    pre = recorder(connect, signals.pre_authentication)
    post = recorder(connect, signals.post_authentication)
    result = password_auth(client, "alice", TEMPORARY, flow="ADMIN_USER_PASSWORD_AUTH",
                           admin=True)
    assert [e["request"]["userAttributes"]["cognito:user_status"] for e in pre] == \
        ["FORCE_CHANGE_PASSWORD"]
    assert post == []  # no tokens yet
    assert answer(client, result.session).tokens is not None
    assert len(pre) == 1
    assert [e["triggerSource"] for e in post] == ["PostAuthentication_Authentication"]
    assert post[0]["request"]["userAttributes"]["cognito:user_status"] == "CONFIRMED"
    assert post[0]["userName"] == user.username


def test_post_authentication_error_is_returned_and_no_tokens_are_issued(
        pool: UserPool, client: AppClient, connect: Connect) -> None:
    create(pool)
    recorder(connect, signals.post_authentication, RuntimeError("audit log unavailable"))
    with pytest.raises(UserLambdaValidationException) as caught:
        password_auth(client, "alice")
    assert caught.value.message == "PostAuthentication failed with error audit log unavailable."
    assert RefreshToken.objects.count() == 0


def test_authentication_triggers_do_not_fire_on_refresh(pool: UserPool, client: AppClient,
                                                        connect: Connect) -> None:
    create(pool)
    tokens = password_auth(client, "alice").tokens
    assert tokens is not None
    pre = recorder(connect, signals.pre_authentication)
    post = recorder(connect, signals.post_authentication)
    assert signin.initiate_auth(client, "REFRESH_TOKEN_AUTH",
                              {"REFRESH_TOKEN": str(tokens.refresh_token)}).tokens is not None
    assert pre == [] and post == []
