"""The published JWKS and OpenID discovery documents, over Django's client and real HTTP."""

from __future__ import annotations

import base64
import json
import subprocess
import urllib.request
from typing import Any

import jwt
import pytest
from django.test import override_settings

from django_cognito.models import SigningKey
from django_cognito.services import resources
from django_cognito.tokens import issuer_for, keys, mint_access_token, mint_id_token
from tests.factories import insert_user
from tests.node_scripts import NODE_DIR, node
from tests.signing_keys import reuse_rsa_keys  # noqa: F401

pytestmark = pytest.mark.usefixtures("reuse_rsa_keys")


def _jwks_url(pool: Any) -> str:
    return f"/{pool.id}/.well-known/jwks.json"


def _config_url(pool: Any) -> str:
    return f"/{pool.id}/.well-known/openid-configuration"


def _tokens(pool: Any, client: Any, username: str = "alice") -> tuple[str, str]:
    user = insert_user(pool, username, email="a@example.com", email_verified="true")
    common: dict[str, Any] = {"auth_time": 1_700_000_000, "origin_jti": "o-1",
                              "event_id": "e-1"}
    return (mint_id_token(pool, client, user, **common).token,
            mint_access_token(pool, client, user, **common).token)


@pytest.mark.django_db
def test_jwks_is_served_and_keys_are_made_on_first_request(client: Any, pool: Any) -> None:
    assert not SigningKey.objects.exists()
    response = client.get(_jwks_url(pool))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert set(response["Cache-Control"].split(", ")) == {"public", "max-age=300"}
    body = response.json()
    assert list(body) == ["keys"]
    assert body["keys"] == keys.publish_keys(pool)
    assert {k["kid"] for k in body["keys"]} == set(
        SigningKey.objects.filter(pool=pool).values_list("kid", flat=True))
    assert len(body["keys"]) == 4
    for jwk in body["keys"]:
        assert set(jwk) == {"alg", "e", "kid", "kty", "n", "use"}
        assert (jwk["alg"], jwk["e"], jwk["kty"], jwk["use"]) == ("RS256", "AQAB", "RSA", "sig")


@pytest.mark.django_db
def test_jwks_publishes_the_next_key_before_it_signs_and_the_old_one_after(
        client: Any, pool: Any, client_app: Any) -> None:
    id_token, access_token = _tokens(pool, client_app)
    upcoming = set(SigningKey.objects.filter(pool=pool, state="next")
                   .values_list("kid", flat=True))
    before = {k["kid"] for k in client.get(_jwks_url(pool)).json()["keys"]}
    assert upcoming <= before
    keys.rotate(pool)
    new_id, new_access = _tokens(pool, client_app, "bob")
    assert {jwt.get_unverified_header(t)["kid"] for t in (new_id, new_access)} == upcoming
    after = client.get(_jwks_url(pool)).json()
    published = {k["kid"] for k in after["keys"]}
    assert before < published
    jwks = jwt.PyJWKSet.from_dict(after)
    by_kid = {k.key_id: k for k in jwks.keys}
    for token in (id_token, new_id):
        kid = jwt.get_unverified_header(token)["kid"]
        jwt.decode(token, by_kid[kid], algorithms=["RS256"], audience=client_app.id,
                   issuer=issuer_for(pool))
    for token in (access_token, new_access):
        kid = jwt.get_unverified_header(token)["kid"]
        jwt.decode(token, by_kid[kid], algorithms=["RS256"], issuer=issuer_for(pool),
                   options={"verify_aud": False})


