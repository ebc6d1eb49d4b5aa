"""DRF integration: Bearer authentication, 401 challenges, scope and group permissions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.urls import path
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from django_cognito import clock
from django_cognito.contrib.rest_framework import (
    CognitoAuthentication,
    RequireGroups,
    RequireScopes,
    TokenUser,
)
from django_cognito.services import admin_users
from tests.jwks_server import JwksServer, KeyPair, access_claims, hs256, id_claims, unsigned


class ClaimsView(APIView):
    authentication_classes = [CognitoAuthentication]
    permission_classes = [IsAuthenticated]
    renderer_classes = [JSONRenderer]

    def get(self, request: Request) -> Response:
        user = request.user
        assert isinstance(user, TokenUser)
        return Response({"claims": dict(request.auth), "username": user.username,
                         "pk": user.pk, "groups": sorted(user.cognito_groups)})


class DjangoUserView(ClaimsView):
    def get(self, request: Request) -> Response:
        django_user = request.user.django_user
        return Response({"django_user": getattr(django_user, "username", None)})


class ScopedView(ClaimsView):
    permission_classes = [RequireScopes("orders.read", "orders.write")]


class AnyScopeView(ClaimsView):
    permission_classes = [RequireScopes("orders.read", "orders.admin", any_of=True)]


class GroupView(ClaimsView):
    permission_classes = [RequireGroups("admin", "ops")]


class OpenView(ClaimsView):
    permission_classes: list[Any] = []

    def get(self, request: Request) -> Response:
        return Response({"authenticated": bool(request.user and request.user.is_authenticated)})


urlpatterns = [
    path("claims/", ClaimsView.as_view()),
    path("django-user/", DjangoUserView.as_view()),
    path("scoped/", ScopedView.as_view()),
    path("any-scope/", AnyScopeView.as_view()),
    path("group/", GroupView.as_view()),
    path("open/", OpenView.as_view()),
]

pytestmark = pytest.mark.urls(__name__)


@pytest.fixture(scope="module")
def keys() -> list[KeyPair]:
    return [KeyPair(), KeyPair()]


@pytest.fixture(scope="module")
def foreign() -> KeyPair:
    return KeyPair()


@pytest.fixture
def server(keys: list[KeyPair], settings: Any) -> Iterator[JwksServer]:
    jwks = JwksServer(*keys)
    settings.COGNITO = {**settings.COGNITO, "TRUSTED_ISSUERS": [
        {"issuer": jwks.issuer, "jwks_url": jwks.jwks_url, "client_ids": ["client-a"]}]}
    yield jwks
    jwks.stop()


def bearer(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_good_access_token_gives_claims(client: Any, server: JwksServer, keys: list[KeyPair]):
    payload = access_claims(server.issuer)
    response = client.get("/claims/", **bearer(keys[0].sign(payload)))
    assert response.status_code == 200, response.content
    assert response.json() == {"claims": payload, "username": "alice", "pk": payload["sub"],
                               "groups": ["admin", "staff"]}


def test_aws_pool_token_costs_no_query(client: Any, server: JwksServer, keys: list[KeyPair],
                                       db: Any, django_assert_num_queries: Any):
    token = keys[0].sign(access_claims(server.issuer))
    client.get("/claims/", **bearer(token))  # warm the JWKS cache
    with django_assert_num_queries(0):
        response = client.get("/claims/", **bearer(token))
    assert response.status_code == 200


def _bad_tokens(server: JwksServer, keys: list[KeyPair], foreign: KeyPair) -> dict[str, Any]:
    iss = server.issuer
    now = int(clock.now().timestamp())
    kid = keys[0].kid
    return {
        "alg none": (unsigned(access_claims(iss), {"kid": kid, "alg": "none"}),
                     "alg none is not allowed"),
        "alg NoNe": (unsigned(access_claims(iss), {"kid": kid, "alg": "NoNe"}),
                     "alg none is not allowed"),
        "hs256 with public key": (
            hs256(access_claims(iss), {"kid": kid, "alg": "HS256"}, keys[0].public_pem()),
            "alg 'HS256' is not allowed, expected RS256"),
        "foreign key, real kid": (foreign.sign(access_claims(iss), {"kid": kid, "alg": "RS256"}),
                                  "signature verification failed"),
        "embedded jwk": (foreign.sign(access_claims(iss), {"kid": kid, "alg": "RS256",
                                                           "jwk": foreign.jwk()}),
                         "embedded key header jwk is not allowed"),
        "jku": (foreign.sign(access_claims(iss), {"kid": kid, "alg": "RS256",
                                                  "jku": server.base_url + "/attacker.json"}),
                "embedded key header jku is not allowed"),
        "x5u": (foreign.sign(access_claims(iss), {"kid": kid, "alg": "RS256",
                                                  "x5u": server.base_url + "/attacker.pem"}),
                "embedded key header x5u is not allowed"),
        "unknown kid": (keys[0].sign(access_claims(iss), {"kid": "nope", "alg": "RS256"}),
                        "kid 'nope' not found in the issuer's JWKS"),
        "missing kid": (keys[0].sign(access_claims(iss), {"alg": "RS256"}),
                        "kid missing from the token header"),
        "crit": (keys[0].sign(access_claims(iss), {"kid": kid, "alg": "RS256", "crit": ["x"]}),
                 "crit header is not supported"),
        "expired": (keys[0].sign(access_claims(iss, iat=now - 7200, exp=now - 3600)),
                    "token expired"),
        "nbf in future": (keys[0].sign(access_claims(iss, nbf=now + 600)),
                          "token not yet valid (nbf)"),
        "iat in future": (keys[0].sign(access_claims(iss, iat=now + 600)),
                          "token issued in the future (iat)"),
        "wrong issuer": (keys[0].sign(access_claims(server.base_url + "/evil")),
                         f"issuer not trusted: {server.base_url}/evil"),
        "wrong client": (keys[0].sign(access_claims(iss, client_id="client-b")),
                         "client_id client-b not allowed"),
        "wrong token_use": (keys[0].sign(access_claims(iss, token_use="refresh")),
                            "token_use is refresh, expected access"),
        "id token": (keys[0].sign(id_claims(iss)), "token_use is id, expected access"),
        "truncated": (keys[0].sign(access_claims(iss))[:-40], "signature verification failed"),
        "two segments": (keys[0].sign(access_claims(iss)).rsplit(".", 1)[0],
                         "token is not a compact JWS of three segments"),
        "oversized": (keys[0].sign(access_claims(iss, pad="x" * 9000)),
                      "token exceeds 8192 bytes"),
        "garbage": ("not-a-token", "token is not a compact JWS of three segments"),
    }


BAD_CASES = [
    "alg none", "alg NoNe", "hs256 with public key", "foreign key, real kid", "embedded jwk",
    "jku", "x5u", "unknown kid", "missing kid", "crit", "expired", "nbf in future",
    "iat in future", "wrong issuer", "wrong client", "wrong token_use", "id token", "truncated",
    "two segments", "oversized", "garbage",
]


@pytest.mark.parametrize("case", BAD_CASES)
def test_bad_tokens_get_401_with_challenge(client: Any, server: JwksServer, keys: list[KeyPair],
                                           foreign: KeyPair, case: str):
    token, message = _bad_tokens(server, keys, foreign)[case]
    response = client.get("/claims/", **bearer(token))
    assert response.status_code == 401
    assert response.json() == {"detail": message}
    challenge = response["WWW-Authenticate"]
    assert challenge.startswith('Bearer realm="api", error="invalid_token", error_description="')
    assert '"' not in challenge.split('error_description="', 1)[1][:-1]
    assert not any(p.startswith("/attacker") for p in server.requests)


def test_missing_credentials_get_bare_challenge(client: Any, server: JwksServer):
    response = client.get("/claims/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    response = client.get("/claims/", HTTP_AUTHORIZATION="Basic dXNlcjpwYXNz")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


@pytest.mark.parametrize("header", ["Bearer", "Bearer a b", "bearer  "])
def test_malformed_bearer_header_is_401(client: Any, server: JwksServer, header: str):
    response = client.get("/claims/", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert 'error="invalid_token"' in response["WWW-Authenticate"]


def test_realm_setting(client: Any, server: JwksServer, settings: Any):
    settings.COGNITO = {**settings.COGNITO, "DRF_REALM": 'my "api"'}
    response = client.get("/claims/", **bearer("x.y.z"))
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith('Bearer realm="my api", error="invalid_token"')


def test_open_view_without_token_is_anonymous(client: Any, server: JwksServer):
    assert client.get("/open/").json() == {"authenticated": False}


def test_scopes_all_of(client: Any, server: JwksServer, keys: list[KeyPair]):
    both = keys[0].sign(access_claims(server.issuer, scope="orders.read orders.write"))
    one = keys[0].sign(access_claims(server.issuer, scope="orders.read"))
    assert client.get("/scoped/", **bearer(both)).status_code == 200
    response = client.get("/scoped/", **bearer(one))
    assert response.status_code == 403
    assert response.json() == {
        "detail": "Token lacks the required scope: orders.read and orders.write."}
    assert client.get("/scoped/").status_code == 401


def test_scopes_any_of(client: Any, server: JwksServer, keys: list[KeyPair]):
    admin = keys[0].sign(access_claims(server.issuer, scope="openid orders.admin"))
    neither = keys[0].sign(access_claims(server.issuer, scope="openid"))
    no_scope = keys[0].sign(access_claims(server.issuer, scope=None))
    assert client.get("/any-scope/", **bearer(admin)).status_code == 200
    assert client.get("/any-scope/", **bearer(neither)).status_code == 403
    assert client.get("/any-scope/", **bearer(no_scope)).status_code == 403


def test_groups_any_of(client: Any, server: JwksServer, keys: list[KeyPair]):
    ops = keys[0].sign(access_claims(server.issuer, **{"cognito:groups": ["ops"]}))
    staff = keys[0].sign(access_claims(server.issuer, **{"cognito:groups": ["staff"]}))
    none = keys[0].sign(access_claims(server.issuer, **{"cognito:groups": None}))
    assert client.get("/group/", **bearer(ops)).status_code == 200
    for token in (staff, none):
        response = client.get("/group/", **bearer(token))
        assert response.status_code == 403
        assert response.json() == {"detail": "User is not in any of the groups: admin, ops."}


def test_id_tokens_by_setting(client: Any, server: JwksServer, keys: list[KeyPair],
                              settings: Any):
    settings.COGNITO = {**settings.COGNITO, "DRF_TOKEN_USE": "id"}
    payload = id_claims(server.issuer)
    response = client.get("/claims/", **bearer(keys[1].sign(payload)))
    assert response.status_code == 200
    assert response.json()["claims"] == payload
    response = client.get("/claims/", **bearer(keys[1].sign(access_claims(server.issuer))))
    assert response.status_code == 401
    assert response.json() == {"detail": "token_use is access, expected id"}


def test_token_expires_between_requests(client: Any, server: JwksServer, keys: list[KeyPair]):
    token = keys[0].sign(access_claims(server.issuer))
    assert client.get("/claims/", **bearer(token)).status_code == 200
    clock.advance(dt.timedelta(hours=1))
    response = client.get("/claims/", **bearer(token))
    assert response.status_code == 401
    assert response.json() == {"detail": "token expired"}


def test_django_user_resolved_lazily_for_a_pool_user(client: Any, keys: list[KeyPair],
                                                     settings: Any, pool: Any,
                                                     django_assert_num_queries: Any):
    jwks = JwksServer(*keys)
    try:
        settings.COGNITO = {**settings.COGNITO, "TRUSTED_ISSUERS": [
            {"issuer": jwks.issuer, "jwks_url": jwks.jwks_url, "user_pool_id": pool.id}]}
        user = admin_users.admin_create_user(pool, "bob", message_action="SUPPRESS")
        assert user.user is not None
        token = keys[0].sign(access_claims(jwks.issuer, sub=str(user.sub), username="bob"))
        assert client.get("/claims/", **bearer(token)).status_code == 200
        with django_assert_num_queries(0):
            assert client.get("/claims/", **bearer(token)).status_code == 200
        with django_assert_num_queries(1):
            response = client.get("/django-user/", **bearer(token))
        assert response.json() == {"django_user": user.user.get_username()}
        stranger = keys[0].sign(access_claims(jwks.issuer, sub="client-credentials-app"))
        assert client.get("/django-user/", **bearer(stranger)).json() == {"django_user": None}
    finally:
        jwks.stop()


def test_django_user_not_resolved_across_pools(client: Any, server: JwksServer,
                                               keys: list[KeyPair], pool: Any):
    user = admin_users.admin_create_user(pool, "carol", message_action="SUPPRESS")
    # The settings issuer names no pool id: a matching sub must not map to a local user.
    token = keys[0].sign(access_claims(server.issuer, sub=str(user.sub)))
    assert client.get("/django-user/", **bearer(token)).json() == {"django_user": None}


def test_openapi_security_scheme(server: JwksServer, settings: Any):
    from drf_spectacular.generators import SchemaGenerator

    settings.REST_FRAMEWORK = {"DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema"}
    schema = SchemaGenerator(patterns=urlpatterns).get_schema(request=None, public=True)
    assert schema["components"]["securitySchemes"]["cognitoBearer"] == {
        "type": "http", "scheme": "bearer", "bearerFormat": "JWT",
        "description": "A Cognito access token (or ID token, per DRF_TOKEN_USE)."}
    assert schema["paths"]["/claims/"]["get"]["security"] == [{"cognitoBearer": []}]
