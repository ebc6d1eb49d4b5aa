"""Django authentication backends: a pool's username/password, and Cognito tokens.

Both return ``None`` for "not mine" (no such pool or user, no token given) and raise
``PermissionDenied`` for "mine, but invalid", which stops Django's backend chain.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model, login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from . import django_users
from .conf import app_settings
from .exceptions import CognitoError, UserNotFoundException
from .models import UserPool
from .services.signin import sign_in_password
from .verify import TokenError, get_verifier

TOKEN_BACKEND = "django_cognito.backends.CognitoTokenBackend"


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
        try:
            claims = get_verifier().verify(token, token_use=token_use)
        except TokenError as exc:
            raise PermissionDenied(str(exc)) from None
        user = django_users.for_claims(claims)
        if user is None or not getattr(user, "is_active", True):
            raise PermissionDenied("No active user for this token.")
        return user


def login_with_token(request: HttpRequest, token: str,
                     token_use: str = "id") -> Any:
    """Verify ``token`` and log its user into the Django session; returns the user."""
    user = CognitoTokenBackend().authenticate(request, token=token, token_use=token_use)
    login(request, user, backend=TOKEN_BACKEND)
    return user
