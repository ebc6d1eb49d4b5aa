"""Developer-authenticated identities and unlinking over real HTTP with boto3:
GetOpenIdTokenForDeveloperIdentity, LookupDeveloperIdentity, MergeDeveloperIdentities,
UnlinkDeveloperIdentity and UnlinkIdentity, and the developer token used for credentials."""

from __future__ import annotations

import datetime as dt
from typing import Any

import jwt
import pytest

from django_cognito import clock
from django_cognito.models import AppClient, Identity, UserPool
from tests.factories import create_user
from tests.identity_pools import AUTH, provider_of, role_of
from tests.live_api import sign_in

pytest_plugins = ["tests.api_fixtures", "tests.live_api", "tests.moto_server"]
pytestmark = pytest.mark.django_db(transaction=True)

DEVELOPER = "login.photos.example"
TOKENS = "cognito-identity.amazonaws.com"


@pytest.fixture
def pool_id(identity: Any, pool: UserPool, app: AppClient) -> str:
    created = identity.create_identity_pool(
        IdentityPoolName="photos", AllowUnauthenticatedIdentities=False,
        DeveloperProviderName=DEVELOPER,
        CognitoIdentityProviders=[{"ProviderName": provider_of(pool), "ClientId": app.id}])
    identity.set_identity_pool_roles(IdentityPoolId=created["IdentityPoolId"],
                                     Roles={"authenticated": AUTH})
    value: str = created["IdentityPoolId"]
    return value


def developer_token(identity: Any, pool_id: str, user: str, **extra: Any) -> dict[str, Any]:
    answer: dict[str, Any] = identity.get_open_id_token_for_developer_identity(
        IdentityPoolId=pool_id, Logins={DEVELOPER: user}, **extra)
    return answer


def test_developer_token_and_credentials(identity: Any, guest: Any, pool_id: str,
                                         sts_moto: str, fails: Any) -> None:
    first = developer_token(identity, pool_id, "user-1",
                            PrincipalTags={"department": "photos"}, TokenDuration=3600)
    claims = jwt.decode(first["Token"], options={"verify_signature": False})
    assert claims["sub"] == first["IdentityId"] and claims["aud"] == pool_id
    assert claims["exp"] - claims["iat"] == 3600
    assert claims["amr"] == ["authenticated", DEVELOPER, f"{DEVELOPER}:{pool_id}:user-1"]
    assert claims["https://aws.amazon.com/tags"]["principal_tags"] == {"department": ["photos"]}
    # The same developer user: the same identity; the default lifetime is 15 minutes.
    again = developer_token(identity, pool_id, "user-1")
    assert again["IdentityId"] == first["IdentityId"]
    claims = jwt.decode(again["Token"], options={"verify_signature": False})
    assert claims["exp"] - claims["iat"] == 900

    answer = guest.get_credentials_for_identity(IdentityId=first["IdentityId"],
                                                Logins={TOKENS: first["Token"]})
    assert role_of(answer["Credentials"], sts_moto) == AUTH
    # Another identity's token, a tampered one and an expired one are refused.
    other = developer_token(identity, pool_id, "user-2")
    head, body, signature = first["Token"].split(".")
    for logins, identity_id in (({TOKENS: other["Token"]}, first["IdentityId"]),
                                ({TOKENS: f"{head}.{body}.{signature[:-4]}AAAA"},
                                 first["IdentityId"])):
        assert fails(guest.get_credentials_for_identity, IdentityId=identity_id,
                     Logins=logins)[0] == "NotAuthorizedException"


def test_developer_token_expires(identity: Any, guest: Any, pool_id: str, fails: Any) -> None:
    made = developer_token(identity, pool_id, "user-1", TokenDuration=60)
    clock.advance(dt.timedelta(seconds=61))
    assert fails(guest.get_credentials_for_identity, IdentityId=made["IdentityId"],
                 Logins={TOKENS: made["Token"]}) == (
        "NotAuthorizedException", "Invalid login token. Token expired.")


