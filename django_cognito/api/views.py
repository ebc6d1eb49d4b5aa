"""The JSON 1.1 endpoint: target routing, model validation, SigV4, errors, CORS."""

from __future__ import annotations

import json
import logging
import uuid
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from ..exceptions import (
    CognitoError,
    InternalErrorException,
    NotAuthorizedException,
    UnsupportedOperationException,
)
from ..outages import RETRY_AFTER_SECONDS, is_outage
from . import model, sigv4
from .registry import HANDLERS, Call

logger = logging.getLogger("django_cognito.api")

CONTENT_TYPE = "application/x-amz-json-1.1"
MAX_BODY = 256 * 1024
TARGET_PREFIXES = {"AWSCognitoIdentityProviderService": "cognito-idp",
                   "AWSCognitoIdentityService": "cognito-identity"}
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "POST, OPTIONS",
    "Access-Control-Allow-Headers": ("content-type, x-amz-target, x-amz-user-agent, "
                                     "cache-control, authorization, x-amz-date, "
                                     "x-amz-security-token, x-amz-content-sha256, "
                                     "amz-sdk-invocation-id, amz-sdk-request"),
    "Access-Control-Expose-Headers": "x-amzn-errortype, x-amzn-requestid",
    "Access-Control-Max-Age": "86400",
}


class RequestEntityTooLargeException(CognitoError):
    default_message = "Request body is too large."


def _respond(status: int, body: dict[str, Any], request_id: str,
             error: str | None = None) -> HttpResponse:
    response = HttpResponse(json.dumps(body), status=status, content_type=CONTENT_TYPE)
    response["x-amzn-RequestId"] = request_id
    if error:
        response["x-amzn-ErrorType"] = error
    for name, value in CORS_HEADERS.items():
        response[name] = value
    return response


def _error(exc: CognitoError, request_id: str) -> HttpResponse:
    return _respond(exc.status, exc.as_dict(), request_id, exc.code)


def _route(request: HttpRequest) -> tuple[str, str]:
    target = request.headers.get("X-Amz-Target", "")
    prefix, _, name = target.partition(".")
    service = TARGET_PREFIXES.get(prefix)
    if service is None or not name:
        raise model.UnknownOperationException(f"Unknown target: {target[:128]}")
    return service, name


def _parse(body: bytes) -> Any:
    if not body.strip():
        return {}
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise model.SerializationException("Request body is not valid JSON.") from None
    except RecursionError:  # a few thousand nested brackets exhaust the parser's stack
        raise model.SerializationException("Request body is nested too deeply.") from None


@csrf_exempt
def endpoint(request: HttpRequest) -> HttpResponse:
    """``POST <prefix>/``: one Cognito operation per request."""
    request_id = str(uuid.uuid4())
    if request.method == "OPTIONS":
        return _respond(200, {}, request_id)
    if request.method != "POST":
        return _error(model.UnknownOperationException("Only POST is supported."), request_id)
    try:
        length = int(request.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            raise RequestEntityTooLargeException()
        body = request.body
        if len(body) > MAX_BODY:
            raise RequestEntityTooLargeException()
        service, name = _route(request)
        operation = model.operation_model(service, name)
        handler = HANDLERS.get((service, name))
        if operation is None:
            raise model.UnknownOperationException(f"Unknown operation: {name[:128]}")
        access_key = None if model.is_unsigned(operation) else \
            sigv4.verify(request, body, service)
        if handler is None:
            raise UnsupportedOperationException(
                f"{name} is not supported by this server.")
        params = model.validate(operation, _parse(body))
        call = Call(service=service, operation=name, params=params, request_id=request_id,
                    access_key=access_key)
        return _respond(200, handler(call), request_id)
    except CognitoError as exc:
        return _error(exc, request_id)
    except ValueError:
        return _error(model.SerializationException("Malformed request."), request_id)
    except Exception as exc:
        if not is_outage(exc):
            logger.exception("Internal error in %s (request %s)",
                             request.headers.get("X-Amz-Target"), request_id)
            return _error(InternalErrorException(), request_id)
        # The database or the shared cache is down: a 500 InternalErrorException, which
        # botocore (legacy and standard modes) and the JavaScript SDK retry by its status.
        # Nothing of the failure reaches the client; the log names it without a traceback.
        logger.warning("%s unavailable in %s (request %s): %s", type(exc).__name__,
                       request.headers.get("X-Amz-Target"), request_id, exc)
        response = _error(InternalErrorException(), request_id)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response


def require_pool_access(call: Call, pool_id: str | None) -> None:
    """Refuse a signed call whose key is not scoped to ``pool_id``."""
    if call.access_key is not None and not call.access_key.allows(pool_id):
        raise NotAuthorizedException(
            f"The access key is not allowed to administer {pool_id or 'this account'}.")
