"""The example project's DRF API and session login, with tokens of a local pool.

Covers what a project protecting its own views relies on: claims and the mapped Django user,
group and scope permissions, and tokens refused after GlobalSignOut, RevokeToken, disabling
and deleting the user — each with a 401 and a WWW-Authenticate challenge.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import authenticate
from django.test import Client, override_settings

from django_cognito.models import AppClient, UserPool
from django_cognito.services import access, admin_users, groups, recovery, signin, tokens
from tests.factories import PASSWORD, create_user

pytestmark = [pytest.mark.django_db, pytest.mark.urls("example_project.urls"),
              pytest.mark.usefixtures("reuse_rsa_keys")]


FLOWS = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]


@pytest.fixture
def app(pool: UserPool, make_client: Any, settings: Any) -> AppClient:
    settings.EXAMPLE_POOL_ID = pool.id  # the example's own pool, as its settings name it
    return make_client(pool, explicit_auth_flows=FLOWS)


def sign_in(client: AppClient, username: str = "alice") -> tokens.TokenSet:
    result = signin.initiate_auth(client, "USER_PASSWORD_AUTH",
                                {"USERNAME": username, "PASSWORD": PASSWORD})
    assert result.tokens is not None
    return result.tokens


@pytest.fixture
def alice(pool: UserPool) -> Any:
    return create_user(pool, attributes={}, temporary_password=None)


def get(path: str, token: str | None) -> Any:
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    return Client().get(path, **headers)


def assert_refused(response: Any) -> None:
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_me_returns_claims_and_the_mapped_django_user(app: AppClient, alice: Any) -> None:
    result = sign_in(app)
    response = get("/api/me/", result.access_token)
    assert response.status_code == 200
    body = response.json()
    assert body["claims"]["sub"] == str(alice.sub)
    assert body["claims"]["client_id"] == app.id
    assert body["claims"]["token_use"] == "access"
    assert body["django_user"] == {"id": alice.user.pk, "username": str(alice.sub)}


def test_missing_and_garbage_tokens_are_refused(app: AppClient, alice: Any) -> None:
    assert get("/api/me/", None).status_code == 401
    assert_refused(get("/api/me/", "not.a.token"))
    result = sign_in(app)
    assert_refused(get("/api/me/", result.id_token))  # an ID token where access is required


@pytest.mark.parametrize("revoke", ["global_sign_out", "revoke_token", "disable", "delete"])
def test_local_tokens_die_with_their_session(app: AppClient, alice: Any, revoke: str) -> None:
    result = sign_in(app)
    assert get("/api/me/", result.access_token).status_code == 200
    if revoke == "global_sign_out":
        tokens.global_sign_out(alice)
    elif revoke == "revoke_token":
        tokens.revoke_token(app, result.refresh_token)
    elif revoke == "disable":
        admin_users.set_enabled(alice, False)
    else:
        admin_users.admin_delete_user(alice)
    assert_refused(get("/api/me/", result.access_token))


def test_revoking_one_session_leaves_another(app: AppClient, alice: Any) -> None:
    first, second = sign_in(app), sign_in(app)
    tokens.revoke_token(app, first.refresh_token)
    assert_refused(get("/api/me/", first.access_token))
    assert get("/api/me/", second.access_token).status_code == 200


def test_revocation_check_costs_at_most_one_cached_query(
        app: AppClient, alice: Any, django_assert_max_num_queries: Any) -> None:
    result = sign_in(app)
    get("/api/me/", result.access_token)
    with django_assert_max_num_queries(1):  # the Django user; the family check is cached
        assert get("/api/me/", result.access_token).status_code == 200
    with django_assert_max_num_queries(0):
        assert get("/api/reports/", result.access_token).status_code == 403


def test_group_permission(app: AppClient, alice: Any, pool: UserPool) -> None:
    assert get("/api/admins/", sign_in(app).access_token).status_code == 403
    groups.add_user_to_group(alice, groups.create_group(pool, "admins"))
    response = get("/api/admins/", sign_in(app).access_token)
    assert response.status_code == 200
    assert response.json() == {"message": "hello, admin alice"}


def test_a_group_of_another_pool_is_not_the_examples(app: AppClient, alice: Any,
                                                    make_pool: Any, make_client: Any) -> None:
    """Issue 11, finding 8: with every local pool trusted, a user of another pool in a group
    that happens to be named "admins" (which a key scoped to that pool can create) is still
    refused: the example names the pool whose group it means."""
    tenant = make_pool(name="tenant")
    tenant_app = make_client(tenant, explicit_auth_flows=FLOWS)
    eve = create_user(tenant, "eve", attributes={}, temporary_password=None)
    groups.add_user_to_group(eve, groups.create_group(tenant, "admins"))
    token = sign_in(tenant_app, "eve").access_token
    assert get("/api/me/", token).status_code == 200  # trusted: every local pool, by default
    response = get("/api/admins/", token)
    assert response.status_code == 403
    assert response.json()["detail"] == "User is not in any of the groups: admins of its user pool."


def test_scope_permission_refuses_api_tokens(app: AppClient, alice: Any) -> None:
    # API sign-ins carry only aws.cognito.signin.user.admin (reference §3.3).
    assert get("/api/reports/", sign_in(app).access_token).status_code == 403


@override_settings(AUTHENTICATION_BACKENDS=["django_cognito.backends.CognitoTokenBackend"])
def test_session_login_from_an_id_token(app: AppClient, alice: Any) -> None:
    browser = Client(enforce_csrf_checks=False)
    assert browser.get("/session/me/").status_code == 302
    result = sign_in(app)
    refused = browser.post("/session/login/", {"id_token": result.access_token})
    assert refused.status_code == 401
    response = browser.post("/session/login/", {"id_token": result.id_token})
    assert response.status_code == 200
    assert response.json() == {"username": str(alice.sub)}
    assert browser.get("/session/me/").json() == {"username": str(alice.sub)}


@override_settings(AUTHENTICATION_BACKENDS=["django_cognito.backends.CognitoTokenBackend"])
@pytest.mark.parametrize("event", ["global_sign_out", "revoke_token", "password_change",
                                   "disable_then_enable"])
def test_a_session_from_tokens_ends_with_them(app: AppClient, alice: Any, event: str) -> None:
    """A Django session made from an ID token is tied to its token family: what revokes the
    family logs the session out (issue 11, finding 6), and re-enabling does not revive it."""
    browser = Client(enforce_csrf_checks=False)
    result = sign_in(app)
    assert browser.post("/session/login/", {"id_token": result.id_token}).status_code == 200
    other = Client(enforce_csrf_checks=False)  # a second session, of another sign-in
    assert other.post("/session/login/", {"id_token": sign_in(app).id_token}).status_code == 200
    assert browser.get("/session/me/").status_code == 200
    if event == "global_sign_out":
        tokens.global_sign_out(alice)
    elif event == "revoke_token":
        tokens.revoke_token(app, result.refresh_token)
    elif event == "password_change":
        recovery.change_password(alice, PASSWORD, "N3w-Passw0rd!")
    else:
        admin_users.set_enabled(alice, False)
        admin_users.set_enabled(alice, True)
    assert browser.get("/session/me/").status_code == 302  # logged out: to the login page
    assert browser.get("/session/me/").status_code == 302
    survives = event == "revoke_token"  # only that one family was revoked
    assert other.get("/session/me/").status_code == (200 if survives else 302)


def test_password_backend_follows_pool_rules(app: AppClient, alice: Any, pool: UserPool) -> None:
    backends = ["django_cognito.backends.CognitoPasswordBackend"]
    with override_settings(AUTHENTICATION_BACKENDS=backends):
        assert authenticate(None, username="alice", password=PASSWORD, pool_id=pool.id) == \
            alice.user
        assert authenticate(None, username="nobody", password=PASSWORD, pool_id=pool.id) is None
        for _ in range(5):
            assert authenticate(None, username="alice", password="wrong",
                                pool_id=pool.id) is None
        # Locked out: even the right password is refused until the lock lifts (§9).
        assert authenticate(None, username="alice", password=PASSWORD, pool_id=pool.id) is None
        admin_users.set_enabled(alice, False)
        with override_settings(COGNITO={"PUBLIC_BASE_URL": "http://testserver",
                                        "LOGIN_POOL": pool.id}):
            assert authenticate(None, username="alice", password=PASSWORD) is None


def test_local_pools_setting_limits_which_pools_and_clients_the_api_trusts(
        app: AppClient, alice: Any, make_pool: Any, make_client: Any, settings: Any) -> None:
    """With several pools (tenants, staff), a project names the ones its views trust: a
    token of another pool, or of another client, must not pass its group or scope checks."""
    tenant = make_pool(name="tenant")
    tenant_app = make_client(tenant, explicit_auth_flows=FLOWS)
    eve = admin_users.admin_create_user(tenant, "eve", message_action="SUPPRESS")
    admin_users.admin_set_user_password(eve, PASSWORD, permanent=True)
    ours, theirs = sign_in(app).access_token, sign_in(tenant_app, "eve").access_token
    assert get("/api/me/", theirs).status_code == 200  # default: every local pool
    other_app = make_client(app.pool, name="other", explicit_auth_flows=FLOWS)
    for setting, accepted, refused in (
            ([app.pool.id], [ours], [theirs]),
            ([{"user_pool_id": app.pool.id, "client_ids": [app.id]}], [ours],
             [theirs, sign_in(other_app).access_token]),
            ([{"user_pool_id": app.pool.id, "client_ids": [other_app.id]}], [], [ours])):
        settings.COGNITO = {**settings.COGNITO, "LOCAL_POOLS": setting}
        for token in accepted:
            assert get("/api/me/", token).status_code == 200
        for token in refused:
            assert_refused(get("/api/me/", token))
    # The Cognito API itself serves every pool's users whatever the setting says.
    user, _ = access.user_for_access_token(theirs)
    assert user.pk == eve.pk


@pytest.mark.parametrize("value", ["us-east-1_abc", [5], [{"pool": "x"}],
                                   [{"user_pool_id": "x", "client_ids": "abc"}],
                                   [{"user_pool_id": "x", "client_ids": 5}]])
def test_local_pools_setting_is_checked(settings: Any, value: Any) -> None:
    from django.core.exceptions import ImproperlyConfigured

    from django_cognito.verify import Verifier

    settings.COGNITO = {**settings.COGNITO, "LOCAL_POOLS": value}
    with pytest.raises(ImproperlyConfigured):
        Verifier.from_settings()
