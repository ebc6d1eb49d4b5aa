"""What the OAuth endpoints and the managed login refuse (issue 13, "Abuse refused"), over
real HTTP: code reuse, PKCE, redirect URI tricks, scope escalation, cross-client tokens,
CSRF and open redirects."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import pytest
import requests
from authlib.integrations.base_client.errors import OAuthError

from django_cognito.models import AppClient, PoolUser, UserPool
from tests import factories

from .browser import Browser
from .conftest import CALLBACK, LOGOUT, callback_params, oauth_client, sign_in
from .test_code_flow import authorize, session_for, verify

pytest_plugins = ["tests.api_fixtures"]
pytestmark = pytest.mark.django_db(transaction=True)

VERIFIER = "v" * 20 + "erifier-of-at-least-forty-three-characters"


def code_for(browser: Browser, domain_url: str, client: AppClient, **params: str
             ) -> tuple[Any, str]:
    oauth = session_for(client)
    url, _, _ = authorize(oauth, domain_url, **params)
    page = browser.get(url)
    if page.left_to is None:  # no login session yet
        page = browser.submit(page, username="alice", password=factories.PASSWORD)
    return oauth, callback_params(page)["code"]


def token_error(response: requests.Response) -> str:
    return str(response.json()["error"])


def post_token(domain_url: str, **data: str) -> requests.Response:
    return requests.post(f"{domain_url}oauth2/token", data=data, timeout=10)


def test_a_reused_code_fails_and_revokes_what_it_issued(
        browser: Browser, domain_url: str, web: AppClient, alice: PoolUser) -> None:
    oauth, code = code_for(browser, domain_url, web)
    token = oauth.fetch_token(f"{domain_url}oauth2/token", code=code, code_verifier=VERIFIER)
    with pytest.raises(OAuthError, match="invalid_grant"):
        oauth.fetch_token(f"{domain_url}oauth2/token", code=code, code_verifier=VERIFIER)
    with pytest.raises(OAuthError, match="invalid_grant"):
        oauth.refresh_token(f"{domain_url}oauth2/token", refresh_token=token["refresh_token"])
    info = requests.get(f"{domain_url}oauth2/userInfo", timeout=10,
                        headers={"Authorization": f"Bearer {token['access_token']}"})
    assert info.status_code == 401


def test_pkce_verifier_must_match_and_is_required(
        browser: Browser, domain_url: str, web: AppClient, alice: PoolUser) -> None:
    _, code = code_for(browser, domain_url, web)
    base = {"grant_type": "authorization_code", "client_id": web.id, "redirect_uri": CALLBACK}
    wrong = post_token(domain_url, **base, code=code, code_verifier="w" * 43)
    assert wrong.status_code == 400 and token_error(wrong) == "invalid_grant"
    # The failed attempt spent the code: the right verifier comes too late.
    late = post_token(domain_url, **base, code=code, code_verifier=VERIFIER)
    assert token_error(late) == "invalid_grant"
    _, code2 = code_for(browser, domain_url, web)
    missing = post_token(domain_url, **base, code=code2)
    assert missing.status_code == 400 and token_error(missing) == "invalid_request"


def test_plain_pkce_is_refused(browser: Browser, domain_url: str, web: AppClient,
                               alice: PoolUser) -> None:
    query = urlencode({"response_type": "code", "client_id": web.id, "redirect_uri": CALLBACK,
                       "state": "s1", "code_challenge": VERIFIER,
                       "code_challenge_method": "plain"})
    page = browser.get(f"{domain_url}oauth2/authorize?{query}")
    params = callback_params(page)
    assert params["error"] == "invalid_request" and params["state"] == "s1"


@pytest.mark.parametrize("redirect_uri", [
    CALLBACK + "/",
    CALLBACK + "x",
    CALLBACK + "?next=https://evil.example",
    CALLBACK + "#fragment",
    CALLBACK.upper(),
    "https://APP.example.com/callback",
    "https://app.example.com@evil.example/callback",
    "https://evil.example/callback",
    "https://evil.example#https://app.example.com/callback",
    "https://app.example.com/callback/../evil",
    "http://app.example.com/callback",
    "",
])
def test_an_unregistered_redirect_uri_gets_an_error_page_never_a_redirect(
        browser: Browser, domain_url: str, web: AppClient, redirect_uri: str) -> None:
    query = urlencode({"response_type": "code", "client_id": web.id,
                       "redirect_uri": redirect_uri, "state": "s"})
    for path in ("oauth2/authorize", "login"):
        page = browser.get(f"{domain_url}{path}?{query}")
        assert page.left_to is None and page.response.status_code == 400
        assert "Location" not in page.response.headers


def test_a_client_of_another_pool_does_not_exist_on_this_domain(
        browser: Browser, domain_url: str, hosted_pool: UserPool) -> None:
    other = oauth_client(factories.create_pool("other-pool"))
    query = urlencode({"response_type": "code", "client_id": other.id,
                       "redirect_uri": CALLBACK})
    page = browser.get(f"{domain_url}oauth2/authorize?{query}")
    assert page.left_to is None and page.response.status_code == 400


def test_scopes_the_client_lacks_are_dropped(
        browser: Browser, domain_url: str, hosted_pool: UserPool, alice: PoolUser) -> None:
    narrow = oauth_client(hosted_pool, allowed_oauth_scopes=["openid", "email"])
    oauth = session_for(narrow, scope="openid email phone profile api/reports.read "
                                      "aws.cognito.signin.user.admin")
    url, _, _ = authorize(oauth, domain_url)
    code = callback_params(sign_in(browser, url))["code"]
    token = oauth.fetch_token(f"{domain_url}oauth2/token", code=code, code_verifier=VERIFIER)
    claims = verify(token["access_token"], domain_url, hosted_pool)
    assert claims["scope"] == "openid email"


def test_a_public_client_cannot_use_client_credentials(
        domain_url: str, web: AppClient) -> None:
    answer = post_token(domain_url, grant_type="client_credentials", client_id=web.id)
    assert answer.status_code in (400, 401)
    assert token_error(answer) in ("invalid_client", "unauthorized_client")


def test_client_credentials_needs_the_secret(domain_url: str, hosted_pool: UserPool) -> None:
    machine = oauth_client(hosted_pool, secret=True, allowed_oauth_flows=["client_credentials"],
                           allowed_oauth_scopes=["api/reports.read"])
    wrong = requests.post(f"{domain_url}oauth2/token", timeout=10,
                          data={"grant_type": "client_credentials"},
                          auth=(machine.id, "not-the-secret"))
    assert wrong.status_code == 401 and token_error(wrong) == "invalid_client"
    nothing = post_token(domain_url, grant_type="client_credentials", client_id=machine.id)
    assert nothing.status_code == 401 and token_error(nothing) == "invalid_client"


def test_a_code_or_refresh_token_of_one_client_is_useless_to_another(
        browser: Browser, domain_url: str, web: AppClient, hosted_pool: UserPool,
        alice: PoolUser) -> None:
    other = oauth_client(hosted_pool)
    oauth, code = code_for(browser, domain_url, web)
    stolen = post_token(domain_url, grant_type="authorization_code", client_id=other.id,
                        redirect_uri=CALLBACK, code=code, code_verifier=VERIFIER)
    assert token_error(stolen) == "invalid_grant"
    # The rightful client still redeems it.
    token = oauth.fetch_token(f"{domain_url}oauth2/token", code=code, code_verifier=VERIFIER)
    refresh = post_token(domain_url, grant_type="refresh_token", client_id=other.id,
                         refresh_token=token["refresh_token"])
    assert token_error(refresh) == "invalid_grant"


def test_the_redirect_uri_must_match_at_the_token_endpoint(
        browser: Browser, domain_url: str, web: AppClient, alice: PoolUser) -> None:
    _, code = code_for(browser, domain_url, web)
    answer = post_token(domain_url, grant_type="authorization_code", client_id=web.id,
                        redirect_uri="http://localhost:4321/cb", code=code,
                        code_verifier=VERIFIER)
    assert token_error(answer) == "invalid_grant"


def test_every_form_needs_its_csrf_token(browser: Browser, domain_url: str, web: AppClient,
                                         alice: PoolUser) -> None:
    oauth = session_for(web)
    url, _, _ = authorize(oauth, domain_url)
    page = browser.get(url)
    fields = {k: v for k, v in page.form.fields.items() if k != "csrfmiddlewaretoken"}
    forged = requests.post(page.response.url, timeout=10, cookies=browser.session.cookies,
                           headers={"Referer": page.response.url},
                           data={**fields, "username": "alice",
                                 "password": factories.PASSWORD})
    assert forged.status_code == 403


def test_a_response_type_the_client_lacks_is_redirected_as_unauthorized_client(
        browser: Browser, domain_url: str, hosted_pool: UserPool) -> None:
    code_only = oauth_client(hosted_pool, allowed_oauth_flows=["code"])
    query = urlencode({"response_type": "token", "client_id": code_only.id,
                       "redirect_uri": CALLBACK, "state": "st"})
    params = callback_params(browser.get(f"{domain_url}oauth2/authorize?{query}"))
    assert params["error"] == "unauthorized_client" and params["state"] == "st"


@pytest.mark.parametrize("logout_uri", [
    "https://evil.example/", LOGOUT + "/", LOGOUT + "?x=1", "https://app.example.com@evil.example/signed-out"])
def test_logout_never_redirects_to_an_unregistered_uri(
        browser: Browser, domain_url: str, web: AppClient, logout_uri: str) -> None:
    query = urlencode({"client_id": web.id, "logout_uri": logout_uri})
    page = browser.get(f"{domain_url}logout?{query}")
    assert page.left_to is None and page.response.status_code == 400


def test_logout_ends_the_login_session(browser: Browser, domain_url: str, web: AppClient,
                                       alice: PoolUser) -> None:
    oauth = session_for(web)
    url, _, _ = authorize(oauth, domain_url)
    callback_params(sign_in(browser, url))
    done = browser.get(f"{domain_url}logout?" + urlencode({"client_id": web.id,
                                                           "logout_uri": LOGOUT}))
    assert done.left_to == LOGOUT
    again = browser.get(authorize(oauth, domain_url)[0])
    assert again.left_to is None and "password" in again.form.fields


def test_unknown_domains_serve_nothing(api_base: str, hosted_pool: UserPool) -> None:
    for path in ("oauth2/authorize", "oauth2/token", "login", "logout"):
        answer = requests.get(f"{api_base}/domains/no-such-domain/{path}", timeout=10)
        assert answer.status_code in (404, 405)


def test_pages_refuse_framing(browser: Browser, domain_url: str, web: AppClient) -> None:
    oauth = session_for(web)
    page = browser.get(authorize(oauth, domain_url)[0])
    headers = page.response.headers
    assert headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["Cache-Control"] == "no-store"
    cookie_jar: Any = browser.session.cookies
    assert not any(c.name == "cognito" for c in cookie_jar)
