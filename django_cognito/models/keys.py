"""Per-pool RSA signing keys for ID and access tokens, with their rotation state."""

from __future__ import annotations

from django.db import models

from ..clock import now
from ..crypto.fields import EncryptedTextField
from .pool import UserPool


class KeyPurpose(models.TextChoices):
    """Cognito signs ID and access tokens with different keys (reference §3.1)."""

    ID = "id"
    ACCESS = "access"


class KeyState(models.TextChoices):
    """Published but not yet signing, signing, or published until its tokens expire."""

    NEXT = "next"
    ACTIVE = "active"
    RETIRED = "retired"


class SigningKey(models.Model):
    """An RSA-2048 key of a pool; the private half is encrypted at rest."""

    pool = models.ForeignKey(UserPool, on_delete=models.CASCADE, related_name="signing_keys",
                             db_index=False)
    kid = models.CharField(max_length=64, unique=True, editable=False)
    purpose = models.CharField(max_length=8, choices=KeyPurpose.choices)
    state = models.CharField(max_length=8, choices=KeyState.choices, default=KeyState.NEXT)
    private_key = EncryptedTextField(editable=False)
    public_jwk = models.JSONField(editable=False)
    # Longest lifetime (seconds) of a token this key signed: a retired key stays published
    # that long after retirement.
    max_lifetime = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(default=now, editable=False)
    activated_at = models.DateTimeField(null=True, blank=True)
    retired_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        app_label = "django_cognito"
        ordering = ["created_at", "id"]
        verbose_name = "signing key"
        indexes = [models.Index(fields=["pool", "state", "purpose"], name="dc_key_state")]
        constraints = [
            # One signing key and one successor per purpose, even under concurrent creation.
            models.UniqueConstraint(fields=["pool", "purpose"],
                                    condition=models.Q(state="active"), name="dc_key_one_active"),
            models.UniqueConstraint(fields=["pool", "purpose"],
                                    condition=models.Q(state="next"), name="dc_key_one_next"),
        ]

    def __str__(self) -> str:
        return f"{self.purpose} key {self.kid} ({self.state})"
