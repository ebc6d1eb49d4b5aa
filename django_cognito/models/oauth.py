"""What the OAuth 2.0 endpoints and the managed login pages keep (reference §5)."""

from __future__ import annotations

from django.db import models

from ..clock import now
from .client import AppClient
from .pool import UserPool
from .user import PoolUser


class AuthorizationCode(models.Model):
    """An authorization code of ``/oauth2/authorize``: single use, five minutes, bound to its
    client, redirect URI and PKCE challenge. Only the code's digest is stored.

    ``origin_jti`` names the token family the code was exchanged for, so that a second
    redemption revokes what the first one issued (RFC 6749 §4.1.2).
    """

    code_hash = models.CharField(max_length=64, primary_key=True)
    client = models.ForeignKey(AppClient, on_delete=models.CASCADE, db_index=False)
    user = models.ForeignKey(PoolUser, on_delete=models.CASCADE, db_index=False)
    redirect_uri = models.CharField(max_length=1024)
    scopes = models.JSONField(default=list)
    nonce = models.CharField(max_length=1024, blank=True, default="")
    code_challenge = models.CharField(max_length=128, blank=True, default="")
    auth_time = models.DateTimeField()
    created_at = models.DateTimeField(default=now, editable=False)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    origin_jti = models.UUIDField(null=True, blank=True)

    class Meta:
        app_label = "django_cognito"
        verbose_name = "authorization code"
        indexes = [models.Index(fields=["expires_at"], name="dc_code_expiry"),
                   models.Index(fields=["user"], name="dc_code_user")]

    def __str__(self) -> str:
        return f"authorization code of user {self.user_id} for {self.client_id}"


class LoginSession(models.Model):
    """The managed login's single sign-on session: who signed in on a pool's domain, and
    when. The browser holds a random token whose digest is ``token_hash``; ``/logout``
    deletes the row, so a copied cookie dies with it."""

    token_hash = models.CharField(max_length=64, primary_key=True)
    pool = models.ForeignKey(UserPool, on_delete=models.CASCADE, db_index=False)
    user = models.ForeignKey(PoolUser, on_delete=models.CASCADE, db_index=False)
    auth_time = models.DateTimeField()
    expires_at = models.DateTimeField()

    class Meta:
        app_label = "django_cognito"
        verbose_name = "managed login session"
        indexes = [models.Index(fields=["user"], name="dc_login_session_user"),
                   models.Index(fields=["expires_at"], name="dc_login_session_expiry")]

    def __str__(self) -> str:
        return f"managed login session of user {self.user_id}"
