"""Trusted issuers: from ``COGNITO["TRUSTED_ISSUERS"]`` and from registered resolvers.

Two kinds of entry in settings::

    {"region": "eu-west-1", "user_pool_id": "eu-west-1_AbC", "client_ids": ["..."]}
    {"issuer": "https://idp.example/pool", "jwks_url": "https://idp.example/pool/jwks.json"}

Local pools are not listed: their issuers come from resolvers registered with
:func:`register_issuer_resolver`. A resolver is called with the token's (still unverified)
``iss`` and returns a :class:`TrustedIssuer` whose ``load_jwks`` reads the pool's keys from the
database, or ``None`` when the issuer is not one of its pools. Settings are consulted first,
so AWS-pool tokens never reach a resolver (and never cost a query).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

if TYPE_CHECKING:
    from .claims import Claims

JwksLoader = Callable[[], Mapping[str, Any]]
RevocationCheck = Callable[["Claims"], None]
IssuerResolver = Callable[[str], "TrustedIssuer | None"]

_REGION = re.compile(r"[a-z]{2}(?:-[a-z]+)+-\d{1,2}")
_POOL_ID = re.compile(r"([a-z]{2}(?:-[a-z]+)+-\d{1,2})_[0-9A-Za-z]+")
_LOOPBACK_HOSTS = frozenset({"127.0.0.1", "::1", "localhost"})


@dataclass(frozen=True)
class TrustedIssuer:
    """One issuer the verifier accepts, where its keys come from, and which clients it allows.

    ``client_ids`` of ``None`` allows any client of the issuer; an empty set allows none.
    Exactly one of ``jwks_url`` (fetched over HTTPS) and ``load_jwks`` (local pools) is set.
    ``check_revocation`` raises :class:`~.errors.RevokedTokenError` for a revoked local token.
    """

    issuer: str
    jwks_url: str | None = None
    client_ids: frozenset[str] | None = None
    user_pool_id: str | None = None
    load_jwks: JwksLoader | None = field(default=None, compare=False)
    check_revocation: RevocationCheck | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if (self.jwks_url is None) == (self.load_jwks is None):
            raise ImproperlyConfigured(
                f"Trusted issuer {self.issuer!r} needs exactly one of jwks_url and load_jwks.")
        if self.jwks_url is not None:
            check_jwks_url(self.jwks_url)


def aws_issuer(region: str, user_pool_id: str) -> str:
    """The ``iss`` of a real Cognito pool (reference §3.1)."""
    return f"https://cognito-idp.{region}.amazonaws.com/{user_pool_id}"


def check_jwks_url(url: str) -> None:
    """Allow HTTPS, and plain HTTP only on loopback (a key set fetched in clear is forgeable)."""
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return
    if parts.scheme == "http" and parts.hostname in _LOOPBACK_HOSTS:
        return
    raise ImproperlyConfigured(
        f"JWKS URL {url!r} must use https (plain http is allowed only on loopback).")


def issuer_from_setting(entry: Mapping[str, Any]) -> TrustedIssuer:
    """Build one :class:`TrustedIssuer` from a ``TRUSTED_ISSUERS`` entry."""
    if not isinstance(entry, Mapping):
        raise ImproperlyConfigured("COGNITO['TRUSTED_ISSUERS'] entries must be dicts.")
    unknown = set(entry) - {"region", "user_pool_id", "issuer", "jwks_url", "client_ids"}
    if unknown:
        raise ImproperlyConfigured(
            f"COGNITO['TRUSTED_ISSUERS']: unknown keys {sorted(unknown)} in {dict(entry)!r}.")
    client_ids = _client_ids(entry.get("client_ids"))
    pool_id = entry.get("user_pool_id")
    if "issuer" in entry:
        issuer, jwks_url = entry["issuer"], entry.get("jwks_url")
        if not isinstance(issuer, str) or not issuer or not isinstance(jwks_url, str):
            raise ImproperlyConfigured(
                "COGNITO['TRUSTED_ISSUERS']: an 'issuer' entry needs string 'issuer' and "
                "'jwks_url'.")
        return TrustedIssuer(issuer, jwks_url=jwks_url, client_ids=client_ids,
                             user_pool_id=pool_id if isinstance(pool_id, str) else None)
    region = entry.get("region")
    match = _POOL_ID.fullmatch(pool_id) if isinstance(pool_id, str) else None
    if not isinstance(region, str) or not _REGION.fullmatch(region) or match is None:
        raise ImproperlyConfigured(
            f"COGNITO['TRUSTED_ISSUERS']: {dict(entry)!r} needs 'region' and 'user_pool_id' "
            "like 'eu-west-1' and 'eu-west-1_AbC123', or 'issuer' and 'jwks_url'.")
    if match.group(1) != region:
        raise ImproperlyConfigured(
            f"COGNITO['TRUSTED_ISSUERS']: pool {pool_id!r} is not in region {region!r}.")
    issuer = aws_issuer(region, str(pool_id))
    return TrustedIssuer(issuer, jwks_url=f"{issuer}/.well-known/jwks.json",
                         client_ids=client_ids, user_pool_id=pool_id)


def _client_ids(value: Any) -> frozenset[str] | None:
    if value is None:
        return None
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise ImproperlyConfigured(
            "COGNITO['TRUSTED_ISSUERS']: 'client_ids' must be a list of client id strings.")
    ids = list(value)
    if not all(isinstance(item, str) for item in ids):
        raise ImproperlyConfigured(
            "COGNITO['TRUSTED_ISSUERS']: 'client_ids' must be a list of client id strings.")
    return frozenset(ids)


def issuers_from_settings(entries: Iterable[Mapping[str, Any]]) -> dict[str, TrustedIssuer]:
    """Index the ``TRUSTED_ISSUERS`` setting by issuer; a duplicate issuer is a config error."""
    issuers: dict[str, TrustedIssuer] = {}
    for entry in entries:
        trusted = issuer_from_setting(entry)
        if trusted.issuer in issuers:
            raise ImproperlyConfigured(
                f"COGNITO['TRUSTED_ISSUERS'] lists {trusted.issuer!r} twice.")
        issuers[trusted.issuer] = trusted
    return issuers


_resolvers: list[IssuerResolver] = []


def register_issuer_resolver(resolver: IssuerResolver) -> IssuerResolver:
    """Add a resolver of local issuers (usable as a decorator); registering twice is a no-op."""
    if resolver not in _resolvers:
        _resolvers.append(resolver)
    return resolver


def unregister_issuer_resolver(resolver: IssuerResolver) -> None:
    """Remove a resolver added by :func:`register_issuer_resolver`."""
    if resolver in _resolvers:
        _resolvers.remove(resolver)


def issuer_resolvers() -> tuple[IssuerResolver, ...]:
    """The registered resolvers, in registration order."""
    return tuple(_resolvers)
