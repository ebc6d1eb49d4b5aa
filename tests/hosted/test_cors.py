"""CORS on the domain's token, revoke and userInfo endpoints (a browser app such as Amplify
calls them from its own origin), and the Referrer-Policy that lets a browser post the
sign-in form with its Origin. test_amplify_redirect.py shows both in Chromium. Requests are
made over https (``secure=True``): OAuth 2.0 endpoints refuse plain http off localhost."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from django_cognito.models import UserPool
from django_cognito.services import resources
from tests import factories

from .conftest import CALLBACK, oauth_client

pytestmark = pytest.mark.django_db

ORIGIN = "https://app.example.com"
BASE = "/domains/cors-test/"


@pytest.fixture
def pool() -> UserPool:
    pool = factories.create_pool("cors-pool")
    resources.create_domain(pool, "cors-test")
    return pool


def preflight(client: Client, path: str, method: str = "POST") -> Any:
    return client.options(BASE + path, headers={
        "Origin": ORIGIN, "Access-Control-Request-Method": method,
        "Access-Control-Request-Headers": "content-type,x-amz-user-agent"}, secure=True)


@pytest.mark.parametrize(("path", "methods"), [
    ("oauth2/token", "POST"), ("oauth2/revoke", "POST"), ("oauth2/userInfo", "GET, POST")])
def test_preflight_names_the_origin_and_allows_no_credentials(
        client: Client, pool: UserPool, path: str, methods: str) -> None:
    response = preflight(client, path)
    assert response.status_code == 204 and response.content == b""
    assert response["Access-Control-Allow-Origin"] == ORIGIN
    assert response["Access-Control-Allow-Methods"] == methods
    allowed = response["Access-Control-Allow-Headers"].split(", ")
    assert {"content-type", "x-amz-user-agent", "authorization"} <= set(allowed)
    assert "Origin" in response["Vary"]
    assert "Access-Control-Allow-Credentials" not in response


def test_answers_carry_the_origin_errors_too(client: Client, pool: UserPool) -> None:
    web = oauth_client(pool)
    token = client.post(BASE + "oauth2/token", {
        "grant_type": "authorization_code", "code": "nope", "client_id": web.id,
        "redirect_uri": CALLBACK, "code_verifier": "v" * 43}, headers={"Origin": ORIGIN},
        secure=True)
    assert token.status_code == 400 and token.json()["error"] == "invalid_grant"
    assert token["Access-Control-Allow-Origin"] == ORIGIN
    info = client.get(BASE + "oauth2/userInfo", headers={"Origin": ORIGIN}, secure=True)
    assert info.status_code == 400 and info["Access-Control-Allow-Origin"] == ORIGIN
    revoke = client.post(BASE + "oauth2/revoke", {"token": "x", "client_id": web.id},
                         headers={"Origin": ORIGIN}, secure=True)
    assert revoke["Access-Control-Allow-Origin"] == ORIGIN


def test_no_origin_no_cors_headers_and_unknown_domains_stay_404(
        client: Client, pool: UserPool) -> None:
    response = client.post(BASE + "oauth2/token", {"grant_type": "client_credentials"},
                           secure=True)
    assert response.status_code in (400, 401)
    assert "Access-Control-Allow-Origin" not in response
    assert client.options("/domains/no-such/oauth2/token",
                          headers={"Origin": ORIGIN}, secure=True).status_code == 404
    # The sign-in pages answer no preflight: only the endpoints a script calls do.
    assert client.options(BASE + "login", headers={"Origin": ORIGIN},
                          secure=True).status_code == 405


def test_pages_send_referers_to_their_own_origin_only(client: Client, pool: UserPool) -> None:
    web = oauth_client(pool)
    page = client.get(BASE + "login", {"client_id": web.id, "redirect_uri": CALLBACK,
                                       "response_type": "code", "scope": "openid"}, secure=True)
    assert page.status_code == 200
    assert page["Referrer-Policy"] == "same-origin"
    assert b'<meta name="referrer" content="same-origin">' in page.content
