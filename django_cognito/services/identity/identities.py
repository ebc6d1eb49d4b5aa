"""Identities of an identity pool: GetId and the logins that name an identity, describe,
list and delete (reference §8.2, §8.3)."""

from __future__ import annotations

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
from ..pagination import Page, paginate
from . import logins as login_tokens

UNAUTHENTICATED = "Unauthenticated access is not supported for this identity pool."


def get_identity(identity_id: str) -> Identity:
    identity = Identity.objects.select_related("pool").filter(pk=identity_id).first()
    if identity is None:
        raise ResourceNotFoundException(f"Identity '{identity_id}' not found.")
    return identity


def _new_identity(pool: IdentityPool) -> Identity:
    return Identity.objects.create(id=f"{pool.region}:{uuid.uuid4()}", pool=pool)


def get_id(pool: IdentityPool, logins: dict[str, Any] | None) -> Identity:
    """The identity of ``logins`` in ``pool`` (created on first use); a new guest identity
    when there are none and the pool allows them."""
    if not logins:
        if not pool.allow_unauthenticated_identities:
            raise NotAuthorizedException(UNAUTHENTICATED)
        return _new_identity(pool)
    subjects = [(login.provider, login.subject) for login in login_tokens.validate(pool, logins)]
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
