"""The managed login's account pages over real HTTP: sign up, confirm the account, forgotten
passwords, and the sign-in page sending unconfirmed and reset users to them."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode, urljoin

import pytest
import requests

from django_cognito import signals
from django_cognito.models import AppClient, PoolUser, UserPool, UserStatus
from django_cognito.services import recovery, resources, signup
from tests import factories
from tests.effects import last_code, outboxes

from .browser import Browser, Page
from .conftest import CALLBACK, callback_params, oauth_client, sign_in

pytest_plugins = ["tests.api_fixtures"]
pytestmark = pytest.mark.django_db(transaction=True)

WEAK = "Passw0rd"  # no symbol


def authorize_url(domain_url: str, client: AppClient, state: str = "st-1") -> str:
    return f"{domain_url}oauth2/authorize?" + urlencode({
        "response_type": "code", "client_id": client.id, "redirect_uri": CALLBACK,
        "state": state, "scope": "openid email"})


def follow(browser: Browser, page: Page, path: str) -> Page:
    """Open the page's link to the domain's ``path``."""
    match = re.search(rf'href="([^"]*/{path}\?[^"]*)"', page.text)
    assert match, page.text[:800]
    return browser.get(urljoin(page.response.url, html.unescape(match.group(1))))


def pool_with_domain(api_base: str, name: str, domain: str, **config: Any
                     ) -> tuple[AppClient, str]:
    """An OAuth client of a new pool with a domain, and the domain's URL."""
    pool = factories.create_pool(name, **config)
    resources.create_domain(pool, domain)
    return oauth_client(pool), f"{api_base}/domains/{domain}/"


@pytest.fixture
def shop(api_base: str, transactional_db: Any) -> tuple[AppClient, str]:
    """A pool that requires an email and a name at sign-up."""
    return pool_with_domain(api_base, "shop", "auth-shop", schema=[
        {"Name": "email", "Required": True}, {"Name": "name", "Required": True}])


def test_sign_up_confirm_and_continue_to_the_client(
        browser: Browser, shop: tuple[AppClient, str]) -> None:
    client, domain_url = shop
    pool = client.pool
    url = authorize_url(domain_url, client)
    login = browser.get(url)
    page = follow(browser, login, "signup")
    assert page.response.status_code == 200
    assert set(page.form.fields) >= {"csrfmiddlewaretoken", "query", "username", "password",
                                     "email", "name"}
    for shown in ('for="field-name">Name</label>', 'for="field-email">Email',
                  'autocomplete="new-password"', 'type="email"', 'autocomplete="name"',
                  "at least 8 characters", "an uppercase letter", "a number", "a symbol"):
        assert shown in page.text, shown

    weak = browser.submit(page, username="carol", password=WEAK, email="carol@example.com",
                          name="Carol")
    assert weak.response.status_code == 400
    assert "Password did not conform with policy: Password must have symbol characters" in \
        weak.text
    assert weak.form.fields["name"] == "Carol" and weak.form.fields.get("password", "") == ""
    assert not PoolUser.objects.filter(pool=pool).exists()

    confirm = browser.submit(weak, password=factories.PASSWORD)
    assert confirm.response.status_code == 200 and "We sent a code to c***@e***" in confirm.text
    assert confirm.form.action.endswith("/confirmUser")
    assert confirm.form.fields["username"] == "carol"
    wrong = browser.submit(confirm, code="000000")
    assert wrong.response.status_code == 400
    assert "Invalid verification code provided, please try again." in wrong.text
    assert "We sent a code to c***@e***" in wrong.text  # still says where the code went

    done = browser.submit(wrong, code=last_code("carol@example.com"))
    params = callback_params(done)
    assert params["state"] == "st-1"
    token = requests.post(f"{domain_url}oauth2/token", timeout=10, data={
        "grant_type": "authorization_code", "code": params["code"], "redirect_uri": CALLBACK,
        "client_id": client.id})
    assert token.status_code == 200 and {"id_token", "refresh_token"} <= set(token.json())
    user = PoolUser.objects.get(pool=pool, username="carol")
    assert user.status == UserStatus.CONFIRMED and user.is_verified("email")
    assert user.attributes["name"] == "Carol"


