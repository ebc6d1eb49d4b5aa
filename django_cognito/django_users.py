"""The one place pool users and verified tokens are mapped to Django users.

A local pool user is linked one-to-one to an ``AUTH_USER_MODEL`` instance, created through the
adapter on first need. A user of a remote (AWS) pool is mirrored by a Django user that the
adapter names, created on first sight where the caller asks for it (a Django login does; the
DRF user resolver does not).
"""

from __future__ import annotations

import uuid
from typing import Any

from .adapter import get_adapter
from .models import PoolUser
from .verify.claims import Claims


def linked(pool_user: PoolUser) -> Any:
    """The Django user linked to ``pool_user``, created through the adapter if missing."""
    if pool_user.user_id is not None and pool_user.user is not None:
        return pool_user.user
    django_user = get_adapter().create_django_user(pool_user)
    pool_user.user = django_user
    PoolUser.objects.filter(pk=pool_user.pk).update(user=django_user)
    return django_user


def end_sessions(pool_user: PoolUser) -> None:
    """End the Django sessions of the user linked to ``pool_user`` (sign-out, a password
    change, a disabled user): Django checks every session against a hash of the Django user's
    password, so a new unusable password ends them all. A Django user with a usable password
    of its own (a project's staff account linked by hand) is left as it is."""
    if pool_user.user_id is None:
        return
    django_user = pool_user.user
    if django_user is None or django_user.has_usable_password():
        return
    django_user.set_unusable_password()
    django_user.save(update_fields=["password"])


def for_claims(claims: Claims, *, mirror_remote: bool = True) -> Any:
    """The Django user of verified claims: a local pool user's, or (``mirror_remote``) the
    mirror of a remote one; ``None`` when there is none.

    The pool is taken from the trusted issuer, never from the token, so a token of one
    issuer cannot name a user of another pool.
    """
    trusted = claims.trusted_issuer
    if trusted is None:
        return None
    pool_user = None
    if trusted.user_pool_id:  # a pool of this app, whether its keys are read locally or not
        try:
            sub = uuid.UUID(claims.sub)
        except ValueError:
            sub = None
        if sub is not None:
            pool_user = (PoolUser.objects.select_related("user", "pool")
                         .filter(pool_id=trusted.user_pool_id, sub=sub).first())
    if pool_user is not None:
        return linked(pool_user)
    if trusted.load_jwks is None and mirror_remote:  # a user of a remote (AWS) pool
        return get_adapter().remote_django_user(claims)
    return None


def for_claims_without_mirroring(claims: Claims) -> Any:
    """Default ``COGNITO["USER_RESOLVER"]``: :func:`for_claims` for local pool users only."""
    return for_claims(claims, mirror_remote=False)
