"""Verify Cognito-format JWTs from local pools and real AWS pools (reference §3.6).

The hot path keeps its own JWS check on ``cryptography`` rather than going through a general
JWT library: split the compact JWS, look the header up in a small cache of already-vetted
headers, decode the payload, check the RSA signature with a cached ``cryptography`` key
object, then compare a handful of claims. A warm verification then costs little more than the
RSA check itself. PyJWT's ``decode`` (2.15) measured about 3× slower on the same token (most
of it a per-character base64 check), so Cognito tokens never go through it (PyJWT checks only
other providers' ID tokens, in ``external.py``); ``bench/verify_bench.py`` keeps PyJWT beside
this verifier, so the choice stays measured.
"""

from __future__ import annotations

import binascii
import dataclasses
import functools
import json
import math
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.hazmat.primitives.hashes import SHA256
from django.core.exceptions import ImproperlyConfigured

from .. import clock
from .claims import Claims, in_any_group, missing_scopes
from .errors import (
    ClaimError,
    ClientNotAllowedError,
    ExpiredTokenError,
    HeaderError,
    ImmatureTokenError,
    InvalidSignatureError,
    IssuerNotTrustedError,
    KeyNotFoundError,
    MalformedTokenError,
    MissingGroupError,
    MissingScopeError,
    TokenUseError,
)
from .issuers import IssuerResolver, TrustedIssuer, issuer_resolvers, issuers_from_settings
from .jwks import JwksCache, fetch_jwks

TOKEN_USES = ("access", "id")
_PADDING_FOR = ("", "", "==", "=")
# Headers that carry or point at a key. Trusting them lets the sender choose the key that
# checks its own signature (RFC 8725 §3.10; CVE-2018-0114): refused, never fetched.
KEY_HEADERS = ("jwk", "jku", "x5u", "x5c")
_PADDING = PKCS1v15()
_SHA256 = SHA256()
_HEADER_CACHE_SIZE = 1024
# Tokens that passed every check, per verifier: a client sends the same access token with
# every call until it expires, so the RSA check (most of a verification) runs once per token.
_VERIFIED_CACHE_SIZE = 1024


def _b64decode(segment: str, what: str) -> bytes:
    # RFC 7515 §2: base64url without padding. The strict decoder rejects every other byte
    # once '+', '/' and '=' (valid only in the other alphabets) are ruled out.
    if "+" in segment or "/" in segment or "=" in segment:
        raise MalformedTokenError(f"token {what} is not base64url")
    try:
        return binascii.a2b_base64(
            segment.replace("-", "+").replace("_", "/") + _PADDING_FOR[len(segment) % 4],
            strict_mode=True)
    except (binascii.Error, ValueError):
        raise MalformedTokenError(f"token {what} is not base64url") from None


def _json_object(segment: str, what: str) -> dict[str, Any]:
    try:
        # Decoding to str first is faster than json.loads(bytes)'s encoding sniffing.
        value = json.loads(_b64decode(segment, what).decode("utf-8"))
    except (ValueError, RecursionError) as exc:
        raise MalformedTokenError(f"token {what} is not JSON") from exc
    if not isinstance(value, dict):
        raise MalformedTokenError(f"token {what} is not a JSON object")
    return value


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # A header with two "alg" members means different things to different parsers.
    result = dict(pairs)
    if len(result) != len(pairs):
        raise MalformedTokenError("token header repeats a member")
    return result


