"""Sign-in lockout after failed password attempts (reference §9), with a moved clock."""

from __future__ import annotations

import datetime as dt
import threading
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.cache import caches
from django.core.cache.backends import base as cache_base
from django.core.cache.backends import locmem

from django_cognito import clock
from django_cognito.conf import app_settings
from django_cognito.exceptions import NotAuthorizedException
from django_cognito.models import AppClient, PoolUser, RefreshToken, UserPool
from django_cognito.services import lockout, signin
from tests.factories import PASSWORD, create_user

pytestmark = pytest.mark.django_db

WRONG = "Wr0ng-Passw0rd!"
LOCKED = "Password attempts exceeded"
INCORRECT = "Incorrect username or password."
ALL_FLOWS = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH",
             "ALLOW_REFRESH_TOKEN_AUTH"]


@pytest.fixture(autouse=True)
def _frozen_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    # Locks are asserted to the half second: a stalled machine must not let one lapse.
    clock.freeze()
    # The cache's expiry follows the test clock too: a quiet quarter of an hour resets the
    # count by expiring its keys.
    moved = SimpleNamespace(time=lambda: clock.now().timestamp())
    monkeypatch.setattr(locmem, "time", moved)
    monkeypatch.setattr(cache_base, "time", moved)


@pytest.fixture
def client(pool: UserPool, make_client: Any) -> AppClient:
    return make_client(pool, explicit_auth_flows=ALL_FLOWS)


@pytest.fixture
def user(pool: UserPool) -> PoolUser:
    return create_user(pool, "alice", attributes={})


def attempt(client: AppClient, password: str, username: str = "alice", *,
            admin: bool = False) -> str:
    """Try to sign in; ``"ok"`` or the NotAuthorizedException message."""
    flow = "ADMIN_USER_PASSWORD_AUTH" if admin else "USER_PASSWORD_AUTH"
    try:
        result = signin.initiate_auth(client, flow, {"USERNAME": username, "PASSWORD": password},
                                    admin=admin)
    except NotAuthorizedException as exc:
        return exc.message
    assert result.tokens is not None
    return "ok"


def fail(client: AppClient, times: int, username: str = "alice") -> None:
    for _ in range(times):
        assert attempt(client, WRONG, username) == INCORRECT


def wait(seconds: float) -> None:
    clock.advance(dt.timedelta(seconds=seconds))


def lock_lifts_after(client: AppClient, seconds: float, margin: float = 0.5) -> None:
    """The user is still locked ``margin`` before ``seconds`` from now, and signs in at it."""
    wait(seconds - margin)
    assert attempt(client, PASSWORD) == LOCKED
    wait(margin)
    assert attempt(client, PASSWORD) == "ok"


def test_five_failures_then_even_the_right_password_is_refused(client: AppClient,
                                                               user: PoolUser) -> None:
    fail(client, 5)
    tokens_before = RefreshToken.objects.count()
    assert attempt(client, PASSWORD) == LOCKED
    assert attempt(client, WRONG) == LOCKED
    assert RefreshToken.objects.count() == tokens_before == 0


def test_four_failures_do_not_lock(client: AppClient, user: PoolUser) -> None:
    fail(client, 4)
    assert attempt(client, PASSWORD) == "ok"


def test_the_first_lock_lifts_after_one_second(client: AppClient, user: PoolUser) -> None:
    fail(client, 5)
    lock_lifts_after(client, 1)


def test_each_further_failure_doubles_the_lock(client: AppClient, user: PoolUser) -> None:
    fail(client, 5)
    for lock in (1, 2, 4, 8, 16):
        wait(lock - 0.5)
        assert attempt(client, PASSWORD) == LOCKED, lock
        wait(0.5)
        # The lock has lifted: a further wrong password locks for twice as long.
        assert attempt(client, WRONG) == INCORRECT
    lock_lifts_after(client, 32)


def test_attempts_during_a_lock_neither_extend_it_nor_count(client: AppClient,
                                                            user: PoolUser) -> None:
    fail(client, 5)
    for _ in range(10):
        wait(0.05)
        assert attempt(client, WRONG) == LOCKED
    wait(0.5)
    assert attempt(client, WRONG) == INCORRECT  # sixth counted failure: a 2 s lock, not more
    wait(2)
    assert attempt(client, PASSWORD) == "ok"


def test_a_success_resets_the_count(client: AppClient, user: PoolUser) -> None:
    fail(client, 4)
    assert attempt(client, PASSWORD) == "ok"
    fail(client, 4)
    assert attempt(client, PASSWORD) == "ok"
    fail(client, 5)
    assert attempt(client, PASSWORD) == LOCKED


def test_a_success_after_a_lock_starts_over_at_five_free_attempts(client: AppClient,
                                                                  user: PoolUser) -> None:
    fail(client, 5)
    wait(1)
    assert attempt(client, PASSWORD) == "ok"
    fail(client, 4)
    assert attempt(client, PASSWORD) == "ok"


def test_failures_within_fifteen_minutes_add_up(client: AppClient, user: PoolUser) -> None:
    for _ in range(4):
        fail(client, 1)
        wait(14 * 60)
    fail(client, 1)
    assert attempt(client, PASSWORD) == LOCKED


def test_fifteen_minutes_without_attempts_reset_the_count(client: AppClient,
                                                          user: PoolUser) -> None:
    fail(client, 4)
    wait(15 * 60 + 1)
    fail(client, 1)
    assert attempt(client, PASSWORD) == "ok"


def test_fifteen_quiet_minutes_after_a_lock_reset_the_doubling(client: AppClient,
                                                               user: PoolUser) -> None:
    fail(client, 5)
    for lock in (1, 2):
        wait(lock)
        fail(client, 1)  # the seventh failure locks for 4 s
    wait(15 * 60 + 1)
    fail(client, 1)  # counted afresh: no lock
    assert attempt(client, PASSWORD) == "ok"


