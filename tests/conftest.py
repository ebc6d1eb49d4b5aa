"""Shared fixtures: pools, clients, users, a movable clock and captured messages."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.dispatch import Signal

from django_cognito import clock
from django_cognito.models import AppClient, PoolUser, UserPool
from django_cognito.services import delivery
from tests import factories, signing_keys

reuse_rsa_keys = signing_keys.reuse_rsa_keys


@pytest.fixture(autouse=True)
def _shared_rsa_keys(request: pytest.FixtureRequest) -> None:
    """Pools sign with RSA keys from a ring generated once per run (see signing_keys)."""
    request.getfixturevalue("reuse_rsa_keys")


@pytest.fixture(autouse=True)
def _isolation() -> Iterator[None]:
    cache.clear()
    delivery.outbox.clear()
    clock.reset()
    yield
    clock.reset()


@pytest.fixture
def make_pool(db: Any) -> Any:
    """``factories.create_pool`` with database access."""
    return factories.create_pool


@pytest.fixture
def pool(make_pool: Any) -> UserPool:
    return make_pool()


@pytest.fixture
def make_client(db: Any) -> Any:
    """``factories.create_client`` with database access."""
    return factories.create_client


@pytest.fixture
def client_app(pool: UserPool, make_client: Any) -> AppClient:
    return make_client(pool)


@pytest.fixture
def alice(pool: UserPool) -> PoolUser:
    """alice of ``pool``: CONFIRMED with PASSWORD and a verified alice@example.com."""
    return factories.create_user(pool)


@pytest.fixture
def connect() -> Iterator[Callable[[Signal, Callable[..., Any]], Callable[..., Any]]]:
    """Connect trigger receivers for one test; every one is disconnected afterwards."""
    connected: list[tuple[Signal, Callable[..., Any]]] = []

    def attach(signal: Signal, receiver: Callable[..., Any]) -> Callable[..., Any]:
        signal.connect(receiver, sender=UserPool, weak=False)
        connected.append((signal, receiver))
        return receiver

    yield attach
    for signal, receiver in connected:
        assert signal.disconnect(receiver, sender=UserPool)


@pytest.fixture
def record(connect: Callable[..., Any]) -> Callable[..., list[dict[str, Any]]]:
    """Connect a receiver of ``signal`` that records (copies of) its events and may fill the
    response through ``respond(event)``; returns the list of recorded events."""
    def attach(signal: Signal, respond: Callable[[dict[str, Any]], None] | None = None
               ) -> list[dict[str, Any]]:
        calls: list[dict[str, Any]] = []

        def receiver(sender: Any, event: dict[str, Any], **kwargs: Any) -> None:
            calls.append(copy.deepcopy(event))
            if respond is not None:
                respond(event)

        connect(signal, receiver)
        return calls
    return attach