def test_a_new_code_confirms_the_account(
        browser: Browser, shop: tuple[AppClient, str]) -> None:
    client, domain_url = shop
    url = authorize_url(domain_url, client)
    page = follow(browser, browser.get(url), "signup")
    confirm = browser.submit(page, username="dan", password=factories.PASSWORD,
                             email="dan@example.com", name="Dan")
    assert outboxes() == (1, 0)
    again = browser.submit(confirm, action="resend")
    assert again.response.status_code == 200 and "We sent you a new code." in again.text
    assert "We sent a code to d***@e***" in again.text and outboxes() == (2, 0)
    assert callback_params(browser.submit(again, code=last_code("dan@example.com")))["code"]


def test_auto_confirmed_sign_up_in_an_email_username_pool_signs_in(
        browser: Browser, api_base: str, transactional_db: Any,
        connect: Callable[..., Any]) -> None:
    client, domain_url = pool_with_domain(api_base, "mail", "auth-mail",
                                          username_attributes=["email"])
    url = authorize_url(domain_url, client)

    def confirm(sender: Any, event: dict[str, Any], **kwargs: Any) -> None:
        event["response"]["autoConfirmUser"] = True

    connect(signals.pre_sign_up, confirm)
    page = follow(browser, browser.get(url), "signup")
    assert '<label class="label-customizable" for="username">Email</label>' in page.text
    assert 'type="email" id="username"' in page.text and "email" not in page.form.fields
    done = browser.submit(page, username="erin@example.com", password=factories.PASSWORD)
    assert callback_params(done)["state"] == "st-1"


@pytest.mark.parametrize("secret", [False, True], ids=["public", "confidential"])
def test_forgot_password_then_sign_in_with_the_new_password(
        browser: Browser, domain_url: str, hosted_pool: UserPool, alice: PoolUser,
        secret: bool) -> None:
    url = authorize_url(domain_url, oauth_client(hosted_pool, secret=secret))
    page = follow(browser, browser.get(url), "forgotPassword")
    assert 'autocomplete="username"' in page.text
    sent = browser.submit(page, username="alice")
    assert sent.response.status_code == 200 and "We sent a code to a***@e***" in sent.text
    assert sent.form.action.endswith("/confirmforgotPassword")
    code = last_code("alice@example.com")
    weak = browser.submit(sent, code=code, password=WEAK)
    assert weak.response.status_code == 400
    assert "Password did not conform with policy: Password must have symbol characters" in \
        weak.text
    reset = browser.submit(weak, code=code, password=factories.NEW_PASSWORD)
    assert reset.response.status_code == 200
    assert "Your password has been reset." in reset.text and reset.form.action.endswith("/login")
    old = browser.submit(reset, username="alice", password=factories.PASSWORD)
    assert "Incorrect username or password." in old.text
    done = browser.submit(old, username="alice", password=factories.NEW_PASSWORD)
    assert callback_params(done)["state"] == "st-1"


def _shape(text: str) -> str:
    """A page less what differs from one username to another: the name and where the code
    went (a stable, simulated destination for someone who is not there), and the CSRF token."""
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", text)
    text = re.sub(r'(id="username" name="username" value=)"[^"]*"', r"\1", text)
    return re.sub(r"We sent a code to \S+", "We sent a code to", text)


def test_unknown_user_gets_the_same_pages_under_prevent_user_existence_errors(
        browser: Browser, domain_url: str, hosted_pool: UserPool, alice: PoolUser) -> None:
    hiding = oauth_client(hosted_pool, prevent_user_existence_errors="ENABLED")
    url = authorize_url(domain_url, hiding)
    pages = {}
    for name in ("alice", "nobody"):
        page = follow(browser, browser.get(url), "forgotPassword")
        sent = browser.submit(page, username=name)
        wrong = browser.submit(sent, code="123456", password=factories.NEW_PASSWORD)
        pages[name] = (sent, wrong)
    (real, real_wrong), (unknown, unknown_wrong) = pages["alice"], pages["nobody"]
    assert real.response.status_code == unknown.response.status_code == 200
    assert _shape(real.text) == _shape(unknown.text)
    assert "We sent a code to" in unknown.text
    assert real_wrong.response.status_code == unknown_wrong.response.status_code == 400
    assert "Invalid verification code provided, please try again." in unknown_wrong.text
    assert _shape(real_wrong.text) == _shape(unknown_wrong.text)


