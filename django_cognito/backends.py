"""Django authentication backends: a pool's username/password, and Cognito tokens.

Both return ``None`` for "not mine" (no such pool or user, no token given) and raise
``PermissionDenied`` for "mine, but invalid", which stops Django's backend chain.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.contrib.auth import get_user_model, login, logout
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers

from . import django_users
from .conf import app_settings
from .exceptions import CognitoError, UserNotFoundException
from .models import UserPool
from .outages import RETRY_AFTER_SECONDS, is_outage
from .services import tokens
from .services.signin import sign_in_password
from .verify import Claims, TokenError, get_verifier

logger = logging.getLogger(__name__)

TOKEN_BACKEND = "django_cognito.backends.CognitoTokenBackend"
#: The session key holding the token family a session was made from.
SESSION_FAMILY = "_cognito_origin_jti"


class _UserLookup:
    def get_user(self, user_id: Any) -> Any:
        model = get_user_model()
        user = model._default_manager.filter(pk=user_id).first()
        return user if user is not None and getattr(user, "is_active", True) else None


class CognitoPasswordBackend(_UserLookup):
    """``authenticate(request, username=, password=, pool_id=)`` against a local pool.

    ``pool_id`` defaults to ``COGNITO["LOGIN_POOL"]``. The sign-in engine runs as for
    ADMIN_USER_PASSWORD_AUTH: user migration, pre and post authentication, the lockout, the
    same hashing time for an unknown name; only an enabled, confirmed user who faces no
    further challenge (a new password, MFA) gets in.
    """

    def authenticate(self, request: HttpRequest | None, username: str | None = None,
                     password: str | None = None, pool_id: str | None = None,
                     **kwargs: Any) -> Any:
        pool_id = pool_id or app_settings.LOGIN_POOL
        if not pool_id or username is None or password is None:
            return None
        pool = UserPool.objects.filter(pk=pool_id).first()
        if pool is None:
            return None
        try:
            result = sign_in_password(pool, username, password)
        except UserNotFoundException:
            return None
        except CognitoError as exc:
            raise PermissionDenied(exc.message) from None
        if result.user is None:
            raise PermissionDenied("Sign-in did not complete.")
        return django_users.linked(result.user)


class CognitoTokenBackend(_UserLookup):
    """``authenticate(request, token=, token_use="id"|"access")`` with a verified token."""

    def authenticate(self, request: HttpRequest | None, token: str | None = None,
                     token_use: str = "access", **kwargs: Any) -> Any:
        if token is None:
            return None
        return _verified(token, token_use)[0]


def _verified(token: str, token_use: str) -> tuple[Any, Claims]:
    try:
        claims = get_verifier().verify(token, token_use=token_use)
    except TokenError as exc:
        raise PermissionDenied(str(exc)) from None
    user = django_users.for_claims(claims)
    if user is None or not getattr(user, "is_active", True):
        raise PermissionDenied("No active user for this token.")
    return user, claims


def login_with_token(request: HttpRequest, token: str,
                     token_use: str = "id") -> Any:
    """Verify ``token`` and log its user into the Django session; returns the user.

    The session is tied to the token's family (its ``origin_jti``) when the token is a local
    pool's: :class:`TokenSessionMiddleware` ends it once the family is revoked.
    """
    user, claims = _verified(token, token_use)
    login(request, user, backend=TOKEN_BACKEND)
    trusted = claims.trusted_issuer
    if trusted is not None and trusted.load_jwks is not None and claims.get("origin_jti"):
        request.session[SESSION_FAMILY] = str(claims["origin_jti"])
    return user


class TokenSessionMiddleware:
    """End a Django session made from tokens once their family is revoked.

    GlobalSignOut, RevokeToken, a password change or reset, disabling or deleting the user
    revoke the family; the next request of a session made by :func:`login_with_token` from
    one of its tokens is then logged out (one cached query). Place it after Django's
    ``AuthenticationMiddleware``.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        family = session.get(SESSION_FAMILY) if session is not None else None
        if family:
            try:
                live = tokens.family_is_live(str(family))
            except Exception as exc:
                if not is_outage(exc):
                    raise
                # Whether the session was signed out cannot be known: refuse it for now
                # rather than serve a revoked session, and say when to try again.
                logger.warning("Token session not checked: %s", type(exc).__name__)
                response = HttpResponse("Service temporarily unavailable.", status=503,
                                        content_type="text/plain; charset=utf-8")
                response["Retry-After"] = str(RETRY_AFTER_SECONDS)
                add_never_cache_headers(response)
                return response
            if not live:
                logout(request)
        return self.get_response(request)
