"""Stable, plausible answers for someone who gets nothing real (PreventUserExistenceErrors).

Under PreventUserExistenceErrors (reference §2.6) an unknown or disabled user must get the
same kind of answer as a real one: an SRP challenge with a salt, or CodeDeliveryDetails with
a masked destination. A constant answer would be told apart from real ones at a glance, and a
random one by asking twice; these are derived from the pool, the username and the project's
secret key, so they are the same on every call and every process.
"""

from __future__ import annotations

import hashlib
import hmac
import string

from django.conf import settings

from ..models import UserPool
from . import delivery

# The first letter of common mail domains, as often as they come up.
_DOMAIN_LETTERS = "gggghhhooyymiaaceltw"


def digest(pool: UserPool, username: str, purpose: str, size: int = 32) -> bytes:
    """Keyed bytes that stay the same for a (pool, username) across calls and processes."""
    key = hashlib.sha256(b"django_cognito.srp-simulated:" + settings.SECRET_KEY.encode()).digest()
    name = username if pool.case_sensitive else username.lower()
    message = "\x00".join((purpose, pool.id, name)).encode("utf-8", "surrogatepass")
    blocks = (hmac.new(key, message + bytes([i]), hashlib.sha256).digest()
              for i in range(-(-size // 32)))
    return b"".join(blocks)[:size]


def destination(pool: UserPool, username: str, attribute: str) -> str:
    """An address or phone number such a user might have, before masking.

    A username that is itself an email address or a phone number is used as it is, since a
    real user's would show the same first letters or last digits once masked.
    """
    noise = digest(pool, username, f"destination:{attribute}", 16)
    if attribute == "phone_number":
        if username.startswith("+") and username[1:].isdigit() and len(username) >= 8:
            return username
        return "+1" + "".join(str(byte % 10) for byte in noise[:10])
    if "@" in username.strip("@"):
        return username
    letters = string.ascii_lowercase
    first = username[:1].lower()
    local = first if first in letters else letters[noise[0] % 26]
    return f"{local}@{_DOMAIN_LETTERS[noise[1] % len(_DOMAIN_LETTERS)]}.example"


def code_delivery_details(pool: UserPool, username: object, attribute: str) -> dict[str, str]:
    """CodeDeliveryDetails for ``username`` as if a code had gone to its ``attribute``."""
    name = username if isinstance(username, str) else ""
    medium = "SMS" if attribute == "phone_number" else "EMAIL"
    return delivery.code_delivery_details(medium, destination(pool, name, attribute))


def lock_id(pool: UserPool, username: str) -> int:
    """A number standing for a hidden username in the sign-in lockout (1 to 10^11 - 1), so
    that wrong answers for someone who is not there lock as they would for a real user."""
    return int.from_bytes(digest(pool, username, "lockout", 8), "big") % (10**11 - 1) + 1
