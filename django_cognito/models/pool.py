"""User pools: username configuration, policies, schema, messages and triggers."""

from __future__ import annotations

from typing import Any

from django.db import models

from ..clock import now


class MfaConfiguration(models.TextChoices):
    OFF = "OFF"
    ON = "ON"
    OPTIONAL = "OPTIONAL"


class UserPool(models.Model):
    """A local user pool; the JSON fields keep Cognito's own request/response shapes."""

    id = models.CharField(primary_key=True, max_length=55, editable=False)
    name = models.CharField(max_length=128)
    # Username configuration (reference §2.3); fixed at creation.
    username_attributes = models.JSONField(default=list, blank=True,
                                           help_text="Subset of email, phone_number.")
    alias_attributes = models.JSONField(
        default=list, blank=True, help_text="Subset of email, phone_number, preferred_username.")
    case_sensitive = models.BooleanField(default=True)
    # Password policy (reference §2.4).
    minimum_length = models.PositiveSmallIntegerField(default=8)
    require_uppercase = models.BooleanField(default=True)
    require_lowercase = models.BooleanField(default=True)
    require_numbers = models.BooleanField(default=True)
    require_symbols = models.BooleanField(default=True)
    password_history_size = models.PositiveSmallIntegerField(default=0)
    temporary_password_validity_days = models.PositiveSmallIntegerField(default=7)
    # Attribute schema: Cognito SchemaAttributeType dicts, standard and custom.
    schema = models.JSONField(default=list, blank=True)
    auto_verified_attributes = models.JSONField(default=list, blank=True)
    user_attribute_update_settings = models.JSONField(default=dict, blank=True)
    mfa_configuration = models.CharField(max_length=8, choices=MfaConfiguration.choices,
                                         default=MfaConfiguration.OFF)
    account_recovery_setting = models.JSONField(default=dict, blank=True)
    verification_message_template = models.JSONField(default=dict, blank=True)
    admin_create_user_config = models.JSONField(default=dict, blank=True)
    email_configuration = models.JSONField(default=dict, blank=True)
    sms_configuration = models.JSONField(default=dict, blank=True)
    sms_authentication_message = models.CharField(max_length=140, blank=True, default="")
    lambda_config = models.JSONField(default=dict, blank=True)
    deletion_protection = models.BooleanField(default=False)
    # Not Cognito's: a password change or reset ends every other session of the user (the
    # family that changed it survives ChangePassword), so a leaked refresh token stops with
    # the password it was obtained with.
    # Not Cognito's (AWS does not normalise usernames): NFKC, then case folding in a
    # case-insensitive pool, so full-width and decomposed forms name one user, and new names
    # that mix scripts into look-alikes ("аlice" with a Cyrillic а) are refused.
    normalize_usernames = models.BooleanField(
        default=False, help_text="Usernames are compared in NFKC form (case folded in a "
                                 "case-insensitive pool), and new ones mixing scripts into "
                                 "look-alikes are refused. Fixed once the pool exists.")
    revoke_tokens_on_password_change = models.BooleanField(
        default=True, help_text="A password change or reset revokes the user's other "
                                "refresh tokens and the access tokens they issued.")
    user_pool_tier = models.CharField(max_length=16, default="ESSENTIALS")
    tags = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=now, editable=False)
    modified_at = models.DateTimeField(default=now)

    class Meta:
        app_label = "django_cognito"
        ordering = ["created_at", "id"]
        verbose_name = "user pool"

    def __str__(self) -> str:
        return f"{self.name} ({self.id})"

    @property
    def region(self) -> str:
        """The region prefix of the pool id."""
        return self.id.split("_", 1)[0]

    @property
    def pool_name_suffix(self) -> str:
        """The part of the id after ``_`` (SRP's poolName)."""
        return self.id.split("_", 1)[1]

    @property
    def admin_create_user_only(self) -> bool:
        return bool(self.admin_create_user_config.get("AllowAdminCreateUserOnly", False))

    @property
    def email_is_username(self) -> bool:
        return "email" in self.username_attributes

    @property
    def phone_is_username(self) -> bool:
        return "phone_number" in self.username_attributes

    def schema_by_name(self) -> dict[str, dict[str, Any]]:
        """The schema keyed by attribute name (``custom:`` names included)."""
        return {a["Name"]: a for a in self.schema}

    def sign_in_aliases(self) -> list[str]:
        """Attributes besides the username that identify a user at sign-in."""
        return list(self.username_attributes) + [
            a for a in self.alias_attributes if a not in self.username_attributes]
