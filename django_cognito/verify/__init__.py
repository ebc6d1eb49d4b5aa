"""Token verifier for local and AWS pools: trusted issuers, JWKS cache, claim checks.

``verify_token(token, token_use="access")`` returns :class:`Claims` or raises a
:class:`TokenError` subclass whose message names the failed assertion. Local pools plug in
through :func:`register_issuer_resolver`.
"""

from __future__ import annotations

from django.core.signals import setting_changed
from django.dispatch import receiver

from .claims import Claims
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
    MissingGroupError,
    MissingScopeError,
    RevokedTokenError,
    TokenError,
    TokenUseError,
)
from .external import forget_jwk_clients, verify_id_token
from .issuers import (
    TrustedIssuer,
    aws_issuer,
    register_issuer_resolver,
    unregister_issuer_resolver,
)
from .jwks import http_get_json
from .verifier import (
    Verifier,
    get_api_verifier,
    get_identity_verifier,
    get_verifier,
    reset_verifier,
    verify_token,
)

__all__ = [
    "ClaimError",
    "Claims",
    "ClientNotAllowedError",
    "ExpiredTokenError",
    "HeaderError",
    "ImmatureTokenError",
    "InvalidSignatureError",
    "IssuerNotTrustedError",
    "JwksError",
    "KeyNotFoundError",
    "MalformedTokenError",
    "MissingGroupError",
    "MissingScopeError",
    "RevokedTokenError",
    "TokenError",
    "TokenUseError",
    "TrustedIssuer",
    "Verifier",
    "aws_issuer",
    "forget_jwk_clients",
    "get_api_verifier",
    "get_identity_verifier",
    "get_verifier",
    "http_get_json",
    "register_issuer_resolver",
    "reset_verifier",
    "unregister_issuer_resolver",
    "verify_id_token",
    "verify_token",
]


@receiver(setting_changed)
def _settings_changed(*, setting: str, **kwargs: object) -> None:
    if setting == "COGNITO":
        reset_verifier()
        forget_jwk_clients()