def _vet_header(segment: str) -> str:
    """Check a JOSE header once and return its ``kid`` (reference §3.1: kid + RS256 only)."""
    try:
        header = json.loads(_b64decode(segment, "header").decode("utf-8"),
                            object_pairs_hook=_no_duplicates)
    except (ValueError, RecursionError) as exc:
        raise MalformedTokenError("token header is not JSON") from exc
    if not isinstance(header, dict):
        raise MalformedTokenError("token header is not a JSON object")
    alg = header.get("alg")
    if alg != "RS256":
        if isinstance(alg, str) and alg.lower() == "none":
            # RFC 8725 §3.1: unsigned tokens are never acceptable, whatever the casing.
            raise HeaderError("alg none is not allowed")
        if alg is None:
            raise HeaderError("alg missing, expected RS256")
        raise HeaderError(f"alg {str(alg)[:20]!r} is not allowed, expected RS256")
    for name in KEY_HEADERS:
        if name in header:
            raise HeaderError(f"embedded key header {name} is not allowed")
    if "crit" in header:
        # RFC 7515 §4.1.11: extensions listed in crit must be understood; none are.
        raise HeaderError("crit header is not supported")
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise KeyNotFoundError("kid missing from the token header")
    return kid


def _number(payload: Mapping[str, Any], name: str, *, required: bool) -> float | None:
    value = payload.get(name)
    if value is None and not required:
        return None
    # bool is an int subclass; true/false are not timestamps.
    if type(value) is int or (type(value) is float and math.isfinite(value)):
        return float(value)
    raise ClaimError(f"claim {name} missing or not a number")


