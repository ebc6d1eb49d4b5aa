"""Authorization codes: issued after a sign-in on the managed login, redeemed once at the
token endpoint within five minutes (reference §5)."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import uuid
from collections.abc import Sequence
from typing import Any

from django.db.models import Q, QuerySet

from ... import prepared
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
    # Every exchange reads its code and user: SQL compiled once (``prepared``), where the ORM
    # compiled a join of three wide tables on each exchange, a cost above its two signatures.
    record = prepared.fetch("oauth.code", AuthorizationCode, _by_hash, [key])
    if not record:
        return None
    users = prepared.fetch("oauth.code_user", PoolUser, _user_of_pool,
                           [record[0].user_id, client.pool_id])
    if not users:
        return None
    record[0].user = users[0]
    users[0].pool = client.pool  # the client's, already loaded
    return record[0]


def _by_hash(args: Sequence[Any]) -> QuerySet[AuthorizationCode]:
    return AuthorizationCode.objects.filter(code_hash=args[0])


def _user_of_pool(args: Sequence[Any]) -> QuerySet[PoolUser]:
    return PoolUser.objects.filter(pk=args[0], pool_id=args[1])
