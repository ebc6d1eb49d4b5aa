"""Model fields holding secrets that must be recovered, encrypted at rest with Fernet."""

from __future__ import annotations

import base64
import hashlib
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

from ..conf import app_settings


def fernet() -> MultiFernet:
    """The configured keys; the first encrypts, all decrypt (key rotation)."""
    keys = app_settings.ENCRYPTION_KEYS
    if keys and not isinstance(keys, (list, tuple)):
        raise ImproperlyConfigured("COGNITO['ENCRYPTION_KEYS'] must be a list of Fernet keys.")
    if not keys:
        digest = hashlib.sha256(b"django_cognito.encryption:" + settings.SECRET_KEY.encode())
        keys = [base64.urlsafe_b64encode(digest.digest()).decode()]
    try:
        return _fernet(tuple(keys))
    except (ValueError, TypeError) as exc:
        raise ImproperlyConfigured(f"COGNITO['ENCRYPTION_KEYS'] is invalid: {exc}") from exc


@lru_cache(maxsize=8)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    # Built once per key set: every load of an encrypted column decrypts with it.
    return MultiFernet([Fernet(k) for k in keys])


def encrypt(value: str) -> str:
    """Encrypt a string for storage."""
    return fernet().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    """Decrypt a stored value; a value no key opens is a configuration error."""
    try:
        return fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise ImproperlyConfigured(
            "A stored secret cannot be decrypted with COGNITO['ENCRYPTION_KEYS']."
        ) from exc


class EncryptedTextField(models.TextField):
    """A text column whose content is Fernet-encrypted in the database."""

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        return None if value is None else decrypt(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        return None if value in (None, "") else encrypt(value)
