"""A live server with a pool that has a domain, OAuth app clients and a user."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from django_cognito.models import AppClient, PoolUser, UserPool
from django_cognito.services import resources
from tests import factories

from .browser import Browser, Page

CALLBACK = "https://app.example.com/callback"
LOGOUT = "https://app.example.com/signed-out"
DOMAIN = "auth-test"


@pytest.fixture
def hosted_pool(api_base: str, transactional_db: Any) -> UserPool:
    pool = factories.create_pool("hosted-pool")
    resources.create_domain(pool, DOMAIN)
    resources.create_resource_server(pool, "api", "API", [
        {"ScopeName": "reports.read", "ScopeDescription": "Read reports"},
        {"ScopeName": "reports.write", "ScopeDescription": "Write reports"}])
    return pool


@pytest.fixture
def domain_url(api_base: str, hosted_pool: UserPool) -> str:
    return f"{api_base}/domains/{DOMAIN}/"


def oauth_client(pool: UserPool, *, secret: bool = False, **config: Any) -> AppClient:
    settings: dict[str, Any] = {
        "allowed_oauth_flows_user_pool_client": True,
        "allowed_oauth_flows": ["code", "implicit"],
        "allowed_oauth_scopes": ["openid", "email", "profile", "phone",
                                 "aws.cognito.signin.user.admin"],
        "callback_urls": [CALLBACK, "http://localhost:4321/cb"],
        "logout_urls": [LOGOUT],
        "supported_identity_providers": ["COGNITO"],
        "explicit_auth_flows": ["ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH"],
        "generate_secret": secret,
    }
    settings.update(config)
    return factories.create_client(pool, "web", **settings)


@pytest.fixture
def web(hosted_pool: UserPool) -> AppClient:
    """A public client: authorization code (with PKCE) and implicit."""
    return oauth_client(hosted_pool)


@pytest.fixture
def alice(hosted_pool: UserPool) -> PoolUser:
    return factories.create_user(hosted_pool, "alice", attributes={
        "email": "alice@example.com", "email_verified": "true",
        "phone_number": "+15555550100", "phone_number_verified": "false",
        "name": "Alice Liddell"})


@pytest.fixture
def browser(domain_url: str) -> Iterator[Browser]:
    b = Browser(domain_url.split("/domains/")[0])
    yield b
    b.session.close()


def callback_params(page: Page) -> dict[str, str]:
    """The query (or fragment) parameters of the redirect to the client."""
    assert page.left_to is not None, page.text[:800]
    parts = urlsplit(page.left_to)
    raw = parts.fragment if parts.fragment and not parts.query else parts.query
    return {k: v[0] for k, v in parse_qs(raw).items()}


def sign_in(browser: Browser, authorize_url: str, username: str = "alice",
            password: str = factories.PASSWORD) -> Page:
    """Open an authorization URL, sign in on the page it shows, and return where it ends."""
    page = browser.get(authorize_url)
    assert page.left_to is None and "password" in page.form.fields, page.text[:800]
    return browser.submit(page, username=username, password=password)
