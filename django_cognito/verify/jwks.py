"""JWKS retrieval and caching: parse RSA signing keys once, refetch on rotation, never hammer.

Keys come only from the issuer's configured JWKS URL (or, for local pools, the database);
nothing in a token header can point the verifier at another key (RFC 8725 §3.10).
"""

from __future__ import annotations

import base64
import json
import logging
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey, RSAPublicNumbers
from django.core.exceptions import ImproperlyConfigured

from .errors import JwksError, KeyNotFoundError
from .issuers import check_jwks_url

logger = logging.getLogger(__name__)

# RFC 8725 §3.5 / NIST SP 800-131A: RSA keys below 2048 bits are not acceptable for RS256.
MIN_RSA_BITS = 2048


@dataclass(frozen=True)
class KeySet:
    """Usable RS256 keys by ``kid``, plus why each unusable ``kid`` was skipped."""

    keys: Mapping[str, RSAPublicKey]
    unusable: Mapping[str, str]


def _b64_uint(value: Any) -> int:
    if not isinstance(value, str) or not value:
        raise ValueError("not a base64url string")
    raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    return int.from_bytes(raw, "big")


def parse_key(jwk: Mapping[str, Any]) -> RSAPublicKey:
    """One JWK to a public key, following reference §3.6 step 2 (kty, use, alg)."""
    if jwk.get("kty") != "RSA":
        raise ValueError(f"JWK kty is {jwk.get('kty')!r}, expected 'RSA'")
    if "use" in jwk and jwk["use"] != "sig":
        raise ValueError(f"JWK use is {jwk['use']!r}, expected 'sig'")
    if "alg" in jwk and jwk["alg"] != "RS256":
        raise ValueError(f"JWK alg is {jwk['alg']!r}, expected 'RS256'")
    key = RSAPublicNumbers(_b64_uint(jwk.get("e")), _b64_uint(jwk.get("n"))).public_key()
    if key.key_size < MIN_RSA_BITS:
        raise ValueError(f"JWK is a {key.key_size}-bit RSA key, at least {MIN_RSA_BITS} needed")
    return key


