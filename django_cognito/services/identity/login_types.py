"""What every kind of login turns into, and how a refused token is told (reference §8.3)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ...exceptions import CognitoError, ExternalServiceException, NotAuthorizedException
from ...verify import (
    ClientNotAllowedError,
    ExpiredTokenError,
    IssuerNotTrustedError,
    JwksError,
    RevokedTokenError,
    TokenError,
)

INVALID_ISSUER = "Invalid login token. Issuer doesn't match providerName"
INVALID_AUDIENCE = "Invalid login token. Incorrect token audience."
NOT_OIDC = "Invalid login token. Not a valid OpenId Connect identity token."


@dataclass(frozen=True)
class Login:
    """A validated login.

    ``provider`` is the Logins key and ``subject`` the provider's user: together they name
    an ``IdentityLogin``. ``claims`` are the token's claims (role rules, principal tags).
    ``mapping_key`` keys ``RoleMappings`` and the principal tag maps (``provider:clientId``
    for a user pool). ``amr`` is what the identity's OpenID token says after
    ``authenticated``.
    """

    provider: str
    subject: str
    claims: Mapping[str, Any] = field(default_factory=dict)
    mapping_key: str = ""
    amr: tuple[str, ...] = ()


def unsupported(provider: str) -> NotAuthorizedException:
    """The refusal of a Logins key the pool does not trust."""
    return NotAuthorizedException(f"Invalid login token. Unsupported provider: {provider[:200]}")


def refusal(error: TokenError) -> CognitoError:
    """The cognito-identity error for a token that failed ``error``'s check: a provider that
    does not answer is ExternalServiceException ("a dependent service such as Facebook or
    Twitter is not responding", API reference), every bad token NotAuthorizedException."""
    if isinstance(error, JwksError):
        return ExternalServiceException(
            "Invalid login token. The identity provider could not be reached.")
    if isinstance(error, ExpiredTokenError):
        return NotAuthorizedException("Invalid login token. Token expired.")
    if isinstance(error, RevokedTokenError):
        return NotAuthorizedException("Invalid login token. Token has been revoked.")
    if isinstance(error, IssuerNotTrustedError):
        return NotAuthorizedException(INVALID_ISSUER)
    if isinstance(error, ClientNotAllowedError):
        return NotAuthorizedException(INVALID_AUDIENCE)
    return NotAuthorizedException(NOT_OIDC)


def amr(provider: str, *qualifiers: str) -> tuple[str, ...]:
    """The OpenID token's amr after "authenticated": the provider key, then
    ``<key>:<qualifier>:...`` (a user pool's is ``<key>:CognitoSignIn:<sub>``)."""
    return (provider, ":".join((provider, *qualifiers)))
