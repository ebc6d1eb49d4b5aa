"""Verify OpenID Connect ID tokens of other providers (Google, Apple, any OIDC issuer).

Cognito's own tokens go through :class:`~.verifier.Verifier` (RS256 only, a tight hot path).
Other providers sign with RS256, ES256 and others, so these tokens are checked by PyJWT's
``PyJWKClient`` and ``jwt.decode``, with the same rules: the key comes only from the issuer's
configured JWKS URL, an algorithm allow-list (never ``none`` nor HMAC, whose "secret" would be
the public key: RFC 8725 §3.1, §2.1), ``iss``, ``aud``, ``exp`` and ``iat`` checked, and the
JWKS fetched with a timeout, a size cap, no redirect and a pause after a failure.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Mapping
from typing import Any

import jwt
from jwt import PyJWKClient
from jwt.exceptions import PyJWKClientConnectionError, PyJWKClientError

from .errors import (
    ClaimError,
    ClientNotAllowedError,
    ExpiredTokenError,
    HeaderError,
    ImmatureTokenError,
    InvalidSignatureError,
    IssuerNotTrustedError,
    JwksError,
    KeyNotFoundError,
    MalformedTokenError,
)
from .jwks import http_get_json
from .verifier import KEY_HEADERS

# Asymmetric algorithms only, each with the key type that may verify it.
ALGORITHMS = {"RS256": "RSA", "RS384": "RSA", "RS512": "RSA", "PS256": "RSA", "PS384": "RSA",
              "PS512": "RSA", "ES256": "EC", "ES384": "EC", "ES512": "EC"}
_MAX_CLIENTS = 64


class BoundedJwkClient(PyJWKClient):
    """``PyJWKClient`` whose fetch is bounded (timeout, size, no redirect) and which, after a
    failed fetch, fails fast for ``cooldown`` seconds instead of waiting on a dead provider
    for every token."""

    def __init__(self, uri: str, *, timeout: float, max_bytes: int, lifespan: float,
                 cooldown: float) -> None:
        super().__init__(uri, cache_keys=False, lifespan=lifespan, timeout=timeout,
                         cooldown_duration=cooldown)
        self.max_bytes = max_bytes
        self.failure_pause = cooldown
        self.failed_at: float | None = None

    def fetch_data(self) -> Any:
        """The JWKS document, fetched within bounds and cached."""
        if self.failed_at is not None and time.monotonic() - self.failed_at < self.failure_pause:
            raise PyJWKClientConnectionError("JWKS unavailable: the last fetch failed")
        try:
            status, document = http_get_json(self.uri, timeout=self.timeout,
                                              max_bytes=self.max_bytes)
            if status != 200 or not isinstance(document, dict):
                raise JwksError(f"JWKS fetch from {self.uri} failed: HTTP {status}")
        except JwksError as exc:
            self.failed_at = time.monotonic()
            raise PyJWKClientConnectionError(str(exc)) from None
        self.failed_at = None
        if self.jwk_set_cache is not None:
            self.jwk_set_cache.put(document)
        return document


_clients: dict[tuple[str, float, int, float, float], BoundedJwkClient] = {}
_clients_lock = threading.Lock()


def jwk_client(uri: str, *, timeout: float, max_bytes: int, lifespan: float,
               cooldown: float) -> BoundedJwkClient:
    """The process-wide client of one JWKS URL (its cache lives as long as the process)."""
    key = (uri, timeout, max_bytes, lifespan, cooldown)
    client = _clients.get(key)
    if client is None:
        with _clients_lock:
            client = _clients.get(key)
            if client is None:
                if len(_clients) >= _MAX_CLIENTS:
                    _clients.clear()
                client = _clients[key] = BoundedJwkClient(
                    uri, timeout=timeout, max_bytes=max_bytes, lifespan=lifespan,
                    cooldown=cooldown)
    return client


def forget_jwk_clients() -> None:
    """Drop the cached clients and their key sets (settings changed, tests)."""
    with _clients_lock:
        _clients.clear()


def _header(token: Any, max_bytes: int) -> dict[str, Any]:
    if not isinstance(token, str) or not token.isascii():
        raise MalformedTokenError("token is not an ASCII string")
    if len(token) > max_bytes:
        raise MalformedTokenError(f"token exceeds {max_bytes} bytes")
    if token.count(".") != 2:
        raise MalformedTokenError("token is not a compact JWS of three segments")
    try:
        header = jwt.get_unverified_header(token)
    except jwt.InvalidTokenError:
        raise MalformedTokenError("token header is not valid") from None
    alg = header.get("alg")
    if alg not in ALGORITHMS:
        raise HeaderError(f"alg {str(alg)[:20]!r} is not allowed")
    for name in KEY_HEADERS:
        if name in header:
            # RFC 8725 §3.10: a key named by the token would check its own signature.
            raise HeaderError(f"embedded key header {name} is not allowed")
    if "crit" in header:
        raise HeaderError("crit header is not supported")
    return header


def _signing_key(client: BoundedJwkClient, header: Mapping[str, Any]) -> Any:
    kid = header.get("kid")
    try:
        if isinstance(kid, str) and kid:
            found = client.get_signing_key(kid)
        else:
            # A provider with a single key may leave kid out; with several, a kid is needed.
            keys = client.get_signing_keys()
            if len(keys) != 1:
                raise KeyNotFoundError("kid missing from the token header")
            found = keys[0]
    except PyJWKClientConnectionError as exc:
        raise JwksError(str(exc)) from None
    except PyJWKClientError as exc:
        raise KeyNotFoundError(str(exc)) from None
    except jwt.PyJWTError as exc:  # a malformed JWKS document
        raise JwksError(str(exc)) from None
    if ALGORITHMS[header["alg"]] != found.key_type:
        raise HeaderError(f"alg {header['alg']} does not fit a {found.key_type} key")
    return found.key


def verify_id_token(token: Any, *, jwks_uri: str, issuers: Iterable[str],
                    audiences: Iterable[str], leeway: float = 0, timeout: float = 5,
                    max_jwks_bytes: int = 65536, max_token_bytes: int = 8192,
                    jwks_ttl: float = 3600, cooldown: float = 30) -> dict[str, Any]:
    """The claims of an ID token signed by a key of ``jwks_uri``, issued by one of
    ``issuers`` for one of ``audiences``; else the :class:`~.errors.TokenError` that says
    which check failed."""
    header = _header(token, max_token_bytes)
    client = jwk_client(jwks_uri, timeout=timeout, max_bytes=max_jwks_bytes,
                        lifespan=jwks_ttl, cooldown=cooldown)
    key = _signing_key(client, header)
    audience = sorted(set(audiences))
    if not audience:
        raise ClientNotAllowedError("no audience is allowed")
    try:
        claims = jwt.decode(
            token, key, algorithms=[header["alg"]], audience=audience,
            issuer=sorted(set(issuers)), leeway=leeway,
            options={"require": ["iss", "aud", "sub", "exp", "iat"], "verify_signature": True})
    except jwt.ExpiredSignatureError:
        raise ExpiredTokenError("token expired") from None
    except jwt.ImmatureSignatureError:
        raise ImmatureTokenError("token not yet valid") from None
    except jwt.InvalidAudienceError:
        raise ClientNotAllowedError("aud not allowed") from None
    except jwt.InvalidIssuerError:
        raise IssuerNotTrustedError("issuer not trusted") from None
    except jwt.InvalidSignatureError:
        raise InvalidSignatureError("signature verification failed") from None
    except jwt.DecodeError:
        raise MalformedTokenError("token is not a valid JWS") from None
    except jwt.InvalidTokenError as exc:
        raise ClaimError(str(exc)[:200]) from None
    if not isinstance(claims.get("sub"), str) or not claims["sub"]:
        raise ClaimError("claim sub missing or not a string")
    return claims
