"""Amplify v6's signInWithRedirect in Debian Chromium against the managed login over TLS.

One live server in the test process answers https on 127.0.0.1 with a certificate the test
makes: the pool's domain on ``auth.example.test`` (HOSTED_DOMAIN_URL), the JSON API on
``127.0.0.1`` (PUBLIC_BASE_URL, Amplify's ``userPoolEndpoint``) and a page bundling aws-amplify
(tests/node/browser/amplify-redirect.mjs, built with esbuild) on ``app.example.test``.
Chromium maps ``*.example.test`` to 127.0.0.1 and resolves no other name, so nothing leaves
the machine. Needs tests/node/node_modules, Python Playwright and /usr/bin/chromium; without
them the test fails.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connections

from django_cognito.models import AppClient, LoginSession, PoolUser, RefreshToken, UserPool
from django_cognito.services import resources
from tests import factories
from tests.node_scripts import NODE_DIR, NODE_TIMEOUT, node

from .conftest import oauth_client
from .tls import TLSLiveServer, self_signed, serve

pytestmark = pytest.mark.django_db(transaction=True)

CHROMIUM = "/usr/bin/chromium"
APP_HOST = "app.example.test"
AUTH_HOST = "auth.example.test"
API_HOST = "127.0.0.1"
SCOPES = ["openid", "email", "profile", "aws.cognito.signin.user.admin"]
# tests/reference test-peers.md: without the background-networking flags Chromium keeps trying
# to reach the internet. The resolver rules send the test's names to the server and make
# every other name unresolvable.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync",
                 "--host-resolver-rules=MAP *.example.test 127.0.0.1, MAP * ~NOTFOUND, "
                 "EXCLUDE 127.0.0.1"]


@dataclass
class Site:
    server: TLSLiveServer
    pool: UserPool
    client: AppClient
    user: PoolUser

    def origin(self, host: str) -> str:
        return f"https://{host}:{self.server.port}"

    @property
    def app(self) -> str:
        return self.origin(APP_HOST) + "/"

    @property
    def signed_out(self) -> str:
        return self.origin(APP_HOST) + "/signed-out"


def build_page(directory: Path) -> None:
    """Bundle the Amplify page into ``directory/app.js`` (esbuild, from tests/node)."""
    process = subprocess.run(  # noqa: S603 (a fixed script with our own arguments)
        [node(), str(NODE_DIR / "build-browser.mjs"),
         str(NODE_DIR / "browser" / "amplify-redirect.mjs"), str(directory / "app.js")],
        cwd=NODE_DIR, capture_output=True, text=True, timeout=NODE_TIMEOUT, check=False)
    assert process.returncode == 0 and "RESULT " in process.stdout, process.stderr


def write_index(directory: Path, config: dict[str, Any]) -> None:
    data = json.dumps(config).replace("<", "\\u003c")
    (directory / "index.html").write_text(
        "<!doctype html><html><head><meta charset=utf-8><title>Amplify app</title>"
        "<link rel=icon href=data:,></head><body>"
        '<button id="sign-in">Sign in</button> <button id="sign-out">Sign out</button>'
        '<p id="error"></p>'
        f"<script>window.AMPLIFY_CONFIG = {data};</script>"
        '<script type="module" src="/app.js"></script></body></html>')


@pytest.fixture
def site(transactional_db: Any, settings: Any, tmp_path: Path) -> Iterator[Site]:
    """The TLS server, a pool whose domain is ``auth``, an Amplify app client and alice."""
    static = tmp_path / "app"
    static.mkdir()
    build_page(static)
    cert, key = self_signed(tmp_path, [AUTH_HOST, APP_HOST, API_HOST])
    for server in serve(cert, key, APP_HOST, static):
        port = server.port
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, AUTH_HOST]
        settings.COGNITO = {**settings.COGNITO, "PUBLIC_BASE_URL": f"https://{API_HOST}:{port}",
                            "HOSTED_DOMAIN_URL": f"https://{{domain}}.example.test:{port}"}
        pool = factories.create_pool("amplify-pool")
        resources.create_domain(pool, AUTH_HOST.split(".")[0])
        app = f"https://{APP_HOST}:{port}/"
        client = oauth_client(pool, allowed_oauth_flows=["code"], allowed_oauth_scopes=SCOPES,
                              callback_urls=[app], logout_urls=[app + "signed-out"])
        built = Site(server, pool, client, factories.create_user(pool, "alice"))
        write_index(static, {"Auth": {"Cognito": {
            "userPoolId": pool.id, "userPoolClientId": client.id,
            "userPoolEndpoint": built.origin(API_HOST),
            "loginWith": {"oauth": {
                "domain": f"{AUTH_HOST}:{port}", "scopes": SCOPES,
                "redirectSignIn": [built.app], "redirectSignOut": [built.signed_out],
                "responseType": "code"}}}}})
        yield built


@pytest.fixture
def browser(site: Site, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Debian Chromium through Playwright, closed before the server stops."""
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).is_file(), "apt-get install chromium (see test-peers.md)"
    # Playwright's sync API keeps an event loop in this thread between calls, so Django takes
    # the test's own queries for async code; none runs while Playwright does.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                              args=CHROMIUM_ARGS)
        yield launched
        launched.close()
        # Queries made while Playwright's loop ran used connections of that context: closed
        # here, in it, or PostgreSQL keeps a session on the test database.
        connections.close_all()


