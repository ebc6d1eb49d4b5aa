"""The whole redirect dance through an OpenID Connect IdP in headless Chromium: the managed
login's button, oidc-provider's login and consent pages, back to the client with a code."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import jwt
import pytest
from playwright.sync_api import Route, expect

from django_cognito.models import UserPool
from django_cognito.services.federation import providers
from tests.oidc_idp import OidcIdp, oidc_idp

from .conftest import oauth_client
from .test_browser import Authorization

if TYPE_CHECKING:
    from .chromium import Tab

pytest_plugins = ["tests.api_fixtures", "tests.hosted.chromium"]
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def idp(domain_url: str, settings: Any) -> Iterator[OidcIdp]:
    settings.COGNITO = {**settings.COGNITO, "FEDERATION_LOOPBACK_HTTP": True}
    with oidc_idp([{"client_id": "cognito", "client_secret": "s3cret",
                    "redirect_uris": [f"{domain_url}oauth2/idpresponse"]}]) as running:
        yield running


def only_loopback(route: Route) -> None:
    """oidc-provider's development pages pull a web font: nothing leaves the machine."""
    host = re.sub(r":\d+$", "", route.request.url.split("/")[2])
    if host in ("127.0.0.1", "localhost"):
        route.continue_()
    else:
        route.abort()


def test_sign_in_with_the_idp_button_in_chromium(tab: Tab, idp: OidcIdp, app_site: str,
                                                 hosted_pool: UserPool,
                                                 domain_url: str) -> None:
    providers.create_provider(hosted_pool, "Corp", "OIDC", {
        "client_id": "cognito", "client_secret": "s3cret", "oidc_issuer": idp.issuer,
        "authorize_scopes": "openid email profile", "attributes_request_method": "GET"},
        attribute_mapping={"email": "email", "name": "name"})
    client = oauth_client(hosted_pool, callback_urls=[f"{app_site}/callback"],
                          supported_identity_providers=["COGNITO", "Corp"])
    authorization = Authorization(domain_url, client, f"{app_site}/callback")
    page = tab.page
    page.route("**/*", only_loopback)
    page.goto(authorization.url)
    expect(page).to_have_url(re.compile(r"/login\?"))
    page.get_by_role("link", name=re.compile("Corp")).click()
    expect(page).to_have_url(re.compile(r"/interaction/"))
    page.locator("input[name=login]").fill("carol")
    page.locator("input[name=password]").fill("anything")
    page.locator("button[type=submit]").first.click()
    page.locator("button[type=submit]").first.click()  # consent
    expect(page).to_have_url(re.compile(re.escape(f"{app_site}/callback") + r"\?"))
    token = authorization.redeem(page.url)
    claims = jwt.decode(token["id_token"], options={"verify_signature": False})
    assert claims["cognito:username"] == "Corp_carol"
    assert claims["email"] == "carol@idp.example"
    assert claims["identities"][0]["providerName"] == "Corp"
    assert f"{hosted_pool.id}_Corp" in claims["cognito:groups"]
