"""Identity pools from real JavaScript clients against the live server: aws-amplify v6
``fetchAuthSession`` and @aws-sdk/credential-providers ``fromCognitoIdentityPool``, whose
credentials (moto's STS) STS names as the mapped role and S3 (moto) accepts.

``node tests/node/identity-pools.mjs`` runs with its configuration in the environment; Node
and ``tests/node/node_modules`` are required, as for tests/clients/test_node_clients.py.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

pytest.register_assert_rewrite("tests.api_fixtures", "tests.live_api")

from django_cognito.models import AppClient, Identity, UserPool  # noqa: E402
from tests.factories import PASSWORD, create_user  # noqa: E402
from tests.identity_pools import AUTH, GUEST, identity_pool, provider_of, role_of  # noqa: E402
from tests.live_api import sign_in  # noqa: E402
from tests.node_scripts import run_node  # noqa: E402

pytest_plugins = ["tests.api_fixtures", "tests.live_api", "tests.moto_server"]
pytestmark = pytest.mark.django_db(transaction=True)


def _env(api_url: str, pool: UserPool, app: AppClient, identity_pool_id: str,
         moto_url: str) -> dict[str, str]:
    return {"ENDPOINT": api_url, "POOL_ID": pool.id, "CLIENT_ID": app.id,
            "IDENTITY_POOL_ID": identity_pool_id, "MOTO_URL": moto_url,
            "BUCKET": f"photos-{uuid.uuid4().hex[:12]}", "AWS_REGION": "us-east-1",
            "NODE_NO_WARNINGS": "1"}


def _identity_of(guest: Any, idp: Any, pool: UserPool, app: AppClient, pool_id: str,
                 username: str) -> str:
    """The identity GetId names for ``username``'s login."""
    logins = {provider_of(pool): sign_in(idp, app, username)["IdToken"]}
    identity_id: str = guest.get_id(IdentityPoolId=pool_id, Logins=logins)["IdentityId"]
    return identity_id


def test_amplify_v6_fetch_auth_session_guest_then_signed_in(
        identity: Any, guest: Any, idp: Any, api_url: str, pool: UserPool, app: AppClient,
        sts_moto: str) -> None:
    create_user(pool, "alice")
    pool_id = identity_pool(identity, pool, app)
    result = run_node("identity-pools.mjs", STEP="amplify", USERNAME="alice",
                      PASSWORD=PASSWORD, **_env(api_url, pool, app, pool_id, sts_moto))
    first_guest, signed_in = result["guest"], result["signedIn"]
    assert role_of(first_guest["credentials"], sts_moto) == GUEST
    assert role_of(signed_in["credentials"], sts_moto) == AUTH
    for answer in (first_guest, signed_in):
        assert answer["credentials"]["Expiration"]
    # Signing in upgrades the guest identity Amplify kept: it is now alice's.
    alice = _identity_of(guest, idp, pool, app, pool_id, "alice")
    assert signed_in["identityId"] == first_guest["identityId"] == alice
    assert result["s3Body"] == "hello amplify.txt"
    # Signed out, a new guest; signed in again, Amplify sends that guest id with alice's
    # login and gets her identity back (the guest merges into it).
    guest_again = result["guestAgain"]
    assert guest_again["identityId"] != alice
    assert role_of(guest_again["credentials"], sts_moto) == GUEST
    assert result["signedInAgain"]["identityId"] == alice
    assert role_of(result["signedInAgain"]["credentials"], sts_moto) == AUTH
    assert Identity.objects.get(pk=guest_again["identityId"]).disabled


def test_sdk_v3_from_cognito_identity_pool(identity: Any, guest: Any, idp: Any, api_url: str,
                                          pool: UserPool, app: AppClient,
                                          sts_moto: str) -> None:
    create_user(pool, "alice")
    pool_id = identity_pool(identity, pool, app)
    id_token = sign_in(idp, app, "alice")["IdToken"]
    result = run_node("identity-pools.mjs", STEP="sdk", ID_TOKEN=id_token,
                      **_env(api_url, pool, app, pool_id, sts_moto))
    signed_in, as_guest = result["signedIn"], result["guest"]
    assert role_of(signed_in["credentials"], sts_moto) == AUTH
    assert signed_in["identityId"] == _identity_of(guest, idp, pool, app, pool_id, "alice")
    assert role_of(as_guest["credentials"], sts_moto) == GUEST
    assert as_guest["identityId"] != signed_in["identityId"]
    assert result["s3Body"] == "hello sdk.txt"
    assert result["forged"]["name"] == "NotAuthorizedException"
