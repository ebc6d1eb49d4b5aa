"""Refresh tokens: opaque, stored hashed, grouped by ``origin_jti`` for revocation."""

from __future__ import annotations

import uuid

from django.db import models

from ..clock import now
from .client import AppClient
from .user import PoolUser


class RefreshToken(models.Model):
    """One refresh token; its ``origin_jti`` names the family of tokens minted from it.

    Revoking the refresh token revokes every access token of the family (reference §3.5),
    so a local access token is valid only while its family has a live refresh token.
    """

    id = models.BigAutoField(primary_key=True)
    token_hash = models.CharField(max_length=64, unique=True)
    origin_jti = models.UUIDField(default=uuid.uuid4, db_index=True)
    client = models.ForeignKey(AppClient, on_delete=models.CASCADE, db_index=False)
    user = models.ForeignKey(PoolUser, on_delete=models.CASCADE, related_name="refresh_tokens",
                             db_index=False)
    auth_time = models.DateTimeField()
    created_at = models.DateTimeField(default=now, editable=False)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    # Set when rotation (GetTokensFromRefreshToken) replaced this token; after the grace
    # period a reuse is RefreshTokenReuseException.
    rotated_at = models.DateTimeField(null=True, blank=True)
    device_key = models.CharField(max_length=64, blank=True, default="")
    # The scopes an OAuth 2.0 grant gave the family; empty for API sign-ins, whose access
    # tokens carry aws.cognito.signin.user.admin alone (reference §3.3).
    scopes = models.JSONField(default=list, blank=True)

    class Meta:
        app_label = "django_cognito"
        indexes = [models.Index(fields=["user", "revoked_at"], name="dc_refresh_user"),
                   models.Index(fields=["client"], name="dc_refresh_client")]

    def __str__(self) -> str:
        return f"refresh token {self.origin_jti} of user {self.user_id}"

    @property
    def live(self) -> bool:
        return self.revoked_at is None and self.expires_at > now()
