"""Pre token generation on the OAuth endpoints: its trigger sources, the grant's scopes in
the event, and what a V2/V3 response changes (reference §4.2)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from django_cognito import signals
from django_cognito.models import AppClient, PoolUser, UserPool

from .browser import Browser
from .conftest import callback_params, oauth_client, sign_in
from .test_code_flow import authorize, oauth_session, session_for, verify

pytest_plugins = ["tests.api_fixtures"]
pytestmark = pytest.mark.django_db(transaction=True)


def lambda_version(pool: UserPool, version: str) -> None:
    pool.lambda_config = {"PreTokenGenerationConfig": {
        "LambdaVersion": version,
        "LambdaArn": "arn:aws:lambda:us-east-1:123456789012:function:tokens"}}
    pool.save()


@pytest.fixture
def events(connect: Callable[..., Any]) -> list[dict[str, Any]]:
    seen: list[dict[str, Any]] = []

    def receiver(sender: Any, event: dict[str, Any], **kwargs: Any) -> None:
        seen.append(event)
        event["response"]["claimsAndScopeOverrideDetails"] = {
            "accessTokenGeneration": {"claimsToAddOrOverride": {"tenant": "acme"},
                                      "scopesToAdd": ["api/reports.read"]}}

    connect(signals.pre_token_generation, receiver)
    return seen


def test_code_exchange_and_refresh_send_their_sources_with_the_scopes(
        browser: Browser, domain_url: str, web: AppClient, alice: PoolUser,
        hosted_pool: UserPool, events: list[dict[str, Any]]) -> None:
    lambda_version(hosted_pool, "V2_0")
    oauth = session_for(web, scope="openid email")
    url, _, verifier = authorize(oauth, domain_url)
    code = callback_params(sign_in(browser, url))["code"]
    assert events == []  # signing in on the page issues no token yet
    token = oauth.fetch_token(f"{domain_url}oauth2/token", code=code, code_verifier=verifier)
    assert [e["triggerSource"] for e in events] == ["TokenGeneration_HostedAuth"]
    assert events[0]["request"]["scopes"] == ["openid", "email"]
    access = verify(token["access_token"], domain_url, hosted_pool)
    assert access["scope"] == "openid email api/reports.read" and access["tenant"] == "acme"
    refreshed = oauth.refresh_token(f"{domain_url}oauth2/token",
                                    refresh_token=token["refresh_token"])
    assert events[-1]["triggerSource"] == "TokenGeneration_RefreshTokens"
    assert verify(refreshed["access_token"], domain_url, hosted_pool)["tenant"] == "acme"


@pytest.mark.parametrize(("version", "fires"), [("V3_0", True), ("V2_0", False)])
def test_client_credentials_reach_only_a_v3_trigger(
        domain_url: str, hosted_pool: UserPool, events: list[dict[str, Any]], version: str,
        fires: bool) -> None:
    lambda_version(hosted_pool, version)
    machine = oauth_client(hosted_pool, secret=True, allowed_oauth_flows=["client_credentials"],
                           allowed_oauth_scopes=["api/reports.read", "api/reports.write"])
    token = oauth_session(machine.id, machine.secret).fetch_token(
        f"{domain_url}oauth2/token", grant_type="client_credentials", scope="api/reports.write")
    claims = verify(token["access_token"], domain_url, hosted_pool)
    if fires:
        assert [e["triggerSource"] for e in events] == ["TokenGeneration_ClientCredentials"]
        assert events[0]["request"]["scopes"] == ["api/reports.write"]
        assert claims["scope"] == "api/reports.write api/reports.read"
        assert claims["tenant"] == "acme"
    else:
        assert events == [] and claims["scope"] == "api/reports.write"
