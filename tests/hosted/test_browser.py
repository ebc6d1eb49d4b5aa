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

# What a person needs from every page, read in the browser: a language and a title, a label
# for every field, alternative text for every image, the first field focused, and text that
# meets WCAG's contrast minimum (4.5:1, or 3:1 for large text) against what is behind it, as
# do the edges of fields (3:1, WCAG 1.4.11).
PROBLEMS = r"""() => {
  const problems = [];
  if (!document.documentElement.lang) problems.push("no lang on <html>");
  if (!document.title.trim()) problems.push("no <title>");
  const fields = [...document.querySelectorAll("input, select, textarea")]
    .filter(el => el.type !== "hidden" && el.getClientRects().length);
  for (const el of fields) {
    const labelled = [...(el.labels || [])].some(l => l.textContent.trim())
      || el.getAttribute("aria-label") || el.getAttribute("aria-labelledby");
    if (!labelled) problems.push(`field ${el.name || el.id} has no label`);
  }
  for (const img of document.images) {
    if (!img.alt) problems.push(`image ${img.src.slice(0, 40)} has no alt text`);
  }
  if (fields.length && document.activeElement !== fields[0]) {
    problems.push(`focus is on ${document.activeElement.tagName}#${document.activeElement.id},`
                  + ` not the first field ${fields[0].id}`);
  }
  const rgba = c => (c.match(/[\d.]+/g) || []).map(Number);
  const luminance = ([r, g, b]) => {
    const f = v => (v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const behind = el => {
    for (; el; el = el.parentElement) {
      const c = rgba(getComputedStyle(el).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] > 0)) return c;
    }
    return [255, 255, 255];
  };
  const ratioOf = (x, y) => {
    const [a, b] = [luminance(x), luminance(y)].sort((p, q) => q - p);
    return (a + 0.05) / (b + 0.05);
  };
  for (const el of fields) {
    const edge = ratioOf(rgba(getComputedStyle(el).borderTopColor), behind(el.parentElement));
    if (edge < 3) problems.push(`field ${el.id} border contrast ${edge.toFixed(2)} < 3`);
  }
  for (const el of document.querySelectorAll("body *")) {
    const text = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim())
      || (el.tagName === "INPUT" && el.type !== "hidden" && el.value);
    if (!text || !el.getClientRects().length) continue;
    const style = getComputedStyle(el);
    const ratio = ratioOf(rgba(style.color), behind(el));
    const size = parseFloat(style.fontSize), bold = parseInt(style.fontWeight) >= 700;
    const needed = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
    if (ratio < needed) {
      problems.push(`contrast ${ratio.toFixed(2)} < ${needed}: ${el.tagName} `
                    + `"${el.textContent.trim().slice(0, 30)}"`);
    }
  }
  return problems;
}"""


def problems(page: Page) -> list[str]:
    found: list[str] = page.evaluate(PROBLEMS)
    return found


def overflow(page: Page) -> int:
    """How many CSS pixels the page is wider than the viewport (0: no sideways scrolling)."""
    width: int = page.evaluate(
        "() => document.documentElement.scrollWidth - window.innerWidth")
    return width


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

    def __init__(self, domain_url: str, client: AppClient, redirect_uri: str) -> None:
        self.domain_url = domain_url
        self.oauth = one_shot(OAuth2Session(
            client.id, scope="openid email profile", redirect_uri=redirect_uri,
            code_challenge_method="S256", token_endpoint_auth_method="none"))
        self.verifier = secrets.token_urlsafe(48)
        self.url, self.state = self.oauth.create_authorization_url(
            f"{domain_url}oauth2/authorize", code_verifier=self.verifier)

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


def submit_password(page: Page, password: str) -> None:
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_enrol_an_authenticator_sign_out_and_sign_in_with_a_code(
        tab: Tab, domain_url: str, app: AppClient, alice: PoolUser, app_site: str,
        api_base: str) -> None:
    clock.freeze()  # no TOTP step turns over between reading a code and checking it
    callback = f"{app_site}/callback"
    first = Authorization(domain_url, app, callback)
    page = sign_in_page(tab, first)
    assert problems(page) == []
    tab.screenshot("sign-in")

    submit_password(page, "not-the-password")
    expect(page.get_by_role("alert")).to_have_text(WRONG_PASSWORD)
    assert page.get_by_label("Username").input_value() == "alice"
    assert page.get_by_label("Username").get_attribute("aria-describedby") == "error"
    assert problems(page) == []
    tab.screenshot("sign-in-error")

    submit_password(page, factories.PASSWORD)
    expect(page.get_by_role("heading", name="Set up your authenticator")).to_be_visible()
    qr = page.get_by_role("img", name="QR code to scan with an authenticator app")
    assert qr.evaluate("img => img.complete && img.naturalWidth > 100")
    secret = page.locator("code#secret").inner_text()
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)
    assert problems(page) == []
    tab.screenshot("mfa-setup")

    enrolment = pyotp.TOTP(secret).at(clock.now())
    page.get_by_label("Code from the app").fill(enrolment)
    page.get_by_role("button", name="Verify and continue").click()
    page.wait_for_url(f"{callback}?*")
    claims = jwt.decode(first.redeem(page.url)["id_token"], options={"verify_signature": False})
    assert claims["cognito:username"] == "alice" and claims["aud"] == app.id

    signed_out = f"{app_site}/signed-out"
    page.goto(f"{domain_url}logout?" + urlencode({"client_id": app.id,
                                                 "logout_uri": signed_out}))
    expect(page).to_have_url(signed_out)

    # The next sign-in asks for a code; the enrolment code, still inside the tolerance
    # window one step later, is refused: each step is accepted once.
    clock.advance(dt.timedelta(seconds=30))
    second = Authorization(domain_url, app, callback)
    page = sign_in_page(tab, second)  # signed out: the page asks again
    submit_password(page, factories.PASSWORD)
    expect(page.get_by_role("heading", name="Enter your authenticator code")).to_be_visible()
    assert problems(page) == []
    tab.screenshot("totp")
    page.get_by_label("Code").fill(enrolment)
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("alert")).to_have_text("Invalid code or auth state for the user.")
    assert problems(page) == []
    tab.screenshot("totp-error")

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
    assert overflow(page) == 0 and problems(page) == []
    mobile_tab.screenshot("sign-in-mobile")

    page.emulate_media(color_scheme="dark")
    assert problems(page) == []
    mobile_tab.screenshot("sign-in-mobile-dark")
    page.emulate_media(color_scheme="light")

    submit_password(page, factories.PASSWORD)
    expect(page.get_by_role("heading", name="Set up your authenticator")).to_be_visible()
    assert overflow(page) == 0 and problems(page) == []
    mobile_tab.screenshot("mfa-setup-mobile")

    assert mobile_tab.console_errors() == []
    assert mobile_tab.origins() == {api_base}, mobile_tab.requests
