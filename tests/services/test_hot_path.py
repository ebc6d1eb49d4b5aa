"""The sign-in hot path: cached clients and pools, prepared reads and writes, sealed secrets."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext

from django_cognito import prepared
from django_cognito.crypto.fields import Sealed
from django_cognito.exceptions import InvalidParameterException, ResourceNotFoundException
from django_cognito.models import AppClient, PoolUser, RefreshToken, UserPool
from django_cognito.services import (
    client_config,
    config_cache,
    pool_config,
    pools,
    signin,
    users,
)
from django_cognito.tokens.issuer import issuer_for
from tests.factories import PASSWORD, create_user

FLOWS = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]


def sign_in(client: AppClient, username: str = "alice") -> signin.AuthResult:
    return signin.initiate_auth(client, "USER_PASSWORD_AUTH",
                              {"USERNAME": username, "PASSWORD": PASSWORD})


def queries(call: Any) -> tuple[Any, list[str]]:
    with CaptureQueriesContext(connection) as captured:
        result = call()
    return result, [q["sql"] for q in captured.captured_queries]


# Cached clients and pools -------------------------------------------------------------------
@pytest.fixture
def app(pool: UserPool, make_client: Any) -> AppClient:
    return make_client(pool, explicit_auth_flows=FLOWS)


def test_a_loaded_client_is_reused_without_queries(app: AppClient) -> None:
    first = config_cache.client(app.pk)
    again, sql = queries(lambda: config_cache.client(app.pk))
    assert again is first and sql == []
    settings, sql = queries(lambda: pool_config.settings_of(again.pool))
    assert sql == [] and settings.pool_id == app.pool_id
    assert first.pool.pk == app.pool_id and first.name == app.name


def test_a_pool_copy_is_reused_and_refused_for_another_pool(app: AppClient, make_pool: Any
                                                            ) -> None:
    first = config_cache.pool(app.pool_id)
    again, sql = queries(lambda: config_cache.pool(app.pool_id))
    assert again is first and sql == []
    other = make_pool(name="other")
    with pytest.raises(ResourceNotFoundException):
        config_cache.client(app.pk, other)
    assert config_cache.client(app.pk, first).pk == app.pk


def test_updating_a_client_is_seen_by_the_next_sign_in(pool: UserPool, app: AppClient) -> None:
    create_user(pool, attributes={})
    assert sign_in(config_cache.client(app.pk)).tokens is not None
    client_config.update_user_pool_client(pools.get_client(app.pk),
                                          explicit_auth_flows=["ALLOW_USER_SRP_AUTH"])
    with pytest.raises(InvalidParameterException, match="USER_PASSWORD_AUTH flow not enabled"):
        sign_in(config_cache.client(app.pk))


def test_deleting_a_client_or_pool_is_seen(pool: UserPool, app: AppClient) -> None:
    config_cache.client(app.pk)
    config_cache.pool(pool.pk)
    client_config.delete_user_pool_client(pools.get_client(app.pk))
    with pytest.raises(ResourceNotFoundException):
        config_cache.client(app.pk)
    UserPool.objects.filter(pk=pool.pk).delete()
    with pytest.raises(ResourceNotFoundException):
        config_cache.pool(pool.pk)


def test_changed_pool_settings_are_seen(pool: UserPool, app: AppClient) -> None:
    cached = config_cache.client(app.pk)
    assert pool_config.settings_of(cached.pool).extra == {}
    pool_config.save_extra(pools.get_pool(pool.pk),
                           {"DeviceConfiguration": {"ChallengeRequiredOnNewDevice": True}})
    fresh = config_cache.client(app.pk)
    assert fresh is not cached
    assert pool_config.settings_of(fresh.pool).extra == {
        "DeviceConfiguration": {"ChallengeRequiredOnNewDevice": True}}
    pool_config.update_user_pool(pools.get_pool(pool.pk), name="renamed")
    assert config_cache.pool(pool.pk).name == "renamed"
    assert config_cache.client(app.pk).pool.name == "renamed"


def test_another_process_change_is_seen_through_the_stamp(pool: UserPool, app: AppClient
                                                          ) -> None:
    cached = config_cache.client(app.pk)
    # Another process writes the row and replaces the stamp; this process's copy is then old.
    AppClient.objects.filter(pk=app.pk).update(name="changed elsewhere")
    assert config_cache.client(app.pk).name == app.name
    config_cache.invalidate(pool.pk)
    reloaded = config_cache.client(app.pk)
    assert reloaded is not cached and reloaded.name == "changed elsewhere"


def test_a_lost_stamp_reads_as_a_change(pool: UserPool, app: AppClient) -> None:
    cached = config_cache.client(app.pk)
    AppClient.objects.filter(pk=app.pk).update(name="renamed")
    cache.clear()
    assert config_cache.client(app.pk) is not cached
    assert config_cache.client(app.pk).name == "renamed"


def test_a_cache_that_keeps_nothing_reads_every_time(pool: UserPool, app: AppClient,
                                                    settings: Any) -> None:
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    first = config_cache.client(app.pk)
    AppClient.objects.filter(pk=app.pk).update(name="renamed")
    again, sql = queries(lambda: config_cache.client(app.pk))
    assert again is not first and again.name == "renamed" and sql


@pytest.mark.django_db(transaction=True)
def test_the_stamp_moves_at_once_and_again_at_commit(make_pool: Any, make_client: Any) -> None:
    pool = make_pool()
    client = make_client(pool)
    before = config_cache.stamp(pool.pk)
    with transaction.atomic():
        client.name = "inside"
        client.save()
        during = config_cache.stamp(pool.pk)
        assert during != before
    assert config_cache.stamp(pool.pk) not in (before, during)
    assert config_cache.client(client.pk).name == "inside"


@pytest.mark.parametrize("bad", [None, 12, "x" * 129, ["id"]])
def test_bad_client_ids_are_not_found(db: Any, bad: object) -> None:
    with pytest.raises(ResourceNotFoundException):
        config_cache.client(bad)


@pytest.mark.parametrize("bad", [None, "no-underscore", "us-east-1_ spaced", "a" * 56, "é_x"])
def test_bad_pool_ids_are_not_found_without_touching_the_cache(db: Any, bad: object) -> None:
    with pytest.raises(ResourceNotFoundException):
        config_cache.pool(bad)
    assert not any(isinstance(k, str) and "pool-stamp" in k
                   for k in getattr(cache, "_cache", {}))


# Prepared reads and writes ------------------------------------------------------------------
def test_a_sign_in_reads_and_writes_few_rows(pool: UserPool, app: AppClient) -> None:
    create_user(pool)
    cached = config_cache.client(app.pk)
    sign_in(cached)
    result, sql = queries(lambda: sign_in(cached))
    assert result.tokens is not None
    tables = [s.split()[0] + " " + next(w for w in s.replace('"', " ").split()
                                         if w.startswith("django_cognito_"))
              for s in sql]
    assert tables == ["SELECT django_cognito_pooluser", "INSERT django_cognito_refreshtoken",
                      "SELECT django_cognito_group"], sql


@pytest.mark.parametrize("config", [
    {},
    {"alias_attributes": ["email", "preferred_username"]},
    {"username_attributes": ["email"]},
    {"alias_attributes": ["phone_number"], "case_sensitive": False},
])
def test_find_user_answers_as_the_orm_does(make_pool: Any, config: dict[str, Any]) -> None:
    pool = make_pool(**config)
    username = "bob@example.com" if config.get("username_attributes") else "Bob"
    attributes = {"email": "bob@example.com", "email_verified": "true"}
    if "phone_number" in config.get("alias_attributes", []):
        attributes.update(phone_number="+15550100", phone_number_verified="true")
    if "preferred_username" in config.get("alias_attributes", []):
        attributes["preferred_username"] = "bobby"
    bob = create_user(pool, username, attributes=attributes)
    names = [username, username.upper(), "bob@example.com", "+15550100", "bobby", "nobody"]
    for name in names * 2:  # the second round runs the compiled statement
        found = users.find_user(pool, name)
        expected = PoolUser.objects.filter(pk=bob.pk).first() if found else None
        assert found == expected
        if found is not None:
            assert found.attributes == bob.attributes and found.sub == bob.sub
            assert found.password == bob.password and found.status == bob.status


def test_a_transformed_argument_falls_back_to_the_orm(pool: UserPool) -> None:
    bob = create_user(pool, "bob", attributes={})

    def build(args: Any) -> Any:
        return PoolUser.objects.filter(pool_id=args[0], username__icontains=args[1])

    for _ in range(2):
        assert prepared.fetch(("test-icontains",), PoolUser, build, [pool.pk, "OB"]) == [bob]
    assert connections["default"].__dict__["_cognito_prepared"][("test-icontains",)] is None


def test_a_lowered_or_unconvertible_argument_falls_back_to_the_orm(pool: UserPool) -> None:
    bob = create_user(pool, "bob", attributes={})

    def lowered(args: Any) -> Any:
        return PoolUser.objects.filter(pool_id=args[0], username__iexact=args[1])

    def as_uuid(args: Any) -> Any:
        return PoolUser.objects.filter(pool_id=args[0], sub=args[1])

    for _ in range(2):
        assert prepared.fetch(("test-iexact",), PoolUser, lowered, [pool.pk, "BOB"]) == [bob]
        # Escaped by the ORM for LIKE where iexact uses it: never a wildcard here either.
        assert prepared.fetch(("test-iexact",), PoolUser, lowered, [pool.pk, "b_b"]) == []
        assert prepared.fetch(("test-iexact",), PoolUser, lowered, [pool.pk, "b%"]) == []
        assert prepared.fetch(("test-uuid",), PoolUser, as_uuid, [pool.pk, str(bob.sub)]) \
            == [bob]
    store = connections["default"].__dict__["_cognito_prepared"]
    assert store[("test-uuid",)] is None


def test_a_sign_in_writes_its_refresh_token_row(pool: UserPool, app: AppClient) -> None:
    create_user(pool, attributes={})
    result = sign_in(config_cache.client(app.pk))
    assert result.tokens is not None and result.tokens.refresh_token
    row = RefreshToken.objects.get(user__username="alice")
    assert row.client_id == app.pk and row.revoked_at is None and row.rotated_at is None
    assert row.expires_at > row.auth_time == row.created_at
    refreshed = signin.initiate_auth(config_cache.client(app.pk), "REFRESH_TOKEN_AUTH",
                                   {"REFRESH_TOKEN": result.tokens.refresh_token})
    assert refreshed.tokens is not None


# Sealed secrets -----------------------------------------------------------------------------
def test_secrets_of_a_hot_path_read_stay_sealed_until_read(pool: UserPool) -> None:
    stored = create_user(pool, attributes={}).srp_verifier
    found = users.find_user(pool, "alice")
    assert found is not None and isinstance(found.__dict__["srp_verifier"], Sealed)
    assert found.srp_verifier == stored and isinstance(stored, str) and len(stored) > 100
    assert found.__dict__["srp_verifier"] == stored


def test_saving_a_row_whose_secret_was_never_read_keeps_it(pool: UserPool) -> None:
    stored = create_user(pool, attributes={}).srp_verifier
    found = users.find_user(pool, "alice")
    assert found is not None
    found.enabled = False
    found.save()
    assert PoolUser.objects.get(pk=found.pk).srp_verifier == stored
    assert list(PoolUser.objects.filter(pk=found.pk).values_list("srp_verifier", flat=True)) \
        == [stored]
    assert "Sealed" not in repr(Sealed("x")) and "x" not in repr(Sealed("x"))


# Issuers ------------------------------------------------------------------------------------
def test_issuer_follows_the_url_configuration(pool: UserPool, settings: Any) -> None:
    settings.COGNITO = {"PUBLIC_BASE_URL": "https://auth.example.com"}
    assert issuer_for(pool) == f"https://auth.example.com/{pool.pk}"
    settings.ROOT_URLCONF = "tests.prefixed_urls"  # mounts the app under cognito/
    assert issuer_for(pool) == f"https://auth.example.com/cognito/{pool.pk}"
    settings.ROOT_URLCONF = "tests.urls"
    assert issuer_for(pool) == f"https://auth.example.com/{pool.pk}"
