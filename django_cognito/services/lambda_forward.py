"""Forward a trigger event to a real AWS Lambda function named in a pool's LambdaConfig (§4.1)."""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ImproperlyConfigured

from ..conf import app_settings
from ..exceptions import (
    InvalidLambdaResponseException,
    UnexpectedLambdaException,
    UserLambdaValidationException,
)

logger = logging.getLogger("django_cognito.triggers")

# Cognito's message for output it cannot parse as an event.
UNRECOGNIZABLE = "Unrecognizable lambda output"

# Triggers whose LambdaConfig entry is an object {LambdaVersion, LambdaArn}, not a bare ARN.
VERSIONED_CONFIG = {
    "PreTokenGeneration": "PreTokenGenerationConfig",
    "CustomEmailSender": "CustomEmailSender",
    "CustomSMSSender": "CustomSMSSender",
}


def function_arn(lambda_config: Mapping[str, Any], trigger: str) -> str | None:
    """The Lambda ARN configured for ``trigger`` (a ``LambdaConfig`` key), if any."""
    config_key = VERSIONED_CONFIG.get(trigger)
    if config_key:
        entry = lambda_config.get(config_key)
        if isinstance(entry, Mapping) and isinstance(entry.get("LambdaArn"), str):
            return str(entry["LambdaArn"]) or None
    # PreTokenGeneration may also be the legacy bare-ARN key (a V1 function).
    value = lambda_config.get(trigger)
    return value if isinstance(value, str) and value else None


def enabled_for(pool_id: str) -> bool:
    """Whether COGNITO["LAMBDA_FORWARD"] lets ``pool_id`` invoke Lambda functions."""
    setting = app_settings.LAMBDA_FORWARD
    if isinstance(setting, bool):
        return setting
    return isinstance(setting, (list, tuple, set, frozenset)) and pool_id in setting


def region_of(arn: str) -> str:
    """The region field of ``arn:aws:lambda:<region>:<account>:function:<name>``."""
    parts = arn.split(":")
    if len(parts) >= 4 and parts[0] == "arn" and parts[3]:
        return parts[3]
    return str(app_settings.REGION)


@functools.lru_cache(maxsize=32)
def _client(region: str, endpoint_url: str | None, timeout: float, attempts: int) -> Any:
    try:
        import boto3
        from botocore.config import Config
    except ImportError as exc:
        raise ImproperlyConfigured(
            "A pool's LambdaConfig names a Lambda function but boto3 is not installed; "
            "install django-cognito-idp[aws].") from exc
    # Cognito waits 5 s for a trigger and retries up to 3 times (reference §4.1).
    config = Config(connect_timeout=timeout, read_timeout=timeout,
                    retries={"max_attempts": attempts, "mode": "standard"})
    # A fresh session per client: boto3's default session is not thread-safe.
    return boto3.session.Session().client("lambda", region_name=region,
                                          endpoint_url=endpoint_url, config=config)


def client_for(arn: str) -> Any:
    """A boto3 Lambda client for the region of ``arn`` (credentials: boto3's default chain)."""
    return _client(region_of(arn), app_settings.LAMBDA_ENDPOINT_URL,
                   float(app_settings.LAMBDA_TIMEOUT), int(app_settings.LAMBDA_MAX_ATTEMPTS))


def _call(arn: str, trigger: str, event: Mapping[str, Any], invocation_type: str) -> Any:
    client = client_for(arn)  # first: raises ImproperlyConfigured without boto3
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        return client.invoke(FunctionName=arn, InvocationType=invocation_type,
                                      Payload=json.dumps(event).encode())
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "ClientError")
        logger.warning("%s invocation of %s failed: %s", trigger, arn, exc)
        raise UnexpectedLambdaException(
            f"{trigger} invocation failed due to error {code}.") from exc
    except BotoCoreError as exc:
        logger.warning("%s invocation of %s failed: %s", trigger, arn, exc)
        raise UnexpectedLambdaException(
            f"{trigger} invocation failed due to error {type(exc).__name__}.") from exc


def invoke(arn: str, trigger: str, event: Mapping[str, Any]) -> dict[str, Any]:
    """Invoke ``arn`` synchronously with ``event`` and return the ``response`` it sends back."""
    result = _call(arn, trigger, event, "RequestResponse")
    try:
        body = json.loads(result["Payload"].read() or b"null")
    except (ValueError, UnicodeDecodeError) as exc:
        if result.get("FunctionError"):
            raise UserLambdaValidationException(f"{trigger} failed with error .") from exc
        raise InvalidLambdaResponseException(UNRECOGNIZABLE) from exc
    if result.get("FunctionError"):
        message = body.get("errorMessage", "") if isinstance(body, dict) else body or ""
        raise UserLambdaValidationException(f"{trigger} failed with error {message}.")
    if not isinstance(body, dict) or not isinstance(body.get("response"), dict):
        raise InvalidLambdaResponseException(UNRECOGNIZABLE)
    response: dict[str, Any] = body["response"]
    return response


def invoke_async(arn: str, trigger: str, event: Mapping[str, Any]) -> None:
    """Queue ``event`` for ``arn`` (InvocationType Event), as Cognito does for custom senders."""
    _call(arn, trigger, event, "Event")
