"""Real RSA keys generated once per session and handed out in turn, to keep tests fast.

Generating an RSA-2048 key costs tens of milliseconds and each pool needs four; tests
that only need *some* valid keys use the ``reuse_rsa_keys`` fixture.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from django_cognito.crypto import keys

GENERATE = keys.generate_private_key
KEYS_PER_TEST = 32
_generated: list[rsa.RSAPrivateKey] = []


@pytest.fixture
def reuse_rsa_keys(monkeypatch: Any) -> Iterator[None]:
    if not _generated:
        _generated.extend(GENERATE() for _ in range(KEYS_PER_TEST))
    supply = iter(_generated)

    def next_key() -> rsa.RSAPrivateKey:
        key = next(supply, None)
        if key is None:
            raise AssertionError(f"a test needs more than {KEYS_PER_TEST} signing keys")
        return key

    monkeypatch.setattr(keys, "generate_private_key", next_key)
    yield