def test_unconfirmed_user_signing_in_is_sent_to_confirm(
        browser: Browser, domain_url: str, web: AppClient) -> None:
    signup.sign_up(web, "frank", factories.PASSWORD, {"email": "frank@example.com"})
    page = sign_in(browser, authorize_url(domain_url, web), "frank")
    assert page.response.url.split("?")[0].endswith("/confirmUser")
    assert page.form.fields["username"] == "frank" and "username" not in page.form.fields["query"]
    done = browser.submit(page, code=last_code("frank@example.com"))
    assert callback_params(done)["state"] == "st-1"


def test_user_whose_password_must_be_reset_is_sent_to_forgot_password(
        browser: Browser, domain_url: str, web: AppClient, alice: PoolUser) -> None:
    recovery.admin_reset_user_password(alice)
    page = sign_in(browser, authorize_url(domain_url, web))
    assert page.response.url.split("?")[0].endswith("/forgotPassword")
    sent = browser.submit(page)
    reset = browser.submit(sent, code=last_code("alice@example.com"),
                           password=factories.NEW_PASSWORD)
    done = browser.submit(reset, username="alice", password=factories.NEW_PASSWORD)
    assert callback_params(done)["code"]


@pytest.mark.parametrize("path", ["signup", "confirmUser", "forgotPassword",
                                  "confirmforgotPassword"])
def test_a_post_without_the_csrf_token_is_refused(
        browser: Browser, domain_url: str, web: AppClient, path: str) -> None:
    url = authorize_url(domain_url, web)
    page = browser.get(f"{domain_url}{path}?{url.split('?', 1)[1]}")
    fields = dict(page.form.fields, username="alice", password=factories.NEW_PASSWORD,
                  code="123456")
    assert page.response.status_code == 200 and "csrftoken" in browser.session.cookies
    fields.pop("csrfmiddlewaretoken")
    refused = browser.session.post(page.response.url.split("?")[0], data=fields, timeout=10,
                                   allow_redirects=False)
    assert refused.status_code == 403


def test_pages_need_a_valid_authorization_request(domain_url: str, web: AppClient) -> None:
    for path in ("signup", "confirmUser", "forgotPassword", "confirmforgotPassword"):
        page = requests.get(f"{domain_url}{path}?client_id={web.id}", timeout=10)
        assert page.status_code == 400 and "invalid_request" in page.text


def test_no_sign_up_where_only_administrators_create_users(
        browser: Browser, domain_url: str, web: AppClient, hosted_pool: UserPool) -> None:
    hosted_pool.admin_create_user_config = {"AllowAdminCreateUserOnly": True}
    hosted_pool.save()
    url = authorize_url(domain_url, web)
    login = browser.get(url)
    assert "/signup?" not in login.text and "/forgotPassword?" in login.text
    refused = browser.get(f"{domain_url}signup?{url.split('?', 1)[1]}")
    assert refused.response.status_code == 400
    assert "SignUp is not permitted for this user pool" in refused.text


def test_a_client_without_cognito_offers_no_account_of_the_pool(
        browser: Browser, domain_url: str, hosted_pool: UserPool, alice: PoolUser) -> None:
    from django_cognito.models import IdentityProvider

    IdentityProvider.objects.create(pool=hosted_pool, name="Corp", provider_type="OIDC")
    client = oauth_client(hosted_pool, supported_identity_providers=["Corp"])
    query = urlencode({"response_type": "code", "client_id": client.id,
                       "redirect_uri": CALLBACK})
    for page in ("signup", "forgotPassword", "confirmUser", "confirmforgotPassword"):
        answer = browser.get(f"{domain_url}{page}?{query}")
        assert answer.response.status_code == 400 and answer.left_to is None, page
    login = browser.get(f"{domain_url}login?{query}")
    assert 'name="password"' not in login.text and "identity_provider=Corp" in login.text
    # A form of another client's page, posted with this client's query: still refused.
    native = oauth_client(hosted_pool)
    form_page = browser.get(f"{domain_url}login?" + urlencode({
        "response_type": "code", "client_id": native.id, "redirect_uri": CALLBACK}))
    refused = browser.submit(form_page, query=query, username="alice",
                             password=factories.PASSWORD)
    assert refused.response.status_code == 400 and refused.left_to is None
    assert "does not allow" in refused.text
