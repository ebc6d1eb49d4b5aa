"""Model fields holding secrets that must be recovered, encrypted at rest with Fernet."""

from __future__ import annotations

import base64
import hashlib
import hmac
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.db.models.query_utils import DeferredAttribute

from ..conf import app_settings


def fernet(purpose: str = "") -> MultiFernet:
    """The configured keys; the first encrypts, all decrypt (key rotation).

    ``purpose`` names what the tokens are for (``"session"``, ``"srp-block"``...): each
    purpose gets keys of its own, derived from the configured ones, so a token made for one
    can never be opened as another. Stored columns use the keys as configured.
    """
    keys = app_settings.ENCRYPTION_KEYS
    if keys and not isinstance(keys, (list, tuple)):
        raise ImproperlyConfigured("COGNITO['ENCRYPTION_KEYS'] must be a list of Fernet keys.")
    if not keys:
        digest = hashlib.sha256(b"django_cognito.encryption:" + settings.SECRET_KEY.encode())
        keys = [base64.urlsafe_b64encode(digest.digest()).decode()]
    try:
        return _fernet(tuple(keys), purpose)
    except (ValueError, TypeError) as exc:
        raise ImproperlyConfigured(f"COGNITO['ENCRYPTION_KEYS'] is invalid: {exc}") from exc


@lru_cache(maxsize=32)
def _fernet(keys: tuple[str | bytes, ...], purpose: str) -> MultiFernet:
    # Built once per key set and purpose: every load of an encrypted column decrypts with it.
    if purpose:
        keys = tuple(_derive(key, purpose) for key in keys)
    return MultiFernet([Fernet(k) for k in keys])


def _derive(key: str | bytes, purpose: str) -> str:
    raw = base64.urlsafe_b64decode(key)  # str or bytes, as Fernet itself takes them
    if len(raw) != 32:
        raise ValueError("Fernet key must be 32 url-safe base64-encoded bytes.")
    derived = hmac.new(raw, b"django_cognito.purpose:" + purpose.encode(), "sha256").digest()
    return base64.urlsafe_b64encode(derived).decode()


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


class Sealed:
    """A stored ciphertext not yet decrypted: most reads of a row never need the secret."""

    __slots__ = ("token",)

    def __init__(self, token: str) -> None:
        self.token = token

    def __repr__(self) -> str:
        return "<sealed secret>"


class _DecryptOnRead(DeferredAttribute):
    """Decrypts the column the first time the attribute is read, then keeps the plaintext.

    A data descriptor (it defines ``__set__``), so reads come here even once the instance's
    ``__dict__`` holds the value.
    """

    def __set__(self, instance: Any, value: Any) -> None:
        instance.__dict__[self.field.attname] = value

    def __get__(self, instance: Any, cls: Any = None) -> Any:
        value = super().__get__(instance, cls)
        if isinstance(value, Sealed):
            value = decrypt(value.token)
            instance.__dict__[self.field.attname] = value
        return value


class EncryptedTextField(models.TextField):
    """A text column whose content is Fernet-encrypted in the database.

    The ORM decrypts on load. Hot-path reads (``django_cognito.prepared``) load the
    ciphertext instead (:meth:`sealed_from_db_value`), and the attribute decrypts it on its
    first read, so a sign-in that never needs the secret never pays for it.
    """

    descriptor_class = _DecryptOnRead

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        return None if value is None else decrypt(value)

    def sealed_from_db_value(self, value: str | None, expression: Any,
                             connection: Any) -> Sealed | None:
        return None if value is None else Sealed(value)

    def get_prep_value(self, value: Any) -> Any:
        if isinstance(value, Sealed):
            return value.token
        value = super().get_prep_value(value)
        return None if value in (None, "") else encrypt(value)
