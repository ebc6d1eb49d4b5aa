"""Local pools as trusted issuers, and the user behind an access token (reference §1.1)."""

from __future__ import annotations

import uuid
from collections import OrderedDict
from threading import Lock

from django.core.exceptions import ImproperlyConfigured

from ..exceptions import NotAuthorizedException
from ..models import PoolUser, UserPool
from ..tokens import ADMIN_SCOPE, issuer_for
from ..tokens.keys import publish_keys
from ..verify import (
    Claims,
    ExpiredTokenError,
    RevokedTokenError,
    TokenError,
    TrustedIssuer,
    get_api_verifier,
)
from .tokens import family_is_live

_MAX_CACHED = 1024
_resolved: OrderedDict[str, TrustedIssuer] = OrderedDict()
_lock = Lock()


def _check_revocation(claims: Claims) -> None:
    origin = claims.get("origin_jti")
    if not isinstance(origin, str) or not family_is_live(origin):
        raise RevokedTokenError("token has been revoked")


def _pool_issuer(pool_id: str) -> TrustedIssuer:
    def load() -> dict[str, object]:
        pool = UserPool.objects.filter(pk=pool_id).first()
        return {"keys": publish_keys(pool) if pool is not None else []}
    return TrustedIssuer(issuer=issuer_for(pool_id), load_jwks=load, user_pool_id=pool_id,
                         check_revocation=_check_revocation)


def local_issuer(iss: str) -> TrustedIssuer | None:
    """Resolve ``iss`` to a local pool's issuer (cached; unknown issuers cost one query)."""
    found = _resolved.get(iss)
    if found is not None:
        return found
    pool_id = iss.rstrip("/").rsplit("/", 1)[-1]
    if not 3 <= len(pool_id) <= 55 or "_" not in pool_id:
        return None
    try:
        if issuer_for(pool_id) != iss:
            return None
    except ImproperlyConfigured:
        return None
    if not UserPool.objects.filter(pk=pool_id).exists():
        return None
    trusted = _pool_issuer(pool_id)
    with _lock:
        _resolved[iss] = trusted
        while len(_resolved) > _MAX_CACHED:
            _resolved.popitem(last=False)
    return trusted


def forget_issuers() -> None:
    """Drop cached local issuers (after a pool is deleted or settings change)."""
    with _lock:
        _resolved.clear()


def user_for_access_token(token: object, scope: str = ADMIN_SCOPE,
                          pool: UserPool | None = None) -> tuple[PoolUser, Claims]:
    """The enabled user an access token with ``scope`` belongs to (of ``pool`` if given)."""
    try:
        claims = get_api_verifier().verify(token)
    except ExpiredTokenError:
        raise NotAuthorizedException("Access Token has expired") from None
    except RevokedTokenError:
        raise NotAuthorizedException("Access Token has been revoked") from None
    except TokenError:
        raise NotAuthorizedException("Invalid Access Token") from None
    trusted = claims.trusted_issuer
    if trusted is None or trusted.load_jwks is None or trusted.user_pool_id is None:
        raise NotAuthorizedException("Invalid Access Token")
    if pool is not None and trusted.user_pool_id != pool.pk:
        raise NotAuthorizedException("Invalid Access Token")
    if scope not in str(claims.get("scope", "")).split():
        raise NotAuthorizedException("Access Token does not have required scopes")
    try:
        sub = uuid.UUID(str(claims.get("sub")))
    except ValueError:
        raise NotAuthorizedException("Invalid Access Token") from None
    user = (PoolUser.objects.select_related("pool")
            .filter(pool_id=trusted.user_pool_id, sub=sub).first())
    if user is None:
        raise NotAuthorizedException("User does not exist.")
    if not user.enabled:
        raise NotAuthorizedException("User is disabled.")
    return user, claims