@pytest.mark.django_db
def test_discovery_document(client: Any, pool: Any) -> None:
    response = client.get(_config_url(pool))
    assert response.status_code == 200
    assert "max-age=300" in response["Cache-Control"]
    base = "http://testserver/"
    document = response.json()
    assert document["issuer"] == f"{base}{pool.id}"
    assert document["jwks_uri"] == f"{base}{pool.id}/.well-known/jwks.json"
    assert document["scopes_supported"] == ["openid", "email", "phone", "profile"]
    assert document["subject_types_supported"] == ["public"]
    assert document["id_token_signing_alg_values_supported"] == ["RS256"]
    # Without a domain the pool has no OAuth endpoints, and the document names none (§5).
    assert not {"authorization_endpoint", "token_endpoint", "userinfo_endpoint",
                "end_session_endpoint", "revocation_endpoint"} & set(document)
    resources.create_domain(pool, "docs-test")
    document = client.get(_config_url(pool)).json()
    domain = f"{base}domains/docs-test/"
    assert document["authorization_endpoint"] == f"{domain}oauth2/authorize"
    assert document["token_endpoint"] == f"{domain}oauth2/token"
    assert document["userinfo_endpoint"] == f"{domain}oauth2/userInfo"
    assert document["end_session_endpoint"] == f"{domain}logout"
    assert document["revocation_endpoint"] == f"{domain}oauth2/revoke"
    assert document["response_types_supported"] == ["code", "token"]
    assert document["code_challenge_methods_supported"] == ["S256"]


@pytest.mark.django_db
@pytest.mark.parametrize("url", [_jwks_url, _config_url])
def test_unknown_pool_is_a_json_404(client: Any, url: Any) -> None:
    class Missing:
        id = "us-east-1_Nope123"

    response = client.get(url(Missing))
    assert response.status_code == 404
    assert response.json() == {"__type": "ResourceNotFoundException",
                               "message": "User pool us-east-1_Nope123 does not exist."}
    assert not SigningKey.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("pool_id", ["nounderscore", "us-east-1_", "us-east-1_a.b",
                                     "us-east-1_" + "a" * 60])
def test_malformed_pool_ids_are_not_found(client: Any, pool_id: str) -> None:
    for suffix in ("jwks.json", "openid-configuration"):
        assert client.get(f"/{pool_id}/.well-known/{suffix}").status_code == 404


@pytest.mark.django_db
def test_only_safe_methods_are_allowed(client: Any, pool: Any) -> None:
    assert client.post(_jwks_url(pool)).status_code == 405
    assert client.post(_config_url(pool)).status_code == 405
    assert client.head(_jwks_url(pool)).status_code == 200


@pytest.mark.django_db
@override_settings(ROOT_URLCONF="tests.prefixed_urls",
                   COGNITO={"PUBLIC_BASE_URL": "https://auth.example.com/sub"})
def test_issuer_and_endpoints_follow_the_include_prefix(client: Any, pool: Any) -> None:
    issuer = f"https://auth.example.com/sub/cognito/{pool.id}"
    assert issuer_for(pool) == issuer
    assert client.get(_jwks_url(pool)).status_code == 404
    document = client.get(f"/cognito{_config_url(pool)}").json()
    assert document["issuer"] == issuer
    assert document["jwks_uri"] == f"{issuer}/.well-known/jwks.json"
    resources.create_domain(pool, "prefix-test")
    document = client.get(f"/cognito{_config_url(pool)}").json()
    assert document["token_endpoint"] == \
        "https://auth.example.com/sub/cognito/domains/prefix-test/oauth2/token"
    assert client.get(f"/cognito{_jwks_url(pool)}").status_code == 200


@pytest.mark.django_db(transaction=True)
def test_tokens_verify_with_pyjwt_against_the_jwks_over_http(live_server: Any, make_pool: Any,
                                                              make_client: Any) -> None:
    with override_settings(COGNITO={"PUBLIC_BASE_URL": live_server.url}):
        pool = make_pool(name="live")
        app = make_client(pool)
        id_token, access_token = _tokens(pool, app)
        issuer = f"{live_server.url}/{pool.id}"
        # pycognito's layout: iss == endpoint_url + "/" + pool id, JWKS under it.
        with urllib.request.urlopen(f"{issuer}/.well-known/openid-configuration") as answer:  # noqa: S310
            document = json.load(answer)
        assert document["issuer"] == issuer
        fetcher = jwt.PyJWKClient(document["jwks_uri"], cache_keys=False)
        key = fetcher.get_signing_key_from_jwt(id_token)
        claims = jwt.decode(id_token, key, algorithms=["RS256"], audience=app.id, issuer=issuer)
        assert (claims["token_use"], claims["email_verified"]) == ("id", True)
        key = fetcher.get_signing_key_from_jwt(access_token)
        claims = jwt.decode(access_token, key, algorithms=["RS256"], issuer=issuer,
                            options={"verify_aud": False})
        assert (claims["token_use"], claims["client_id"]) == ("access", app.id)
        with pytest.raises(jwt.InvalidAudienceError):
            jwt.decode(id_token, fetcher.get_signing_key_from_jwt(id_token),
                       algorithms=["RS256"], audience="someone-else", issuer=issuer)