def storage(page: Any) -> dict[str, str]:
    items: dict[str, str] = page.evaluate("() => ({...localStorage})")
    return items


def test_sign_in_with_redirect_session_and_sign_out(site: Site, browser: Any) -> None:
    port = site.server.port
    allowed = {f"{host}:{port}" for host in (APP_HOST, AUTH_HOST, API_HOST)}
    context = browser.new_context(ignore_https_errors=True)
    requests: list[tuple[str, str]] = []
    context.on("request", lambda request: requests.append((request.method, request.url)))
    page = context.new_page()
    page.goto(site.app)
    page.wait_for_selector("body[data-ready=true]")

    login = f"{site.origin(AUTH_HOST)}/login?"
    page.click("#sign-in")
    page.wait_for_url(lambda url: url.startswith(login))
    query = parse_qs(urlsplit(page.url).query)
    assert query["client_id"] == [site.client.id] and query["redirect_uri"] == [site.app]
    assert query["code_challenge_method"] == ["S256"] and query["scope"] == [" ".join(SCOPES)]
    page.fill("#username", "alice")
    page.fill("#password", factories.PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_function("() => window.amplifyTest?.events.some(e => e.event === 'signedIn' "
                           "|| e.event === 'signInWithRedirect_failure')")
    events = page.evaluate("() => amplifyTest.events")
    assert [e["event"] for e in events] == ["signInWithRedirect", "signedIn"], events
    assert page.url == site.app  # Amplify took the code off the address

    prefix = f"CognitoIdentityServiceProvider.{site.client.id}"
    stored = storage(page)
    assert stored[f"{prefix}.LastAuthUser"] == "alice"
    for kind in ("accessToken", "idToken", "refreshToken"):
        assert stored[f"{prefix}.alice.{kind}"], kind
    login_cookie = [c for c in context.cookies(site.origin(AUTH_HOST)) if c["name"] == "cognito"]
    assert len(login_cookie) == 1 and login_cookie[0]["secure"] and login_cookie[0]["httpOnly"]

    session = page.evaluate("() => amplifyTest.session()")
    assert session["ok"], session
    tokens = session["tokens"]
    assert tokens["accessToken"] == stored[f"{prefix}.alice.accessToken"]
    claims = tokens["idPayload"]
    assert claims["cognito:username"] == "alice" and claims["sub"] == str(site.user.sub)
    assert claims["aud"] == site.client.id and claims["token_use"] == "id"
    assert claims["iss"] == f"{site.origin(API_HOST)}/{site.pool.id}"
    assert claims["email"] == "alice@example.com" and session["userSub"] == claims["sub"]
    assert tokens["accessPayload"]["scope"].split() == SCOPES
    family = RefreshToken.objects.get(client=site.client)
    assert family.revoked_at is None and family.user_id == site.user.pk

    page.click("#sign-out")
    page.wait_for_url(site.signed_out)
    page.wait_for_selector("body[data-ready=true]")
    assert not [key for key in storage(page) if key.startswith(prefix)], storage(page)
    after = page.evaluate("() => amplifyTest.session()")
    assert after["ok"] and after["tokens"] is None, after
    # signOut revoked the refresh token through the JSON API (RevokeToken, cross-origin) and
    # ended the hosted session at /logout, which took its cookie.
    family.refresh_from_db()
    assert family.revoked_at is not None
    assert not [c for c in context.cookies(site.origin(AUTH_HOST)) if c["name"] == "cognito"]
    assert not LoginSession.objects.exists()
    logout = [url for method, url in requests if urlsplit(url).path == "/logout"]
    assert len(logout) == 1
    assert parse_qs(urlsplit(logout[0]).query) == {"client_id": [site.client.id],
                                                   "logout_uri": [site.signed_out]}

    # With the session gone, signing in again shows the sign-in page.
    page.click("#sign-in")
    page.wait_for_url(lambda url: url.startswith(login))
    assert page.locator("#password").count() == 1

    hosts = {urlsplit(url).netloc for _, url in requests}
    assert hosts <= allowed, hosts
    served = site.server.log
    assert {host for _, host, _ in served} <= allowed, served
    assert ("OPTIONS", f"{AUTH_HOST}:{port}", "/oauth2/token") in served
    assert ("POST", f"{AUTH_HOST}:{port}", "/oauth2/token") in served
    context.close()
