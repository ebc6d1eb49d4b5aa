"""Minted ID and access tokens: claims, types and lifetimes of reference §3, RS256 signatures."""

from __future__ import annotations

import base64
import datetime as dt
import json
import uuid
from typing import Any

import jwt
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from django_cognito import clock
from django_cognito.models import AppClient, PoolUser
from django_cognito.services import groups
from django_cognito.tokens import (
    GroupClaims,
    group_claims,
    issuer_for,
    keys,
    mint_access_token,
    mint_id_token,
)
from tests.factories import insert_user
from tests.signing_keys import reuse_rsa_keys  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reuse_rsa_keys")]

ISSUER_BASE = "http://testserver/"
ID_BASE_CLAIMS = {"sub", "aud", "iss", "token_use", "auth_time", "iat", "exp", "jti",
                  "origin_jti", "event_id", "cognito:username"}
ACCESS_BASE_CLAIMS = {"sub", "iss", "client_id", "token_use", "scope", "auth_time", "iat", "exp",
                      "jti", "origin_jti", "event_id", "username"}
SCHEMA = [{"Name": "tier", "AttributeDataType": "String"},
          {"Name": "score", "AttributeDataType": "Number"},
          {"Name": "hidden", "AttributeDataType": "String", "DeveloperOnlyAttribute": True}]


def _segments(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    def part(text: str) -> dict[str, Any]:
        padded = text + "=" * (-len(text) % 4)
        decoded: dict[str, Any] = json.loads(base64.urlsafe_b64decode(padded))
        return decoded
    header, payload, _ = token.split(".")
    return part(header), part(payload)


def _verify(pool: Any, token: str, **kwargs: Any) -> dict[str, Any]:
    """Verify with PyJWT against the published JWKS, as a consumer does."""
    jwks = jwt.PyJWKSet.from_dict({"keys": keys.publish_keys(pool)})
    kid = jwt.get_unverified_header(token)["kid"]
    key = next(k for k in jwks.keys if k.key_id == kid)
    claims: dict[str, Any] = jwt.decode(token, key, algorithms=["RS256"],
                                        issuer=issuer_for(pool), **kwargs)
    return claims


@pytest.fixture
def rich_pool(make_pool: Any) -> Any:
    return make_pool(schema=SCHEMA)


@pytest.fixture
def user(rich_pool: Any) -> PoolUser:
    return insert_user(rich_pool, "alice", **{
        "email": "alice@example.com", "email_verified": "true",
        "phone_number": "+15555550100", "phone_number_verified": "false",
        "name": "Alice Liddell", "address": "1 Rabbit Hole", "updated_at": "1700000000",
        "custom:tier": "gold", "custom:score": "42", "custom:hidden": "developer only"})


def _mint_id(pool: Any, client: Any, user: Any, **kwargs: Any) -> Any:
    kwargs.setdefault("auth_time", 1_700_000_100)
    kwargs.setdefault("origin_jti", "origin-1")
    kwargs.setdefault("event_id", "event-1")
    return mint_id_token(pool, client, user, **kwargs)


def _mint_access(pool: Any, client: Any, user: Any, **kwargs: Any) -> Any:
    kwargs.setdefault("auth_time", 1_700_000_100)
    kwargs.setdefault("origin_jti", "origin-1")
    kwargs.setdefault("event_id", "event-1")
    return mint_access_token(pool, client, user, **kwargs)


# (claim, expected value) of an ID token of ``user`` — reference §3.2.
ID_CLAIMS_TABLE = [
    ("token_use", "id"),
    ("cognito:username", "alice"),
    ("origin_jti", "origin-1"),
    ("event_id", "event-1"),
    ("auth_time", 1_700_000_100),
    ("email", "alice@example.com"),
    ("email_verified", True),
    ("phone_number", "+15555550100"),
    ("phone_number_verified", False),
    ("name", "Alice Liddell"),
    ("address", {"formatted": "1 Rabbit Hole"}),
    ("updated_at", 1_700_000_000),
    ("custom:tier", "gold"),
    ("custom:score", "42"),
]


@pytest.mark.parametrize(("claim", "expected"), ID_CLAIMS_TABLE)
def test_id_token_claim_values_and_types(rich_pool: Any, make_client: Any, user: Any,
                                         claim: str, expected: Any) -> None:
    client = make_client(rich_pool)
    claims = _verify(rich_pool, str(_mint_id(rich_pool, client, user)), audience=client.id)
    assert claims[claim] == expected
    assert type(claims[claim]) is type(expected)


def test_id_token_has_exactly_the_expected_claims(rich_pool: Any, make_client: Any,
                                                  user: Any) -> None:
    client = make_client(rich_pool)
    minted = _mint_id(rich_pool, client, user)
    claims = _verify(rich_pool, minted.token, audience=client.id)
    attribute_claims = {name for name, _ in ID_CLAIMS_TABLE} - ID_BASE_CLAIMS
    # No group claims without groups; developer-only attributes never leave the server.
    assert set(claims) == ID_BASE_CLAIMS | attribute_claims
    assert claims == minted.claims
    assert claims["sub"] == str(user.sub)
    assert claims["aud"] == client.id
    assert claims["iss"] == f"{ISSUER_BASE}{rich_pool.id}"
    uuid.UUID(claims["jti"])
    for name in ("iat", "exp", "auth_time"):
        assert type(claims[name]) is int


def test_access_token_has_exactly_the_expected_claims(rich_pool: Any, make_client: Any,
                                                      user: Any) -> None:
    client = make_client(rich_pool)
    minted = _mint_access(rich_pool, client, user)
    claims = _verify(rich_pool, minted.token, options={"verify_aud": False})
    assert set(claims) == ACCESS_BASE_CLAIMS
    assert "aud" not in claims
    assert claims["client_id"] == client.id
    assert claims["token_use"] == "access"
    assert claims["scope"] == "aws.cognito.signin.user.admin"
    assert claims["username"] == "alice"
    assert claims["sub"] == str(user.sub)
    assert (claims["origin_jti"], claims["event_id"]) == ("origin-1", "event-1")
    for name in ("iat", "exp", "auth_time"):
        assert type(claims[name]) is int


def test_access_token_scopes_are_space_separated(rich_pool: Any, make_client: Any,
                                                 user: Any) -> None:
    client = make_client(rich_pool)
    minted = _mint_access(rich_pool, client, user, scope=["openid", "email", "api/read"])
    assert minted.claims["scope"] == "openid email api/read"


def test_header_is_exactly_kid_and_rs256(rich_pool: Any, make_client: Any, user: Any) -> None:
    client = make_client(rich_pool)
    id_token = _mint_id(rich_pool, client, user).token
    access_token = _mint_access(rich_pool, client, user).token
    id_header, _ = _segments(id_token)
    access_header, _ = _segments(access_token)
    assert id_header == {"kid": keys.active_key(rich_pool, "id").kid, "alg": "RS256"}
    assert list(id_header) == ["kid", "alg"]
    assert access_header == {"kid": keys.active_key(rich_pool, "access").kid, "alg": "RS256"}
    assert id_header["kid"] != access_header["kid"]
    assert all(set(part) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                "0123456789-_") for part in id_token.split("."))