class Verifier:
    """Verify ID and access tokens against trusted issuers; one instance serves all threads."""

    def __init__(
        self,
        issuers: Iterable[TrustedIssuer] = (),
        *,
        resolvers: Sequence[IssuerResolver] | None = None,
        leeway: float = 0,
        jwks_ttl: float = 3600,
        refetch_cooldown: float = 30,
        fetch_timeout: float = 5,
        max_jwks_bytes: int = 65536,
        max_token_bytes: int = 8192,
        local_pools: Mapping[str, frozenset[str] | None] | None = None,
    ) -> None:
        self.issuers = {trusted.issuer: trusted for trusted in issuers}
        self._resolvers = resolvers
        # Local pools (found by the resolvers) whose tokens this verifier takes, each with its
        # allowed clients (None: any); None takes every local pool's.
        self.local_pools = local_pools
        self._narrowed: dict[str, TrustedIssuer] = {}
        self.leeway = leeway
        self.jwks_ttl = jwks_ttl
        self.refetch_cooldown = refetch_cooldown
        self.fetch_timeout = fetch_timeout
        self.max_jwks_bytes = max_jwks_bytes
        self.max_token_bytes = max_token_bytes
        self._caches: dict[tuple[str, str | None], JwksCache] = {}
        self._caches_lock = threading.Lock()
        self._header_kids: dict[str, str] = {}
        self._verified: dict[str, tuple[dict[str, Any], str, int]] = {}

    @classmethod
    def from_settings(cls, *, every_local_pool: bool = False,
                      trusted_issuers: bool = True) -> Verifier:
        """A verifier configured from ``settings.COGNITO`` (see ``conf.DEFAULTS``).

        ``every_local_pool``: take the tokens of every local pool, whatever ``LOCAL_POOLS``
        says; with ``trusted_issuers=False`` (the JSON API's verifier) nothing else, whatever
        ``TRUSTED_ISSUERS`` says.
        """
        from ..conf import app_settings

        return cls(
            issuers_from_settings(app_settings.TRUSTED_ISSUERS).values() if trusted_issuers
            else (),
            local_pools=None if every_local_pool else
            local_pools_from_setting(app_settings.LOCAL_POOLS),
            leeway=app_settings.VERIFY_LEEWAY,
            jwks_ttl=app_settings.JWKS_CACHE_TTL,
            refetch_cooldown=app_settings.JWKS_REFETCH_COOLDOWN,
            fetch_timeout=app_settings.JWKS_FETCH_TIMEOUT,
            max_jwks_bytes=app_settings.JWKS_MAX_BYTES,
            max_token_bytes=app_settings.TOKEN_MAX_BYTES,
        )

    def verify(
        self,
        token: Any,
        *,
        token_use: str = "access",
        groups: Iterable[str] = (),
        scopes: Iterable[str] = (),
        any_scopes: Iterable[str] = (),
        check_revocation: bool = True,
    ) -> Claims:
        """Return the claims of a valid token or raise the :class:`TokenError` that says why.

        ``groups``: the user must be in at least one of them. ``scopes``: the token must hold
        every one. ``any_scopes``: the token must hold at least one. ``check_revocation``:
        refuse a revoked local token (a caller that decides on revocation itself, as an
        identity pool without ServerSideTokenCheck, passes False).
        """
        if token_use not in TOKEN_USES:
            raise ValueError(f"token_use must be 'access' or 'id', not {token_use!r}")
        known = (self._verified.get(token)
                 if isinstance(token, str) and len(token) <= self.max_token_bytes else None)
        if known is not None:
            payload, known_kid, generation = known
            # The same bytes verify the same way under the same key set: the issuer is
            # resolved again and its keys refreshed as on a full check, and a refetched JWKS
            # (new generation) sends the token through the full check. Time claims, clients,
            # revocation and access are checked on every call.
            trusted = self._trusted_issuer(payload.get("iss"))
            now = clock.now().timestamp()
            cache = self._cache(trusted)
            cache.get(known_kid, now=now, ttl=self.jwks_ttl, cooldown=self.refetch_cooldown)
            if cache.generation == generation:
                return self._accept(dict(payload), trusted, token_use, now,
                                    groups, scopes, any_scopes, check_revocation)
        header_segment, payload_segment, signature_segment = self._split(token)
        kid = self._header_kids.get(header_segment)
        if kid is None:
            kid = _vet_header(header_segment)
            if len(self._header_kids) >= _HEADER_CACHE_SIZE:
                self._header_kids.clear()
            self._header_kids[header_segment] = kid
        payload = _json_object(payload_segment, "payload")
        trusted = self._trusted_issuer(payload.get("iss"))
        now = clock.now().timestamp()
        cache = self._cache(trusted)
        key = cache.get(kid, now=now, ttl=self.jwks_ttl, cooldown=self.refetch_cooldown)
        generation = cache.generation
        signature = _b64decode(signature_segment, "signature")
        signing_input = f"{header_segment}.{payload_segment}".encode("ascii")
        try:
            key.verify(signature, signing_input, _PADDING, _SHA256)
        except InvalidSignature:
            raise InvalidSignatureError("signature verification failed") from None
        claims = self._accept(payload, trusted, token_use, now, groups, scopes, any_scopes,
                              check_revocation)
        # Only a token that passed every check is remembered: no failure is ever cached.
        if len(self._verified) >= _VERIFIED_CACHE_SIZE:
            self._verified.clear()
        self._verified[token] = (dict(payload), kid, generation)
        return claims

    def _accept(self, payload: dict[str, Any], trusted: TrustedIssuer, token_use: str,
                now: float, groups: Iterable[str], scopes: Iterable[str],
                any_scopes: Iterable[str], check_revocation: bool = True) -> Claims:
        self._check_claims(payload, trusted, token_use, now)
        claims = Claims(payload, trusted)
        if check_revocation and trusted.check_revocation is not None:
            trusted.check_revocation(claims)
        if groups or scopes or any_scopes:
            self._check_access(claims, groups, scopes, any_scopes)
        return claims

    def _split(self, token: Any) -> list[str]:
        if not isinstance(token, str):
            raise MalformedTokenError("token is not a string")
        if len(token) > self.max_token_bytes:
            raise MalformedTokenError(f"token exceeds {self.max_token_bytes} bytes")
        if not token.isascii():
            raise MalformedTokenError("token is not ASCII")
        parts = token.split(".")
        if len(parts) == 3:
            return parts
        if len(parts) == 5:
            raise MalformedTokenError("encrypted (JWE) tokens are not accepted")
        raise MalformedTokenError("token is not a compact JWS of three segments")

    def _trusted_issuer(self, iss: Any) -> TrustedIssuer:
        if not isinstance(iss, str) or not iss:
            raise IssuerNotTrustedError("claim iss missing or not a string")
        trusted = self.issuers.get(iss)
        if trusted is not None:
            return trusted
        resolvers = issuer_resolvers() if self._resolvers is None else self._resolvers
        for resolve in resolvers:
            found = resolve(iss)
            if found is not None and found.issuer == iss:
                return found if self.local_pools is None else \
                    self._narrow(found, self.local_pools)
        raise IssuerNotTrustedError(f"issuer not trusted: {iss[:200]}")

    def _narrow(self, found: TrustedIssuer,
                local_pools: Mapping[str, frozenset[str] | None]) -> TrustedIssuer:
        """``found`` as ``local_pools`` allows it: refused, or limited to its clients."""
        pool_id = found.user_pool_id
        if pool_id is None or pool_id not in local_pools:
            raise IssuerNotTrustedError(f"issuer not trusted: {found.issuer[:200]}")
        clients = local_pools[pool_id]
        if clients is None:
            return found
        narrowed = self._narrowed.get(found.issuer)
        if narrowed is None or narrowed.load_jwks is not found.load_jwks:
            narrowed = dataclasses.replace(found, client_ids=clients)
            if len(self._narrowed) >= _HEADER_CACHE_SIZE:
                self._narrowed.clear()
            self._narrowed[found.issuer] = narrowed
        return narrowed

    def _cache(self, trusted: TrustedIssuer) -> JwksCache:
        cache_key = (trusted.issuer, trusted.jwks_url)
        cache = self._caches.get(cache_key)
        if cache is None:
            with self._caches_lock:
                cache = self._caches.get(cache_key)
                if cache is None:
                    cache = JwksCache(self._loader(trusted))
                    self._caches[cache_key] = cache
        elif trusted.load_jwks is not None:
            cache.load = trusted.load_jwks
        return cache

    def _loader(self, trusted: TrustedIssuer) -> Callable[[], Any]:
        if trusted.load_jwks is not None:
            return trusted.load_jwks
        return functools.partial(fetch_jwks, str(trusted.jwks_url),
                                 timeout=self.fetch_timeout, max_bytes=self.max_jwks_bytes)

    def _check_claims(self, payload: Mapping[str, Any], trusted: TrustedIssuer,
                      token_use: str, now: float) -> None:
        leeway = self.leeway
        exp = _number(payload, "exp", required=True)
        if exp is not None and now >= exp + leeway:
            raise ExpiredTokenError("token expired")
        iat = _number(payload, "iat", required=True)
        if iat is not None and iat > now + leeway:
            raise ImmatureTokenError("token issued in the future (iat)")
        nbf = _number(payload, "nbf", required=False)
        if nbf is not None and nbf > now + leeway:
            raise ImmatureTokenError("token not yet valid (nbf)")
        actual_use = payload.get("token_use")
        if actual_use != token_use:
            shown = actual_use if isinstance(actual_use, str) else "missing"
            raise TokenUseError(f"token_use is {shown[:20]}, expected {token_use}")
        if not isinstance(payload.get("sub"), str) or not payload["sub"]:
            raise ClaimError("claim sub missing or not a string")
        if token_use == "access":
            self._check_client(payload.get("client_id"), "client_id", trusted.client_ids)
        else:
            self._check_audience(payload.get("aud"), trusted.client_ids)

    @staticmethod
    def _check_client(value: Any, name: str, allowed: frozenset[str] | None) -> None:
        if not isinstance(value, str) or not value:
            raise ClaimError(f"claim {name} missing or not a string")
        if allowed is not None and value not in allowed:
            raise ClientNotAllowedError(f"{name} {value[:128]} not allowed")

    @classmethod
    def _check_audience(cls, value: Any, allowed: frozenset[str] | None) -> None:
        if isinstance(value, list):
            # Cognito's aud is one string; RFC 7519 §4.1.3 also allows an array.
            if not value or not all(isinstance(item, str) for item in value):
                raise ClaimError("claim aud missing or not a string")
            if allowed is not None and allowed.isdisjoint(value):
                raise ClientNotAllowedError("aud not allowed")
            return
        cls._check_client(value, "aud", allowed)

    @staticmethod
    def _check_access(claims: Claims, groups: Iterable[str], scopes: Iterable[str],
                      any_scopes: Iterable[str]) -> None:
        groups = tuple(groups)
        if groups and not in_any_group(claims, groups):
            raise MissingGroupError(f"user is in none of the groups {', '.join(groups)}")
        lacking = missing_scopes(claims, scopes, any_of=False)
        if lacking:
            raise MissingScopeError(f"token lacks scope {' '.join(lacking)}")
        lacking = missing_scopes(claims, any_scopes, any_of=True)
        if lacking:
            raise MissingScopeError(f"token lacks all of the scopes {' '.join(lacking)}")


