"""Build Lambda-shaped trigger events, send them as signals, validate their responses."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from django.dispatch import Signal

from .. import signals
from ..exceptions import InvalidLambdaResponseException, UserLambdaValidationException
from ..models import AppClient, PoolUser, UserPool
from . import lambda_forward

logger = logging.getLogger("django_cognito.triggers")

Event = dict[str, Any]

SDK_VERSION = "django-cognito-1.0"

# triggerSource values (reference §4.2): "<trigger>_<the path that runs it>".
PRE_SIGN_UP_SIGN_UP = "PreSignUp_SignUp"
PRE_SIGN_UP_ADMIN_CREATE_USER = "PreSignUp_AdminCreateUser"
POST_CONFIRMATION_SIGN_UP = "PostConfirmation_ConfirmSignUp"
POST_CONFIRMATION_FORGOT_PASSWORD = "PostConfirmation_ConfirmForgotPassword"
MIGRATION_AUTHENTICATION = "UserMigration_Authentication"
MIGRATION_FORGOT_PASSWORD = "UserMigration_ForgotPassword"
PRE_AUTHENTICATION = "PreAuthentication_Authentication"
POST_AUTHENTICATION = "PostAuthentication_Authentication"
DEFINE_AUTH_CHALLENGE = "DefineAuthChallenge_Authentication"
CREATE_AUTH_CHALLENGE = "CreateAuthChallenge_Authentication"
VERIFY_AUTH_CHALLENGE = "VerifyAuthChallengeResponse_Authentication"
# Custom message, one per kind of code or invitation; the custom senders' sources end alike.
MESSAGE_SIGN_UP = "CustomMessage_SignUp"
MESSAGE_ADMIN_CREATE_USER = "CustomMessage_AdminCreateUser"
MESSAGE_RESEND_CODE = "CustomMessage_ResendCode"
MESSAGE_FORGOT_PASSWORD = "CustomMessage_ForgotPassword"
MESSAGE_UPDATE_USER_ATTRIBUTE = "CustomMessage_UpdateUserAttribute"
MESSAGE_VERIFY_USER_ATTRIBUTE = "CustomMessage_VerifyUserAttribute"
MESSAGE_AUTHENTICATION = "CustomMessage_Authentication"
# Pre token generation, one per token-issuing path.
TOKEN_AUTHENTICATION = "TokenGeneration_Authentication"
TOKEN_NEW_PASSWORD_CHALLENGE = "TokenGeneration_NewPasswordChallenge"
TOKEN_AUTHENTICATE_DEVICE = "TokenGeneration_AuthenticateDevice"
TOKEN_REFRESH_TOKENS = "TokenGeneration_RefreshTokens"
TOKEN_HOSTED_AUTH = "TokenGeneration_HostedAuth"
TOKEN_CLIENT_CREDENTIALS = "TokenGeneration_ClientCredentials"


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


def lambda_arn(signal: Signal, pool: UserPool) -> str | None:
    """The Lambda function ``pool`` forwards ``signal``'s trigger to, if any (LAMBDA_FORWARD)."""
    if not lambda_forward.enabled_for(pool.id):
        return None
    config = pool.lambda_config if isinstance(pool.lambda_config, dict) else {}
    return lambda_forward.function_arn(config, signals.TRIGGER_NAMES[signal])


def has_receivers(signal: Signal, pool: UserPool | None = None) -> bool:
    """Whether the trigger is assigned (a receiver or, for ``pool``, a Lambda function).

    An unassigned trigger costs nothing: callers build no event. Without ``pool`` any
    connected receiver counts.
    """
    if pool is None:
        return signal.has_listeners(UserPool)
    return bool(lambda_arn(signal, pool) or signals.receivers_for(signal, pool.id))


def _forward(signal: Signal, event: Event, pool: UserPool) -> None:
    arn = lambda_arn(signal, pool)
    if arn:
        event["response"] = lambda_forward.invoke(arn, signals.TRIGGER_NAMES[signal], event)


def send(signal: Signal, event: Event, pool: UserPool, client: AppClient | None) -> Event:
    """Run the trigger: the pool's Lambda function first, then the signal's receivers.

    A receiver that raises (or a function that fails) denies the call.
    """
    name = signals.TRIGGER_NAMES[signal]
    _forward(signal, event, pool)
    if signals.receivers_for(signal, pool.id):
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


def notify(signal: Signal, event: Event, pool: UserPool, client: AppClient | None) -> None:
    """Hand ``event`` to an asynchronous trigger (custom senders): no response is read.

    The Lambda function is invoked with InvocationType ``Event`` first, then the receivers
    run; a failure of either propagates to the caller unchanged.
    """
    arn = lambda_arn(signal, pool)
    if arn:
        lambda_forward.invoke_async(arn, signals.TRIGGER_NAMES[signal], event)
    if signals.receivers_for(signal, pool.id):
        signal.send(sender=UserPool, event=event, pool=pool, client=client)