def test_readable_attributes_of_the_client_only(rich_pool: Any, make_client: Any,
                                                user: Any) -> None:
    client = make_client(rich_pool, read_attributes=["email", "custom:tier"])
    claims = _mint_id(rich_pool, client, user).claims
    assert set(claims) == ID_BASE_CLAIMS | {"email", "custom:tier"}


def test_unset_and_empty_attributes_are_left_out(pool: Any, client_app: Any) -> None:
    bare = insert_user(pool, "bob")
    bare.attributes["nickname"] = ""
    claims = _mint_id(pool, client_app, bare).claims
    assert set(claims) == ID_BASE_CLAIMS


@pytest.mark.parametrize(("validity", "unit", "seconds"), [
    (900, "seconds", 900), (45, "minutes", 2700), (3, "hours", 10800), (1, "days", 86400)])
def test_lifetime_follows_validity_and_units(pool: Any, make_client: Any, validity: int,
                                             unit: str, seconds: int) -> None:
    client = make_client(pool, access_token_validity=validity, id_token_validity=validity,
                         token_validity_units={"AccessToken": unit, "IdToken": unit})
    person = insert_user(pool, "carol")
    for minted in (_mint_id(pool, client, person), _mint_access(pool, client, person)):
        assert minted.claims["exp"] - minted.claims["iat"] == seconds
        assert minted.expires_in == seconds


def test_default_client_lifetime_is_one_hour(pool: Any, client_app: Any) -> None:
    person = insert_user(pool, "dave")
    assert _mint_id(pool, client_app, person).expires_in == 3600
    assert _mint_access(pool, client_app, person).expires_in == 3600


def test_lifetime_without_units_is_hours_within_cognitos_cap(pool: Any,
                                                             client_app: Any) -> None:
    person = insert_user(pool, "dora")
    AppClient.objects.filter(pk=client_app.pk).update(
        access_token_validity=2, id_token_validity=60, token_validity_units={})
    client_app.refresh_from_db()
    assert _mint_access(pool, client_app, person).expires_in == 7200
    assert _mint_id(pool, client_app, person).expires_in == 86400


