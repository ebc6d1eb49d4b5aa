"""Sign-in helpers for tests that drive the JSON API over real HTTP with boto3.

Builds on ``tests.api_fixtures`` (the live server, signed clients and the check of every raw
response against botocore's model). Test modules load both with
``pytest_plugins = ["tests.api_fixtures", "tests.live_api"]``. The live server runs in the
test process, so ``clock.advance`` and ``mail.outbox`` reach it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import jwt
import pytest

from django_cognito import clock
from django_cognito.models import AccessKey, AppClient, UserPool

from .api_fixtures import Checked, _after_call, _no_keep_alive, boto_client
from .factories import PASSWORD

ALL_FLOWS = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH",
             "ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH"]


@pytest.fixture
def api_url(api_base: str, reuse_rsa_keys: None) -> str:
    """The live server's URL (and the issuers' base URL); pools get pre-generated RSA keys."""
    return api_base


@pytest.fixture
def app(pool: UserPool, make_client: Any) -> AppClient:
    """An app client of ``pool`` allowing ALL_FLOWS."""
    client: AppClient = make_client(pool, explicit_auth_flows=ALL_FLOWS)
    return client


@pytest.fixture
def idp(api_url: str) -> Iterator[Any]:
    """A boto3 client for public and access-token operations (botocore sends them unsigned)."""
    client = boto_client(api_url)
    yield client
    client.close()


@pytest.fixture
def admin_idp(api_url: str, access_key: AccessKey) -> Iterator[Any]:
    """A boto3 client signing with a stored access key, for IAM-class operations."""
    client = boto_client(api_url)
    yield client
    client.close()


@pytest.fixture
def unsigned_idp(api_url: str) -> Iterator[Any]:
    """A boto3 client that signs nothing, even admin operations."""
    client = boto_client(api_url, signed=False)
    yield client
    client.close()


def instrument(client: Any) -> Any:
    """Give a client made elsewhere (pycognito's) the checks of ``boto_client``'s clients."""
    client.meta.events.register("after-call.cognito-idp", _after_call(Checked([])))
    client.meta.events.register("before-send.cognito-idp", _no_keep_alive)
    return client


def sign_in(idp: Any, app: AppClient, username: str, password: str = PASSWORD
            ) -> dict[str, Any]:
    """USER_PASSWORD_AUTH through the API; returns the AuthenticationResult."""
    answer = idp.initiate_auth(ClientId=app.id, AuthFlow="USER_PASSWORD_AUTH",
                               AuthParameters={"USERNAME": username, "PASSWORD": password})
    result: dict[str, Any] = answer["AuthenticationResult"]
    return result


def respond(idp: Any, app: AppClient, name: str, session: str | None, username: str = "alice",
            **answers: str) -> dict[str, Any]:
    """RespondToAuthChallenge ``name`` for ``username`` with ``answers`` (boto3)."""
    answer: dict[str, Any] = idp.respond_to_auth_challenge(
        ClientId=app.id, ChallengeName=name, Session=session,
        ChallengeResponses={"USERNAME": username, **answers})
    return answer


def verify_with_pyjwt(api_url: str, pool: UserPool, app: AppClient, token: str,
                      token_use: str) -> dict[str, Any]:
    """Claims of ``token`` checked by PyJWT against the JWKS fetched over HTTP."""
    issuer = f"{api_url}/{pool.id}"
    # Tokens minted after ``clock.advance`` carry the shifted time; PyJWT reads the real one.
    leeway = max((clock.now() - dt.datetime.now(dt.UTC)).total_seconds(), 0) + 1
    keys = jwt.PyJWKClient(f"{issuer}/.well-known/jwks.json", cache_keys=False)
    key = keys.get_signing_key_from_jwt(token)
    if token_use == "id":
        claims = jwt.decode(token, key, algorithms=["RS256"], issuer=issuer, audience=app.id,
                            leeway=leeway, options={"require": ["exp", "iat", "iss", "aud", "sub"]})
    else:
        claims = jwt.decode(token, key, algorithms=["RS256"], issuer=issuer, leeway=leeway,
                            options={"verify_aud": False,
                                     "require": ["exp", "iat", "iss", "sub"]})
        assert "aud" not in claims
        assert claims["client_id"] == app.id
    assert claims["token_use"] == token_use
    return dict(claims)