def test_the_lock_is_capped_at_fifteen_minutes(client: AppClient, user: PoolUser) -> None:
    fail(client, 5)
    lock = 1
    while lock < 512:  # failures six to fourteen lock for 2 s ... 512 s
        wait(lock)
        fail(client, 1)
        lock *= 2
    wait(lock)
    fail(client, 1)  # 2 ** 10 s would be more than the cap
    lock_lifts_after(client, 900, margin=1)


def test_the_lock_covers_every_password_flow(client: AppClient, user: PoolUser) -> None:
    for admin in (False, True, False, True, True):
        assert attempt(client, WRONG, admin=admin) == INCORRECT
    assert attempt(client, PASSWORD, admin=True) == LOCKED
    assert attempt(client, PASSWORD, admin=False) == LOCKED


def test_the_lock_is_per_user_and_per_pool(pool: UserPool, client: AppClient, user: PoolUser,
                                           make_pool: Any, make_client: Any) -> None:
    other_pool = make_pool(name="other")
    other_client = make_client(other_pool, explicit_auth_flows=ALL_FLOWS)
    create_user(other_pool, "alice", attributes={})
    create_user(pool, "bob", attributes={})
    fail(client, 5)
    assert attempt(client, PASSWORD) == LOCKED
    assert attempt(client, PASSWORD, "bob") == "ok"
    assert attempt(other_client, PASSWORD) == "ok"


def test_the_lock_does_not_reach_refresh(client: AppClient, user: PoolUser) -> None:
    result = signin.initiate_auth(client, "USER_PASSWORD_AUTH",
                                {"USERNAME": "alice", "PASSWORD": PASSWORD})
    assert result.tokens is not None
    fail(client, 5)
    assert attempt(client, PASSWORD) == LOCKED
    refreshed = signin.initiate_auth(client, "REFRESH_TOKEN_AUTH",
                                   {"REFRESH_TOKEN": str(result.tokens.refresh_token)})
    assert refreshed.tokens is not None


def test_unknown_users_lock_as_real_ones_when_existence_is_hidden(
        pool: UserPool, make_client: Any, user: PoolUser) -> None:
    """A lock that only real users reach would tell them apart after five guesses."""
    client = make_client(pool, explicit_auth_flows=ALL_FLOWS,
                         prevent_user_existence_errors="ENABLED")
    answers = {name: [attempt(client, WRONG, name) for _ in range(8)]
               for name in ("alice", "nobody")}
    assert answers["alice"] == answers["nobody"] == [INCORRECT] * 5 + [LOCKED] * 3
    wait(1)
    assert attempt(client, WRONG, "nobody") == INCORRECT  # 1 s after the fifth failure


def test_parallel_failures_are_all_counted(user: PoolUser) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from django_cognito.services import lockout

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda _: lockout.failed(user), range(10)))
    # 10 failures lock for 2 ** (10 - 5) = 32 s; a lost update would leave 16 s or less.
    wait(17)
    with pytest.raises(NotAuthorizedException, match="Password attempts exceeded"):
        lockout.check(user)
    wait(16)
    lockout.check(user)


def test_a_slower_parallel_failure_cannot_shorten_the_lock(client: AppClient, user: PoolUser,
                                                           monkeypatch: pytest.MonkeyPatch
                                                           ) -> None:
    # Failures 9 and 10 run in parallel; the 9th is counted first but finishes last. Ten
    # failures earn 32 s, and the 9th's later finish must not leave its own 16 s.
    for _ in range(8):
        lockout.failed(user)
    shared = caches[app_settings.CACHE_ALIAS]
    ninth_counted, tenth_done = threading.Event(), threading.Event()

    class SlowAfterTheNinth:
        def __getattr__(self, name: str) -> Any:
            return getattr(shared, name)

        def incr(self, key: str, delta: int = 1) -> int:
            value = int(shared.incr(key, delta))
            if value == 9:
                ninth_counted.set()
                assert tenth_done.wait(10)
            return value

    monkeypatch.setattr(lockout, "caches", {app_settings.CACHE_ALIAS: SlowAfterTheNinth()})
    ninth = threading.Thread(target=lockout.failed, args=(user,))
    ninth.start()
    assert ninth_counted.wait(10)
    lockout.failed(user)
    tenth_done.set()
    ninth.join(10)
    assert not ninth.is_alive()
    lock_lifts_after(client, 32)


def test_a_long_lock_outlives_the_count_of_a_steady_attack(client: AppClient,
                                                           user: PoolUser) -> None:
    # A failure each time the lock lifts: the 15th, some 17 minutes in, earns 15 minutes.
    # Each failure restarts the count's expiry, so the lock holds to its end.
    fail(client, 5)
    for lock in (1, 2, 4, 8, 16, 32, 64, 128, 256, 512):
        wait(lock)
        assert attempt(client, WRONG) == INCORRECT
    lock_lifts_after(client, 900, margin=1)


def test_lock_lengths() -> None:
    assert [lockout.lock_seconds(n) for n in range(7)] == [0, 0, 0, 0, 0, 1, 2]
    assert lockout.lock_seconds(14) == 512 and lockout.lock_seconds(15) == 900
    assert lockout.lock_seconds(10**6) == 900  # no huge power for a huge count


def test_a_frozen_clock_stands_still_until_advanced_or_reset() -> None:
    clock.freeze()
    frozen = clock.now()
    assert clock.now() == frozen
    wait(2)
    assert clock.now() == frozen + dt.timedelta(seconds=2)
    clock.reset()
    assert abs(clock.now() - dt.datetime.now(dt.UTC)) < dt.timedelta(seconds=1)
