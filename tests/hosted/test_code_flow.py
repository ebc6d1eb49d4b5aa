"""Authorization code with PKCE, end to end, driven by Authlib's OAuth 2.0 client over real
HTTP: sign in on the managed login, exchange the code, refresh, read userInfo, revoke."""

from __future__ import annotations

from typing import Any

import jwt
import pytest
import requests
from authlib.integrations.requests_client import OAuth2Session

from django_cognito.models import AppClient, PoolUser, UserPool

from .browser import Browser, one_shot
from .conftest import CALLBACK, callback_params, sign_in

pytest_plugins = ["tests.api_fixtures"]
pytestmark = pytest.mark.django_db(transaction=True)


def oauth_session(client_id: str, secret: str | None = None, **options: Any) -> OAuth2Session:
    """Authlib's OAuth 2.0 client, one connection per request."""
    session = OAuth2Session(client_id, secret, **options)
    one_shot(session)
    return session


def session_for(client: AppClient, scope: str = "openid email profile") -> OAuth2Session:
    return oauth_session(client.id, client.secret or None, scope=scope, redirect_uri=CALLBACK,
                         code_challenge_method="S256",
                         token_endpoint_auth_method="client_secret_basic" if client.secret
                         else "none")


def verify(token: str, domain_url: str, pool: UserPool, **options: Any) -> dict[str, Any]:
    issuer = domain_url.split("/domains/")[0] + "/" + pool.id
    keys = jwt.PyJWKClient(f"{issuer}/.well-known/jwks.json")
    key = keys.get_signing_key_from_jwt(token)
    claims: dict[str, Any] = jwt.decode(token, key.key, algorithms=["RS256"], issuer=issuer,
                                        **options)
    return claims


def authorize(oauth: OAuth2Session, domain_url: str, **params: str) -> tuple[str, str, str]:
    verifier = "v" * 20 + "erifier-of-at-least-forty-three-characters"
    url, state = oauth.create_authorization_url(f"{domain_url}oauth2/authorize",
                                                code_verifier=verifier, **params)
    return url, state, verifier


def test_code_flow_with_pkce_refresh_userinfo_and_revoke(
        browser: Browser, domain_url: str, web: AppClient, alice: PoolUser,
        hosted_pool: UserPool) -> None:
    oauth = session_for(web)
    url, state, verifier = authorize(oauth, domain_url, nonce="n-0S6_WzA2Mj")
    done = sign_in(browser, url)
    params = callback_params(done)
    assert params["state"] == state and done.left_to and done.left_to.startswith(CALLBACK)

    token = oauth.fetch_token(f"{domain_url}oauth2/token", code=params["code"],
                              code_verifier=verifier)
    assert token["token_type"] == "Bearer" and token["expires_in"] == 3600
    id_claims = verify(token["id_token"], domain_url, hosted_pool, audience=web.id)
    assert id_claims["nonce"] == "n-0S6_WzA2Mj" and id_claims["cognito:username"] == "alice"
    assert id_claims["email"] == "alice@example.com" and id_claims["name"] == "Alice Liddell"
    assert "at_hash" in id_claims and id_claims["token_use"] == "id"
    access = verify(token["access_token"], domain_url, hosted_pool)
    assert access["scope"].split() == ["openid", "email", "profile"]
    assert access["version"] == 2 and access["client_id"] == web.id and "aud" not in access

    info = requests.get(f"{domain_url}oauth2/userInfo", timeout=10,
                        headers={"Authorization": f"Bearer {token['access_token']}"}).json()
    assert info["sub"] == str(alice.sub) and info["email_verified"] == "true"
    assert info["username"] == "alice" and info["email"] == "alice@example.com"

    refreshed = oauth.refresh_token(f"{domain_url}oauth2/token",
                                    refresh_token=token["refresh_token"])
    again = verify(refreshed["id_token"], domain_url, hosted_pool, audience=web.id)
    assert again["auth_time"] == id_claims["auth_time"]
    assert again["origin_jti"] == id_claims["origin_jti"]

    oauth.revoke_token(f"{domain_url}oauth2/revoke", token["refresh_token"],
                       token_type_hint="refresh_token")
    with pytest.raises(Exception, match="invalid_grant"):
        oauth.refresh_token(f"{domain_url}oauth2/token", refresh_token=token["refresh_token"])
    revoked = requests.get(f"{domain_url}oauth2/userInfo", timeout=10,
                           headers={"Authorization": f"Bearer {token['access_token']}"})
    assert revoked.status_code == 401 and 'error="invalid_token"' in \
        revoked.headers["WWW-Authenticate"]


def test_a_second_authorization_reuses_the_login_session(
        browser: Browser, domain_url: str, web: AppClient, alice: PoolUser) -> None:
    oauth = session_for(web)
    url, _, _ = authorize(oauth, domain_url)
    callback_params(sign_in(browser, url))
    url2, state2, _ = authorize(oauth, domain_url)
    page = browser.get(url2)
    assert callback_params(page)["state"] == state2  # no sign-in page this time


