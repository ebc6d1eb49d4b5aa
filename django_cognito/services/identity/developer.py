"""Developer-authenticated identities and unlinking: GetOpenIdTokenForDeveloperIdentity,
LookupDeveloperIdentity, MergeDeveloperIdentities, UnlinkDeveloperIdentity and
UnlinkIdentity (reference §8.1, §8.4).

A developer user is a login like any other: the pool's ``DeveloperProviderName`` as
provider, the developer's user identifier as subject. The backend that calls these signed
operations vouches for the user; the token it gets back is the identity's OpenID token.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction

from ...clock import now
from ...exceptions import (
    DeveloperUserAlreadyRegisteredException,
    InvalidParameterException,
    NotAuthorizedException,
    ResourceConflictException,
    ResourceNotFoundException,
)
from ...models import Identity, IdentityLogin, IdentityPool
from ..pagination import Page, paginate
from . import logins as login_tokens
from . import openid
from .credentials import amr_of
from .identities import LOGINS_DONT_MATCH, get_identity, link, merge
from .logins import Login

DEFAULT_DURATION = 900  # seconds (reference §8.4)
MAX_MERGED_LOGINS = 20


def _provider(pool: IdentityPool, name: str | None = None) -> str:
    if not pool.developer_provider_name:
        raise InvalidParameterException("This identity pool has no DeveloperProviderName.")
    if name is not None and name != pool.developer_provider_name:
        raise InvalidParameterException(
            f"{name} is not the DeveloperProviderName of this identity pool.")
    return pool.developer_provider_name


def _owned(pool: IdentityPool, identity_id: str) -> Identity:
    identity = get_identity(identity_id)
    if identity.pool_id != pool.pk:
        raise InvalidParameterException(
            f"Identity '{identity_id}' does not belong to identity pool {pool.pk}.")
    return identity


def _developer_row(pool: IdentityPool, user: str) -> IdentityLogin | None:
    return (IdentityLogin.objects.select_related("identity")
            .filter(pool=pool, provider=pool.developer_provider_name, subject=user).first())


def open_id_token(pool: IdentityPool, identity_id: str | None, logins: Mapping[str, Any],
                  tags: Mapping[str, str] | None, duration: int | None) -> tuple[Identity, str]:
    """GetOpenIdTokenForDeveloperIdentity: the developer user (and any other logins) linked
    to one identity, and a token for it valid ``duration`` seconds (default 15 minutes)."""
    provider = _provider(pool)
    if provider not in logins:
        raise InvalidParameterException(f"Logins must include {provider}.")
    user = logins[provider]
    if not isinstance(user, str) or not user:
        raise InvalidParameterException("The developer user identifier must not be empty.")
    others = {key: value for key, value in logins.items() if key != provider}
    developer = Login(provider, user, {}, mapping_key=provider,
                      amr=(provider, f"{provider}:{pool.pk}:{user}"))
    # Other providers are asked over HTTP: before the transaction, not inside it.
    validated = [developer, *login_tokens.validate(pool, others)]
    with transaction.atomic():
        identity = _link_developer(pool, identity_id, user, validated)
    token = openid.mint(identity, amr_of(validated), lifetime=duration or DEFAULT_DURATION,
                        tags=dict(tags or {}))
    return identity, token


def _link_developer(pool: IdentityPool, identity_id: str | None, user: str,
                    validated: list[Login]) -> Identity:
    into = None
    if identity_id is not None:
        into = _owned(pool, identity_id)
        if into.disabled:
            raise NotAuthorizedException(f"Identity '{identity_id}' is disabled.")
        row = _developer_row(pool, user)
        if row is not None and row.identity_id != into.pk:
            raise DeveloperUserAlreadyRegisteredException(
                "The developer user identifier is already registered with Cognito under "
                "a different identity ID.")
    return link(pool, validated, into=into)


def lookup(pool: IdentityPool, identity_id: str | None, user: str | None, limit: object,
           token: object) -> tuple[str, Page[IdentityLogin]]:
    """LookupDeveloperIdentity: the identity of a developer user, or the developer users of
    an identity."""
    provider = _provider(pool)
    if identity_id is not None:
        _owned(pool, identity_id)
    if user is not None:
        row = _developer_row(pool, user)
        if row is None:
            raise ResourceNotFoundException(f"Developer user '{user}' not found.")
        if identity_id is not None and identity_id != row.identity_id:
            raise ResourceConflictException(
                "The developer user is linked to a different identity.")
        identity_id = row.identity_id
    elif identity_id is None:
        raise InvalidParameterException(
            "Either IdentityId or DeveloperUserIdentifier must be provided.")
    rows = IdentityLogin.objects.filter(pool=pool, provider=provider, identity_id=identity_id)
    limit = 60 if limit is None else limit
    if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= 60:
        raise InvalidParameterException("MaxResults must be between 1 and 60.")
    return identity_id, paginate(rows, "subject", limit, token,
                                 scope=f"developer:{pool.pk}:{identity_id}")


@transaction.atomic
def merge_users(pool: IdentityPool, provider: str, source: str, destination: str) -> Identity:
    """MergeDeveloperIdentities: the source user's identity, with all its logins, joins the
    destination user's identity."""
    _provider(pool, provider)
    rows = {}
    for user in (source, destination):
        row = _developer_row(pool, user)
        if row is None:
            raise ResourceNotFoundException(f"Developer user '{user}' not found.")
        rows[user] = row
    into = rows[destination].identity
    if rows[source].identity_id != into.pk:
        linked = IdentityLogin.objects.filter(
            identity_id__in=[into.pk, rows[source].identity_id]).count()
        if linked > MAX_MERGED_LOGINS:
            # AWS: the source's and the destination's linked logins together may not
            # exceed 20 (MergeDeveloperIdentities, API reference).
            raise InvalidParameterException(
                f"The merged identity would have {linked} linked logins; at most "
                f"{MAX_MERGED_LOGINS} are allowed.")
        merge(rows[source].identity, into)
    return into


