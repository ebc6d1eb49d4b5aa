"""Pool users, their groups, one-time codes and password history."""

from __future__ import annotations

import hashlib
import unicodedata
import uuid
from typing import Any

from django.conf import settings
from django.db import models

from ..clock import now
from ..crypto.fields import EncryptedTextField
from .fields import KeyField
from .pool import UserPool


class UserStatus(models.TextChoices):
    UNCONFIRMED = "UNCONFIRMED"
    CONFIRMED = "CONFIRMED"
    FORCE_CHANGE_PASSWORD = "FORCE_CHANGE_PASSWORD"
    RESET_REQUIRED = "RESET_REQUIRED"
    EXTERNAL_PROVIDER = "EXTERNAL_PROVIDER"
    ARCHIVED = "ARCHIVED"
    COMPROMISED = "COMPROMISED"
    UNKNOWN = "UNKNOWN"


# Searchable attributes (ListUsers, reference §1.7) with their indexed key column.
SEARCH_COLUMNS = {
    "email": "email_key",
    "phone_number": "phone_key",
    "preferred_username": "preferred_username_key",
    "name": "name_key",
    "given_name": "given_name_key",
    "family_name": "family_name_key",
}
# The verification flag of each contact attribute (Boolean attributes, reference §2.2).
VERIFIED_FLAGS = {"email_verified": "email", "phone_number_verified": "phone_number"}
# Sign-in aliases with the column that holds the value while it identifies the user.
ALIAS_COLUMNS = {
    "email": "alias_email",
    "phone_number": "alias_phone",
    "preferred_username": "alias_preferred_username",
}


SEARCH_KEY_LENGTH = 256
ALIAS_KEY_LENGTH = 512


def search_key(value: str) -> str:
    """The indexed form of a searchable value: lower-cased, cut to the filter's reach."""
    return value.lower()[:SEARCH_KEY_LENGTH]


def name_key(value: str, case_sensitive: bool, normalize: bool = False) -> str:
    """The compared form of a username or preferred_username: as typed, lower-cased where the
    pool ignores case; with ``normalize``, NFKC (UAX #15) and, ignoring case, case folded and
    NFKC again, so that full-width ("ａｌｉｃｅ") and decomposed ("e" + U+0301) forms name
    the same user."""
    if not normalize:
        return value if case_sensitive else value.lower()
    value = unicodedata.normalize("NFKC", value)
    return value if case_sensitive else unicodedata.normalize("NFKC", value.casefold())


def alias_key(value: str, case_sensitive: bool = False) -> str:
    """The indexed form of an alias; long values are digested to stay within index limits."""
    value = value if case_sensitive else value.lower()
    if len(value) < ALIAS_KEY_LENGTH:
        return value
    return "sha256:" + hashlib.sha256(value.encode()).hexdigest()


def _key_column(length: int) -> KeyField:
    return KeyField(max_length=length, null=True, blank=True, editable=False)


def _keyed_index(column: str) -> models.Index:
    return models.Index(fields=["pool", column, "id"], name=f"dc_user_{column[:18]}")


