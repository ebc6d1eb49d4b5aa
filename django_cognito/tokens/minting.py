"""Signing Cognito-format ID and access tokens with the pool's active keys (reference §3)."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from ..clock import now
from ..models import AppClient, KeyPurpose, PoolUser, SigningKey, UserPool
from . import keys
from .claims import (
    ADMIN_SCOPE,
    GroupClaims,
    access_token_claims,
    epoch,
    group_claims,
    id_token_claims,
    merge_extra,
    token_lifetime,
)
from .issuer import issuer_for

# Claims that identify, bind and time a token: extra claims never replace them.
RESERVED_CLAIMS = frozenset({
    "sub", "iss", "aud", "client_id", "token_use", "auth_time", "iat", "exp", "nbf", "jti",
    "origin_jti", "event_id", "cognito:username", "username", "scope",
})
_headers: dict[str, bytes] = {}


@dataclass(frozen=True)
class MintedToken:
    """A signed JWT with the claims it carries."""

    token: str
    claims: dict[str, Any]

    @property
    def expires_in(self) -> int:
        """Seconds from issue to expiry (the ``ExpiresIn`` of an AuthenticationResult)."""
        return int(self.claims["exp"]) - int(self.claims["iat"])

    def __str__(self) -> str:
        return self.token


def b64url(data: bytes) -> bytes:
    return base64.urlsafe_b64encode(data).rstrip(b"=")


def _header(kid: str) -> bytes:
    encoded = _headers.get(kid)
    if encoded is None:
        # Cognito's header is exactly {"kid", "alg"}: no "typ" (reference §3.1).
        encoded = b64url(json.dumps({"kid": kid, "alg": "RS256"},
                                     separators=(",", ":")).encode())
        _headers[kid] = encoded
    return encoded


def at_hash(access_token: str) -> str:
    """OpenID Connect's ``at_hash``: the left half of the access token's SHA-256, base64url
    (OpenID Connect Core §3.1.3.6, for RS256)."""
    digest = hashlib.sha256(access_token.encode("ascii")).digest()
    return b64url(digest[:16]).decode()


def sign(key: SigningKey, claims: Mapping[str, Any]) -> str:
    """A compact RS256 JWS of ``claims`` under ``key``."""
    payload = b64url(json.dumps(claims, separators=(",", ":"), ensure_ascii=False).encode())
    signing_input = _header(key.kid) + b"." + payload
    signature = keys.private_key(key).sign(signing_input, padding.PKCS1v15(), hashes.SHA256())
    return (signing_input + b"." + b64url(signature)).decode()


def _finish(pool: UserPool, purpose: str, lifetime: int, claims: dict[str, Any],
            extra: Mapping[str, Any] | None, suppress: Iterable[str] = ()) -> MintedToken:
    merge_extra(claims, extra, RESERVED_CLAIMS)
    for name in suppress:  # pre token generation's claimsToSuppress; reserved claims stay
        if name not in RESERVED_CLAIMS:
            claims.pop(name, None)
    issued = epoch(now())
    claims.update({"iss": issuer_for(pool), "iat": issued, "exp": issued + lifetime,
                   "jti": str(uuid.uuid4())})
    key = keys.active_key(pool, purpose)
    # Recorded before the token leaves, so a retired key outlives every token it signed.
    keys.record_lifetime(key, lifetime)
    return MintedToken(sign(key, claims), claims)


def mint_id_token(pool: UserPool, client: AppClient, user: PoolUser, *,
                  auth_time: dt.datetime | int, origin_jti: str, event_id: str | None,
                  groups: GroupClaims | None = None,
                  extra: Mapping[str, Any] | None = None,
                  suppress: Iterable[str] = (),
                  scopes: Iterable[str] | None = None) -> MintedToken:
    """An ID token of ``user`` for ``client`` with the claims of reference §3.2.

    ``groups`` replaces the user's stored groups (pre token generation overrides);
    ``extra`` adds claims such as ``at_hash`` or ``nonce`` and ``suppress`` removes
    claims (suppression wins over addition), but neither touches a reserved claim.
    ``scopes``, of an OAuth grant, decide which attributes it carries.
    """
    claims = id_token_claims(pool, client, user, auth_time=epoch(auth_time),
                             origin_jti=origin_jti, event_id=event_id,
                             groups=group_claims(user) if groups is None else groups,
                             scopes=scopes)
    return _finish(pool, KeyPurpose.ID, token_lifetime(client, "IdToken"), claims, extra,
                   suppress)


def mint_access_token(pool: UserPool, client: AppClient, user: PoolUser, *,
                      auth_time: dt.datetime | int, origin_jti: str, event_id: str | None,
                      scope: str | Iterable[str] = ADMIN_SCOPE,
                      groups: GroupClaims | None = None,
                      extra: Mapping[str, Any] | None = None,
                      suppress: Iterable[str] = ()) -> MintedToken:
    """An access token of ``user`` for ``client`` with the claims of reference §3.3.

    ``groups``, ``extra`` and ``suppress`` work as in :func:`mint_id_token`.
    """
    scope_text = scope if isinstance(scope, str) else " ".join(scope)
    claims = access_token_claims(client, user, auth_time=epoch(auth_time),
                                 origin_jti=origin_jti, event_id=event_id, scope=scope_text,
                                 groups=group_claims(user) if groups is None else groups)
    return _finish(pool, KeyPurpose.ACCESS, token_lifetime(client, "AccessToken"), claims,
                   extra, suppress)


def mint_client_token(pool: UserPool, client: AppClient, *, scopes: Iterable[str],
                      extra: Mapping[str, Any] | None = None,
                      suppress: Iterable[str] = ()) -> MintedToken:
    """A client_credentials access token (reference §3.3): the client is its own subject;
    no user, username or groups; ``version: 2`` as every token of the OAuth endpoints."""
    issued = epoch(now())
    claims: dict[str, Any] = {"sub": client.id, "token_use": "access",
                              "scope": " ".join(scopes), "auth_time": issued,
                              "version": 2, "client_id": client.id}
    return _finish(pool, KeyPurpose.ACCESS, token_lifetime(client, "AccessToken"), claims,
                   extra, suppress)