def _unlinked(identity: Identity) -> None:
    changes: dict[str, Any] = {"modified_at": now()}
    if not identity.logins.exists():
        changes["disabled"] = True
    Identity.objects.filter(pk=identity.pk).update(**changes)


@transaction.atomic
def unlink_user(pool: IdentityPool, identity_id: str, provider: str, user: str) -> None:
    """UnlinkDeveloperIdentity: the developer user is no longer this identity's; an
    identity left without logins is disabled."""
    _provider(pool, provider)
    identity = _owned(pool, identity_id)
    deleted, _ = IdentityLogin.objects.filter(identity=identity, provider=provider,
                                              subject=user).delete()
    if not deleted:
        raise ResourceNotFoundException(
            f"Developer user '{user}' is not linked to identity '{identity_id}'.")
    _unlinked(identity)


def unlink(identity_id: str, logins: Mapping[str, Any], providers: Sequence[str]) -> None:
    """UnlinkIdentity: ``logins`` prove the caller is the identity; the logins of
    ``providers`` are unlinked (the developer provider cannot be, that is
    UnlinkDeveloperIdentity's). An identity left without logins is disabled."""
    identity = get_identity(identity_id)
    pool = identity.pool
    if identity.disabled:
        raise NotAuthorizedException(LOGINS_DONT_MATCH)
    validated = login_tokens.validate(pool, logins)  # over HTTP: before the transaction
    if not validated:
        raise NotAuthorizedException(LOGINS_DONT_MATCH)
    with transaction.atomic():
        _unlink_proven(identity, validated, providers)


def _unlink_proven(identity: Identity, validated: list[Login],
                   providers: Sequence[str]) -> None:
    pool = identity.pool
    for login in validated:
        owner: str | None
        if login.provider == login_tokens.DEVELOPER_TOKENS:
            owner = login.subject
        else:
            row = IdentityLogin.objects.filter(pool=pool, provider=login.provider,
                                               subject=login.subject).first()
            owner = row.identity_id if row is not None else None
        if owner != identity.pk:
            raise NotAuthorizedException(LOGINS_DONT_MATCH)
    for provider in providers:
        if provider == pool.developer_provider_name:
            raise InvalidParameterException(
                "Use UnlinkDeveloperIdentity to unlink a developer user.")
    IdentityLogin.objects.filter(identity=identity, provider__in=list(providers)).delete()
    _unlinked(identity)
