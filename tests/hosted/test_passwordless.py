"""The managed login's one-time codes as a first factor, where the client allows USER_AUTH
and the pool's sign-in policy allows them."""

from __future__ import annotations

import pytest

from django_cognito.models import AppClient, PoolUser, UserPool
from django_cognito.services.pool_config import settings_of
from tests.effects import last_code

from .browser import Browser
from .conftest import callback_params, oauth_client
from .test_code_flow import authorize, session_for

pytest_plugins = ["tests.api_fixtures"]
pytestmark = pytest.mark.django_db(transaction=True)


def allow_codes(pool: UserPool) -> None:
    settings = settings_of(pool)
    settings.extra = {**settings.extra,
                      "SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD", "EMAIL_OTP"]}}
    settings.save()


def test_an_emailed_code_signs_in_without_a_password(
        browser: Browser, domain_url: str, hosted_pool: UserPool, alice: PoolUser) -> None:
    allow_codes(hosted_pool)
    client = oauth_client(hosted_pool, explicit_auth_flows=["ALLOW_USER_AUTH",
                                                            "ALLOW_REFRESH_TOKEN_AUTH"])
    oauth = session_for(client)
    url, state, verifier = authorize(oauth, domain_url)
    page = browser.get(url)
    assert page.form.buttons["factor"] == ["EMAIL_OTP"]
    asked = browser.submit(page, username="alice", factor="EMAIL_OTP")
    assert asked.form.fields["step"] == "EMAIL_OTP" and "a***@e***" in asked.text
    wrong = browser.submit(asked, answer="000000")
    assert wrong.response.status_code == 400
    done = browser.submit(wrong, answer=last_code("alice@example.com"))
    params = callback_params(done)
    assert params["state"] == state
    token = oauth.fetch_token(f"{domain_url}oauth2/token", code=params["code"],
                              code_verifier=verifier)
    assert "id_token" in token


def test_no_code_is_offered_without_user_auth(
        browser: Browser, domain_url: str, hosted_pool: UserPool, web: AppClient) -> None:
    allow_codes(hosted_pool)
    page = browser.get(authorize(session_for(web), domain_url)[0])
    assert "factor" not in page.form.buttons


def test_the_code_is_offered_on_every_sign_in_page(
        browser: Browser, domain_url: str, hosted_pool: UserPool, alice: PoolUser) -> None:
    allow_codes(hosted_pool)
    client = oauth_client(hosted_pool, explicit_auth_flows=["ALLOW_USER_AUTH"])
    page = browser.get(authorize(session_for(client), domain_url)[0])
    wrong = browser.submit(page, username="alice", password="not-the-password")
    assert wrong.response.status_code == 400 and wrong.form.buttons["factor"] == ["EMAIL_OTP"]
