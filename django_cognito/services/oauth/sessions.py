"""The managed login's single sign-on session: one hour on the pool's domain (reference
§5). The browser's cookie holds a random token; the server keeps its digest, so ``/logout``
ends the session wherever the cookie was copied."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from ...clock import now
from ...models import LoginSession, PoolUser, UserPool

LIFETIME = dt.timedelta(hours=1)


@dataclass(frozen=True)
class Current:
    user: PoolUser
    auth_time: dt.datetime


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def start(user: PoolUser) -> str:
    """A new session of ``user``; the token is for the cookie."""
    token = secrets.token_urlsafe(32)
    moment = now()
    LoginSession.objects.filter(user=user, expires_at__lte=moment).delete()
    LoginSession.objects.create(token_hash=_digest(token), pool=user.pool, user=user,
                                auth_time=moment, expires_at=moment + LIFETIME)
    return token


def current(pool: UserPool, token: object) -> Current | None:
    """Who the cookie's session belongs to, if it is live and of ``pool``'s users."""
    if not isinstance(token, str) or not 20 <= len(token) <= 128:
        return None
    row = (LoginSession.objects.select_related("user", "user__pool")
           .filter(token_hash=_digest(token), pool=pool, expires_at__gt=now()).first())
    if row is None or not row.user.enabled:
        return None
    return Current(user=row.user, auth_time=row.auth_time)


def end(token: object) -> None:
    if isinstance(token, str) and len(token) <= 128:
        LoginSession.objects.filter(token_hash=_digest(token)).delete()
