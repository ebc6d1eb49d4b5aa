"""Random identifiers and secrets in Cognito's formats, and keyed hashing of short codes."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import string

from django.conf import settings

_ALNUM = string.ascii_letters + string.digits
_LOWER_ALNUM = string.ascii_lowercase + string.digits


def random_string(length: int, alphabet: str = _ALNUM) -> str:
    """A cryptographically random string over ``alphabet``."""
    return "".join(secrets.choice(alphabet) for _ in range(length))


def new_pool_id(region: str) -> str:
    """A pool id shaped like AWS's ``us-east-1_Ab12Cd34E``."""
    return f"{region}_{random_string(9)}"


def new_client_id() -> str:
    """A 26-character ``[a-z0-9]`` app client id."""
    return random_string(26, _LOWER_ALNUM)


def new_client_secret() -> str:
    """A 51-character ``[a-z0-9]`` client secret (Cognito's length; model allows 24–64)."""
    return random_string(51, _LOWER_ALNUM)


def new_code(digits: int = 6) -> str:
    """A numeric one-time code (Cognito's codes are six digits)."""
    return "".join(secrets.choice(string.digits) for _ in range(digits))


def _code_key() -> bytes:
    return hashlib.sha256(b"django_cognito.code:" + settings.SECRET_KEY.encode()).digest()


def hash_code(code: str, salt: str) -> str:
    """Keyed hash of a short code: a plain digest of six digits would be brute-forced offline."""
    mac = hmac.new(_code_key(), f"{salt}:{code}".encode(), hashlib.sha256).digest()
    return base64.b64encode(mac).decode()


def check_code(code: str, salt: str, expected_hash: str) -> bool:
    """Compare a presented code with a stored hash in constant time."""
    return hmac.compare_digest(hash_code(code, salt), expected_hash)


def secret_hash(client_secret: str, username: str, client_id: str) -> str:
    """Cognito's SECRET_HASH: Base64(HMAC_SHA256(client_secret, username + client_id))."""
    mac = hmac.new(client_secret.encode(), (username + client_id).encode(), hashlib.sha256)
    return base64.b64encode(mac.digest()).decode()
