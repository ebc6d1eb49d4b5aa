"""Build Lambda-shaped trigger events, send them as signals, validate their responses."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from django.dispatch import Signal

from .. import signals
from ..exceptions import InvalidLambdaResponseException, UserLambdaValidationException
from ..models import AppClient, PoolUser, UserPool

logger = logging.getLogger("django_cognito.triggers")

Event = dict[str, Any]

SDK_VERSION = "django-cognito-1.0"


def user_attributes(user: PoolUser) -> dict[str, str]:
    """``request.userAttributes`` of an event: every attribute plus sub and cognito:user_status."""
    attrs = {name: str(value) for name, value in user.attributes.items()}
    attrs["sub"] = str(user.sub)
    attrs["cognito:user_status"] = user.status
    return attrs


def build_event(pool: UserPool, client: AppClient | None, source: str, username: str,
                request: Mapping[str, Any], response: Mapping[str, Any],
                version: str = "1") -> Event:
    """The common envelope of reference §4.1."""
    return {
        "version": version,
        "triggerSource": source,
        "region": pool.region,
        "userPoolId": pool.id,
        "userName": username,
        "callerContext": {"awsSdkVersion": SDK_VERSION,
                          "clientId": client.id if client else "CLIENT_ID_NOT_APPLICABLE"},
        "request": dict(request),
        "response": dict(response),
    }


def _check_bool_fields(*names: str) -> Callable[[Mapping[str, Any]], None]:
    def check(response: Mapping[str, Any]) -> None:
        for name in names:
            if response.get(name) is not None and not isinstance(response[name], bool):
                raise InvalidLambdaResponseException(
                    f"Invalid lambda response: {name} must be a boolean.")
    return check


def _check_custom_message(response: Mapping[str, Any]) -> None:
    for name in ("smsMessage", "emailMessage", "emailSubject"):
        value = response.get(name)
        if value is not None and not isinstance(value, str):
            raise InvalidLambdaResponseException(
                f"Invalid lambda response: {name} must be a string.")


VALIDATORS: dict[Signal, Callable[[Mapping[str, Any]], None]] = {
    signals.pre_sign_up: _check_bool_fields("autoConfirmUser", "autoVerifyEmail",
                                            "autoVerifyPhone"),
    signals.custom_message: _check_custom_message,
}


def has_receivers(signal: Signal) -> bool:
    """Whether any receiver is connected (an unassigned trigger costs nothing)."""
    return signal.has_listeners(UserPool)


def send(signal: Signal, event: Event, pool: UserPool, client: AppClient | None) -> Event:
    """Send ``event`` to the receivers of ``signal``; a receiver that raises denies the call."""
    name = signals.TRIGGER_NAMES[signal]
    if not has_receivers(signal):
        return event
    try:
        signal.send(sender=UserPool, event=event, pool=pool, client=client)
    except Exception as exc:
        logger.info("%s trigger denied %s: %s", name, event["triggerSource"], exc)
        raise UserLambdaValidationException(f"{name} failed with error {exc}.") from exc
    response = event.get("response")
    if not isinstance(response, dict):
        raise InvalidLambdaResponseException("Invalid lambda response: response is not an object.")
    validator = VALIDATORS.get(signal)
    if validator:
        validator(response)
    return event
