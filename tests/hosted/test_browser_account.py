"""Every page of the managed login in a real browser (headless Debian Chromium through
Playwright), on one pool and one client: sign up, confirm the account, sign in, enrol an
authenticator, sign out, sign in with its code, reset a forgotten password and sign in with
the new one; then a one-time code by email as the first factor, and the pages in French.

Each page is checked for labels, focus, contrast, console errors and where it sent requests;
each page the other browser tests do not photograph is photographed (tests/hosted/chromium.py
says where the screenshots go)."""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING, Any

import jwt
import pyotp
import pytest
from playwright.sync_api import Page, expect

from django_cognito import clock
from django_cognito.models import AppClient, PoolUser, UserPool
from django_cognito.services import pool_config, resources
from tests import factories
from tests.effects import last_code

from .conftest import oauth_client
from .test_browser import Authorization, sign_in_page, sign_out, submit_password
from .test_passwordless import allow_codes

if TYPE_CHECKING:  # the plugin module is loaded by pytest_plugins, not imported here
    from .chromium import Tab

pytest_plugins = ["tests.api_fixtures", "tests.hosted.chromium"]
# One browser per module: keep the module's tests on one xdist worker.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.xdist_group("chromium")]

WEAK = "Passw0rd"  # no symbol
EMAIL = "carol@example.com"


@pytest.fixture
def shop(api_base: str, app_site: str, transactional_db: Any) -> tuple[AppClient, str]:
    """A public client of a pool with a domain that asks for an email and a name at sign-up
    and requires MFA with authenticator apps (a user without one enrols on sign-in), and the
    domain's URL."""
    pool = factories.create_pool("shop", schema=[{"Name": "email", "Required": True},
                                                 {"Name": "name", "Required": True}])
    pool_config.set_mfa_config(pool, "ON", {"SoftwareTokenMfaConfiguration": {"Enabled": True}})
    resources.create_domain(pool, "auth-shop")
    client = oauth_client(pool, callback_urls=[f"{app_site}/callback"],
                          logout_urls=[f"{app_site}/signed-out"])
    return client, f"{api_base}/domains/auth-shop/"


def claims(authorization: Authorization, page: Page) -> dict[str, Any]:
    """The ID token's claims, from the code the browser brought back to the client."""
    page.wait_for_url(f"{authorization.oauth.redirect_uri}?*")
    token = authorization.redeem(page.url)
    found: dict[str, Any] = jwt.decode(token["id_token"], options={"verify_signature": False})
    return found


def other_than(code: str) -> str:
    """A well-formed code that is not ``code``."""
    return "000000" if code != "000000" else "111111"


def in_both_schemes(tab: Tab, name: str) -> None:
    """Check the page light and dark (its messages' colours change); photograph it light."""
    tab.page.emulate_media(color_scheme="dark")
    tab.check()
    tab.page.emulate_media(color_scheme="light")
    tab.check(name)


def totp_code(tab: Tab, code: str) -> None:
    """Answer SOFTWARE_TOKEN_MFA with ``code``."""
    page = tab.page
    expect(page.get_by_role("heading", name="Enter your authenticator code")).to_be_visible()
    tab.check()
    page.get_by_label("Code").fill(code)
    page.get_by_role("button", name="Continue").click()


