"""Identities of an identity pool: GetId and the logins that name an identity, describe,
list and delete (reference §8.2, §8.3)."""

from __future__ import annotations

import re
import uuid
from typing import Any

from django.db import IntegrityError, transaction

from ...exceptions import (
    InvalidParameterException,
    NotAuthorizedException,
    ResourceConflictException,
    ResourceNotFoundException,
)
from ...models import Identity, IdentityLogin, IdentityPool
from ...verify import ExpiredTokenError, TokenError, get_api_verifier
from ..pagination import Page, paginate

MAX_LOGINS = 10
USER_POOL_KEY_RE = re.compile(r"cognito-idp\.([a-z0-9-]+)\.amazonaws\.com/([\w-]+_[0-9a-zA-Z]+)",
                              re.ASCII)
UNAUTHENTICATED = "Unauthenticated access is not supported for this identity pool."
INVALID_TOKEN = "Invalid login token. Issuer doesn't match providerName"


def get_identity(identity_id: str) -> Identity:
    identity = Identity.objects.select_related("pool").filter(pk=identity_id).first()
    if identity is None:
        raise ResourceNotFoundException(f"Identity '{identity_id}' not found.")
    return identity


def _user_pool_subject(pool: IdentityPool, provider: str, token: object) -> str:
    """The ``sub`` of a user-pool ID token for ``provider``, verified and checked against
    the pool's CognitoIdentityProviders."""
    clients = {p["ClientId"] for p in pool.cognito_identity_providers
               if p.get("ProviderName") == provider}
    match = USER_POOL_KEY_RE.fullmatch(provider)
    if not clients or match is None:
        raise NotAuthorizedException(f"Invalid login token. Unsupported provider: {provider}")
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
    audiences = aud if isinstance(aud, list) else [aud]
    if clients.isdisjoint(a for a in audiences if isinstance(a, str)):
        raise NotAuthorizedException("Invalid login token. Incorrect token audience.")
    return claims.sub


def _subjects(pool: IdentityPool, logins: dict[str, Any]) -> list[tuple[str, str]]:
    if len(logins) > MAX_LOGINS:
        raise InvalidParameterException(f"At most {MAX_LOGINS} logins are allowed.")
    found = []
    for provider, token in logins.items():
        if provider.startswith("cognito-idp."):
            found.append((provider, _user_pool_subject(pool, provider, token)))
        else:
            # Other providers are not validated yet: never trust them.
            raise NotAuthorizedException(
                f"Invalid login token. Unsupported provider: {provider}")
    return found


def _new_identity(pool: IdentityPool) -> Identity:
    return Identity.objects.create(id=f"{pool.region}:{uuid.uuid4()}", pool=pool)


def get_id(pool: IdentityPool, logins: dict[str, Any] | None) -> Identity:
    """The identity of ``logins`` in ``pool`` (created on first use); a new guest identity
    when there are none and the pool allows them."""
    if not logins:
        if not pool.allow_unauthenticated_identities:
            raise NotAuthorizedException(UNAUTHENTICATED)
        return _new_identity(pool)
    subjects = _subjects(pool, logins)
    for _ in range(2):
        try:
            return _link(pool, subjects)
        except IntegrityError:
            continue  # a concurrent GetId linked the same login first: read it back
    return _link(pool, subjects)


@transaction.atomic
def _link(pool: IdentityPool, subjects: list[tuple[str, str]]) -> Identity:
    linked = [login for provider, subject in subjects
              for login in IdentityLogin.objects.select_related("identity")
              .filter(pool=pool, provider=provider, subject=subject)]
    owners = {login.identity_id for login in linked}
    if len(owners) > 1:
        # Merging identities is not done yet.
        raise ResourceConflictException("Logins are linked to different identities.")
    identity = linked[0].identity if linked else _new_identity(pool)
    known = {(login.provider, login.subject) for login in linked}
    for provider, subject in subjects:
        if (provider, subject) not in known:
            IdentityLogin.objects.create(identity=identity, pool=pool, provider=provider,
                                         subject=subject)
    return identity


def providers_of(identity: Identity) -> list[str]:
    return sorted({login.provider for login in identity.logins.all()})


def list_identities(pool: IdentityPool, limit: object, token: object) -> Page[Identity]:
    if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= 60:
        raise InvalidParameterException("MaxResults must be between 1 and 60.")
    return paginate(Identity.objects.filter(pool=pool).prefetch_related("logins"), "id",
                    limit, token, scope=f"identities:{pool.pk}")


def delete_identities(identity_ids: list[str]) -> list[str]:
    """Delete the identities; return the ids that were not found."""
    existing = set(Identity.objects.filter(pk__in=identity_ids).values_list("pk", flat=True))
    Identity.objects.filter(pk__in=existing).delete()
    return [i for i in identity_ids if i not in existing]