_shared: dict[str, Verifier] = {}
_shared_lock = threading.Lock()


def _shared_verifier(name: str, build: Callable[[], Verifier]) -> Verifier:
    verifier = _shared.get(name)
    if verifier is None:
        with _shared_lock:
            verifier = _shared.get(name)
            if verifier is None:
                verifier = _shared[name] = build()
    return verifier


def get_verifier() -> Verifier:
    """The process-wide verifier built from settings (rebuilt when ``COGNITO`` changes)."""
    return _shared_verifier("application", Verifier.from_settings)


def get_api_verifier() -> Verifier:
    """The JSON API's verifier: the tokens of every local pool (``from_settings``)."""
    return _shared_verifier("api", lambda: Verifier.from_settings(every_local_pool=True,
                                                                  trusted_issuers=False))


def get_identity_verifier() -> Verifier:
    """Identity pools' verifier: every local pool's tokens and the trusted issuers' (the AWS
    pools named in ``TRUSTED_ISSUERS``)."""
    return _shared_verifier("identity", lambda: Verifier.from_settings(every_local_pool=True))


def reset_verifier() -> None:
    """Forget the process-wide verifiers and their JWKS caches (settings changed, tests)."""
    with _shared_lock:
        _shared.clear()


def local_pools_from_setting(value: Any) -> dict[str, frozenset[str] | None] | None:
    """``COGNITO["LOCAL_POOLS"]``: ``None`` (every local pool) or a list of pool ids and
    ``{"user_pool_id": ..., "client_ids": [...]}`` entries."""
    if value is None:
        return None
    if not isinstance(value, (list, tuple)):
        raise ImproperlyConfigured("COGNITO['LOCAL_POOLS'] must be None or a list.")
    pools: dict[str, frozenset[str] | None] = {}
    for entry in value:
        if isinstance(entry, str):
            pools[entry] = None
            continue
        if not isinstance(entry, Mapping) or not isinstance(entry.get("user_pool_id"), str) or \
                set(entry) - {"user_pool_id", "client_ids"}:
            raise ImproperlyConfigured(
                "COGNITO['LOCAL_POOLS'] entries are pool ids or dicts with user_pool_id and "
                "optional client_ids.")
        clients = entry.get("client_ids")
        if clients is not None and (not isinstance(clients, (list, tuple, set, frozenset)) or
                                    not all(isinstance(c, str) for c in clients)):
            raise ImproperlyConfigured(
                "COGNITO['LOCAL_POOLS'] client_ids must be a list of app client ids.")
        pools[entry["user_pool_id"]] = None if clients is None else frozenset(clients)
    return pools


def verify_token(token: Any, **options: Any) -> Claims:
    """Verify with the process-wide verifier; see :meth:`Verifier.verify` for ``options``."""
    return get_verifier().verify(token, **options)
