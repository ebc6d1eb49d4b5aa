"""The Logins map of GetId, GetOpenIdToken and GetCredentialsForIdentity: each token is
validated, never trusted, and becomes a :class:`Login` (reference §8.3)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ImproperlyConfigured

from ...exceptions import InvalidParameterException, NotAuthorizedException
from ...models import IdentityPool
from ...tokens import issuer_for
from ...verify import ExpiredTokenError, TokenError, get_api_verifier
from . import openid

MAX_LOGINS = 10
USER_POOL_KEY_RE = re.compile(r"cognito-idp\.([a-z0-9-]+)\.amazonaws\.com/([\w-]+_[0-9a-zA-Z]+)",
                              re.ASCII)
INVALID_TOKEN = "Invalid login token. Issuer doesn't match providerName"
# The Logins key of this service's own OpenID token (developer-authenticated identities).
DEVELOPER_TOKENS = "cognito-identity.amazonaws.com"


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
    return NotAuthorizedException(f"Invalid login token. Unsupported provider: {provider}")


def user_pool_login(pool: IdentityPool, provider: str, token: object) -> Login:
    """A user-pool ID token for ``provider``, verified and checked against the pool's
    CognitoIdentityProviders."""
    clients = {p["ClientId"] for p in pool.cognito_identity_providers
               if p.get("ProviderName") == provider}
    match = USER_POOL_KEY_RE.fullmatch(provider)
    if not clients or match is None:
        raise unsupported(provider)
    try:
        # The API verifier takes the tokens of every local pool; a local pool's issuer is
        # PUBLIC_BASE_URL/<pool id>, so the provider key is matched by the pool id.
        claims = get_api_verifier().verify(token, token_use="id")
    except ExpiredTokenError:
        raise NotAuthorizedException("Invalid login token. Token expired.") from None
    except TokenError:
        raise NotAuthorizedException("Invalid login token. Not a valid OpenId Connect "
                                     "identity token.") from None
    trusted = claims.trusted_issuer
    if trusted is None or trusted.user_pool_id != match.group(2):
        raise NotAuthorizedException(INVALID_TOKEN)
    aud = claims.get("aud")
    audiences = [a for a in (aud if isinstance(aud, list) else [aud]) if isinstance(a, str)]
    client = next((a for a in audiences if a in clients), None)
    if client is None:
        raise NotAuthorizedException("Invalid login token. Incorrect token audience.")
    return Login(provider, claims.sub, dict(claims), mapping_key=f"{provider}:{client}",
                 amr=(provider, f"{provider}:CognitoSignIn:{claims.sub}"))


def developer_login(pool: IdentityPool, token: object) -> Login:
    """This service's OpenID token (from GetOpenIdTokenForDeveloperIdentity): its ``sub``
    is the identity; its ``amr`` and principal tags carry over."""
    claims = openid.verify(token, pool.pk)
    amr = tuple(a for a in claims.get("amr", ()) if isinstance(a, str) and a != "authenticated")
    if "unauthenticated" in amr:
        raise NotAuthorizedException("Invalid login token. Not an authenticated identity.")
    return Login(DEVELOPER_TOKENS, claims["sub"], claims, mapping_key=DEVELOPER_TOKENS, amr=amr)


def canonical_key(provider: str) -> str:
    """A local pool's issuer without its scheme (the key Amplify builds from the ID token's
    ``iss``) as the ``cognito-idp.<region>.amazonaws.com/<pool id>`` key it stands for."""
    if provider.startswith("cognito-idp.") or provider == DEVELOPER_TOKENS:
        return provider
    pool_id = provider.rstrip("/").rsplit("/", 1)[-1]
    if "_" not in pool_id:
        return provider
    try:
        issuer = issuer_for(pool_id)
    except ImproperlyConfigured:
        return provider
    if issuer.split("://", 1)[-1] != provider:
        return provider
    return f"cognito-idp.{pool_id.split('_', 1)[0]}.amazonaws.com/{pool_id}"


def validate(pool: IdentityPool, logins: Mapping[str, Any]) -> list[Login]:
    """Each login of the map, validated; the first bad one raises NotAuthorizedException."""
    if len(logins) > MAX_LOGINS:
        raise InvalidParameterException(f"At most {MAX_LOGINS} logins are allowed.")
    keyed: dict[str, Any] = {}
    for key, token in logins.items():
        provider = canonical_key(key)
        if provider in keyed:
            raise InvalidParameterException(f"Logins names {provider} twice.")
        keyed[provider] = token
    found = []
    for provider, token in keyed.items():
        if provider == DEVELOPER_TOKENS:
            found.append(developer_login(pool, token))
        elif provider.startswith("cognito-idp."):
            found.append(user_pool_login(pool, provider, token))
        else:
            # Providers without a validator are never trusted.
            raise unsupported(provider)
    return found