def test_times_come_from_the_clock_seam(pool: Any, client_app: Any) -> None:
    person = insert_user(pool, "erin")
    signed_in = clock.now()
    clock.advance(dt.timedelta(days=3))
    before = int(clock.now().timestamp())
    minted = _mint_access(pool, client_app, person, auth_time=signed_in)
    after = int(clock.now().timestamp())
    assert minted.claims["auth_time"] == int(signed_in.timestamp())
    assert before <= minted.claims["iat"] <= after
    assert before - int(dt.datetime.now(dt.UTC).timestamp()) >= 3 * 86400 - 1
    # PyJWT uses the real clock: a token issued three days ahead is "not yet valid".
    with pytest.raises(jwt.ImmatureSignatureError):
        _verify(pool, minted.token)


def test_expired_token_is_rejected_by_consumers(pool: Any, client_app: Any) -> None:
    person = insert_user(pool, "fay")
    clock.advance(dt.timedelta(hours=-2))
    minted = _mint_access(pool, client_app, person)
    clock.reset()
    with pytest.raises(jwt.ExpiredSignatureError):
        _verify(pool, minted.token)


def _grouped_user(pool: Any, specs: list[tuple[str, int | None, str]]) -> PoolUser:
    person = insert_user(pool, "gus")
    for name, precedence, role in specs:
        group = groups.create_group(pool, name, precedence=precedence, role_arn=role or None)
        groups.add_user_to_group(person, group)
    return person


ROLE_A = "arn:aws:iam::123456789012:role/a"
ROLE_B = "arn:aws:iam::123456789012:role/b"


@pytest.mark.parametrize(("specs", "expected"), [
    ([("admins", 1, ROLE_A)],
     {"cognito:groups": ["admins"], "cognito:roles": [ROLE_A],
      "cognito:preferred_role": ROLE_A}),
    ([("zeta", 5, ROLE_B), ("alpha", 2, ROLE_A), ("none", None, "")],
     {"cognito:groups": ["alpha", "zeta", "none"], "cognito:roles": [ROLE_A, ROLE_B],
      "cognito:preferred_role": ROLE_A}),
    # A tie between different roles at the lowest precedence names no preferred role.
    ([("one", 1, ROLE_A), ("two", 1, ROLE_B)],
     {"cognito:groups": ["one", "two"], "cognito:roles": [ROLE_A, ROLE_B]}),
    ([("one", 1, ROLE_A), ("two", 1, ROLE_A)],
     {"cognito:groups": ["one", "two"], "cognito:roles": [ROLE_A],
      "cognito:preferred_role": ROLE_A}),
    # Groups without a role add no role claims; the preferred role skips them.
    ([("plain", 0, ""), ("power", 3, ROLE_B)],
     {"cognito:groups": ["plain", "power"], "cognito:roles": [ROLE_B],
      "cognito:preferred_role": ROLE_B}),
    ([("plain", None, "")], {"cognito:groups": ["plain"]}),
    ([], {}),
])
def test_group_claims(pool: Any, client_app: Any, specs: Any, expected: dict[str, Any]) -> None:
    person = _grouped_user(pool, specs)
    id_claims = _mint_id(pool, client_app, person).claims
    assert {k: v for k, v in id_claims.items() if k.startswith("cognito:")
            and k != "cognito:username"} == expected
    access_claims = _mint_access(pool, client_app, person).claims
    assert {k: v for k, v in access_claims.items() if k.startswith("cognito:")} == (
        {"cognito:groups": expected["cognito:groups"]} if "cognito:groups" in expected else {})


def test_group_override_replaces_stored_groups(pool: Any, client_app: Any) -> None:
    person = _grouped_user(pool, [("stored", 1, ROLE_A)])
    assert group_claims(person) == GroupClaims(["stored"], [ROLE_A], ROLE_A)
    override = GroupClaims(groups=["given"], roles=[ROLE_B], preferred_role=None)
    claims = _mint_id(pool, client_app, person, groups=override).claims
    assert (claims["cognito:groups"], claims["cognito:roles"]) == (["given"], [ROLE_B])
    assert "cognito:preferred_role" not in claims


