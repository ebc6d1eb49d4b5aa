"""Which pool a domain name belongs to, read on every request to the domain's endpoints."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models import QuerySet

from ... import prepared
from ...exceptions import ResourceNotFoundException
from ...models import UserPoolDomain
from .. import config_cache
from ..schema import storable


def _by_name(args: Sequence[Any]) -> QuerySet[UserPoolDomain]:
    return UserPoolDomain.objects.filter(domain=args[0])


def find(name: object) -> UserPoolDomain | None:
    """The domain ``name`` (as stored: lower case) with its pool, or ``None``.

    The domain's row is read on every call, so a domain deleted or given to another pool
    answers for it at once; its SQL is compiled once (``prepared``), which costs a fraction of
    the ORM's compiling a join with the pool's columns. The pool is the copy sign-in reads
    (``config_cache``: loaded again whenever the pool's stamp moves), shared between
    requests and never changed by them.
    """
    if not isinstance(name, str) or not 1 <= len(name) <= 63 or not storable(name):
        return None
    found = prepared.fetch("oauth.domain", UserPoolDomain, _by_name, [name])
    if not found:
        return None
    domain = found[0]
    try:
        domain.pool = config_cache.pool(domain.pool_id)
    except ResourceNotFoundException:  # the pool went between the two reads
        return None
    return domain
