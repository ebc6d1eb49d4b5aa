"""What a domain's token endpoint reads on every request (its domain, the client, the custom
scopes, a code and its user): cheap reads that still see every change at once."""

from __future__ import annotations

from typing import Any

import pytest

from django_cognito.clock import now
from django_cognito.hosted.server import Server
from django_cognito.models import AppClient, RefreshToken, UserPool, UserPoolDomain
from django_cognito.services import client_config, domains, pools, resources
from django_cognito.services.oauth import codes, grants, scopes
from tests import factories

SCOPES = ["api/read", "api/write"]


@pytest.fixture
def machine(pool: UserPool, make_client: Any) -> AppClient:
    resources.create_resource_server(pool, "api", "API", [
        {"ScopeName": "read", "ScopeDescription": "Read"},
        {"ScopeName": "write", "ScopeDescription": "Write"}])
    return make_client(pool, "machine", generate_secret=True,
                       allowed_oauth_flows_user_pool_client=True,
                       allowed_oauth_flows=["client_credentials"], allowed_oauth_scopes=SCOPES)


def test_a_domain_is_one_read_and_gone_at_once(pool: UserPool,
                                               django_assert_num_queries: Any) -> None:
    domain = resources.create_domain(pool, "lookups")
    found = domains.find("LookUps")
    assert found is not None and found.pk == domain.pk and found.pool.pk == pool.pk
    with django_assert_num_queries(1):  # the domain; its pool is the shared copy
        again = domains.find("lookups")
    assert again is not None and again.pool is found.pool
    resources.delete_domain(domain)
    assert domains.find("lookups") is None


def test_a_domain_given_to_another_pool_answers_for_it_at_once(pool: UserPool,
                                                               make_pool: Any) -> None:
    domain = resources.create_domain(pool, "moving")
    assert domains.find("moving").pool.pk == pool.pk  # type: ignore[union-attr]
    other = make_pool(name="other")
    UserPoolDomain.objects.filter(pk=domain.pk).update(pool=other)
    assert domains.find("moving").pool.pk == other.pk  # type: ignore[union-attr]


@pytest.mark.parametrize("name", ["", "x" * 64, "nul\x00", "\ud800", 7, None])
def test_what_no_domain_can_be_named_finds_none(db: Any, name: object) -> None:
    assert domains.find(name) is None


def test_the_client_is_the_pools_and_its_changes_count_at_once(
        pool: UserPool, machine: AppClient, make_pool: Any,
        django_assert_num_queries: Any) -> None:
    found = Server(pool).query_client(machine.id)
    assert found is not None and machine.secret and found.check_client_secret(machine.secret)
    assert found.check_grant_type("client_credentials")
    with django_assert_num_queries(0):
        Server(pool).query_client(machine.id)
    assert Server(make_pool(name="other")).query_client(machine.id) is None
    assert Server(pool).query_client("x" * 200) is None
    assert Server(pool).query_client(None) is None  # type: ignore[arg-type]
    client_config.update_user_pool_client(pools.get_client(machine.id), name="machine",
                                          allowed_oauth_scopes=SCOPES)
    changed = Server(pool).query_client(machine.id)
    assert changed is not None and not changed.check_grant_type("client_credentials")
    client_config.delete_user_pool_client(pools.get_client(machine.id))
    assert Server(pool).query_client(machine.id) is None


def test_a_scope_taken_off_its_resource_server_is_not_granted(pool: UserPool,
                                                              machine: AppClient) -> None:
    held = Server(pool).query_client(machine.id)
    assert held is not None
    assert scopes.custom_scopes(held.model, None) == SCOPES
    assert scopes.custom_scopes(held.model, "api/write openid api/other") == ["api/write"]
    server = resources.get_resource_server(pool, "api")
    resources.update_resource_server(server, "API", [{"ScopeName": "read",
                                                      "ScopeDescription": "Read"}])
    # Even a copy of the client read before the change grants it no more.
    assert scopes.custom_scopes(held.model, None) == ["api/read"]


def test_a_client_without_custom_scopes_reads_no_resource_server(
        pool: UserPool, make_client: Any, django_assert_num_queries: Any) -> None:
    client = make_client(pool, allowed_oauth_flows_user_pool_client=True,
                         allowed_oauth_flows=["code"], callback_urls=["https://a.example/cb"],
                         allowed_oauth_scopes=["openid", "email"])
    with django_assert_num_queries(0):
        assert scopes.custom_scopes(client, None) == []


def test_a_code_is_read_once_with_its_user_and_a_replay_ends_its_family(
        pool: UserPool, make_client: Any, django_assert_num_queries: Any) -> None:
    code_flow = {"allowed_oauth_flows_user_pool_client": True, "allowed_oauth_flows": ["code"],
                 "callback_urls": ["https://a.example/cb"], "allowed_oauth_scopes": ["openid"]}
    web, other = make_client(pool, "web", **code_flow), make_client(pool, "other", **code_flow)
    user = factories.create_user(pool)
    code = codes.issue(web, user, redirect_uri="https://a.example/cb", scopes=["openid"],
                       auth_time=now())
    assert codes.redeem(other, code) is None
    with django_assert_num_queries(3):  # mark it used; read it; read its user
        record = codes.redeem(web, code)
    assert record is not None and record.user.pk == user.pk and record.user.pool is web.pool
    assert record.redirect_uri == "https://a.example/cb" and record.scopes == ["openid"]
    tokens = grants.exchange_code(web, record)
    assert codes.redeem(web, code) is None
    family = RefreshToken.objects.get(origin_jti=record.origin_jti)
    assert family.revoked_at is not None and tokens.refresh_token