def test_extra_claims_are_added_but_never_replace_reserved_ones(pool: Any,
                                                                client_app: Any) -> None:
    person = insert_user(pool, "hal")
    minted = _mint_id(pool, client_app, person, extra={
        "nonce": "n-0S6", "at_hash": "abc", "iss": "https://evil.example", "exp": 9999999999,
        "sub": "someone-else", "token_use": "access", "aud": "other", "cognito:username": "x"})
    claims = _verify(pool, minted.token, audience=client_app.id)
    assert (claims["nonce"], claims["at_hash"]) == ("n-0S6", "abc")
    assert claims["iss"] == issuer_for(pool)
    assert claims["exp"] - claims["iat"] == 3600
    assert (claims["sub"], claims["token_use"], claims["aud"], claims["cognito:username"]) == (
        str(person.sub), "id", client_app.id, "hal")


def test_suppressed_claims_are_removed_except_reserved_ones(rich_pool: Any, make_client: Any,
                                                            user: Any) -> None:
    client = make_client(rich_pool)
    minted = _mint_id(rich_pool, client, user, extra={"department": "tea"},
                      suppress=["email", "custom:tier", "department", "sub", "exp", "aud"])
    claims = _verify(rich_pool, minted.token, audience=client.id)
    assert not {"email", "custom:tier", "department"} & set(claims)
    assert {"sub", "exp", "aud", "phone_number"} <= set(claims)
    access = _mint_access(rich_pool, client, user, suppress=["scope", "client_id"],
                          extra={"tenant": "wonderland"})
    assert access.claims["scope"] == "aws.cognito.signin.user.admin"
    assert access.claims["client_id"] == client.id
    assert access.claims["tenant"] == "wonderland"


def test_a_warm_mint_costs_one_query_for_groups_and_none_for_the_key(
        pool: Any, client_app: Any, django_assert_num_queries: Any) -> None:
    person = insert_user(pool, "max")
    _mint_access(pool, client_app, person)
    with django_assert_num_queries(1):
        _mint_access(pool, client_app, person)
    with django_assert_num_queries(0):
        _mint_access(pool, client_app, person, groups=GroupClaims())


def test_a_rotation_in_this_process_switches_the_signing_key_at_once(
        pool: Any, client_app: Any) -> None:
    person = insert_user(pool, "nia")
    before = jwt.get_unverified_header(_mint_access(pool, client_app, person).token)["kid"]
    keys.rotate(pool)
    after = jwt.get_unverified_header(_mint_access(pool, client_app, person).token)["kid"]
    assert before != after


def test_jti_is_unique_per_token(pool: Any, client_app: Any) -> None:
    person = insert_user(pool, "ida")
    jtis = {_mint_access(pool, client_app, person).claims["jti"] for _ in range(5)}
    assert len(jtis) == 5


def test_tokens_signed_before_rotation_still_verify(pool: Any, client_app: Any) -> None:
    person = insert_user(pool, "jo")
    old_id = _mint_id(pool, client_app, person).token
    old_access = _mint_access(pool, client_app, person).token
    published_next = keys.active_key(pool, "id")  # noqa: F841 - creates the pair
    next_kid = [k.kid for k in keys.SigningKey.objects.filter(pool=pool, purpose="id",
                                                              state="next")][0]
    keys.rotate(pool)
    new_id = _mint_id(pool, client_app, person).token
    assert jwt.get_unverified_header(new_id)["kid"] == next_kid
    assert jwt.get_unverified_header(old_id)["kid"] != next_kid
    for token in (old_id, new_id):
        assert _verify(pool, token, audience=client_app.id)["token_use"] == "id"
    assert _verify(pool, old_access, options={"verify_aud": False})["token_use"] == "access"


def test_a_token_from_another_pool_does_not_verify(make_pool: Any, make_client: Any) -> None:
    first, second = make_pool(name="one"), make_pool(name="two")
    person = insert_user(first, "kim")
    token = _mint_access(first, make_client(first), person).token
    keys.ensure_keys(second)
    jwks = jwt.PyJWKSet.from_dict({"keys": keys.publish_keys(second)})
    kid = jwt.get_unverified_header(token)["kid"]
    assert kid not in {k.key_id for k in jwks.keys}


@override_settings(COGNITO={"PUBLIC_BASE_URL": ""})
def test_minting_needs_a_public_base_url(pool: Any, client_app: Any) -> None:
    person = insert_user(pool, "lee")
    with pytest.raises(ImproperlyConfigured, match="PUBLIC_BASE_URL"):
        _mint_access(pool, client_app, person)


@override_settings(COGNITO={"PUBLIC_BASE_URL": "https://auth.example.com/base/"})
def test_issuer_joins_base_url_prefix_and_pool_id(pool: Any) -> None:
    assert issuer_for(pool) == f"https://auth.example.com/base/{pool.id}"
