"""The Logins map of GetId, GetOpenIdToken and GetCredentialsForIdentity: each token is
validated, never trusted, and becomes a :class:`Login` (reference §8.3).

:data:`VALIDATORS` dispatches by Logins key (this service's own developer tokens, the social
providers); keys it does not name are user pools (``cognito-idp.<region>.amazonaws.com/<pool
id>``, or a local pool's issuer without scheme, as Amplify sends it), SAML provider ARNs, or
else OIDC provider hosts. User-pool ID tokens are checked here: local pools and the AWS pools of
``TRUSTED_ISSUERS``.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from django.core.exceptions import ImproperlyConfigured

from ...exceptions import InvalidParameterException, NotAuthorizedException
from ...models import IdentityPool, PoolUser
from ...tokens import issuer_for
from ...verify import Claims, RevokedTokenError, TokenError, TrustedIssuer, get_identity_verifier
from . import logins_oidc, logins_saml, logins_tokeninfo, openid
from .login_types import INVALID_AUDIENCE, INVALID_ISSUER, Login, amr, refusal, unsupported

__all__ = ["DEVELOPER_TOKENS", "Login", "VALIDATORS", "canonical_key", "developer_login",
           "user_pool_login", "validate"]

MAX_LOGINS = 10
MAX_SUBJECT_CHARS = 512
USER_POOL_KEY_RE = re.compile(r"cognito-idp\.([a-z0-9-]+)\.amazonaws\.com/([\w-]+_[0-9a-zA-Z]+)",
                              re.ASCII)

# The Logins key of this service's own OpenID token (developer-authenticated identities).
DEVELOPER_TOKENS = "cognito-identity.amazonaws.com"

Validator = Callable[[IdentityPool, str, str], Login]


def server_side_check(trusted: TrustedIssuer, claims: Claims) -> None:
    """ServerSideTokenCheck on a local pool's ID token: its family not revoked (GlobalSignOut,
    AdminUserGlobalSignOut, RevokeToken) and its user still there and enabled.

    Without the flag AWS takes a signed, unexpired ID token whatever happened to the session
    or the user since (the CognitoIdentityProvider type's documentation: the check is what the
    flag adds), so the caller skips this. An AWS pool's tokens cannot be asked about from
    here: for them the flag checks nothing more.
    """
    if trusted.load_jwks is None or trusted.user_pool_id is None:
        return
    if trusted.check_revocation is not None:
        try:
            trusted.check_revocation(claims)
        except RevokedTokenError as exc:
            raise refusal(exc) from None
    try:
        sub = uuid.UUID(claims.sub)
    except ValueError:
        raise NotAuthorizedException("Invalid login token. User does not exist.") from None
    enabled = (PoolUser.objects.filter(pool_id=trusted.user_pool_id, sub=sub)
               .values_list("enabled", flat=True).first())
    if enabled is None:
        raise NotAuthorizedException("Invalid login token. User does not exist.")
    if not enabled:
        raise NotAuthorizedException("Invalid login token. User is disabled.")


def user_pool_login(pool: IdentityPool, provider: str, token: str) -> Login:
    """A user-pool ID token for ``provider``, verified and checked against the pool's
    CognitoIdentityProviders."""
    entries = {p["ClientId"]: p for p in pool.cognito_identity_providers
               if p.get("ProviderName") == provider and isinstance(p.get("ClientId"), str)}
    match = USER_POOL_KEY_RE.fullmatch(provider)
    if not entries or match is None:
        raise unsupported(provider)
    try:
        # Every local pool (issuer PUBLIC_BASE_URL/<pool id>) and the trusted AWS pools
        # (https://cognito-idp.<region>.amazonaws.com/<pool id>): matched by pool id below.
        claims = get_identity_verifier().verify(token, token_use="id", check_revocation=False)
    except TokenError as exc:
        raise refusal(exc) from None
    trusted = claims.trusted_issuer
    if trusted is None or trusted.user_pool_id != match.group(2):
        raise NotAuthorizedException(INVALID_ISSUER)
    aud = claims.get("aud")
    audiences = [a for a in (aud if isinstance(aud, list) else [aud]) if isinstance(a, str)]
    client = next((a for a in audiences if a in entries), None)
    if client is None:
        raise NotAuthorizedException(INVALID_AUDIENCE)
    if entries[client].get("ServerSideTokenCheck"):
        server_side_check(trusted, claims)
    return Login(provider, claims.sub, dict(claims), mapping_key=f"{provider}:{client}",
                 amr=amr(provider, "CognitoSignIn", claims.sub))


def developer_login(pool: IdentityPool, provider: str, token: str) -> Login:
    """This service's OpenID token (from GetOpenIdTokenForDeveloperIdentity): its ``sub``
    is the identity; its ``amr`` and principal tags carry over."""
    claims = openid.verify(token, pool.pk)
    amr = tuple(a for a in claims.get("amr", ()) if isinstance(a, str) and a != "authenticated")
    if "unauthenticated" in amr:
        raise NotAuthorizedException("Invalid login token. Not an authenticated identity.")
    return Login(DEVELOPER_TOKENS, claims["sub"], claims, mapping_key=DEVELOPER_TOKENS, amr=amr)


# One line per provider key.
VALIDATORS: dict[str, Validator] = {
    DEVELOPER_TOKENS: developer_login,
    "accounts.google.com": logins_oidc.social_login,
    "appleid.apple.com": logins_oidc.social_login,
    logins_tokeninfo.FACEBOOK: logins_tokeninfo.facebook_login,
    logins_tokeninfo.AMAZON: logins_tokeninfo.amazon_login,
}


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


def validator_for(provider: str) -> Validator:
    """The function that validates the tokens of Logins key ``provider``."""
    found = VALIDATORS.get(provider)
    if found is not None:
        return found
    if provider.startswith("cognito-idp."):
        return user_pool_login
    if provider.startswith("arn:"):
        return logins_saml.saml_login
    return logins_oidc.oidc_login


def validate(pool: IdentityPool, logins: Mapping[str, Any]) -> list[Login]:
    """Each login of the map, validated; the first bad one raises NotAuthorizedException
    (ExternalServiceException when its provider does not answer)."""
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
        if not isinstance(token, str) or not token:
            raise NotAuthorizedException("Invalid login token.")
        login = validator_for(provider)(pool, provider, token)
        if len(login.subject) > MAX_SUBJECT_CHARS:
            raise NotAuthorizedException("Invalid login token. Subject is too long.")
        found.append(login)
    return found