def test_developer_user_of_another_identity(identity: Any, pool_id: str, fails: Any) -> None:
    first = developer_token(identity, pool_id, "user-1")["IdentityId"]
    second = developer_token(identity, pool_id, "user-2")["IdentityId"]
    assert fails(identity.get_open_id_token_for_developer_identity, IdentityPoolId=pool_id,
                 IdentityId=second, Logins={DEVELOPER: "user-1"}
                 )[0] == "DeveloperUserAlreadyRegisteredException"
    # A new developer user can be linked to an existing identity.
    linked = identity.get_open_id_token_for_developer_identity(
        IdentityPoolId=pool_id, IdentityId=first, Logins={DEVELOPER: "user-3"})
    assert linked["IdentityId"] == first
    assert fails(identity.get_open_id_token_for_developer_identity, IdentityPoolId=pool_id,
                 Logins={"other.example": "user-1"})[0] == "InvalidParameterException"


def test_lookup_merge_and_unlink(identity: Any, pool_id: str, fails: Any) -> None:
    first = developer_token(identity, pool_id, "user-1")["IdentityId"]
    identity.get_open_id_token_for_developer_identity(
        IdentityPoolId=pool_id, IdentityId=first, Logins={DEVELOPER: "user-1b"})
    second = developer_token(identity, pool_id, "user-2")["IdentityId"]

    found = identity.lookup_developer_identity(IdentityPoolId=pool_id,
                                               DeveloperUserIdentifier="user-1")
    assert found["IdentityId"] == first
    assert found["DeveloperUserIdentifierList"] == ["user-1", "user-1b"]
    paged = identity.lookup_developer_identity(IdentityPoolId=pool_id, IdentityId=first,
                                               MaxResults=1)
    assert paged["DeveloperUserIdentifierList"] == ["user-1"] and paged["NextToken"]
    rest = identity.lookup_developer_identity(IdentityPoolId=pool_id, IdentityId=first,
                                              MaxResults=1, NextToken=paged["NextToken"])
    assert rest["DeveloperUserIdentifierList"] == ["user-1b"]
    assert fails(identity.lookup_developer_identity, IdentityPoolId=pool_id,
                 DeveloperUserIdentifier="nobody")[0] == "ResourceNotFoundException"
    assert fails(identity.lookup_developer_identity,
                 IdentityPoolId=pool_id)[0] == "InvalidParameterException"

    merged = identity.merge_developer_identities(
        SourceUserIdentifier="user-2", DestinationUserIdentifier="user-1",
        DeveloperProviderName=DEVELOPER, IdentityPoolId=pool_id)
    assert merged["IdentityId"] == first
    assert Identity.objects.get(pk=second).disabled
    assert identity.lookup_developer_identity(
        IdentityPoolId=pool_id, DeveloperUserIdentifier="user-2")["IdentityId"] == first
    assert fails(identity.merge_developer_identities, SourceUserIdentifier="user-2",
                 DestinationUserIdentifier="user-1", DeveloperProviderName="other",
                 IdentityPoolId=pool_id)[0] == "InvalidParameterException"

    for user in ("user-1", "user-1b"):
        identity.unlink_developer_identity(IdentityId=first, IdentityPoolId=pool_id,
                                           DeveloperProviderName=DEVELOPER,
                                           DeveloperUserIdentifier=user)
    assert not Identity.objects.get(pk=first).disabled  # user-2 is still linked
    identity.unlink_developer_identity(IdentityId=first, IdentityPoolId=pool_id,
                                       DeveloperProviderName=DEVELOPER,
                                       DeveloperUserIdentifier="user-2")
    assert Identity.objects.get(pk=first).disabled
    assert fails(identity.unlink_developer_identity, IdentityId=first, IdentityPoolId=pool_id,
                 DeveloperProviderName=DEVELOPER,
                 DeveloperUserIdentifier="user-2")[0] == "ResourceNotFoundException"


