"""Django authentication backends: a pool's username/password, and Cognito tokens.

Both return ``None`` for "not mine" (no such pool or user, no token given) and raise
``PermissionDenied`` for "mine, but invalid", which stops Django's backend chain.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib.auth import get_user_model, login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from .adapter import get_adapter
from .conf import app_settings
from .exceptions import CognitoError
from .models import PoolUser, UserPool, UserStatus
from .services import lockout, passwords
from .services.users import find_user
from .verify import Claims, TokenError, get_verifier

TOKEN_BACKEND = "django_cognito.backends.CognitoTokenBackend"


def ensure_django_user(pool_user: PoolUser) -> Any:
    """The Django user linked to ``pool_user``, created through the adapter if missing."""
    if pool_user.user_id is not None and pool_user.user is not None:
        return pool_user.user
    django_user = get_adapter().create_django_user(pool_user)
    pool_user.user = django_user
    PoolUser.objects.filter(pk=pool_user.pk).update(user=django_user)
    return django_user


def resolve_user(claims: Claims) -> Any:
    """The Django user for verified claims: a local pool user's, or a mirrored remote one."""
    trusted = claims.trusted_issuer
    if trusted is None:
        return None
    if trusted.load_jwks is not None and trusted.user_pool_id:
        try:
            sub = uuid.UUID(claims.sub)
        except ValueError:
            return None
        pool_user = (PoolUser.objects.select_related("user", "pool")
                     .filter(pool_id=trusted.user_pool_id, sub=sub).first())
        return ensure_django_user(pool_user) if pool_user is not None else None
    return get_adapter().remote_django_user(claims)


class _UserLookup:
    def get_user(self, user_id: Any) -> Any:
        model = get_user_model()
        user = model._default_manager.filter(pk=user_id).first()
        return user if user is not None and getattr(user, "is_active", True) else None


class CognitoPasswordBackend(_UserLookup):
    """``authenticate(request, username=, password=, pool_id=)`` against a local pool.

    ``pool_id`` defaults to ``COGNITO["LOGIN_POOL"]``. Cognito's rules apply: lockout after
    failed attempts, and only enabled, CONFIRMED users get in.
    """

    def authenticate(self, request: HttpRequest | None, username: str | None = None,
                     password: str | None = None, pool_id: str | None = None,
                     **kwargs: Any) -> Any:
        pool_id = pool_id or app_settings.LOGIN_POOL
        if not pool_id or username is None or password is None:
            return None
        pool = UserPool.objects.filter(pk=pool_id).first()
        user = find_user(pool, username) if pool is not None else None
        if user is None:
            return None
        try:
            lockout.check(user)
        except CognitoError as exc:
            raise PermissionDenied(exc.message) from None
        if not passwords.verify(user, password):
            lockout.failed(user)
            raise PermissionDenied("Incorrect username or password.")
        lockout.succeeded(user)
        if not user.enabled or user.status != UserStatus.CONFIRMED:
            raise PermissionDenied(f"User cannot sign in (status {user.status}).")
        return ensure_django_user(user)


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
        user = resolve_user(claims)
        if user is None or not getattr(user, "is_active", True):
            raise PermissionDenied("No active user for this token.")
        return user


def login_with_token(request: HttpRequest, token: str,
                     token_use: str = "id") -> Any:
    """Verify ``token`` and log its user into the Django session; returns the user."""
    user = CognitoTokenBackend().authenticate(request, token=token, token_use=token_use)
    login(request, user, backend=TOKEN_BACKEND)
    return user
