"""The managed login in a real browser (headless Debian Chromium through Playwright): an
authorization code flow with PKCE, authenticator enrolment (MFA_SETUP) on the first sign-in,
sign-out, and an authenticator code (SOFTWARE_TOKEN_MFA) on the next; each page checked for
labels, focus, contrast, console errors and where it sent requests, and photographed
(tests/hosted/chromium.py says where the screenshots go)."""

from __future__ import annotations

import datetime as dt
import re
import secrets
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
import pyotp
import pytest
from authlib.integrations.requests_client import OAuth2Session
from playwright.sync_api import Page, expect

from django_cognito import clock
from django_cognito.models import AppClient, PoolUser, UserPool
from django_cognito.services import pool_config
from tests import factories

from .browser import one_shot
from .conftest import oauth_client

if TYPE_CHECKING:  # the plugin module is loaded by pytest_plugins, not imported here
    from .chromium import Tab

pytest_plugins = ["tests.api_fixtures", "tests.hosted.chromium"]
# One browser per module: keep the module's tests on one xdist worker.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.xdist_group("chromium")]

WRONG_PASSWORD = "Incorrect username or password."


def query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


@pytest.fixture
def app(hosted_pool: UserPool, app_site: str) -> AppClient:
    """A public client whose redirect URIs are on the loopback client application, of a pool
    that requires MFA with authenticator apps only: a user without one enrols on sign-in."""
    pool_config.set_mfa_config(hosted_pool, "ON",
                               {"SoftwareTokenMfaConfiguration": {"Enabled": True}})
    return oauth_client(hosted_pool, callback_urls=[f"{app_site}/callback"],
                        logout_urls=[f"{app_site}/signed-out"])


class Authorization:
    """One authorization request with PKCE (S256), made and redeemed with Authlib."""

    def __init__(self, domain_url: str, client: AppClient, redirect_uri: str,
                 **params: str) -> None:
        self.domain_url = domain_url
        self.oauth = one_shot(OAuth2Session(
            client.id, scope="openid email profile", redirect_uri=redirect_uri,
            code_challenge_method="S256", token_endpoint_auth_method="none"))
        self.verifier = secrets.token_urlsafe(48)
        self.url, self.state = self.oauth.create_authorization_url(
            f"{domain_url}oauth2/authorize", code_verifier=self.verifier, **params)

    def redeem(self, callback: str) -> dict[str, Any]:
        params = query(callback)
        assert params["state"] == self.state and set(params) == {"code", "state"}
        token: dict[str, Any] = self.oauth.fetch_token(
            f"{self.domain_url}oauth2/token", code=params["code"], code_verifier=self.verifier)
        return token


def sign_in_page(tab: Tab, authorization: Authorization) -> Page:
    page = tab.page
    page.goto(authorization.url)
    expect(page).to_have_url(re.compile(r"/login\?"))
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    return page


def sign_out(page: Page, domain_url: str, client: AppClient, app_site: str) -> None:
    """/logout, back to the client's sign-out URL: the login session ends."""
    signed_out = f"{app_site}/signed-out"
    page.goto(f"{domain_url}logout?" + urlencode({"client_id": client.id,
                                                 "logout_uri": signed_out}))
    expect(page).to_have_url(signed_out)


def submit_password(page: Page, password: str, username: str = "alice") -> None:
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_enrol_an_authenticator_sign_out_and_sign_in_with_a_code(
        tab: Tab, domain_url: str, app: AppClient, alice: PoolUser, app_site: str,
        api_base: str) -> None:
    clock.freeze()  # no TOTP step turns over between reading a code and checking it
    callback = f"{app_site}/callback"
    first = Authorization(domain_url, app, callback)
    page = sign_in_page(tab, first)
    tab.check("sign-in")

    submit_password(page, "not-the-password")
    expect(page.get_by_role("alert")).to_have_text(WRONG_PASSWORD)
    assert page.get_by_label("Username").input_value() == "alice"
    assert page.get_by_label("Username").get_attribute("aria-describedby") == "error"
    tab.check("sign-in-error")

    submit_password(page, factories.PASSWORD)
    expect(page.get_by_role("heading", name="Set up your authenticator")).to_be_visible()
    qr = page.get_by_role("img", name="QR code to scan with an authenticator app")
    assert qr.evaluate("img => img.complete && img.naturalWidth > 100")
    secret = page.locator("code#secret").inner_text()
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)
    tab.check("mfa-setup")

    enrolment = pyotp.TOTP(secret).at(clock.now())
    page.get_by_label("Code from the app").fill(enrolment)
    page.get_by_role("button", name="Verify and continue").click()
    page.wait_for_url(f"{callback}?*")
    claims = jwt.decode(first.redeem(page.url)["id_token"], options={"verify_signature": False})
    assert claims["cognito:username"] == "alice" and claims["aud"] == app.id

    sign_out(page, domain_url, app, app_site)

    # The next sign-in asks for a code; the enrolment code, still inside the tolerance
    # window one step later, is refused: each step is accepted once.
    clock.advance(dt.timedelta(seconds=30))
    second = Authorization(domain_url, app, callback)
    page = sign_in_page(tab, second)  # signed out: the page asks again
    submit_password(page, factories.PASSWORD)
    expect(page.get_by_role("heading", name="Enter your authenticator code")).to_be_visible()
    tab.check("totp")
    page.get_by_label("Code").fill(enrolment)
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("alert")).to_have_text("Invalid code or auth state for the user.")
    tab.check("totp-error")

    page.get_by_label("Code").fill(pyotp.TOTP(secret).at(clock.now()))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"{callback}?*")
    assert second.redeem(page.url)["token_type"] == "Bearer"

    assert tab.console_errors() == []
    assert tab.origins() == {api_base, app_site}, tab.requests


def test_pages_fit_a_phone_and_the_dark_scheme(
        mobile_tab: Tab, domain_url: str, app: AppClient, alice: PoolUser, app_site: str,
        api_base: str) -> None:
    page = sign_in_page(mobile_tab, Authorization(domain_url, app, f"{app_site}/callback"))
    assert page.viewport_size and page.viewport_size["width"] == 375
    assert mobile_tab.overflow() == 0
    mobile_tab.check("sign-in-mobile")

    page.emulate_media(color_scheme="dark")
    mobile_tab.check("sign-in-mobile-dark")
    page.emulate_media(color_scheme="light")

    submit_password(page, factories.PASSWORD)
    expect(page.get_by_role("heading", name="Set up your authenticator")).to_be_visible()
    assert mobile_tab.overflow() == 0
    mobile_tab.check("mfa-setup-mobile")

    assert mobile_tab.console_errors() == []
    assert mobile_tab.origins() == {api_base}, mobile_tab.requests