def test_sign_up_enrol_sign_out_sign_in_and_reset_the_password(
        tab: Tab, shop: tuple[AppClient, str], app_site: str, api_base: str) -> None:
    clock.freeze()  # no TOTP step turns over between reading a code and checking it
    client, domain_url = shop
    callback = f"{app_site}/callback"

    # Sign up from the sign-in page: the required attributes and the password policy shown,
    # a weak password refused with what it lacks.
    first = Authorization(domain_url, client, callback)
    page = sign_in_page(tab, first)
    tab.check()
    page.get_by_role("link", name="Create an account").click()
    expect(page.get_by_role("heading", name="Create an account")).to_be_visible()
    rules = page.locator("#password-rules")
    for rule in ("at least 8 characters", "a lowercase letter", "an uppercase letter",
                 "a number", "a symbol"):
        expect(rules).to_contain_text(rule)
    expect(page.get_by_label("Password")).to_have_attribute("autocomplete", "new-password")
    tab.check("sign-up")

    page.get_by_label("Username").fill("carol")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Name", exact=True).fill("Carol Danvers")
    page.get_by_label("Password").fill(WEAK)
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_role("alert")).to_have_text(
        "Password did not conform with policy: Password must have symbol characters")
    expect(page.get_by_label("Name", exact=True)).to_have_value("Carol Danvers")
    expect(page.get_by_label("Password")).to_have_value("")
    expect(page.get_by_label("Password")).to_be_focused()  # the first field left to fill
    assert not PoolUser.objects.filter(pool=client.pool).exists()
    in_both_schemes(tab, "sign-up-error")

    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign up").click()

    # Confirm with the emailed code (a wrong one first): signed in, back at the client.
    expect(page.get_by_role("heading", name="Confirm your account")).to_be_visible()
    expect(page.locator(".lead")).to_contain_text("We sent a code to c***@e***")
    expect(page.get_by_label("Username")).to_have_value("carol")
    expect(page.get_by_label("Code")).to_be_focused()
    tab.check("confirm-account")
    code = last_code(EMAIL)
    page.get_by_label("Code").fill(other_than(code))
    page.get_by_role("button", name="Confirm account").click()
    expect(page.get_by_role("alert")).to_have_text(
        "Invalid verification code provided, please try again.")
    tab.check("confirm-account-error")
    page.get_by_label("Code").fill(code)
    page.get_by_role("button", name="Confirm account").click()
    signed_up = claims(first, page)
    assert signed_up["cognito:username"] == "carol" and signed_up["aud"] == client.id
    assert signed_up["email"] == EMAIL and signed_up["email_verified"] is True
    assert signed_up["name"] == "Carol Danvers"
    sign_out(page, domain_url, client, app_site)

    # Signed out, the next sign-in enrols an authenticator (MFA is required).
    second = Authorization(domain_url, client, callback)
    page = sign_in_page(tab, second)
    submit_password(page, factories.PASSWORD, "carol")
    expect(page.get_by_role("heading", name="Set up your authenticator")).to_be_visible()
    tab.check()
    secret = page.locator("code#secret").inner_text()
    page.get_by_label("Code from the app").fill(pyotp.TOTP(secret).at(clock.now()))
    page.get_by_role("button", name="Verify and continue").click()
    assert claims(second, page)["cognito:username"] == "carol"
    sign_out(page, domain_url, client, app_site)

    # Then it asks for the authenticator's code (of the next step: each is accepted once).
    clock.advance(dt.timedelta(seconds=30))
    third = Authorization(domain_url, client, callback)
    page = sign_in_page(tab, third)
    submit_password(page, factories.PASSWORD, "carol")
    totp_code(tab, pyotp.TOTP(secret).at(clock.now()))
    assert claims(third, page)["cognito:username"] == "carol"
    sign_out(page, domain_url, client, app_site)

    # A forgotten password: a code by email, a new password, and the sign-in page says so.
    fourth = Authorization(domain_url, client, callback)
    page = sign_in_page(tab, fourth)
    page.get_by_role("link", name="Forgot your password?").click()
    expect(page.get_by_role("heading", name="Forgot your password?")).to_be_visible()
    tab.check("forgot-password")
    page.get_by_label("Username").fill("carol")
    page.get_by_role("button", name="Send a code").click()
    expect(page.get_by_role("heading", name="Reset your password")).to_be_visible()
    expect(page.locator(".lead")).to_contain_text("We sent a code to c***@e***")
    expect(page.locator("#password-rules")).to_contain_text("a symbol")
    tab.check("reset-password")
    page.get_by_label("Code").fill(last_code(EMAIL))
    page.get_by_label("New password").fill(factories.NEW_PASSWORD)
    page.get_by_role("button", name="Reset password").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(page.get_by_role("status")).to_have_text(
        "Your password has been reset. Sign in with your new password.")
    expect(page.get_by_label("Username")).to_have_value("carol")
    expect(page.get_by_label("Password")).to_be_focused()
    in_both_schemes(tab, "sign-in-password-reset")

    page.get_by_label("Password").fill(factories.NEW_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    clock.advance(dt.timedelta(seconds=30))
    totp_code(tab, pyotp.TOTP(secret).at(clock.now()))
    assert claims(fourth, page)["cognito:username"] == "carol"

    assert tab.console_errors() == []
    assert tab.origins() == {api_base, app_site}, tab.requests


def test_an_emailed_code_signs_in_without_a_password(
        tab: Tab, domain_url: str, hosted_pool: UserPool, alice: PoolUser, app_site: str,
        api_base: str) -> None:
    allow_codes(hosted_pool)
    client = oauth_client(hosted_pool, callback_urls=[f"{app_site}/callback"],
                          explicit_auth_flows=["ALLOW_USER_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])
    authorization = Authorization(domain_url, client, f"{app_site}/callback")
    page = sign_in_page(tab, authorization)
    tab.check("sign-in-code-option")
    page.get_by_label("Username").fill("alice")
    page.get_by_role("button", name="Email me a sign-in code").click()
    expect(page.get_by_role("heading", name="Enter the code we emailed you")).to_be_visible()
    expect(page.locator(".lead")).to_have_text("We sent a code to a***@e***.")
    tab.check("email-code")
    page.get_by_label("Code").fill(last_code("alice@example.com"))
    page.get_by_role("button", name="Continue").click()
    assert claims(authorization, page)["cognito:username"] == "alice"

    assert tab.console_errors() == []
    assert tab.origins() == {api_base, app_site}, tab.requests


def test_lang_fr_shows_the_pages_in_french(
        tab: Tab, domain_url: str, web: AppClient, api_base: str) -> None:
    page = tab.page
    page.goto(Authorization(domain_url, web, "http://localhost:4321/cb", lang="fr").url)
    expect(page.get_by_role("heading", name="Se connecter")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page).to_have_title(re.compile(r"^Se connecter · "))
    expect(page.get_by_label("Mot de passe")).to_be_visible()
    tab.check("sign-in-fr")
    page.get_by_role("link", name="Créer un compte").click()  # the language follows
    expect(page.get_by_role("button", name="S’inscrire")).to_be_visible()
    tab.check()

    assert tab.console_errors() == []
    assert tab.origins() == {api_base}, tab.requests
