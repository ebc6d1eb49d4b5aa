"""App clients of a user pool."""

from __future__ import annotations

from collections.abc import Mapping

from django.db import models

from ..clock import now
from ..crypto.fields import EncryptedTextField
from .pool import UserPool

DEFAULT_EXPLICIT_AUTH_FLOWS = ["ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH",
                               "ALLOW_CUSTOM_AUTH"]
# TokenValidityUnits (reference §2.5): seconds per unit, and the unit Cognito reads a
# validity in when the client's units leave its token out.
TOKEN_UNITS = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400}
DEFAULT_TOKEN_UNITS = {"AccessToken": "hours", "IdToken": "hours", "RefreshToken": "days"}


def validity_seconds(value: int, units: Mapping[str, str] | None, token: str) -> int:
    """``value`` in the unit ``units`` gives ``token`` (``IdToken``…), in seconds, uncapped."""
    default = DEFAULT_TOKEN_UNITS[token]
    unit = (units or {}).get(token, default)
    return value * TOKEN_UNITS.get(unit, TOKEN_UNITS[default])


class PreventUserExistenceErrors(models.TextChoices):
    LEGACY = "LEGACY"
    ENABLED = "ENABLED"


class AppClient(models.Model):
    """An app client; its secret is encrypted at rest because SECRET_HASH needs it."""

    id = models.CharField(primary_key=True, max_length=128, editable=False)
    pool = models.ForeignKey(UserPool, on_delete=models.CASCADE, related_name="clients")
    name = models.CharField(max_length=128)
    secret = EncryptedTextField(null=True, blank=True, editable=False)
    access_token_validity = models.PositiveIntegerField(default=60)
    id_token_validity = models.PositiveIntegerField(default=60)
    refresh_token_validity = models.PositiveIntegerField(default=30)
    # Cognito's TokenValidityUnits: {"AccessToken": "minutes", "IdToken": ..., "RefreshToken": ...}
    token_validity_units = models.JSONField(default=dict, blank=True)
    auth_session_validity = models.PositiveSmallIntegerField(default=3)
    explicit_auth_flows = models.JSONField(default=list, blank=True)
    read_attributes = models.JSONField(default=list, blank=True)
    write_attributes = models.JSONField(default=list, blank=True)
    supported_identity_providers = models.JSONField(default=list, blank=True)
    callback_urls = models.JSONField(default=list, blank=True)
    logout_urls = models.JSONField(default=list, blank=True)
    default_redirect_uri = models.CharField(max_length=1024, blank=True, default="")
    allowed_oauth_flows = models.JSONField(default=list, blank=True)
    allowed_oauth_scopes = models.JSONField(default=list, blank=True)
    allowed_oauth_flows_user_pool_client = models.BooleanField(default=False)
    prevent_user_existence_errors = models.CharField(
        max_length=8, choices=PreventUserExistenceErrors.choices,
        default=PreventUserExistenceErrors.LEGACY)
    enable_token_revocation = models.BooleanField(default=True)
    enable_propagate_additional_user_context_data = models.BooleanField(default=False)
    refresh_token_rotation = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=now, editable=False)
    modified_at = models.DateTimeField(default=now)

    class Meta:
        app_label = "django_cognito"
        ordering = ["created_at", "id"]
        verbose_name = "app client"

    def __str__(self) -> str:
        return f"{self.name} ({self.id})"

    @property
    def prevents_user_existence_errors(self) -> bool:
        return self.prevent_user_existence_errors == PreventUserExistenceErrors.ENABLED

    @property
    def has_secret(self) -> bool:
        return bool(self.secret)


def readable(client: AppClient | None, name: str) -> bool:
    """Whether ``client`` may read attribute ``name`` (all when it lists none)."""
    return client is None or not client.read_attributes or name in client.read_attributes or \
        name == "sub"