def test_developer_operations_need_a_signature(guest: Any, pool_id: str, fails: Any) -> None:
    code, _ = fails(guest.get_open_id_token_for_developer_identity, IdentityPoolId=pool_id,
                    Logins={DEVELOPER: "user-1"})
    assert code == "MissingAuthenticationTokenException"
    assert not Identity.objects.exists()


def test_unlink_identity(identity: Any, guest: Any, idp: Any, pool: UserPool, app: AppClient,
                         pool_id: str, fails: Any) -> None:
    create_user(pool, "alice")
    create_user(pool, "bob")
    provider = provider_of(pool)
    alice = {provider: sign_in(idp, app, "alice")["IdToken"]}
    bob = {provider: sign_in(idp, app, "bob")["IdToken"]}
    alice_id = guest.get_id(IdentityPoolId=pool_id, Logins=alice)["IdentityId"]
    guest.get_id(IdentityPoolId=pool_id, Logins=bob)
    # Only the identity's own login proves the right to unlink.
    assert fails(guest.unlink_identity, IdentityId=alice_id, Logins=bob,
                 LoginsToRemove=[provider])[0] == "NotAuthorizedException"
    guest.unlink_identity(IdentityId=alice_id, Logins=alice, LoginsToRemove=[provider])
    assert identity.describe_identity(IdentityId=alice_id)["Logins"] == []
    assert Identity.objects.get(pk=alice_id).disabled
    # The login is seen as new: a new identity.
    fresh = {provider: sign_in(idp, app, "alice")["IdToken"]}
    assert guest.get_id(IdentityPoolId=pool_id, Logins=fresh)["IdentityId"] != alice_id
    assert fails(guest.get_credentials_for_identity, IdentityId=alice_id,
                 Logins=fresh)[0] == "NotAuthorizedException"


def test_a_user_pool_login_cannot_take_over_a_developer_identity(
        identity: Any, guest: Any, idp: Any, pool: UserPool, app: AppClient, pool_id: str,
        fails: Any) -> None:
    victim = developer_token(identity, pool_id, "user-1")["IdentityId"]
    create_user(pool, "mallory")
    mallory = {provider_of(pool): sign_in(idp, app, "mallory")["IdToken"]}
    assert fails(guest.get_credentials_for_identity, IdentityId=victim,
                 Logins=mallory)[0] == "NotAuthorizedException"
    assert identity.describe_identity(IdentityId=victim)["Logins"] == [DEVELOPER]


def test_merging_is_limited_to_twenty_logins(identity: Any, pool_id: str, fails: Any) -> None:
    first = developer_token(identity, pool_id, "user-0")["IdentityId"]
    for n in range(1, 15):
        identity.get_open_id_token_for_developer_identity(
            IdentityPoolId=pool_id, IdentityId=first, Logins={DEVELOPER: f"user-{n}"})
    second = developer_token(identity, pool_id, "other-0")["IdentityId"]
    for n in range(1, 7):
        identity.get_open_id_token_for_developer_identity(
            IdentityPoolId=pool_id, IdentityId=second, Logins={DEVELOPER: f"other-{n}"})
    # 15 + 7 linked logins would exceed AWS's 20.
    assert fails(identity.merge_developer_identities, SourceUserIdentifier="other-0",
                 DestinationUserIdentifier="user-0", DeveloperProviderName=DEVELOPER,
                 IdentityPoolId=pool_id)[0] == "InvalidParameterException"
    assert not Identity.objects.get(pk=second).disabled
    identity.unlink_developer_identity(IdentityId=second, IdentityPoolId=pool_id,
                                       DeveloperProviderName=DEVELOPER,
                                       DeveloperUserIdentifier="other-6")
    identity.unlink_developer_identity(IdentityId=second, IdentityPoolId=pool_id,
                                       DeveloperProviderName=DEVELOPER,
                                       DeveloperUserIdentifier="other-5")
    merged = identity.merge_developer_identities(
        SourceUserIdentifier="other-0", DestinationUserIdentifier="user-0",
        DeveloperProviderName=DEVELOPER, IdentityPoolId=pool_id)
    assert merged["IdentityId"] == first