def test_email_scope_alone_releases_only_the_address(
        browser: Browser, domain_url: str, web: AppClient, alice: PoolUser,
        hosted_pool: UserPool) -> None:
    oauth = session_for(web, scope="openid email")
    url, _, verifier = authorize(oauth, domain_url)
    params = callback_params(sign_in(browser, url))
    token = oauth.fetch_token(f"{domain_url}oauth2/token", code=params["code"],
                              code_verifier=verifier)
    claims = verify(token["id_token"], domain_url, hosted_pool, audience=web.id)
    assert claims["email"] == "alice@example.com" and "name" not in claims
    assert "phone_number" not in claims


def test_without_openid_there_is_no_id_token(
        browser: Browser, domain_url: str, web: AppClient, alice: PoolUser) -> None:
    oauth = session_for(web, scope="aws.cognito.signin.user.admin")
    url, _, verifier = authorize(oauth, domain_url)
    params = callback_params(sign_in(browser, url))
    token = oauth.fetch_token(f"{domain_url}oauth2/token", code=params["code"],
                              code_verifier=verifier)
    assert "id_token" not in token and "refresh_token" in token
    userinfo = requests.get(f"{domain_url}oauth2/userInfo", timeout=10,
                            headers={"Authorization": f"Bearer {token['access_token']}"})
    assert userinfo.status_code == 401


def test_implicit_grant_puts_tokens_in_the_fragment(
        browser: Browser, domain_url: str, web: AppClient, alice: PoolUser,
        hosted_pool: UserPool) -> None:
    oauth = oauth_session(web.id, scope="openid", redirect_uri=CALLBACK)
    url, state = oauth.create_authorization_url(f"{domain_url}oauth2/authorize",
                                                response_type="token", nonce="abc")
    done = sign_in(browser, url)
    assert done.left_to and "#" in done.left_to
    params = callback_params(done)
    assert params["state"] == state and "refresh_token" not in params
    assert params["token_type"] == "Bearer" and params["expires_in"] == "3600"
    claims = verify(params["id_token"], domain_url, hosted_pool, audience=web.id)
    assert claims["nonce"] == "abc"


def test_client_credentials(domain_url: str, hosted_pool: UserPool) -> None:
    from .conftest import oauth_client
    machine = oauth_client(hosted_pool, secret=True, allowed_oauth_flows=["client_credentials"],
                           allowed_oauth_scopes=["api/reports.read", "api/reports.write"])
    oauth = oauth_session(machine.id, machine.secret)
    token = oauth.fetch_token(f"{domain_url}oauth2/token", grant_type="client_credentials",
                              scope="api/reports.read")
    assert set(token) - {"expires_at"} == {"access_token", "token_type", "expires_in"}
    claims = verify(token["access_token"], domain_url, hosted_pool)
    assert claims["sub"] == machine.id and claims["scope"] == "api/reports.read"
    assert claims["token_use"] == "access" and "username" not in claims
    every = oauth_session(machine.id, machine.secret, token_endpoint_auth_method=
                          "client_secret_post").fetch_token(
        f"{domain_url}oauth2/token", grant_type="client_credentials")
    assert verify(every["access_token"], domain_url, hosted_pool)["scope"] == \
        "api/reports.read api/reports.write"


def test_discovery_names_the_domain_endpoints(domain_url: str, hosted_pool: UserPool) -> None:
    issuer = domain_url.split("/domains/")[0] + "/" + hosted_pool.id
    document = requests.get(f"{issuer}/.well-known/openid-configuration", timeout=10).json()
    assert document["authorization_endpoint"] == f"{domain_url}oauth2/authorize"
    assert document["token_endpoint"] == f"{domain_url}oauth2/token"
    assert document["code_challenge_methods_supported"] == ["S256"]
    for endpoint in ("authorization_endpoint", "token_endpoint", "userinfo_endpoint",
                     "revocation_endpoint", "end_session_endpoint"):
        assert requests.options(document[endpoint], timeout=10).status_code != 404


def test_lang_picks_the_pages_language(browser: Browser, domain_url: str, web: AppClient,
                                       alice: PoolUser) -> None:
    url, _, _ = authorize(session_for(web), domain_url, lang="fr")
    page = browser.get(url)
    assert '<html lang="fr">' in page.text and "Se connecter" in page.text
    wrong = browser.submit(page, username="alice", password="not-the-password")
    assert "Mot de passe oublié ?" in wrong.text  # the language follows the form's query
    english = browser.get(authorize(session_for(web), domain_url, lang="xx")[0])
    assert '<html lang="en' in english.text and "Sign in" in english.text
