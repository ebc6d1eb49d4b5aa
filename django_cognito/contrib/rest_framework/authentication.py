"""DRF Bearer authentication with Cognito-format tokens (RFC 6750)."""

from __future__ import annotations

import re
from typing import Any

from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import APIException, AuthenticationFailed
from rest_framework.request import Request

from ...conf import app_settings
from ...outages import RETRY_AFTER_SECONDS, is_outage
from ...verify import Claims, TokenError, get_verifier
from .users import TokenUser

# RFC 6750 §3: error_description may only hold %x20-21 / %x23-5B / %x5D-7E.
_UNSAFE_IN_CHALLENGE = re.compile(r'[^\x20\x21\x23-\x5b\x5d-\x7e]')


class ServiceUnavailable(APIException):
    """503 while the shared cache or the database (which the revocation check of a local
    pool's token reads) is down; DRF's exception handler turns ``wait`` into Retry-After."""

    status_code = 503
    default_detail = "Service temporarily unavailable, try again later."
    default_code = "service_unavailable"

    def __init__(self) -> None:
        super().__init__()
        self.wait = RETRY_AFTER_SECONDS


class CognitoAuthentication(BaseAuthentication):
    """``Authorization: Bearer <token>``; ``request.auth`` is the verified :class:`Claims`.

    Access tokens by default; ``COGNITO["DRF_TOKEN_USE"] = "id"`` (or a subclass setting
    ``token_use``) accepts ID tokens instead. ``request.user`` is a :class:`TokenUser` built
    from the claims without touching the database.
    """

    keyword = "bearer"
    token_use: str | None = None

    def authenticate(self, request: Request) -> tuple[TokenUser, Claims] | None:
        """``None`` for another scheme; raise for a Bearer token that does not verify."""
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword.encode():
            return None
        if len(parts) != 2:
            self._fail(request, "Authorization header must be 'Bearer <token>'")
        try:
            token = parts[1].decode("ascii")
        except UnicodeDecodeError:
            self._fail(request, "token is not ASCII")
        try:
            claims = get_verifier().verify(
                token, token_use=self.token_use or app_settings.DRF_TOKEN_USE)
        except TokenError as exc:
            self._fail(request, str(exc))
        except Exception as exc:
            if not is_outage(exc):
                raise
            # Refused, never let through unchecked: the revocation check could not run.
            raise ServiceUnavailable() from exc
        return TokenUser(claims), claims

    def _fail(self, request: Request, message: str) -> Any:
        # Remembered so authenticate_header can add error="invalid_token" (RFC 6750 §3.1)
        # only when a token was presented; a request without one gets a bare challenge.
        request._cognito_token_error = message
        raise AuthenticationFailed(message)

    def authenticate_header(self, request: Request) -> str:
        """The ``WWW-Authenticate`` challenge that makes DRF answer 401 rather than 403."""
        realm = _UNSAFE_IN_CHALLENGE.sub("", str(app_settings.DRF_REALM))
        challenge = f'Bearer realm="{realm}"'
        message = getattr(request, "_cognito_token_error", None)
        if message:
            description = _UNSAFE_IN_CHALLENGE.sub("", message)[:200]
            challenge += f', error="invalid_token", error_description="{description}"'
        return challenge
