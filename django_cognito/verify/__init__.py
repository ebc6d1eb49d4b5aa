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
from .issuers import (
    TrustedIssuer,
    aws_issuer,
    register_issuer_resolver,
    unregister_issuer_resolver,
)
from .verifier import Verifier, get_api_verifier, get_verifier, reset_verifier, verify_token

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
    "get_api_verifier",
    "get_verifier",
    "register_issuer_resolver",
    "reset_verifier",
    "unregister_issuer_resolver",
    "verify_token",
]


@receiver(setting_changed)
def _settings_changed(*, setting: str, **kwargs: object) -> None:
    if setting == "COGNITO":
        reset_verifier()
