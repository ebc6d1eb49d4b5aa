"""Why a token was refused: one exception per failed assertion, each with a precise message.

Front ends map the whole tree at once: DRF turns any :class:`TokenError` into a 401 with a
``WWW-Authenticate`` header, the JSON API into ``NotAuthorizedException``.
"""

from __future__ import annotations


class TokenError(Exception):
    """Base of every verification failure; ``str(exc)`` names the assertion that failed."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


class MalformedTokenError(TokenError):
    """Not a compact JWS of three base64url segments holding JSON objects, or too large."""


class HeaderError(TokenError):
    """The JOSE header asks for something this verifier never does (alg, embedded keys, crit)."""


class KeyNotFoundError(TokenError):
    """The ``kid`` is missing, or not an RS256 signing key of the issuer's JWKS."""


class JwksError(TokenError):
    """The issuer's JWKS could not be fetched or parsed."""


class InvalidSignatureError(TokenError):
    """The signature does not verify with the issuer's key."""


class IssuerNotTrustedError(TokenError):
    """``iss`` is not one of the configured or local issuers."""


class ClaimError(TokenError):
    """A claim is missing, of the wrong type, or has a value the caller did not allow."""


class ExpiredTokenError(ClaimError):
    """``exp`` has passed (beyond the leeway)."""


class ImmatureTokenError(ClaimError):
    """``nbf`` or ``iat`` lies in the future (beyond the leeway)."""


class TokenUseError(ClaimError):
    """``token_use`` is not the expected ``access`` or ``id``."""


class ClientNotAllowedError(ClaimError):
    """``client_id`` (access token) or ``aud`` (ID token) is not an allowed client."""


class MissingGroupError(ClaimError):
    """The user is in none of the required groups."""


class MissingScopeError(ClaimError):
    """The token lacks a required scope."""


class RevokedTokenError(TokenError):
    """A local pool's token that was revoked (sign-out, RevokeToken, disabled or deleted user)."""