class PoolUser(models.Model):
    """A user of a local pool, linked one-to-one to a Django user."""

    id = models.BigAutoField(primary_key=True)
    pool = models.ForeignKey(UserPool, on_delete=models.CASCADE, related_name="users",
                             db_index=False)
    username = models.CharField(max_length=128)
    username_key = KeyField(max_length=128, editable=False)
    sub = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    status = models.CharField(max_length=24, choices=UserStatus.choices,
                              default=UserStatus.UNCONFIRMED)
    enabled = models.BooleanField(default=True)
    attributes = models.JSONField(default=dict, blank=True)
    password = models.CharField(max_length=256, blank=True, default="")
    password_set_at = models.DateTimeField(null=True, blank=True)
    temporary_password_expires_at = models.DateTimeField(null=True, blank=True)
    user = models.OneToOneField(settings.AUTH_USER_MODEL, null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="cognito_user")
    created_at = models.DateTimeField(default=now, editable=False)
    modified_at = models.DateTimeField(default=now)
    # Lower-cased copies of searchable attributes: indexed for ListUsers and the admin.
    email_key = _key_column(SEARCH_KEY_LENGTH)
    phone_key = _key_column(SEARCH_KEY_LENGTH)
    preferred_username_key = _key_column(SEARCH_KEY_LENGTH)
    name_key = _key_column(SEARCH_KEY_LENGTH)
    given_name_key = _key_column(SEARCH_KEY_LENGTH)
    family_name_key = _key_column(SEARCH_KEY_LENGTH)
    # Set only while the value signs the user in; unique per pool (NULLs never collide).
    alias_email = _key_column(ALIAS_KEY_LENGTH)
    alias_phone = _key_column(ALIAS_KEY_LENGTH)
    alias_preferred_username = _key_column(ALIAS_KEY_LENGTH)
    # SRP salt (canonical hex) and verifier, replaced with every password (reference §6).
    srp_salt = models.CharField(max_length=64, blank=True, default="", editable=False)
    srp_verifier = EncryptedTextField(null=True, blank=True, editable=False)

    class Meta:
        app_label = "django_cognito"
        verbose_name = "pool user"
        constraints = [
            models.UniqueConstraint(fields=["pool", "username_key"], name="dc_user_username"),
            models.UniqueConstraint(fields=["pool", "alias_email"], name="dc_user_alias_email"),
            models.UniqueConstraint(fields=["pool", "alias_phone"], name="dc_user_alias_phone"),
            models.UniqueConstraint(fields=["pool", "alias_preferred_username"],
                                    name="dc_user_alias_pref"),
        ]
        indexes = [
            models.Index(fields=["pool", "id"], name="dc_user_pool_id"),
            models.Index(fields=["pool", "status", "id"], name="dc_user_status"),
            models.Index(fields=["pool", "enabled", "id"], name="dc_user_enabled"),
            *(_keyed_index(column) for column in SEARCH_COLUMNS.values()),
        ]

    def __str__(self) -> str:
        return self.username

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.refresh_keys()
        self.modified_at = now()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = set(kwargs["update_fields"]) | {
                "username_key", "modified_at", *SEARCH_COLUMNS.values(), *ALIAS_COLUMNS.values()}
        super().save(*args, **kwargs)


    # Attribute helpers -------------------------------------------------------------------
    def attr(self, name: str) -> str | None:
        """The value of an attribute, or ``None`` when unset."""
        if name == "sub":
            return str(self.sub)
        value: Any = self.attributes.get(name)
        return None if value is None else str(value)

    def is_verified(self, name: str) -> bool:
        """Whether ``email`` or ``phone_number`` is verified."""
        return self.attributes.get(f"{name}_verified") == "true"

    def refresh_keys(self) -> None:
        """Recompute the indexed key and alias columns from the attributes."""
        pool = self.pool
        self.username_key = name_key(self.username, pool.case_sensitive,
                                     pool.normalize_usernames)
        for name, column in SEARCH_COLUMNS.items():
            value = self.attributes.get(name)
            setattr(self, column, search_key(value) if value else None)
        for name, column in ALIAS_COLUMNS.items():
            value = self.attributes.get(name)
            active = bool(value) and (
                name in pool.username_attributes
                or (name in pool.alias_attributes
                    and (name == "preferred_username" or self.is_verified(name))))
            if active and name == "preferred_username":
                value = name_key(value, pool.case_sensitive, pool.normalize_usernames)
                setattr(self, column, alias_key(value, case_sensitive=True))
            else:
                setattr(self, column, alias_key(value) if active else None)

class Group(models.Model):
    """A group of a pool, with precedence and an IAM role for tokens."""

    pool = models.ForeignKey(UserPool, on_delete=models.CASCADE, related_name="groups")
    name = models.CharField(max_length=128)
    description = models.CharField(max_length=2048, blank=True, default="")
    role_arn = models.CharField(max_length=2048, blank=True, default="")
    precedence = models.PositiveIntegerField(null=True, blank=True)
    members = models.ManyToManyField(PoolUser, through="GroupMembership", related_name="groups")
    created_at = models.DateTimeField(default=now, editable=False)
    modified_at = models.DateTimeField(default=now)

    class Meta:
        app_label = "django_cognito"
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["pool", "name"], name="dc_group_name")]
        # Beside django.contrib.auth's "Groups" in the admin: named for what they are.
        verbose_name = "user pool group"
        verbose_name_plural = "user pool groups"

    def __str__(self) -> str:
        return self.name


class GroupMembership(models.Model):
    """A user's membership of a group."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, db_index=False)
    user = models.ForeignKey(PoolUser, on_delete=models.CASCADE, db_index=False)
    created_at = models.DateTimeField(default=now, editable=False)

    class Meta:
        app_label = "django_cognito"
        constraints = [models.UniqueConstraint(fields=["group", "user"], name="dc_member_group")]
        indexes = [models.Index(fields=["user", "group"], name="dc_member_user")]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.group_id}"


class CodePurpose(models.TextChoices):
    SIGN_UP = "SIGN_UP"
    FORGOT_PASSWORD = "FORGOT_PASSWORD"
    VERIFY_ATTRIBUTE = "VERIFY_ATTRIBUTE"


class VerificationCode(models.Model):
    """An outstanding one-time code, stored as a keyed hash."""

    user = models.ForeignKey(PoolUser, on_delete=models.CASCADE, related_name="codes",
                             db_index=False)
    purpose = models.CharField(max_length=24, choices=CodePurpose.choices)
    attribute = models.CharField(max_length=64, blank=True, default="")
    code_hash = models.CharField(max_length=64)
    # A changed email/phone awaiting verification (AttributesRequireVerificationBeforeUpdate).
    pending_value = models.CharField(max_length=2048, blank=True, default="")
    salt = models.CharField(max_length=32)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=now, editable=False)

    class Meta:
        app_label = "django_cognito"
        constraints = [models.UniqueConstraint(fields=["user", "purpose", "attribute"],
                                               name="dc_code_unique")]

    def __str__(self) -> str:
        return f"{self.purpose} code for user {self.user_id}"


class PasswordHistoryEntry(models.Model):
    """A previous password hash, kept for the pool's PasswordHistorySize."""

    user = models.ForeignKey(PoolUser, on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField(max_length=256)
    created_at = models.DateTimeField(default=now, editable=False)

    class Meta:
        app_label = "django_cognito"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"password of user {self.user_id} set {self.created_at:%Y-%m-%d}"
