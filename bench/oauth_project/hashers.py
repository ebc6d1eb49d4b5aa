"""A password hasher that costs nothing, for the OAuth benchmark's baseline only."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.hashers import BasePasswordHasher
from django.utils.crypto import constant_time_compare


class PlainPasswordHasher(BasePasswordHasher):
    """Stores the password itself (``plain$$<password>``): never for anything but a bench.

    The OAuth benchmark compares a client_credentials grant (no password, one signature)
    with an InitiateAuth sign-in (a password, two signatures); with this hasher the sign-in's
    password check costs a string comparison, so the comparison is of everything else.
    """

    algorithm = "plain"

    def salt(self) -> str:
        return ""

    def encode(self, password: str, salt: str) -> str:
        return f"{self.algorithm}${salt}${password}"

    def decode(self, encoded: str) -> dict[str, Any]:
        algorithm, salt, password = encoded.split("$", 2)
        assert algorithm == self.algorithm
        return {"algorithm": algorithm, "hash": password, "salt": salt}

    def verify(self, password: str, encoded: str) -> bool:
        return constant_time_compare(encoded, self.encode(password, self.decode(encoded)["salt"]))

    def safe_summary(self, encoded: str) -> dict[str, Any]:
        return {"algorithm": self.algorithm, "hash": "*****"}

    def harden_runtime(self, password: str, encoded: str) -> None:
        pass
