"""GetId, DescribeIdentity, ListIdentities and DeleteIdentities on the cognito-identity API
over real HTTP with boto3; every 200 body is checked against botocore's model."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from django_cognito import clock
from django_cognito.models import AppClient, Identity, IdentityLogin, UserPool
from tests.factories import create_user
from tests.live_api import ALL_FLOWS, sign_in

pytest_plugins = ["tests.api_fixtures", "tests.live_api"]
pytestmark = pytest.mark.django_db(transaction=True)


def _provider(pool: UserPool) -> str:
    return f"cognito-idp.us-east-1.amazonaws.com/{pool.id}"


def _pool(identity: Any, user_pool: UserPool | None = None, app: AppClient | None = None,
          allow_guests: bool = False) -> str:
    providers = [] if user_pool is None or app is None else [
        {"ProviderName": _provider(user_pool), "ClientId": app.id}]
    created = identity.create_identity_pool(
        IdentityPoolName="photos", AllowUnauthenticatedIdentities=allow_guests,
        CognitoIdentityProviders=providers)
    pool_id: str = created["IdentityPoolId"]
    return pool_id


def test_unauthenticated_get_id(identity: Any, guest: Any, fails: Any) -> None:
    allowed = _pool(identity, allow_guests=True)
    first = guest.get_id(IdentityPoolId=allowed)["IdentityId"]
    second = guest.get_id(IdentityPoolId=allowed, AccountId="000000000000")["IdentityId"]
    assert first != second and first.startswith("us-east-1:")
    assert identity.describe_identity(IdentityId=first)["Logins"] == []

    refused = _pool(identity)
    assert fails(guest.get_id, IdentityPoolId=refused) == (
        "NotAuthorizedException",
        "Unauthenticated access is not supported for this identity pool.")
    assert fails(guest.get_id, IdentityPoolId="us-east-1:00000000-0000-0000-0000-000000000000"
                 )[0] == "ResourceNotFoundException"


def test_user_pool_login_gives_a_stable_identity(identity: Any, guest: Any, idp: Any,
                                                 pool: UserPool, app: AppClient) -> None:
    create_user(pool, "alice")
    create_user(pool, "bob")
    pool_id = _pool(identity, pool, app)
    provider = _provider(pool)
    token = sign_in(idp, app, "alice")["IdToken"]
    first = guest.get_id(IdentityPoolId=pool_id, Logins={provider: token})["IdentityId"]
    again = sign_in(idp, app, "alice")["IdToken"]
    assert guest.get_id(IdentityPoolId=pool_id, Logins={provider: again})["IdentityId"] == first
    other = sign_in(idp, app, "bob")["IdToken"]
    assert guest.get_id(IdentityPoolId=pool_id, Logins={provider: other})["IdentityId"] != first

    described = identity.describe_identity(IdentityId=first)
    assert described["IdentityId"] == first and described["Logins"] == [provider]
    login = IdentityLogin.objects.get(identity_id=first)
    assert login.provider == provider and login.subject == str(pool.users.get(
        username="alice").sub)


def test_bad_logins_are_refused(identity: Any, guest: Any, idp: Any, pool: UserPool,
                                app: AppClient, make_client: Any, make_pool: Any,
                                fails: Any) -> None:
    create_user(pool, "alice")
    pool_id = _pool(identity, pool, app)
    provider = _provider(pool)
    token = sign_in(idp, app, "alice")

    def refused(logins: dict[str, str]) -> str:
        code, message = fails(guest.get_id, IdentityPoolId=pool_id, Logins=logins)
        assert code == "NotAuthorizedException"
        assert message.startswith("Invalid login token.")
        return str(message)

    head, payload, signature = token["IdToken"].split(".")
    refused({provider: f"{head}.{payload}.{signature[:-4]}AAAA"})
    # An access token is not an ID token.
    refused({provider: token["AccessToken"]})
    # A token of a client the identity pool does not name.
    other_app = make_client(pool, name="other", explicit_auth_flows=ALL_FLOWS)
    assert "audience" in refused({provider: sign_in(idp, other_app, "alice")["IdToken"]})
    # The token of another user pool under this pool's provider key, and an unknown key.
    second = make_pool(name="second")
    second_app = make_client(second, explicit_auth_flows=ALL_FLOWS)
    create_user(second, "alice")
    refused({provider: sign_in(idp, second_app, "alice")["IdToken"]})
    refused({_provider(second): sign_in(idp, second_app, "alice")["IdToken"]})
    refused({"accounts.google.com": "x"})
    # Expired.
    clock.advance(dt.timedelta(hours=2))
    assert "expired" in refused({provider: token["IdToken"]})
    assert not Identity.objects.exists()


def test_list_and_delete_identities(identity: Any, guest: Any, fails: Any) -> None:
    pool_id = _pool(identity, allow_guests=True)
    made = sorted(guest.get_id(IdentityPoolId=pool_id)["IdentityId"] for _ in range(5))
    seen: list[str] = []
    token: str | None = None
    while True:
        params: dict[str, Any] = {"IdentityPoolId": pool_id, "MaxResults": 2,
                                  "HideDisabled": True}
        if token:
            params["NextToken"] = token
        page = identity.list_identities(**params)
        assert page["IdentityPoolId"] == pool_id and len(page["Identities"]) <= 2
        seen += [entry["IdentityId"] for entry in page["Identities"]]
        token = page.get("NextToken")
        if not token:
            break
    assert seen == made

    answer = identity.delete_identities(IdentityIdsToDelete=made[:2])
    assert answer["UnprocessedIdentityIds"] == []
    left = identity.list_identities(IdentityPoolId=pool_id, MaxResults=60)["Identities"]
    assert [entry["IdentityId"] for entry in left] == made[2:]
    assert fails(identity.describe_identity, IdentityId=made[0])[0] == \
        "ResourceNotFoundException"
    assert fails(identity.list_identities, IdentityPoolId=pool_id, MaxResults=2,
                 NextToken="forged")[0] == "InvalidParameterException"


def test_admin_identity_operations_need_a_signature(identity: Any, guest: Any,
                                                    fails: Any) -> None:
    pool_id = _pool(identity, allow_guests=True)
    made = guest.get_id(IdentityPoolId=pool_id)["IdentityId"]
    for call, params in ((guest.describe_identity, {"IdentityId": made}),
                         (guest.list_identities, {"IdentityPoolId": pool_id, "MaxResults": 1}),
                         (guest.delete_identities, {"IdentityIdsToDelete": [made]})):
        assert fails(call, **params)[0] == "MissingAuthenticationTokenException"
    assert Identity.objects.filter(pk=made).exists()
