"""One signal per Cognito trigger, sent with a Lambda-shaped ``event`` (reference §4).

Receivers are called as ``receiver(sender, event, pool, client, **kwargs)`` where ``sender``
is :class:`~django_cognito.models.UserPool`. A receiver fills ``event["response"]`` or raises
(:class:`~django_cognito.exceptions.TriggerRejected` or any exception) to deny the operation,
which the caller sees as ``UserLambdaValidationException``. ``event["userPoolId"]`` and
``event["callerContext"]["clientId"]`` tell which pool and client fired it;
:func:`connect_for_pool` (or the :func:`for_pool` decorator) connects a receiver for one pool.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.dispatch import Signal

_F = TypeVar("_F", bound=Callable[..., Any])

pre_sign_up = Signal()
post_confirmation = Signal()
custom_message = Signal()
pre_authentication = Signal()
post_authentication = Signal()
define_auth_challenge = Signal()
create_auth_challenge = Signal()
verify_auth_challenge_response = Signal()
pre_token_generation = Signal()
user_migration = Signal()
custom_email_sender = Signal()
custom_sms_sender = Signal()

#: Name used in ``LambdaConfig`` and in error messages, per signal.
TRIGGER_NAMES: dict[Signal, str] = {
    pre_sign_up: "PreSignUp",
    post_confirmation: "PostConfirmation",
    custom_message: "CustomMessage",
    pre_authentication: "PreAuthentication",
    post_authentication: "PostAuthentication",
    define_auth_challenge: "DefineAuthChallenge",
    create_auth_challenge: "CreateAuthChallenge",
    verify_auth_challenge_response: "VerifyAuthChallengeResponse",
    pre_token_generation: "PreTokenGeneration",
    user_migration: "UserMigration",
    custom_email_sender: "CustomEmailSender",
    custom_sms_sender: "CustomSMSSender",
}


class PoolReceiver:
    """A receiver that runs only for the events of one pool (see :func:`connect_for_pool`)."""

    def __init__(self, pool_id: str, receiver: Callable[..., Any]) -> None:
        self.pool_id = pool_id
        self.receiver = receiver

    def __call__(self, sender: Any, event: dict[str, Any], pool: Any, client: Any,
                 **kwargs: Any) -> Any:
        if event.get("userPoolId") != self.pool_id:
            return None
        return self.receiver(sender=sender, event=event, pool=pool, client=client, **kwargs)

    def __repr__(self) -> str:
        return f"PoolReceiver({self.pool_id!r}, {self.receiver!r})"


def _pool_uid(pool_id: str, receiver: Callable[..., Any]) -> str:
    # The wrapper is held strongly (weak=False) and holds the receiver, so id() stays unique
    # while connected; the uid makes connecting the same receiver twice a no-op, like connect().
    return f"django_cognito.for_pool:{pool_id}:{id(receiver)}"


def connect_for_pool(signal: Signal, pool_id: str,
                     receiver: Callable[..., Any]) -> PoolReceiver:
    """Connect ``receiver`` to ``signal`` so that it only runs for events of ``pool_id``."""
    from .models import UserPool

    wrapper = PoolReceiver(pool_id, receiver)
    signal.connect(wrapper, sender=UserPool, weak=False,
                   dispatch_uid=_pool_uid(pool_id, receiver))
    return wrapper


def disconnect_for_pool(signal: Signal, pool_id: str, receiver: Callable[..., Any]) -> bool:
    """Undo :func:`connect_for_pool`; True when a receiver was disconnected."""
    from .models import UserPool

    return signal.disconnect(sender=UserPool, dispatch_uid=_pool_uid(pool_id, receiver))


def for_pool(signal: Signal, pool_id: str) -> Callable[[_F], _F]:
    """Decorator form of :func:`connect_for_pool`; returns the function unchanged."""
    def decorator(receiver: _F) -> _F:
        connect_for_pool(signal, pool_id, receiver)
        return receiver
    return decorator


def receivers_for(signal: Signal, pool_id: str) -> list[Callable[..., Any]]:
    """The live receivers of ``signal`` that run for ``pool_id`` (pool-scoped or not)."""
    from .models import UserPool

    if not signal.has_listeners(UserPool):
        return []
    # Django exposes no public listing; _live_receivers() is what Signal.send() itself uses
    # (Django >= 5.0 returns (sync, async) lists).
    sync, async_ = signal._live_receivers(UserPool)
    return [r for r in [*sync, *async_]
            if not isinstance(r, PoolReceiver) or r.pool_id == pool_id]
