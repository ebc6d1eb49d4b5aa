"""ID-token logins of Google, Apple and OpenID Connect providers (reference §8.3).

Google (``accounts.google.com``) and Apple (``appleid.apple.com``) name their audiences in
``SupportedLoginProviders`` (a comma-separated list of client ids is allowed, as for Google's
web and mobile clients); their issuer and JWKS come from ``IDENTITY_LOGIN_ENDPOINTS``. An
OIDC provider's key is its issuer without the scheme (``login.example.com``), as IAM names
it; the pool lists it in ``OpenIdConnectProviderARNs``, whose IAM provider row holds the
issuer URL and the audiences, and its JWKS is found through its discovery document.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ImproperlyConfigured

from ...conf import app_settings
from ...models import IamIdentityProvider, IamProviderType, IdentityPool
from ...verify import JwksError, TokenError, http_get_json, verify_id_token
from .login_types import Login, amr, refusal, unsupported

# An ID token's lifetime is the provider's; a minute of clock skew is tolerated, as
# Google's own libraries do.
LEEWAY_SECONDS = 60
_MAX_ISSUERS = 256
_discovered: dict[str, tuple[str | None, float]] = {}
_lock = threading.Lock()


def _audience_used(claims: Mapping[str, Any], allowed: Iterable[str]) -> str:
    aud = claims.get("aud")
    audiences = aud if isinstance(aud, list) else [aud]
    return next(a for a in audiences if a in set(allowed))


def checked_claims(token: str, *, jwks_uri: str, issuers: Iterable[str],
                   audiences: Iterable[str]) -> dict[str, Any]:
    """The claims of a provider's ID token, or the error cognito-identity answers."""
    try:
        return verify_id_token(
            token, jwks_uri=jwks_uri, issuers=issuers, audiences=audiences,
            leeway=max(LEEWAY_SECONDS, app_settings.VERIFY_LEEWAY),
            timeout=app_settings.JWKS_FETCH_TIMEOUT,
            max_jwks_bytes=app_settings.JWKS_MAX_BYTES,
            max_token_bytes=app_settings.TOKEN_MAX_BYTES,
            jwks_ttl=app_settings.JWKS_CACHE_TTL,
            cooldown=app_settings.JWKS_REFETCH_COOLDOWN)
    except TokenError as exc:
        raise refusal(exc) from None


def _social_endpoint(provider: str) -> tuple[list[str], str]:
    entry = app_settings.IDENTITY_LOGIN_ENDPOINTS.get(provider)
    issuers = entry.get("issuer") if isinstance(entry, Mapping) else None
    issuers = [issuers] if isinstance(issuers, str) else issuers
    jwks_uri = entry.get("jwks_uri") if isinstance(entry, Mapping) else None
    if not isinstance(issuers, list) or not issuers or not isinstance(jwks_uri, str) or \
            not all(isinstance(i, str) for i in issuers):
        raise ImproperlyConfigured(
            f"COGNITO['IDENTITY_LOGIN_ENDPOINTS'][{provider!r}] needs 'issuer' (a string or a "
            "list) and 'jwks_uri'.")
    return issuers, jwks_uri


def social_login(pool: IdentityPool, provider: str, token: str) -> Login:
    """A Google or Apple ID token for one of the pool's client ids for ``provider``."""
    configured = (pool.supported_login_providers or {}).get(provider)
    audiences = [a.strip() for a in configured.split(",") if a.strip()] \
        if isinstance(configured, str) else []
    if not audiences:
        raise unsupported(provider)
    issuers, jwks_uri = _social_endpoint(provider)
    claims = checked_claims(token, jwks_uri=jwks_uri, issuers=issuers, audiences=audiences)
    audience = _audience_used(claims, audiences)
    return Login(provider, claims["sub"], claims, mapping_key=provider,
                 amr=amr(provider, audience, claims["sub"]))


def provider_key(url: str) -> str:
    """The Logins key of an OIDC issuer URL: IAM's provider name, the URL without scheme."""
    return url.split("://", 1)[-1].rstrip("/")


def _issuer_url(url: str) -> str:
    url = url.rstrip("/")
    return url if "://" in url else f"https://{url}"


def discovered_jwks_uri(issuer: str) -> str:
    """The ``jwks_uri`` of ``issuer``'s discovery document (cached; a failure pauses)."""
    now = time.monotonic()
    known = _discovered.get(issuer)
    if known is not None:
        uri, at = known
        if uri is not None and now - at < app_settings.JWKS_CACHE_TTL:
            return uri
        if uri is None and now - at < app_settings.JWKS_REFETCH_COOLDOWN:
            raise JwksError(f"discovery of {issuer} failed recently")
    try:
        status, document = http_get_json(
            f"{issuer}/.well-known/openid-configuration", what="OpenID configuration",
            timeout=app_settings.JWKS_FETCH_TIMEOUT,
            max_bytes=app_settings.FEDERATION_FETCH_MAX_BYTES)
        if not isinstance(document, dict):
            raise JwksError(f"{issuer} has no usable OpenID configuration")
        uri = document.get("jwks_uri")
        # OpenID Connect Discovery §4.3: the document must name the issuer it was asked for.
        if status != 200 or document.get("issuer") != issuer or not isinstance(uri, str):
            raise JwksError(f"{issuer} has no usable OpenID configuration")
    except JwksError:
        with _lock:
            _discovered[issuer] = (None, now)
        raise
    with _lock:
        if len(_discovered) >= _MAX_ISSUERS:
            _discovered.clear()
        _discovered[issuer] = (uri, now)
    return uri


def forget_discovery() -> None:
    """Drop cached discovery documents (tests, settings changed)."""
    with _lock:
        _discovered.clear()


def oidc_login(pool: IdentityPool, provider: str, token: str) -> Login:
    """An ID token of an OIDC provider the pool names in ``OpenIdConnectProviderARNs``."""
    arns = [a for a in pool.openid_connect_provider_arns or [] if isinstance(a, str)]
    rows = IamIdentityProvider.objects.filter(arn__in=arns, type=IamProviderType.OIDC) \
        if arns else IamIdentityProvider.objects.none()
    row = next((r for r in rows if r.url and provider_key(r.url) == provider), None)
    if row is None:
        raise unsupported(provider)
    audiences = [c for c in row.client_ids or [] if isinstance(c, str)]
    issuer = _issuer_url(row.url)
    try:
        jwks_uri = discovered_jwks_uri(issuer)
    except JwksError as exc:
        raise refusal(exc) from None
    claims = checked_claims(token, jwks_uri=jwks_uri, issuers=[issuer], audiences=audiences)
    audience = _audience_used(claims, audiences)
    return Login(provider, claims["sub"], claims, mapping_key=provider,
                 amr=amr(provider, audience, claims["sub"]))