def parse_jwks(document: Any) -> KeySet:
    """Parse a JWKS document; keys that cannot sign RS256 are skipped with the reason kept."""
    if not isinstance(document, Mapping) or not isinstance(document.get("keys"), list):
        raise JwksError("JWKS is not a JSON object with a 'keys' array")
    keys: dict[str, RSAPublicKey] = {}
    unusable: dict[str, str] = {}
    for jwk in document["keys"]:
        kid = jwk.get("kid") if isinstance(jwk, Mapping) else None
        if not isinstance(kid, str) or not kid:
            continue
        try:
            keys[kid] = parse_key(jwk)
        except ValueError as exc:
            unusable[kid] = str(exc)
    return KeySet(keys, unusable)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect could leave HTTPS or loopback, so a JWKS URL must answer directly."""

    def redirect_request(self, req: Any, fp: Any, code: int, msg: str, headers: Any,
                         newurl: str) -> None:
        return None


def http_get_json(url: str, *, timeout: float, max_bytes: int,
                  headers: Mapping[str, str] | None = None,
                  what: str = "JWKS") -> tuple[int, Any]:
    """GET a JSON document over HTTPS (or loopback HTTP): no redirect, a timeout and a size
    cap. Returns the status and the parsed body; an HTTP error with a JSON body is returned
    too (token-info endpoints explain a refusal that way), anything else raises JwksError,
    as does a URL that is neither HTTPS nor loopback (it may come from a remote document)."""
    try:
        check_jwks_url(url)
    except ImproperlyConfigured as exc:
        raise JwksError(str(exc)) from None
    handlers: list[urllib.request.BaseHandler] = [_NoRedirect()]
    if urlsplit(url).scheme == "http":
        # Loopback only: an environment proxy must not see (or answer for) the request.
        handlers.append(urllib.request.ProxyHandler({}))
    opener = urllib.request.build_opener(*handlers)
    request = urllib.request.Request(  # noqa: S310 (scheme checked by check_jwks_url)
        url, headers={"Accept": "application/json", "User-Agent": "django-cognito",
                      **(headers or {})})
    shown = url.split("?", 1)[0]  # a query may carry a token: never in a message
    try:
        with opener.open(request, timeout=timeout) as response:
            status, body = response.status, response.read(max_bytes + 1)
    except urllib.error.HTTPError as exc:
        with exc:
            status, body = exc.code, exc.read(max_bytes + 1)
        if not 400 <= status < 500:
            raise JwksError(f"{what} fetch from {shown} failed: HTTP Error {status}") from None
    except (OSError, ValueError) as exc:
        raise JwksError(f"{what} fetch from {shown} failed: {exc}") from exc
    if len(body) > max_bytes:
        raise JwksError(f"{what} from {shown} exceeds {max_bytes} bytes")
    try:
        return status, json.loads(body)
    except ValueError as exc:
        raise JwksError(f"{what} from {shown} is not JSON") from exc


def fetch_jwks(url: str, *, timeout: float, max_bytes: int) -> Any:
    """GET a JWKS document over HTTPS (or loopback HTTP) with a timeout and a size cap."""
    check_jwks_url(url)
    status, document = http_get_json(url, timeout=timeout, max_bytes=max_bytes)
    if status != 200:
        raise JwksError(f"JWKS fetch from {url} failed: HTTP Error {status}")
    return document


class JwksCache:
    """The keys of one issuer: cached for ``ttl`` seconds, refetched on an unknown ``kid``.

    An unknown ``kid`` triggers at most one refetch per ``cooldown`` seconds, so tokens with
    made-up ``kid`` values cannot turn the verifier into a flood of requests to the issuer.
    Concurrent refetches are collapsed: threads that waited on the lock reuse the result.
    """

    def __init__(self, load: Callable[[], Any]) -> None:
        self.load = load
        self._keys: Mapping[str, RSAPublicKey] = {}
        self._unusable: Mapping[str, str] = {}
        self._fetched_at: float | None = None
        self._cooldown_until = 0.0
        self._generation = 0
        self._lock = threading.Lock()

    @property
    def generation(self) -> int:
        """Bumped on every successful fetch: results checked with older keys are stale."""
        return self._generation

    def get(self, kid: str, *, now: float, ttl: float, cooldown: float) -> RSAPublicKey:
        """The key for ``kid`` at time ``now``; fetch the JWKS when cold, stale or lacking it."""
        key = self._keys.get(kid)
        fetched_at = self._fetched_at
        if key is not None and fetched_at is not None and now - fetched_at < ttl:
            return key
        generation = self._generation
        if key is not None:
            # Stale but known: while one thread refreshes, the others keep using the key
            # rather than queueing behind a slow issuer.
            if not self._lock.acquire(blocking=False):
                return key
        else:
            self._lock.acquire()
        try:
            if self._generation == generation:
                self._refresh(now, unknown_kid=key is None, cooldown=cooldown)
            key = self._keys.get(kid)
        finally:
            self._lock.release()
        if key is None:
            reason = self._unusable.get(kid)
            if reason is not None:
                raise KeyNotFoundError(f"kid {kid!r} is not usable: {reason}")
            raise KeyNotFoundError(f"kid {kid!r} not found in the issuer's JWKS")
        return key

    def _refresh(self, now: float, *, unknown_kid: bool, cooldown: float) -> None:
        cold = self._fetched_at is None
        if now < self._cooldown_until:
            if cold:
                raise JwksError("JWKS unavailable: the last fetch failed, retrying after a pause")
            return
        if unknown_kid and not cold:
            self._cooldown_until = now + cooldown
        try:
            keyset = parse_jwks(self.load())
        except JwksError as exc:
            self._cooldown_until = now + cooldown
            if cold:
                raise
            # A stale key set beats refusing every request while the issuer is unreachable.
            logger.warning("Keeping the cached JWKS: %s", exc)
            return
        self._keys, self._unusable = keyset.keys, keyset.unusable
        self._fetched_at = now
        self._generation += 1
