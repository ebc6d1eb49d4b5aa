"""Authorization codes: issued after a sign-in on the managed login, redeemed once at the
token endpoint within five minutes (reference §5)."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import uuid

from django.db.models import Q

from ...clock import now
from ...models import AppClient, AuthorizationCode, PoolUser
from .. import tokens

LIFETIME = dt.timedelta(minutes=5)


def digest(code: str) -> str:
    return hashlib.sha256(code.encode("utf-8", "replace")).hexdigest()


def issue(client: AppClient, user: PoolUser, *, redirect_uri: str, scopes: list[str],
          auth_time: dt.datetime, nonce: str = "", code_challenge: str = "") -> str:
    """A new code for ``user`` through ``client``; only its digest is kept."""
    code = str(uuid.UUID(bytes=secrets.token_bytes(16), version=4))
    moment = now()
    AuthorizationCode.objects.filter(expires_at__lte=moment - LIFETIME).delete()
    AuthorizationCode.objects.create(
        code_hash=digest(code), client=client, user=user, redirect_uri=redirect_uri,
        scopes=scopes, nonce=nonce, code_challenge=code_challenge, auth_time=auth_time,
        expires_at=moment + LIFETIME)
    return code


def redeem(client: AppClient, code: object) -> AuthorizationCode | None:
    """Take the code for ``client``: one atomic update marks it used and names the token
    family it will be exchanged for (``origin_jti``). A code used before, or of another
    client, answers ``None``; a second redemption also revokes the family the first one
    received (RFC 6749 §4.1.2)."""
    if not isinstance(code, str) or not 1 <= len(code) <= 256:
        return None
    key, moment, family = digest(code), now(), uuid.uuid4()
    taken = AuthorizationCode.objects.filter(
        Q(code_hash=key, client=client, used_at=None, expires_at__gt=moment)).update(
        used_at=moment, origin_jti=family)
    if not taken:
        used = AuthorizationCode.objects.filter(code_hash=key).exclude(origin_jti=None).first()
        if used is not None and used.origin_jti is not None:
            tokens.revoke_family(used.origin_jti)
        return None
    return (AuthorizationCode.objects.select_related("user", "user__pool")
            .filter(code_hash=key).first())
