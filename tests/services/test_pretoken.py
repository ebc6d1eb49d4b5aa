"""The pre token generation trigger, V1 and V2 events and responses (reference §4.1, §4.2)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from django_cognito import signals
from django_cognito.exceptions import (
    InvalidLambdaResponseException,
    TriggerRejected,
    UserLambdaValidationException,
)
from django_cognito.models import AppClient, PoolUser, RefreshToken, UserPool
from django_cognito.services import groups, signin, triggers
from django_cognito.services.tokens import TokenSet
from django_cognito.tokens import issuer_for
from tests.claims import decode
from tests.factories import NEW_PASSWORD, PASSWORD, TEMPORARY, create_user

pytestmark = pytest.mark.django_db

EMAIL = "alice@example.com"
ADMIN_SCOPE = "aws.cognito.signin.user.admin"
ALL_FLOWS = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH",
             "ALLOW_REFRESH_TOKEN_AUTH"]
ROLE = "arn:aws:iam::123456789012:role/staff"
OTHER_ROLE = "arn:aws:iam::123456789012:role/other"
# Claims no trigger may add, override or suppress (reference §4.2 notes, plus the claims that
# bind an access token to its client, user and scope).
RESERVED_VALUES = {
    "sub": "forged", "iss": "https://evil.example.com", "aud": "forged", "token_use": "forged",
    "cognito:username": "mallory", "auth_time": "1", "exp": "9999999999", "iat": "1",
    "jti": "forged", "origin_jti": "forged", "nbf": "9999999999", "event_id": "forged",
    "acr": "forged", "amr": "forged", "at_hash": "forged", "azp": "forged",
    "nonce": "forged", "identities": "forged", "client_id": "forged", "username": "mallory",
    "scope": "forged", "cognito:groups": "forged", "cognito:roles": "forged",
    "cognito:preferred_role": "forged",
}

Respond = Callable[[dict[str, Any]], None]


@pytest.fixture
def trigger(record: Callable[..., list[dict[str, Any]]]
           ) -> Callable[[Respond | None], list[dict[str, Any]]]:
    """Record pre_token_generation events; ``respond`` may fill the response."""
    return lambda respond=None: record(signals.pre_token_generation, respond)

def _pool(make_pool: Any, version: str | None) -> UserPool:
    config = {} if version is None else {"PreTokenGenerationConfig": {
        "LambdaVersion": version, "LambdaArn": "arn:aws:lambda:us-east-1:123456789012:function:t"}}
    return make_pool(lambda_config=config) if config else make_pool()


@pytest.fixture
def pool_v2(make_pool: Any) -> UserPool:
    return _pool(make_pool, "V2_0")


@pytest.fixture
def client(pool: UserPool, make_client: Any) -> AppClient:
    return make_client(pool, explicit_auth_flows=ALL_FLOWS)


@pytest.fixture
def client_v2(pool_v2: UserPool, make_client: Any) -> AppClient:
    return make_client(pool_v2, explicit_auth_flows=ALL_FLOWS)


def create(pool: UserPool, *, confirmed: bool = True, in_group: bool = True) -> PoolUser:
    user = create_user(pool, email=EMAIL, name="Alice", confirmed=confirmed)
    if in_group:
        groups.add_user_to_group(user, groups.create_group(pool, "staff", role_arn=ROLE,
                                                           precedence=1))
    return PoolUser.objects.get(pk=user.pk)


def sign_in(client: AppClient, *, admin: bool = False, metadata: Any = None) -> TokenSet:
    flow = "ADMIN_USER_PASSWORD_AUTH" if admin else "USER_PASSWORD_AUTH"
    result = signin.initiate_auth(client, flow, {"USERNAME": "alice", "PASSWORD": PASSWORD},
                                admin=admin, client_metadata=metadata)
    assert result.tokens is not None
    return result.tokens


def new_password(client: AppClient, metadata: Any = None) -> TokenSet:
    session = signin.initiate_auth(client, "USER_PASSWORD_AUTH",
                                 {"USERNAME": "alice", "PASSWORD": TEMPORARY}).session
    result = signin.respond_to_auth_challenge(
        client, "NEW_PASSWORD_REQUIRED", {"USERNAME": "alice", "NEW_PASSWORD": NEW_PASSWORD},
        session, client_metadata=metadata)
    assert result.tokens is not None
    return result.tokens


def refresh(client: AppClient, token: str | None) -> TokenSet:
    result = signin.initiate_auth(client, "REFRESH_TOKEN_AUTH", {"REFRESH_TOKEN": str(token)})
    assert result.tokens is not None
    return result.tokens


def both(client: AppClient, tokens: TokenSet) -> tuple[dict[str, Any], dict[str, Any]]:
    return (decode(client.pool, tokens.id_token, client.id),
            decode(client.pool, tokens.access_token))


def v1(details: dict[str, Any]) -> Respond:
    def respond(event: dict[str, Any]) -> None:
        event["response"]["claimsOverrideDetails"] = details
    return respond


def v2(details: dict[str, Any]) -> Respond:
    def respond(event: dict[str, Any]) -> None:
        event["response"]["claimsAndScopeOverrideDetails"] = details
    return respond


# Events ----------------------------------------------------------------------------------------

@pytest.mark.parametrize(("lambda_version", "event_version", "response_key"), [
    (None, "1", "claimsOverrideDetails"),
    ("V1_0", "1", "claimsOverrideDetails"),
    ("V2_0", "2", "claimsAndScopeOverrideDetails"),
    ("V3_0", "3", "claimsAndScopeOverrideDetails"),
])
def test_event_shape(make_pool: Any, make_client: Any, trigger: Any, lambda_version: str | None,
                     event_version: str, response_key: str) -> None:
    pool = _pool(make_pool, lambda_version)
    client = make_client(pool, explicit_auth_flows=ALL_FLOWS)
    user = create(pool)
    calls = trigger()
    sign_in(client)
    request: dict[str, Any] = {
        "userAttributes": {"email": EMAIL, "email_verified": "true", "name": "Alice",
                           "sub": str(user.sub), "cognito:user_status": "CONFIRMED"},
        "groupConfiguration": {"groupsToOverride": ["staff"], "iamRolesToOverride": [ROLE],
                               "preferredRole": ROLE},
        "clientMetadata": {},
    }
    if event_version != "1":
        request["scopes"] = [ADMIN_SCOPE]
    assert calls == [{
        "version": event_version, "triggerSource": "TokenGeneration_Authentication",
        "region": pool.region, "userPoolId": pool.id, "userName": "alice",
        "callerContext": {"awsSdkVersion": triggers.SDK_VERSION, "clientId": client.id},
        "request": request, "response": {response_key: None},
    }]


def test_event_of_a_user_without_groups(pool: UserPool, client: AppClient,
                                        trigger: Any) -> None:
    create(pool, in_group=False)
    calls = trigger()
    sign_in(client)
    assert calls[0]["request"]["groupConfiguration"] == {
        "groupsToOverride": [], "iamRolesToOverride": [], "preferredRole": None}


@pytest.mark.parametrize("path", ["password", "admin password", "new password", "refresh"])
def test_trigger_source_of_each_path(pool: UserPool, client: AppClient, trigger: Any,
                                     path: str) -> None:
    create(pool, confirmed=path != "new password")
    if path == "refresh":
        first = sign_in(client)
        calls = trigger()
        refresh(client, first.refresh_token)
    else:
        calls = trigger()
        if path == "new password":
            new_password(client)
        else:
            sign_in(client, admin=path == "admin password")
    expected = {"password": "TokenGeneration_Authentication",
                "admin password": "TokenGeneration_Authentication",
                "new password": "TokenGeneration_NewPasswordChallenge",
                "refresh": "TokenGeneration_RefreshTokens"}[path]
    assert [e["triggerSource"] for e in calls] == [expected]


def test_client_metadata_comes_only_from_the_challenge_answer(pool: UserPool,
                                                              client: AppClient,
                                                              trigger: Any) -> None:
    create(pool, confirmed=False)
    calls = trigger()
    first = new_password(client, metadata={"device": "kiosk"})
    signin.initiate_auth(client, "USER_PASSWORD_AUTH",
                       {"USERNAME": "alice", "PASSWORD": NEW_PASSWORD},
                       client_metadata={"ignored": "yes"})
    signin.initiate_auth(client, "REFRESH_TOKEN_AUTH", {"REFRESH_TOKEN": str(first.refresh_token)},
                       client_metadata={"ignored": "yes"})
    # InitiateAuth's ClientMetadata never reaches pre token generation (reference §4.1).
    assert [e["request"]["clientMetadata"] for e in calls] == [{"device": "kiosk"}, {}, {}]


# V1 responses ----------------------------------------------------------------------------------

def test_v1_claims_go_into_the_id_token_only(pool: UserPool, client: AppClient,
                                             trigger: Any) -> None:
    create(pool)
    trigger(v1({"claimsToAddOrOverride": {"department": "sales", "email": "b@example.com",
                                          "custom:tier": "gold"}}))
    id_claims, access_claims = both(client, sign_in(client))
    assert id_claims["department"] == "sales" and id_claims["custom:tier"] == "gold"
    assert id_claims["email"] == "b@example.com"
    assert not {"department", "email", "custom:tier"} & set(access_claims)


def test_v1_suppress_removes_claims_and_wins_over_add(pool: UserPool, client: AppClient,
                                                      trigger: Any) -> None:
    create(pool)
    trigger(v1({"claimsToAddOrOverride": {"department": "sales"},
                "claimsToSuppress": ["email", "name", "department"]}))
    id_claims, _ = both(client, sign_in(client))
    assert not {"email", "name", "department"} & set(id_claims)
    assert id_claims["email_verified"] is True


def test_v1_group_override_replaces_groups_roles_and_preferred_role(pool: UserPool,
                                                                    client: AppClient,
                                                                    trigger: Any) -> None:
    create(pool)
    trigger(v1({"groupOverrideDetails": {"groupsToOverride": ["b", "a"],
                                         "iamRolesToOverride": [OTHER_ROLE, ROLE],
                                         "preferredRole": OTHER_ROLE}}))
    id_claims, access_claims = both(client, sign_in(client))
    assert id_claims["cognito:groups"] == ["b", "a"]
    assert id_claims["cognito:roles"] == [OTHER_ROLE, ROLE]
    assert id_claims["cognito:preferred_role"] == OTHER_ROLE
    assert access_claims["cognito:groups"] == ["b", "a"]
    assert "cognito:roles" not in access_claims


def test_v1_empty_group_override_removes_the_groups(pool: UserPool, client: AppClient,
                                                    trigger: Any) -> None:
    create(pool)
    trigger(v1({"groupOverrideDetails": {"groupsToOverride": [], "iamRolesToOverride": []}}))
    id_claims, access_claims = both(client, sign_in(client))
    assert not {"cognito:groups", "cognito:roles", "cognito:preferred_role"} & set(id_claims)
    assert "cognito:groups" not in access_claims


def test_v1_without_group_override_keeps_the_groups(pool: UserPool, client: AppClient,
                                                    trigger: Any) -> None:
    create(pool)
    trigger(v1({"claimsToAddOrOverride": {"department": "sales"}}))
    id_claims, access_claims = both(client, sign_in(client))
    assert id_claims["cognito:groups"] == ["staff"] and access_claims["cognito:groups"] == ["staff"]


def _assert_identity_untouched(client: AppClient, user: PoolUser, id_claims: dict[str, Any],
                               access_claims: dict[str, Any]) -> None:
    family = str(RefreshToken.objects.filter(user=user).latest("id").origin_jti)
    assert id_claims["sub"] == access_claims["sub"] == str(user.sub)
    assert id_claims["iss"] == access_claims["iss"] == issuer_for(client.pool)
    assert id_claims["aud"] == client.id and "aud" not in access_claims
    assert id_claims["token_use"] == "id" and access_claims["token_use"] == "access"
    assert id_claims["cognito:username"] == "alice" and access_claims["username"] == "alice"
    assert access_claims["client_id"] == client.id
    assert id_claims["origin_jti"] == access_claims["origin_jti"] == family
    for claims in (id_claims, access_claims):
        assert claims["exp"] - claims["iat"] == 3600
        assert claims["auth_time"] <= claims["iat"] and claims["iat"] > 1_700_000_000
        assert claims["jti"] != "forged" and claims["event_id"] != "forged"
        assert not {"nbf", "acr", "amr", "at_hash", "azp", "nonce", "identities"} & set(claims)
    assert id_claims["cognito:groups"] == access_claims["cognito:groups"] == ["staff"]
    assert id_claims["cognito:roles"] == [ROLE] and id_claims["cognito:preferred_role"] == ROLE
    assert access_claims["scope"] == ADMIN_SCOPE


def test_v1_reserved_claims_cannot_be_overridden(pool: UserPool, client: AppClient,
                                                 trigger: Any) -> None:
    user = create(pool)
    trigger(v1({"claimsToAddOrOverride": dict(RESERVED_VALUES)}))
    _assert_identity_untouched(client, user, *both(client, sign_in(client)))


def test_v1_reserved_claims_cannot_be_suppressed(pool: UserPool, client: AppClient,
                                                 trigger: Any) -> None:
    user = create(pool)
    trigger(v1({"claimsToSuppress": list(RESERVED_VALUES)}))
    _assert_identity_untouched(client, user, *both(client, sign_in(client)))


def test_v1_applies_on_refresh(pool: UserPool, client: AppClient, trigger: Any) -> None:
    create(pool)
    first = sign_in(client)
    trigger(v1({"claimsToAddOrOverride": {"department": "sales"}}))
    id_claims, _ = both(client, refresh(client, first.refresh_token))
    assert id_claims["department"] == "sales"


def test_v1_ignores_v2_response_fields(pool: UserPool, client: AppClient,
                                       trigger: Any) -> None:
    create(pool)
    trigger(v2({"idTokenGeneration": {"claimsToAddOrOverride": {"department": "sales"}}}))
    id_claims, _ = both(client, sign_in(client))
    assert "department" not in id_claims


# V2 responses ----------------------------------------------------------------------------------

def test_v2_claims_for_each_token(pool_v2: UserPool, client_v2: AppClient,
                                  trigger: Any) -> None:
    create(pool_v2)
    trigger(v2({
        "idTokenGeneration": {"claimsToAddOrOverride": {"department": "sales", "level": 3,
                                                        "tags": ["a", "b"],
                                                        "profile": {"team": "blue"}},
                              "claimsToSuppress": ["email"]},
        "accessTokenGeneration": {"claimsToAddOrOverride": {"tenant": "t-1", "flags": [1, 2]},
                                  "claimsToSuppress": ["cognito:groups"]},
    }))
    id_claims, access_claims = both(client_v2, sign_in(client_v2))
    assert id_claims["department"] == "sales" and id_claims["level"] == 3
    assert id_claims["tags"] == ["a", "b"] and id_claims["profile"] == {"team": "blue"}
    assert "email" not in id_claims and "tenant" not in id_claims
    assert access_claims["tenant"] == "t-1" and access_claims["flags"] == [1, 2]
    assert "department" not in access_claims
    # Groups change only through groupOverrideDetails.
    assert access_claims["cognito:groups"] == ["staff"]


@pytest.mark.parametrize(("add", "suppress", "scope"), [
    (["orders/read"], [], f"{ADMIN_SCOPE} orders/read"),
    (["orders/read", "orders/write"], [ADMIN_SCOPE], "orders/read orders/write"),
    (["orders/read", ADMIN_SCOPE], [], f"{ADMIN_SCOPE} orders/read"),
    (["orders/read"], ["orders/read"], ADMIN_SCOPE),
    ([], [ADMIN_SCOPE], ""),
])
def test_v2_scopes(pool_v2: UserPool, client_v2: AppClient, trigger: Any, add: list[str],
                   suppress: list[str], scope: str) -> None:
    create(pool_v2)
    trigger(v2({"accessTokenGeneration": {"scopesToAdd": add, "scopesToSuppress": suppress}}))
    tokens = sign_in(client_v2)
    id_claims, access_claims = both(client_v2, tokens)
    assert access_claims.get("scope", "") == scope
    assert "scope" not in id_claims


def test_v2_scope_changes_only_through_the_scope_fields(pool_v2: UserPool, client_v2: AppClient,
                                                        trigger: Any) -> None:
    user = create(pool_v2)
    trigger(v2({"idTokenGeneration": {"claimsToAddOrOverride": dict(RESERVED_VALUES)},
                "accessTokenGeneration": {"claimsToAddOrOverride": dict(RESERVED_VALUES),
                                          "claimsToSuppress": list(RESERVED_VALUES)}}))
    _assert_identity_untouched(client_v2, user, *both(client_v2, sign_in(client_v2)))


def test_v2_group_override(pool_v2: UserPool, client_v2: AppClient, trigger: Any) -> None:
    create(pool_v2)
    trigger(v2({"groupOverrideDetails": {"groupsToOverride": ["x"],
                                         "iamRolesToOverride": [OTHER_ROLE],
                                         "preferredRole": OTHER_ROLE}}))
    id_claims, access_claims = both(client_v2, sign_in(client_v2))
    assert id_claims["cognito:groups"] == access_claims["cognito:groups"] == ["x"]
    assert id_claims["cognito:preferred_role"] == OTHER_ROLE


def test_v2_applies_on_refresh(pool_v2: UserPool, client_v2: AppClient, trigger: Any) -> None:
    create(pool_v2)
    first = sign_in(client_v2)
    calls = trigger(v2({"accessTokenGeneration": {"scopesToAdd": ["orders/read"]}}))
    _, access_claims = both(client_v2, refresh(client_v2, first.refresh_token))
    assert access_claims["scope"] == f"{ADMIN_SCOPE} orders/read"
    assert calls[0]["version"] == "2"
    assert calls[0]["triggerSource"] == "TokenGeneration_RefreshTokens"
    assert calls[0]["request"]["scopes"] == [ADMIN_SCOPE]


# Failures --------------------------------------------------------------------------------------

V1_MALFORMED: list[Any] = [
    "claims", ["claims"], 5,
    {"claimsToAddOrOverride": {"level": 3}},
    {"claimsToAddOrOverride": {"tags": ["a"]}},
    {"claimsToAddOrOverride": ["department"]},
    {"claimsToSuppress": "email"},
    {"claimsToSuppress": [1]},
    {"groupOverrideDetails": ["staff"]},
    {"groupOverrideDetails": {"groupsToOverride": "staff"}},
    {"groupOverrideDetails": {"groupsToOverride": [1]}},
    {"groupOverrideDetails": {"iamRolesToOverride": ROLE}},
    {"groupOverrideDetails": {"preferredRole": [ROLE]}},
]
V2_MALFORMED: list[Any] = [
    "claims",
    {"idTokenGeneration": "claims"},
    {"accessTokenGeneration": ["claims"]},
    {"idTokenGeneration": {"claimsToAddOrOverride": ["department"]}},
    {"accessTokenGeneration": {"claimsToSuppress": "email"}},
    {"accessTokenGeneration": {"scopesToAdd": "orders/read"}},
    {"accessTokenGeneration": {"scopesToSuppress": [None]}},
    {"groupOverrideDetails": {"groupsToOverride": [{"name": "x"}]}},
]


@pytest.mark.parametrize("details", V1_MALFORMED)
def test_v1_malformed_responses(pool: UserPool, client: AppClient, trigger: Any,
                                details: Any) -> None:
    create(pool)
    trigger(v1(details))
    with pytest.raises(InvalidLambdaResponseException):
        sign_in(client)
    assert RefreshToken.objects.count() == 0


@pytest.mark.parametrize("details", V2_MALFORMED)
def test_v2_malformed_responses(pool_v2: UserPool, client_v2: AppClient, trigger: Any,
                                details: Any) -> None:
    create(pool_v2)
    trigger(v2(details))
    with pytest.raises(InvalidLambdaResponseException):
        sign_in(client_v2)
    assert RefreshToken.objects.count() == 0


def test_a_response_that_is_not_an_object(pool: UserPool, client: AppClient,
                                          trigger: Any) -> None:
    create(pool)

    def replace(event: dict[str, Any]) -> None:
        event["response"] = "nothing"

    trigger(replace)
    with pytest.raises(InvalidLambdaResponseException):
        sign_in(client)
    assert RefreshToken.objects.count() == 0


def test_malformed_response_on_refresh(pool: UserPool, client: AppClient, trigger: Any) -> None:
    create(pool)
    first = sign_in(client)
    trigger(v1({"claimsToAddOrOverride": {"level": 3}}))
    with pytest.raises(InvalidLambdaResponseException):
        refresh(client, first.refresh_token)


@pytest.mark.parametrize("path", ["password", "refresh"])
def test_a_raising_receiver_denies_the_tokens(pool: UserPool, client: AppClient, trigger: Any,
                                              path: str) -> None:
    create(pool)
    first = sign_in(client) if path == "refresh" else None

    def deny(event: dict[str, Any]) -> None:
        raise TriggerRejected("no tokens today")

    trigger(deny)
    before = RefreshToken.objects.count()
    with pytest.raises(UserLambdaValidationException) as caught:
        if first is not None:
            refresh(client, first.refresh_token)
        else:
            sign_in(client)
    assert caught.value.message == "PreTokenGeneration failed with error no tokens today."
    assert RefreshToken.objects.count() == before
