"""Token sets of every sign-in flow, REFRESH_TOKEN_AUTH, RevokeToken, GlobalSignOut and the
revocation of token families by disabling or deleting a user (reference §3)."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import uuid
import warnings
from collections.abc import Callable
from typing import Any

import jwt
import pytest

from django_cognito import clock
from django_cognito.crypto.secrets import secret_hash
from django_cognito.exceptions import (
    InvalidParameterException,
    NotAuthorizedException,
    UnauthorizedException,
    UnsupportedOperationException,
    UnsupportedTokenTypeException,
)
from django_cognito.models import AppClient, PoolUser, RefreshToken, UserPool
from django_cognito.services import admin_users, groups, signin, tokens
from django_cognito.services.tokens import TokenSet
from django_cognito.tokens import issuer_for
from tests.claims import decode
from tests.factories import NEW_PASSWORD, PASSWORD, TEMPORARY
from tests.factories import create_user as create

pytestmark = pytest.mark.django_db

EMAIL = "alice@example.com"
ADMIN_SCOPE = "aws.cognito.signin.user.admin"
ALL_FLOWS = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH",
             "ALLOW_REFRESH_TOKEN_AUTH"]
ROLE_ADMIN = "arn:aws:iam::123456789012:role/admins"
ROLE_READER = "arn:aws:iam::123456789012:role/readers"


@pytest.fixture
def client(pool: UserPool, make_client: Any) -> AppClient:
    return make_client(pool, explicit_auth_flows=ALL_FLOWS)




def sign_in(client: AppClient, username: str = "alice", **extra: str) -> TokenSet:
    result = signin.initiate_auth(client, "USER_PASSWORD_AUTH",
                                {"USERNAME": username, "PASSWORD": PASSWORD, **extra})
    assert result.tokens is not None
    return result.tokens


def refresh(client: AppClient, token: str | None, flow: str = "REFRESH_TOKEN_AUTH", *,
            admin: bool = False, **extra: str) -> TokenSet:
    result = signin.initiate_auth(client, flow, {"REFRESH_TOKEN": str(token), **extra}, admin=admin)
    assert result.tokens is not None
    return result.tokens


def origin(pool: UserPool, access_token: str) -> str:
    origin_jti: str = decode(pool, access_token)["origin_jti"]
    return origin_jti


# Claims of every flow (table-driven, reference §3.2 and §3.3) -----------------------------------

class UUIDString:
    """Equal to any canonical UUID string."""

    def __eq__(self, other: object) -> bool:
        return isinstance(other, str) and str(uuid.UUID(other)) == other

    def __repr__(self) -> str:
        return "<uuid string>"


class IntBetween:
    """Equal to an int (not a bool) within [low, high]."""

    def __init__(self, low: int, high: int) -> None:
        self.low, self.high = low, high

    def __eq__(self, other: object) -> bool:
        return type(other) is int and self.low <= other <= self.high

    def __repr__(self) -> str:
        return f"<int in [{self.low}, {self.high}]>"


@pytest.fixture
def rich_pool(make_pool: Any) -> UserPool:
    return make_pool(schema=[{"Name": "tier", "AttributeDataType": "String"},
                             {"Name": "score", "AttributeDataType": "Number"}])


@pytest.fixture
def rich_client(rich_pool: UserPool, make_client: Any) -> AppClient:
    return make_client(rich_pool, explicit_auth_flows=ALL_FLOWS)


def rich_user(pool: UserPool, *, confirmed: bool = True) -> PoolUser:
    user = create(pool, confirmed=confirmed, attributes={
        "email": EMAIL, "email_verified": "true", "phone_number": "+15555550100",
        "phone_number_verified": "false", "name": "Alice Liddell",
        "custom:tier": "gold", "custom:score": "42"})
    # Created out of precedence order: the claims must sort them, not keep insertion order.
    for name, precedence, role in (("everyone", None, None), ("readers", 5, ROLE_READER),
                                   ("admins", 1, ROLE_ADMIN)):
        groups.add_user_to_group(user, groups.create_group(pool, name, role_arn=role,
                                                           precedence=precedence))
    return user


def _password(flow: str, admin: bool) -> Callable[[AppClient], TokenSet]:
    def run(client: AppClient) -> TokenSet:
        result = signin.initiate_auth(client, flow, {"USERNAME": "alice", "PASSWORD": PASSWORD},
                                    admin=admin)
        assert result.tokens is not None
        return result.tokens
    return run


def _refresh(flow: str, admin: bool) -> Callable[[AppClient], TokenSet]:
    def run(client: AppClient) -> TokenSet:
        first = sign_in(client)
        clock.advance(dt.timedelta(minutes=5))
        return refresh(client, first.refresh_token, flow, admin=admin)
    return run


def _new_password(client: AppClient) -> TokenSet:
    result = signin.initiate_auth(client, "USER_PASSWORD_AUTH",
                                {"USERNAME": "alice", "PASSWORD": TEMPORARY})
    answered = signin.respond_to_auth_challenge(
        client, "NEW_PASSWORD_REQUIRED", {"USERNAME": "alice", "NEW_PASSWORD": NEW_PASSWORD},
        result.session)
    assert answered.tokens is not None
    return answered.tokens


FLOWS: dict[str, tuple[Callable[[AppClient], TokenSet], bool, bool]] = {
    # name: (run, user starts confirmed, a refresh token is returned)
    "USER_PASSWORD_AUTH": (_password("USER_PASSWORD_AUTH", False), True, True),
    "ADMIN_USER_PASSWORD_AUTH": (_password("ADMIN_USER_PASSWORD_AUTH", True), True, True),
    "ADMIN_NO_SRP_AUTH": (_password("ADMIN_NO_SRP_AUTH", True), True, True),
    "NEW_PASSWORD_REQUIRED": (_new_password, False, True),
    "REFRESH_TOKEN_AUTH": (_refresh("REFRESH_TOKEN_AUTH", False), True, False),
    "REFRESH_TOKEN (admin)": (_refresh("REFRESH_TOKEN", True), True, False),
}


@pytest.mark.parametrize("flow", list(FLOWS))
def test_token_claims_of_every_flow(rich_pool: UserPool, rich_client: AppClient,
                                    flow: str) -> None:
    run, confirmed, returns_refresh = FLOWS[flow]
    user = rich_user(rich_pool, confirmed=confirmed)
    signed_in = int(clock.now().timestamp())
    result = run(rich_client)
    now = int(clock.now().timestamp())
    family = RefreshToken.objects.get(user=user)
    issuer = issuer_for(rich_pool)

    assert (result.refresh_token is not None) == returns_refresh
    assert result.token_type == "Bearer" and result.expires_in == 3600

    id_claims = decode(rich_pool, result.id_token, audience=rich_client.id)
    assert id_claims == {
        "sub": str(user.sub), "aud": rich_client.id, "iss": issuer, "token_use": "id",
        "auth_time": IntBetween(signed_in, signed_in + 10), "iat": IntBetween(now - 10, now),
        "exp": id_claims["iat"] + 3600, "jti": UUIDString(),
        "origin_jti": str(family.origin_jti), "event_id": UUIDString(),
        "cognito:username": "alice", "email": EMAIL, "email_verified": True,
        "phone_number": "+15555550100", "phone_number_verified": False,
        "name": "Alice Liddell", "custom:tier": "gold", "custom:score": "42",
        "cognito:groups": ["admins", "readers", "everyone"],
        "cognito:roles": [ROLE_ADMIN, ROLE_READER],
        "cognito:preferred_role": ROLE_ADMIN,
    }
    access_claims = decode(rich_pool, result.access_token)
    assert access_claims == {
        "sub": str(user.sub), "iss": issuer, "client_id": rich_client.id,
        "token_use": "access", "scope": ADMIN_SCOPE, "auth_time": id_claims["auth_time"],
        "iat": IntBetween(now - 10, now), "exp": access_claims["iat"] + 3600, "jti": UUIDString(),
        "origin_jti": str(family.origin_jti), "event_id": id_claims["event_id"],
        "username": "alice", "cognito:groups": ["admins", "readers", "everyone"],
    }
    assert id_claims["jti"] != access_claims["jti"]
    id_header = jwt.get_unverified_header(result.id_token)
    access_header = jwt.get_unverified_header(result.access_token)
    assert set(id_header) == set(access_header) == {"kid", "alg"}
    assert id_header["alg"] == access_header["alg"] == "RS256"
    assert id_header["kid"] != access_header["kid"]  # ID and access keys differ (§3.1)


def test_claims_without_groups_or_optional_attributes(pool: UserPool,
                                                      client: AppClient) -> None:
    create(pool, attributes={})
    result = sign_in(client)
    id_claims = decode(pool, result.id_token, audience=client.id)
    access_claims = decode(pool, result.access_token)
    assert not {"cognito:groups", "cognito:roles", "cognito:preferred_role",
                "email", "email_verified"} & set(id_claims)
    assert "cognito:groups" not in access_claims and "aud" not in access_claims


def test_tied_precedence_with_different_roles_names_no_preferred_role(
        pool: UserPool, client: AppClient) -> None:
    user = create(pool)
    for name, role in (("a", ROLE_ADMIN), ("b", ROLE_READER)):
        groups.add_user_to_group(user, groups.create_group(pool, name, role_arn=role,
                                                           precedence=3))
    claims = decode(pool, sign_in(client).id_token, audience=client.id)
    assert claims["cognito:groups"] == ["a", "b"]
    assert claims["cognito:roles"] == [ROLE_ADMIN, ROLE_READER]
    assert "cognito:preferred_role" not in claims


# The token set ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("config", "expires_in", "id_lifetime"), [
    ({}, 3600, 3600),
    ({"access_token_validity": 2, "id_token_validity": 10,
      "token_validity_units": {"AccessToken": "hours", "IdToken": "minutes"}}, 7200, 600),
    ({"access_token_validity": 5, "token_validity_units": {"AccessToken": "minutes"}}, 300, 3600),
    ({"access_token_validity": 1, "token_validity_units": {"AccessToken": "days"}}, 86400, 3600),
])
def test_expires_in_is_the_access_token_lifetime(pool: UserPool, make_client: Any,
                                                 config: dict[str, Any], expires_in: int,
                                                 id_lifetime: int) -> None:
    client = make_client(pool, explicit_auth_flows=ALL_FLOWS, **config)
    create(pool)
    for result in (first := sign_in(client), refresh(client, first.refresh_token)):
        assert result.expires_in == expires_in
        access = decode(pool, result.access_token)
        assert access["exp"] - access["iat"] == expires_in
        id_claims = decode(pool, result.id_token, audience=client.id)
        assert id_claims["exp"] - id_claims["iat"] == id_lifetime


def test_authentication_result_shape(pool: UserPool, client: AppClient) -> None:
    create(pool)
    first = sign_in(client)
    assert first.as_dict() == {"AccessToken": first.access_token, "ExpiresIn": 3600,
                               "TokenType": "Bearer", "IdToken": first.id_token,
                               "RefreshToken": first.refresh_token}
    refreshed = refresh(client, first.refresh_token)
    assert refreshed.refresh_token is None
    assert set(refreshed.as_dict()) == {"AccessToken", "ExpiresIn", "TokenType", "IdToken"}


def test_refresh_token_is_opaque_and_stored_only_as_a_hash(pool: UserPool,
                                                           client: AppClient) -> None:
    create(pool)
    raw = sign_in(client).refresh_token
    assert raw is not None
    assert re.fullmatch(r"[A-Za-z0-9_-]{128}", raw)  # no JWT structure to parse
    record = RefreshToken.objects.get()
    assert record.token_hash == hashlib.sha256(raw.encode()).hexdigest()
    stored = " ".join(str(v) for row in RefreshToken.objects.values() for v in row.values())
    assert raw not in stored and raw[:32] not in stored
    assert not RefreshToken.objects.filter(token_hash=raw).exists()


def test_each_sign_in_starts_a_new_family(pool: UserPool, client: AppClient) -> None:
    create(pool)
    first, second = sign_in(client), sign_in(client)
    assert first.refresh_token != second.refresh_token
    assert origin(pool, first.access_token) != origin(pool, second.access_token)
    assert RefreshToken.objects.count() == 2


# Refresh ----------------------------------------------------------------------------------------

@pytest.mark.parametrize(("flow", "admin"), [("REFRESH_TOKEN_AUTH", False),
                                             ("REFRESH_TOKEN", False),
                                             ("REFRESH_TOKEN_AUTH", True),
                                             ("REFRESH_TOKEN", True)])
def test_refresh_keeps_auth_time_and_origin_and_renews_iat_and_jti(
        pool: UserPool, client: AppClient, flow: str, admin: bool) -> None:
    create(pool)
    first = sign_in(client)
    clock.advance(dt.timedelta(minutes=50))
    second = refresh(client, first.refresh_token, flow, admin=admin)
    assert second.refresh_token is None
    for kind, audience in (("id_token", client.id), ("access_token", None)):
        before = decode(pool, getattr(first, kind), audience=audience,
                        options={"verify_exp": False, "verify_iat": False})
        after = decode(pool, getattr(second, kind), audience=audience)
        assert after["auth_time"] == before["auth_time"]
        assert after["origin_jti"] == before["origin_jti"]
        assert after["iat"] >= before["iat"] + 3000
        assert after["exp"] == after["iat"] + 3600
        assert after["jti"] != before["jti"]
    assert RefreshToken.objects.count() == 1


def test_refresh_token_lives_thirty_days_by_default(pool: UserPool, client: AppClient) -> None:
    create(pool)
    raw = sign_in(client).refresh_token
    clock.advance(dt.timedelta(days=2))
    assert refresh(client, raw).expires_in == 3600
    clock.advance(dt.timedelta(days=27, hours=23))
    refresh(client, raw)
    clock.advance(dt.timedelta(hours=1, seconds=2))
    with pytest.raises(NotAuthorizedException) as caught:
        refresh(client, raw)
    assert caught.value.message == "Refresh Token has expired"


@pytest.mark.parametrize(("validity", "unit", "seconds"), [(60, "minutes", 3600),
                                                           (2, "hours", 7200),
                                                           (90, "days", 90 * 86400)])
def test_refresh_token_validity_of_the_client(pool: UserPool, make_client: Any, validity: int,
                                              unit: str, seconds: int) -> None:
    client = make_client(pool, explicit_auth_flows=ALL_FLOWS, refresh_token_validity=validity,
                         token_validity_units={"RefreshToken": unit})
    create(pool)
    raw = sign_in(client).refresh_token
    with clock.shifted(dt.timedelta(seconds=seconds - 30)):
        refresh(client, raw)
    clock.advance(dt.timedelta(seconds=seconds + 2))
    with pytest.raises(NotAuthorizedException) as caught:
        refresh(client, raw)
    assert caught.value.message == "Refresh Token has expired"


def test_refresh_token_of_another_client_is_refused(pool: UserPool, client: AppClient,
                                                    make_client: Any) -> None:
    other = make_client(pool, name="other", explicit_auth_flows=ALL_FLOWS)
    create(pool)
    raw = sign_in(client).refresh_token
    with pytest.raises(NotAuthorizedException) as caught:
        refresh(other, raw)
    assert caught.value.message == "Invalid Refresh Token"


def test_refresh_token_of_another_pool_is_refused(pool: UserPool, client: AppClient,
                                                  make_pool: Any, make_client: Any) -> None:
    other_pool = make_pool(name="other")
    other = make_client(other_pool, explicit_auth_flows=ALL_FLOWS)
    create(pool)
    with pytest.raises(NotAuthorizedException) as caught:
        refresh(other, sign_in(client).refresh_token)
    assert caught.value.message == "Invalid Refresh Token"


@pytest.mark.parametrize("token", ["", "short", "x" * 128, "é" * 128, "A" * 3000, 5, None,
                                   ["token"]])
def test_invalid_refresh_tokens(pool: UserPool, client: AppClient, token: object) -> None:
    create(pool)
    sign_in(client)
    params: dict[str, Any] = {"REFRESH_TOKEN": token}
    error = (InvalidParameterException if not isinstance(token, str) or not token
             else NotAuthorizedException)
    with pytest.raises(error):
        signin.initiate_auth(client, "REFRESH_TOKEN_AUTH", params)
    with pytest.raises(NotAuthorizedException) as caught:
        tokens.refresh(client, token)
    assert caught.value.message == "Invalid Refresh Token"


def test_an_access_token_is_not_a_refresh_token(pool: UserPool, client: AppClient) -> None:
    create(pool)
    access = sign_in(client).access_token
    with pytest.raises(NotAuthorizedException) as caught:
        refresh(client, access)
    assert caught.value.message == "Invalid Refresh Token"


def test_refresh_of_a_user_disabled_without_revocation(pool: UserPool,
                                                       client: AppClient) -> None:
    user = create(pool)
    raw = sign_in(client).refresh_token
    PoolUser.objects.filter(pk=user.pk).update(enabled=False)
    with pytest.raises(NotAuthorizedException) as caught:
        refresh(client, raw)
    assert caught.value.message == "User is disabled."


def test_refresh_secret_hash_uses_the_internal_username(pool: UserPool,
                                                        make_client: Any) -> None:
    client = make_client(pool, explicit_auth_flows=ALL_FLOWS, generate_secret=True)
    create(pool)
    right = secret_hash(client.secret, "alice", client.id)
    raw = sign_in(client, SECRET_HASH=right).refresh_token
    with pytest.raises(NotAuthorizedException) as caught:
        refresh(client, raw)
    assert caught.value.message == (f"Client {client.id} is configured with secret but "
                                    f"SECRET_HASH was not received")
    for wrong in ("garbage", secret_hash(client.secret, "bob", client.id)):
        with pytest.raises(NotAuthorizedException) as caught:
            refresh(client, raw, SECRET_HASH=wrong)
        assert caught.value.message == f"Unable to verify secret hash for client {client.id}"
    assert refresh(client, raw, SECRET_HASH=right).refresh_token is None


def test_refresh_secret_hash_in_an_email_username_pool_uses_the_uuid(make_pool: Any,
                                                                     make_client: Any) -> None:
    pool = make_pool(username_attributes=["email"])
    client = make_client(pool, explicit_auth_flows=ALL_FLOWS, generate_secret=True)
    user = create(pool, EMAIL, attributes={"email_verified": "true"})
    # Signing in hashes the name the user typed...
    raw = sign_in(client, EMAIL, SECRET_HASH=secret_hash(client.secret, EMAIL, client.id)
                  ).refresh_token
    # ...refreshing hashes the internal username, which is the sub here.
    with pytest.raises(NotAuthorizedException):
        refresh(client, raw, SECRET_HASH=secret_hash(client.secret, EMAIL, client.id))
    result = refresh(client, raw, SECRET_HASH=secret_hash(client.secret, str(user.sub),
                                                          client.id))
    assert decode(pool, result.access_token)["username"] == str(user.sub)


# RevokeToken ------------------------------------------------------------------------------------

def test_revoke_token_kills_its_family_only(pool: UserPool, client: AppClient) -> None:
    create(pool)
    create(pool, "bob", attributes={})
    mine, other_session = sign_in(client), sign_in(client)
    bobs = sign_in(client, "bob")
    assert tokens.family_is_live(origin(pool, mine.access_token))  # caches the answer
    refresh(client, mine.refresh_token)
    tokens.revoke_token(client, mine.refresh_token)
    assert not tokens.family_is_live(origin(pool, mine.access_token))
    with pytest.raises(NotAuthorizedException) as caught:
        refresh(client, mine.refresh_token)
    assert caught.value.message == "Refresh Token has been revoked"
    for survivor in (other_session, bobs):
        assert tokens.family_is_live(origin(pool, survivor.access_token))
        refresh(client, survivor.refresh_token)
    tokens.revoke_token(client, mine.refresh_token)  # revoking again is not an error


def test_access_tokens_minted_by_refresh_die_with_the_family(pool: UserPool,
                                                             client: AppClient) -> None:
    create(pool)
    first = sign_in(client)
    refreshed = refresh(client, first.refresh_token)
    tokens.revoke_token(client, first.refresh_token)
    assert not tokens.family_is_live(origin(pool, refreshed.access_token))


@pytest.mark.parametrize("kind", ["access_token", "id_token"])
def test_revoking_a_jwt_is_unsupported(pool: UserPool, client: AppClient, kind: str) -> None:
    create(pool)
    result = sign_in(client)
    with pytest.raises(UnsupportedTokenTypeException):
        tokens.revoke_token(client, getattr(result, kind))
    assert tokens.family_is_live(origin(pool, result.access_token))
    assert RefreshToken.objects.filter(revoked_at=None).count() == 1


def test_revoke_needs_token_revocation_enabled(pool: UserPool, make_client: Any) -> None:
    client = make_client(pool, explicit_auth_flows=ALL_FLOWS, enable_token_revocation=False)
    create(pool)
    result = sign_in(client)
    with pytest.raises(UnsupportedOperationException):
        tokens.revoke_token(client, result.refresh_token)
    assert tokens.family_is_live(origin(pool, result.access_token))
    refresh(client, result.refresh_token)


def test_revoke_needs_the_client_secret(pool: UserPool, make_client: Any) -> None:
    client = make_client(pool, explicit_auth_flows=ALL_FLOWS, generate_secret=True)
    create(pool)
    result = sign_in(client, SECRET_HASH=secret_hash(client.secret, "alice", client.id))
    for wrong in (None, "", "not-the-secret", client.secret[:-1], 5):
        with pytest.raises(UnauthorizedException):
            tokens.revoke_token(client, result.refresh_token, wrong)
    assert tokens.family_is_live(origin(pool, result.access_token))
    tokens.revoke_token(client, result.refresh_token, client.secret)
    assert not tokens.family_is_live(origin(pool, result.access_token))


def test_revoke_through_another_client_revokes_nothing(pool: UserPool, client: AppClient,
                                                       make_client: Any) -> None:
    other = make_client(pool, name="other", explicit_auth_flows=ALL_FLOWS)
    create(pool)
    result = sign_in(client)
    tokens.revoke_token(other, result.refresh_token)
    assert tokens.family_is_live(origin(pool, result.access_token))
    refresh(client, result.refresh_token)


@pytest.mark.parametrize("token", ["unknown-" + "x" * 100, "", None, 5, "y" * 5000])
def test_revoking_an_unknown_token_is_not_an_error(pool: UserPool, client: AppClient,
                                                   token: object) -> None:
    create(pool)
    result = sign_in(client)
    tokens.revoke_token(client, token)
    assert tokens.family_is_live(origin(pool, result.access_token))


@pytest.mark.parametrize("value", ["", "not-a-uuid", "0b5e3c1e-8d7f-4a52-9f3e-2f6d1c0a9b87",
                                   "1" * 500, None])
def test_family_is_live_for_unknown_families(db: Any, value: Any) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # e.g. a cache key too long for memcached
        assert tokens.family_is_live(value) is False


def test_revocation_reaches_every_spelling_of_an_origin_jti(pool: UserPool,
                                                            client: AppClient) -> None:
    create(pool)
    result = sign_in(client)
    jti = uuid.UUID(origin(pool, result.access_token))
    spellings = [str(jti).upper(), jti.hex, f"{{{jti}}}", jti.urn]
    assert all(tokens.family_is_live(s) for s in spellings)  # each answer is cached
    tokens.revoke_token(client, result.refresh_token)
    assert not any(tokens.family_is_live(s) for s in spellings)


# GlobalSignOut, disable, delete ----------------------------------------------------------------

def test_global_sign_out_kills_every_family(pool: UserPool, client: AppClient,
                                            make_client: Any) -> None:
    other = make_client(pool, name="other", explicit_auth_flows=ALL_FLOWS)
    user = create(pool)
    create(pool, "bob", attributes={})
    sessions = [sign_in(client), sign_in(client), sign_in(other)]
    bobs = sign_in(client, "bob")
    for result in sessions:
        assert tokens.family_is_live(origin(pool, result.access_token))
    tokens.global_sign_out(user)
    for result, issuer in zip(sessions, (client, client, other), strict=True):
        assert not tokens.family_is_live(origin(pool, result.access_token))
        with pytest.raises(NotAuthorizedException) as caught:
            refresh(issuer, result.refresh_token)
        assert caught.value.message == "Refresh Token has been revoked"
    assert tokens.family_is_live(origin(pool, bobs.access_token))
    fresh = sign_in(client)
    assert tokens.family_is_live(origin(pool, fresh.access_token))
    refresh(client, fresh.refresh_token)


def test_disabling_a_user_kills_every_family(pool: UserPool, client: AppClient) -> None:
    user = create(pool)
    result = sign_in(client)
    assert tokens.family_is_live(origin(pool, result.access_token))
    admin_users.set_enabled(user, False)
    assert not tokens.family_is_live(origin(pool, result.access_token))
    with pytest.raises(NotAuthorizedException) as caught:
        refresh(client, result.refresh_token)
    assert caught.value.message == "Refresh Token has been revoked"
    admin_users.set_enabled(PoolUser.objects.get(pk=user.pk), True)
    # Enabling again does not bring the old tokens back; a new sign-in works.
    assert not tokens.family_is_live(origin(pool, result.access_token))
    assert tokens.family_is_live(origin(pool, sign_in(client).access_token))


def test_deleting_a_user_kills_every_family(pool: UserPool, client: AppClient) -> None:
    user = create(pool)
    result = sign_in(client)
    assert tokens.family_is_live(origin(pool, result.access_token))
    admin_users.admin_delete_user(user)
    assert not tokens.family_is_live(origin(pool, result.access_token))
    assert RefreshToken.objects.count() == 0
    with pytest.raises(NotAuthorizedException) as caught:
        refresh(client, result.refresh_token)
    assert caught.value.message == "Invalid Refresh Token"
