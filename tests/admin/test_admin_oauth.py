"""The admin edits an app client's OAuth settings with the API's rules, links to its managed
login, and creates pool domains."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.admin.utils import quote
from django.test import Client
from django.urls import reverse

from django_cognito.models import AppClient, UserPoolDomain
from django_cognito.services import resources
from tests import factories

pytestmark = pytest.mark.django_db


def url(model: str, view: str, *args: Any) -> str:
    return reverse(f"admin:django_cognito_{model}_{view}", args=[quote(a) for a in args])


@pytest.fixture
def client(admin_client: Client) -> Client:
    return admin_client


def change_data(app: AppClient, **oauth: str | list[str] | bool) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": app.name, "explicit_auth_flows": app.explicit_auth_flows,
        "auth_session_validity": app.auth_session_validity,
        "prevent_user_existence_errors": app.prevent_user_existence_errors,
        "enable_token_revocation": "on", "allowed_oauth_flows_user_pool_client": "on",
        "allowed_oauth_flows": ["code"], "allowed_oauth_scopes": "openid\nemail",
        "supported_identity_providers": "COGNITO",
        "callback_urls": "https://app.example.com/cb\nhttp://localhost:3000/cb",
        "logout_urls": "https://app.example.com/bye", "default_redirect_uri": ""}
    data.update(oauth)
    return {k: v for k, v in data.items() if v is not False}


def test_oauth_settings_are_editable_and_link_to_the_managed_login(client: Client) -> None:
    pool = factories.create_pool("admin-oauth")
    app = factories.create_client(pool, "web")
    resources.create_domain(pool, "admin-oauth-test")
    response = client.post(url("appclient", "change", app.pk), change_data(app))
    assert response.status_code == 302, response.content[:2000]
    app.refresh_from_db()
    assert app.allowed_oauth_flows == ["code"] and app.allowed_oauth_scopes == ["openid", "email"]
    assert app.callback_urls == ["https://app.example.com/cb", "http://localhost:3000/cb"]
    page = client.get(url("appclient", "change", app.pk)).content.decode()
    assert "Try hosted login" in page
    assert "/domains/admin-oauth-test/oauth2/authorize?client_id=" in page


@pytest.mark.parametrize(("field", "value", "message"), [
    ("callback_urls", "http://app.example.com/cb", "must use https"),
    ("callback_urls", "https://app.example.com/cb#x", "must not contain a fragment"),
    ("allowed_oauth_scopes", "openid\nnot/a-scope", "Invalid scope requested"),
    ("supported_identity_providers", "Google", "does not exist"),
    ("allowed_oauth_flows", ["client_credentials"], "client secret"),
])
def test_oauth_settings_the_api_refuses_are_form_errors(client: Client, field: str, value: Any,
                                                        message: str) -> None:
    pool = factories.create_pool("admin-oauth")
    app = factories.create_client(pool, "web")
    response = client.post(url("appclient", "change", app.pk),
                           change_data(app, **{field: value}))
    assert response.status_code == 200 and message in response.content.decode()
    app.refresh_from_db()
    assert app.allowed_oauth_flows == []


def test_domains_are_created_with_the_api_rules(client: Client) -> None:
    pool = factories.create_pool("admin-domains")
    refused = client.post(url("userpooldomain", "add"), {
        "pool": pool.pk, "domain": "my-cognito-login", "managed_login_version": 1})
    assert refused.status_code == 200 and "reserved word" in refused.content.decode()
    created = client.post(url("userpooldomain", "add"), {
        "pool": pool.pk, "domain": "shop-login", "managed_login_version": 2})
    assert created.status_code == 302
    domain = UserPoolDomain.objects.get(domain="shop-login")
    assert domain.pool == pool and domain.managed_login_version == 2
    listing = client.get(url("userpooldomain", "changelist")).content.decode()
    assert "/domains/shop-login/" in listing
