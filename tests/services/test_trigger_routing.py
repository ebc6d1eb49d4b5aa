"""Connecting trigger receivers for one pool (signals.connect_for_pool / for_pool)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core import mail

from django_cognito import signals
from django_cognito.exceptions import TriggerRejected, UserLambdaValidationException
from django_cognito.models import AppClient, PoolUser, UserPool, UserStatus
from django_cognito.services import signup, triggers
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

Call = tuple[str, str, str, str | None]

recorded_calls: list[Call] = []


@pytest.fixture
def two_pools(make_pool: Any, make_client: Any) -> tuple[AppClient, AppClient]:
    return make_client(make_pool(name="first")), make_client(make_pool(name="second"))


@pytest.fixture
def calls() -> Iterator[list[Call]]:
    """What :func:`record` saw; pool receivers of this module are disconnected afterwards."""
    yield recorded_calls
    for signal in (signals.pre_sign_up, signals.custom_message):
        for receiver in signal._live_receivers(UserPool)[0]:
            if isinstance(receiver, signals.PoolReceiver) and receiver.receiver in (record, deny):
                assert signals.disconnect_for_pool(signal, receiver.pool_id, receiver.receiver)
    recorded_calls.clear()


def record(sender: Any, event: dict[str, Any], pool: UserPool, client: AppClient | None,
           **kwargs: Any) -> None:
    recorded_calls.append((event["triggerSource"], event["userPoolId"], pool.id,
                           client.id if client else None))
    event["response"]["autoConfirmUser"] = True


def deny(sender: Any, event: dict[str, Any], **kwargs: Any) -> None:
    raise TriggerRejected("closed for sign-up")


def register(client: AppClient, username: str) -> PoolUser:
    return signup.sign_up(client, username, PASSWORD, {"email": f"{username}@example.com"}).user


def test_receiver_runs_only_for_its_pool(two_pools: tuple[AppClient, AppClient],
                                         calls: list[Call]) -> None:
    first, second = two_pools
    wrapper = signals.connect_for_pool(signals.pre_sign_up, first.pool.id, record)
    assert isinstance(wrapper, signals.PoolReceiver) and wrapper.receiver is record
    alice, bob = register(first, "alice"), register(second, "bob")
    assert calls == [("PreSignUp_SignUp", first.pool.id, first.pool.id, first.id)]
    assert PoolUser.objects.get(pk=alice.pk).status == UserStatus.CONFIRMED
    assert PoolUser.objects.get(pk=bob.pk).status == UserStatus.UNCONFIRMED
    assert [m.to for m in mail.outbox] == [["bob@example.com"]]


def test_has_receivers_is_per_pool(two_pools: tuple[AppClient, AppClient],
                                   calls: list[Call]) -> None:
    first, second = two_pools
    signals.connect_for_pool(signals.pre_sign_up, first.pool.id, record)
    assert triggers.has_receivers(signals.pre_sign_up, first.pool)
    assert not triggers.has_receivers(signals.pre_sign_up, second.pool)
    assert triggers.has_receivers(signals.pre_sign_up)  # without a pool: anything connected
    assert signals.receivers_for(signals.pre_sign_up, second.pool.id) == []


def test_decorator_connects_and_returns_the_function(two_pools: tuple[AppClient, AppClient],
                                                     calls: list[Call]) -> None:
    first, second = two_pools
    decorated = signals.for_pool(signals.pre_sign_up, second.pool.id)(record)
    assert decorated is record
    register(first, "alice")
    register(second, "bob")
    assert calls == [("PreSignUp_SignUp", second.pool.id, second.pool.id, second.id)]


def test_connecting_twice_runs_once_and_disconnect_undoes_it(
        two_pools: tuple[AppClient, AppClient], calls: list[Call]) -> None:
    first, _ = two_pools
    signals.connect_for_pool(signals.pre_sign_up, first.pool.id, record)
    signals.connect_for_pool(signals.pre_sign_up, first.pool.id, record)
    register(first, "alice")
    assert len(calls) == 1
    assert signals.disconnect_for_pool(signals.pre_sign_up, first.pool.id, record)
    assert not signals.disconnect_for_pool(signals.pre_sign_up, first.pool.id, record)
    assert not triggers.has_receivers(signals.pre_sign_up, first.pool)
    register(first, "bob")
    assert len(calls) == 1


def test_the_same_receiver_for_two_pools(two_pools: tuple[AppClient, AppClient],
                                         calls: list[Call]) -> None:
    first, second = two_pools
    signals.connect_for_pool(signals.pre_sign_up, first.pool.id, record)
    signals.connect_for_pool(signals.pre_sign_up, second.pool.id, record)
    register(first, "alice")
    register(second, "bob")
    assert [c[1] for c in calls] == [first.pool.id, second.pool.id]


def test_a_pool_receiver_denies_only_its_pool(two_pools: tuple[AppClient, AppClient],
                                              calls: list[Call]) -> None:
    first, second = two_pools
    signals.connect_for_pool(signals.pre_sign_up, first.pool.id, deny)
    with pytest.raises(UserLambdaValidationException) as caught:
        register(first, "alice")
    assert caught.value.message == "PreSignUp failed with error closed for sign-up."
    assert not PoolUser.objects.filter(pool=first.pool).exists()
    register(second, "bob")
    assert PoolUser.objects.filter(pool=second.pool).count() == 1


def test_unscoped_receivers_still_run_for_every_pool(
        two_pools: tuple[AppClient, AppClient], calls: list[Call]) -> None:
    first, second = two_pools
    signals.pre_sign_up.connect(record, sender=UserPool, weak=False)
    try:
        assert triggers.has_receivers(signals.pre_sign_up, second.pool)
        register(first, "alice")
        register(second, "bob")
    finally:
        assert signals.pre_sign_up.disconnect(record, sender=UserPool)
    assert [c[1] for c in calls] == [first.pool.id, second.pool.id]


def test_no_event_is_built_for_a_pool_without_receivers(
        two_pools: tuple[AppClient, AppClient], calls: list[Call],
        monkeypatch: pytest.MonkeyPatch) -> None:
    first, second = two_pools
    signals.connect_for_pool(signals.custom_message, first.pool.id, record)
    built: list[str] = []
    original = triggers.build_event

    def spy(*args: Any, **kwargs: Any) -> dict[str, Any]:
        built.append(args[2])
        return original(*args, **kwargs)

    monkeypatch.setattr(triggers, "build_event", spy)
    register(second, "bob")
    assert built == [] and calls == []
    register(first, "alice")
    assert built == ["CustomMessage_SignUp"]