AWS_BASE = "https://cognito-idp.us-east-1.amazonaws.com"


def _aws_jwt_verify(checks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Run the checks through the npm package aws-jwt-verify (tests/node/verify_tokens.mjs)."""
    done = subprocess.run(  # noqa: S603
        [node(), str(NODE_DIR / "verify_tokens.mjs")],
        input=json.dumps({"checks": checks}), capture_output=True, text=True, timeout=60,
        check=True)
    results: list[dict[str, Any]] = json.loads(done.stdout)
    return results


def _tampered(token: str) -> str:
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["cognito:username"] = "mallory"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{header}.{forged}.{signature}"


@pytest.mark.django_db(transaction=True)
def test_tokens_verify_with_aws_jwt_verify(live_server: Any, make_pool: Any,
                                           make_client: Any) -> None:
    pool = make_pool(name="node")
    app = make_client(pool)
    jwks_url = f"{live_server.url}/{pool.id}/.well-known/jwks.json"
    issuer = f"{live_server.url}/{pool.id}"
    with override_settings(COGNITO={"PUBLIC_BASE_URL": live_server.url}):
        id_token, access_token = _tokens(pool, app)
    # Served under AWS's issuer, CognitoJwtVerifier itself accepts the tokens (with the
    # JWKS fetched from this server and cached, as reference §0 describes).
    with override_settings(COGNITO={"PUBLIC_BASE_URL": AWS_BASE}):
        aws_id, aws_access = _tokens(pool, app, "bob")
    generic = {"kind": "generic", "jwksUrl": jwks_url, "issuer": issuer}
    cognito = {"kind": "cognito", "jwksUrl": jwks_url, "userPoolId": pool.id,
               "clientId": app.id}
    results = _aws_jwt_verify([
        {**generic, "token": id_token, "audience": app.id},
        {**generic, "token": access_token},
        {**cognito, "token": aws_id, "tokenUse": "id"},
        {**cognito, "token": aws_access, "tokenUse": "access"},
        {**cognito, "token": aws_access, "tokenUse": "id"},
        {**cognito, "token": aws_id, "tokenUse": "id", "clientId": "someone-else"},
        {**generic, "token": _tampered(id_token)},
        {**generic, "token": aws_id},
    ])
    assert [r["ok"] for r in results] == [True] * 4 + [False] * 4
    assert results[0]["payload"]["token_use"] == "id"
    assert results[0]["payload"]["email_verified"] is True
    assert results[1]["payload"]["client_id"] == app.id
    assert results[2]["payload"]["cognito:username"] == "bob"
    assert results[3]["payload"]["username"] == "bob"
    assert [r["error"] for r in results[4:]] == [
        "CognitoJwtInvalidTokenUseError", "CognitoJwtInvalidClientIdError",
        "JwtInvalidSignatureError", "JwtInvalidIssuerError"]
    keys.rotate(pool)
    with override_settings(COGNITO={"PUBLIC_BASE_URL": live_server.url}):
        new_id, _ = _tokens(pool, app, "carl")
    after = _aws_jwt_verify([{**generic, "token": id_token, "audience": app.id},
                             {**generic, "token": new_id, "audience": app.id}])
    assert [r["ok"] for r in after] == [True, True]
