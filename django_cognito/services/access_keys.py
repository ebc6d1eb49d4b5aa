"""Access keys that sign administrative API calls: creation in AWS's formats."""

from __future__ import annotations

import re
import secrets
import string
from collections.abc import Iterable

from django.db import IntegrityError, transaction

from ..exceptions import InvalidParameterException
from ..models import AccessKey, UserPool

# AWS access key ids: "AKIA" and 16 characters of base32's alphabet.
KEY_ID_RE = re.compile(r"[A-Z0-9]{16,128}")
SECRET_ALPHABET = string.ascii_letters + string.digits + "+/"
SECRET_LENGTH = 40
# SigV4 keys its HMAC with the secret; a short one would be guessable offline from any
# captured signature.
MIN_SECRET_LENGTH = 20


def new_access_key_id() -> str:
    """A 20-character id shaped like AWS's ``AKIA…``."""
    return "AKIA" + "".join(secrets.choice(string.ascii_uppercase + "234567") for _ in range(16))


def new_secret_access_key() -> str:
    """A 40-character secret in AWS's alphabet."""
    return "".join(secrets.choice(SECRET_ALPHABET) for _ in range(SECRET_LENGTH))


def create_access_key(*, description: str = "", pools: Iterable[UserPool] = (),
                      access_key_id: str | None = None, secret: str | None = None,
                      all_pools: bool | None = None) -> tuple[AccessKey, str]:
    """Store a key (given or generated) scoped to ``pools``; returns it and its secret.

    Without pools the key administers every pool and may create pools (``all_pools``); a
    scoped key stays scoped, and administers nothing once its pools are deleted.
    """
    pools = list(pools)
    if all_pools is None:
        all_pools = not pools
    key_id = access_key_id or new_access_key_id()
    secret = secret or new_secret_access_key()
    if not KEY_ID_RE.fullmatch(key_id):
        raise InvalidParameterException(
            "An access key id is 16 to 128 upper-case letters and digits.")
    if len(secret) < MIN_SECRET_LENGTH or len(secret) > 128 or not secret.isprintable() or \
            any(c.isspace() for c in secret):
        raise InvalidParameterException(
            f"A secret access key is {MIN_SECRET_LENGTH} to 128 printable characters "
            "without spaces.")
    try:
        with transaction.atomic():
            key = AccessKey.objects.create(access_key_id=key_id, secret=secret,
                                           description=description[:256],
                                           all_pools=all_pools)
            key.pools.set(pools)
    except IntegrityError:
        raise InvalidParameterException(f"Access key {key_id} already exists.") from None
    return key, secret


def ensure_access_key(access_key_id: str, secret: str, *, description: str = "") -> AccessKey:
    """The active, unscoped key ``access_key_id`` with ``secret`` (for development seeds)."""
    key = AccessKey.objects.filter(access_key_id=access_key_id).first()
    if key is None:
        return create_access_key(description=description, access_key_id=access_key_id,
                                 secret=secret)[0]
    if key.secret != secret or not key.is_active or not key.all_pools:
        key.secret = secret
        key.is_active = True
        key.all_pools = True
        key.save(update_fields=["secret", "is_active", "all_pools"])
        key.pools.clear()
    return key
