"""Identities of an identity pool: GetId and the logins that name an identity, describe,
list and delete (reference §8.2, §8.3)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from django.db import IntegrityError, transaction

from ...clock import now
from ...exceptions import (
    InvalidParameterException,
    NotAuthorizedException,
    ResourceConflictException,
    ResourceNotFoundException,
)
from ...models import Identity, IdentityLogin, IdentityPool
from ..pagination import Page, paginate
from . import logins as login_tokens
from .logins import DEVELOPER_TOKENS, Login

UNAUTHENTICATED = "Unauthenticated access is not supported for this identity pool."
LOGINS_DONT_MATCH = ("Logins don't match. Please include at least one valid login for this "
                     "identity or identity pool.")


def get_identity(identity_id: str) -> Identity:
    identity = Identity.objects.select_related("pool").filter(pk=identity_id).first()
    if identity is None:
        raise ResourceNotFoundException(f"Identity '{identity_id}' not found.")
    return identity


def new_identity(pool: IdentityPool) -> Identity:
    return Identity.objects.create(id=f"{pool.region}:{uuid.uuid4()}", pool=pool)


def get_id(pool: IdentityPool, logins: dict[str, Any] | None) -> Identity:
    """The identity of ``logins`` in ``pool`` (created on first use); a new guest identity
    when there are none and the pool allows them. Logins linked to different identities
    merge them into the oldest (reference §8.3)."""
    if not logins:
        if not pool.allow_unauthenticated_identities:
            raise NotAuthorizedException(UNAUTHENTICATED)
        return new_identity(pool)
    return link(pool, login_tokens.validate(pool, logins))


def link(pool: IdentityPool, logins: Sequence[Login], into: Identity | None = None, *,
         proven: bool = False) -> Identity:
    """Link ``logins`` to one identity: the one they name, ``into``, or a new one. With
    ``proven``, an ``into`` that has logins must be named by one of ``logins``."""
    for _ in range(2):
        try:
            return _link(pool, logins, into, proven)
        except IntegrityError:
            continue  # a concurrent call linked the same login first: read it back
    return _link(pool, logins, into, proven)


@transaction.atomic
def _link(pool: IdentityPool, logins: Sequence[Login], into: Identity | None,
          proven: bool = False) -> Identity:
    owners: dict[str, Identity] = {} if into is None else {into.pk: into}
    named: set[str] = set()
    known: set[tuple[str, str]] = set()
    for login in logins:
        if login.provider == DEVELOPER_TOKENS:
            # This service's own token names its identity; it is not a stored login.
            owner = Identity.objects.filter(pk=login.subject, pool=pool).first()
            if owner is None or owner.disabled:
                raise NotAuthorizedException(LOGINS_DONT_MATCH)
            owners.setdefault(owner.pk, owner)
            named.add(owner.pk)
            continue
        for row in (IdentityLogin.objects.select_related("identity")
                    .filter(pool=pool, provider=login.provider, subject=login.subject)):
            known.add((row.provider, row.subject))
            owners.setdefault(row.identity_id, row.identity)
            named.add(row.identity_id)
    guest_merges: list[Identity] = []
    if into is not None and len(owners) > 1:
        if IdentityLogin.objects.filter(identity=into).exists():
            raise NotAuthorizedException(LOGINS_DONT_MATCH)
        # A guest signing in with a login another identity holds gets that identity back
        # and merges into it, as Cognito does (Amplify v6 sends the guest id it kept and
        # adopts the IdentityId of the answer).
        guest_merges.append(owners.pop(into.pk))
    elif proven and into is not None and into.pk not in named and \
            IdentityLogin.objects.filter(identity=into).exists():
        # A login linked nowhere proves only its own user: linked to an identity that
        # already has logins, it would hand that identity to a stranger. Only a guest
        # identity takes new logins without one of its own (AWS: "Logins don't match").
        raise NotAuthorizedException(LOGINS_DONT_MATCH)
    if owners:
        survivor, *others = sorted(owners.values(), key=lambda i: (i.created_at, i.pk))
    else:
        survivor, others = new_identity(pool), []
    others += guest_merges
    for other in others:
        merge(other, survivor)
    held = dict(IdentityLogin.objects.filter(identity=survivor)
                .values_list("provider", "subject"))
    added = False
    for login in logins:
        if login.provider == DEVELOPER_TOKENS or (login.provider, login.subject) in known:
            continue
        if login.provider != pool.developer_provider_name and \
                held.get(login.provider, login.subject) != login.subject:
            raise ResourceConflictException(
                f"The identity is already linked to another {login.provider} login.")
        IdentityLogin.objects.create(identity=survivor, pool=pool, provider=login.provider,
                                     subject=login.subject)
        held[login.provider] = login.subject
        added = True
    if added:
        Identity.objects.filter(pk=survivor.pk).update(modified_at=now())
    return survivor


def merge(source: Identity, destination: Identity) -> None:
    """Move the logins of ``source`` to ``destination``; ``source`` is disabled. An
    identity holds one login per provider (any number of developer users): one provider
    with two different subjects cannot merge (ResourceConflictException)."""
    developer = source.pool.developer_provider_name
    held = dict(IdentityLogin.objects.filter(identity=destination)
                .values_list("provider", "subject"))
    for provider, subject in IdentityLogin.objects.filter(identity=source) \
            .values_list("provider", "subject"):
        if provider != developer and held.get(provider, subject) != subject:
            raise ResourceConflictException(
                f"Both identities are linked to a {provider} login: they cannot merge.")
    IdentityLogin.objects.filter(identity=source).update(identity=destination)
    moment = now()
    Identity.objects.filter(pk=source.pk).update(disabled=True, modified_at=moment)
    Identity.objects.filter(pk=destination.pk).update(modified_at=moment)


def usable(identity_id: str) -> Identity:
    """The identity, unless it was disabled (merged away, or its last login unlinked)."""
    identity = get_identity(identity_id)
    if identity.disabled:
        raise NotAuthorizedException(f"Identity '{identity_id}' is disabled.")
    return identity


def signed_in(identity: Identity, validated: list[Login]) -> Identity:
    """The identity for a token or credentials, given its already validated logins (run
    it in a transaction; validate before, outside it: providers are asked over HTTP). Each
    login must be this identity's (one not linked anywhere is linked to it; a guest whose
    login another identity holds merges into that one, which is returned); no login is a
    guest, which only an identity without logins of a pool that allows guests may be."""
    pool = identity.pool
    if validated:
        return link(pool, validated, into=identity, proven=True)
    if identity.logins.exists():
        raise NotAuthorizedException(LOGINS_DONT_MATCH)
    if not pool.allow_unauthenticated_identities:
        raise NotAuthorizedException(UNAUTHENTICATED)
    return identity


def providers_of(identity: Identity) -> list[str]:
    return sorted({login.provider for login in identity.logins.all()})


def list_identities(pool: IdentityPool, limit: object, token: object, *,
                    hide_disabled: bool = False) -> Page[Identity]:
    if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= 60:
        raise InvalidParameterException("MaxResults must be between 1 and 60.")
    rows = Identity.objects.filter(pool=pool).prefetch_related("logins")
    if hide_disabled:
        rows = rows.filter(disabled=False)
    return paginate(rows, "id", limit, token,
                    scope=f"identities:{pool.pk}:{int(hide_disabled)}")


def delete_identities(identity_ids: list[str]) -> list[str]:
    """Delete the identities; return the ids that were not found."""
    existing = set(Identity.objects.filter(pk__in=identity_ids).values_list("pk", flat=True))
    Identity.objects.filter(pk__in=existing).delete()
    return [i for i in identity_ids if i not in existing]
