"""The shared cache failing under a service (issue 16, item 4): the error propagates and
nothing proceeds as if the cache had answered. The same under real servers:
tests/clients/test_outages.py."""

from __future__ import annotations

from typing import Any

import pytest
import redis
from django.core.cache import caches
from django.db import IntegrityError, OperationalError

from django_cognito.exceptions import NotAuthorizedException
from django_cognito.models import AppClient, PoolUser, RefreshToken, UserPool
from django_cognito.outages import is_outage
from django_cognito.services import lockout, passwords, signin, tokens
from tests.factories import PASSWORD, create_user

pytestmark = pytest.mark.django_db
FLOWS = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]


@pytest.fixture
def client(pool: UserPool, make_client: Any) -> AppClient:
    return make_client(pool, explicit_auth_flows=FLOWS, enable_token_revocation=True)


@pytest.fixture
def alice(pool: UserPool) -> PoolUser:
    return create_user(pool, "alice")


def down(monkeypatch: pytest.MonkeyPatch, *methods: str) -> None:
    """The shared cache's ``methods`` fail as redis-py does when Redis is unreachable."""
    def fail(*args: Any, **kwargs: Any) -> Any:
        raise redis.exceptions.ConnectionError("Error 111 connecting. Connection refused.")
    for method in methods:
        monkeypatch.setattr(caches["default"], method, fail)


def sign_in(client: AppClient, password: str = PASSWORD) -> tokens.TokenSet:
    result = signin.initiate_auth(client, "USER_PASSWORD_AUTH",
                                  {"USERNAME": "alice", "PASSWORD": password})
    assert result.tokens is not None
    return result.tokens


def test_outages_are_told_from_bugs() -> None:
    assert is_outage(redis.exceptions.ConnectionError())
    assert is_outage(redis.exceptions.TimeoutError())
    assert is_outage(redis.exceptions.BusyLoadingError())  # Redis reading its AOF back
    assert is_outage(OperationalError("server closed the connection unexpectedly"))
    assert is_outage(ConnectionRefusedError())
    assert not is_outage(IntegrityError())
    assert not is_outage(redis.exceptions.ResponseError("WRONGTYPE"))
    assert not is_outage(ValueError())


def test_no_password_is_checked_while_the_lockout_cannot_be_read(
        client: AppClient, alice: PoolUser, monkeypatch: pytest.MonkeyPatch) -> None:
    checked: list[str] = []
    verify = passwords.verify
    monkeypatch.setattr(passwords, "verify", lambda user, password: (
        checked.append(password), verify(user, password))[1])
    down(monkeypatch, "get_many", "get")
    for password in ("Wr0ng-1!", PASSWORD):
        with pytest.raises(redis.exceptions.ConnectionError):
            sign_in(client, password)
    assert checked == []


def test_a_failure_that_cannot_be_counted_is_an_error(
        client: AppClient, alice: PoolUser, monkeypatch: pytest.MonkeyPatch) -> None:
    down(monkeypatch, "add", "incr", "set", "touch")
    with pytest.raises(redis.exceptions.ConnectionError):
        sign_in(client, "Wr0ng-1!")
    monkeypatch.undo()
    # Nothing of that failure was recorded: four more wrong passwords make four failures,
    # short of a lock (five would lock had the first been counted).
    for _ in range(4):
        with pytest.raises(NotAuthorizedException, match="Incorrect"):
            sign_in(client, "Wr0ng-1!")
    lockout.check(alice)


@pytest.mark.parametrize("how", ["global_sign_out", "revoke_token"])
def test_a_sign_out_the_cache_cannot_record_revokes_nothing(
        client: AppClient, alice: PoolUser, monkeypatch: pytest.MonkeyPatch, how: str) -> None:
    """Revoking in the database while the cached "live" answer stays would keep accepting
    the access tokens for FAMILY_CACHE_SECONDS once the cache is back: the sign-out fails
    (retryable) and changes nothing instead."""
    issued = sign_in(client)
    origin = str(RefreshToken.objects.get().origin_jti)
    assert tokens.family_is_live(origin)  # now cached
    down(monkeypatch, "delete_many")
    with pytest.raises(redis.exceptions.ConnectionError):
        if how == "global_sign_out":
            tokens.global_sign_out(alice)
        else:
            tokens.revoke_token(client, issued.refresh_token)
    monkeypatch.undo()
    assert RefreshToken.objects.filter(revoked_at=None).count() == 1
    assert tokens.family_is_live(origin)
    tokens.global_sign_out(alice)  # the retry
    assert not tokens.family_is_live(origin)


def test_token_sessions_answer_503_while_revocation_cannot_be_read(
        client: AppClient, alice: PoolUser, monkeypatch: pytest.MonkeyPatch) -> None:
    from django.http import HttpResponse
    from django.test import RequestFactory

    from django_cognito.backends import SESSION_FAMILY, TokenSessionMiddleware

    sign_in(client)
    family = RefreshToken.objects.get(user=alice).origin_jti
    request = RequestFactory().get("/")
    request.session = {SESSION_FAMILY: str(family)}  # type: ignore[assignment]
    middleware = TokenSessionMiddleware(lambda r: HttpResponse("page"))
    assert middleware(request).content == b"page"
    down(monkeypatch, "get", "get_many")
    answer = middleware(request)
    assert answer.status_code == 503 and answer["Retry-After"] == "5"
    assert b"page" not in answer.content
