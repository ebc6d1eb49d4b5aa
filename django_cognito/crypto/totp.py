"""RFC 6238 TOTP for software tokens, computed with django-otp's ``oath`` helpers.

Cognito's parameters (reference §9): SHA-1, six digits, 30-second steps, one step of
tolerance either side, and a Base32 ``SecretCode``.
"""

from __future__ import annotations

import base64
import binascii
import secrets

from django_otp.oath import TOTP

from ..clock import now

STEP = 30
DIGITS = 6
TOLERANCE = 1
# 160 bits: RFC 4226 §4 recommends a secret as long as the SHA-1 output; Cognito's
# SecretCode is at least 16 Base32 characters.
SECRET_BYTES = 20


def new_secret() -> str:
    """A random Base32 secret (unpadded) of ``SECRET_BYTES`` bytes."""
    return base64.b32encode(secrets.token_bytes(SECRET_BYTES)).decode().rstrip("=")


def _key(secret: str) -> bytes:
    padded = secret.upper() + "=" * (-len(secret) % 8)
    return base64.b32decode(padded)


def _totp(secret: str) -> TOTP:
    totp = TOTP(_key(secret), step=STEP, digits=DIGITS)
    totp.time = int(now().timestamp())
    return totp


def code_at(secret: str, offset_steps: int = 0) -> str:
    """The code of the current step (shifted by ``offset_steps``), zero-padded."""
    totp = _totp(secret)
    totp.drift = offset_steps
    return f"{totp.token():0{DIGITS}d}"


def matching_step(secret: str, code: object, last_used_step: int | None = None) -> int | None:
    """The time step ``code`` belongs to (within tolerance), or ``None``.

    Steps at or before ``last_used_step`` never match, so a code cannot be replayed, not even
    an older one still inside the tolerance window (RFC 6238 §5.2).
    """
    if not isinstance(code, str) or len(code) != DIGITS or not code.isdigit():
        return None
    try:
        totp = _totp(secret)
    except (binascii.Error, ValueError):
        return None
    min_t = None if last_used_step is None else last_used_step + 1
    if not totp.verify(int(code), tolerance=TOLERANCE, min_t=min_t):
        return None
    return int(totp.t())
