"""Live sign-in challenges: the server's half of a challenge a Session names."""

from __future__ import annotations

import uuid

from django.db import models

from ..clock import now
from .user import PoolUser


class AuthChallenge(models.Model):
    """Server-side state of one sign-in challenge named by a Session.

    Sessions are encrypted but stateless; this row makes an answer single use, counts wrong
    answers and holds the hash of a one-time code. It holds MFA challenges (SMS_MFA,
    SOFTWARE_TOKEN_MFA, EMAIL_OTP, SELECT_MFA_TYPE, MFA_SETUP), USER_AUTH's first-factor
    codes and SELECT_CHALLENGE, and the sign-in that ConfirmSignUp grants.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(PoolUser, on_delete=models.CASCADE, related_name="auth_challenges")
    challenge = models.CharField(max_length=24)
    code_hash = models.CharField(max_length=64, blank=True, default="")
    salt = models.CharField(max_length=32, blank=True, default="")
    attempts = models.PositiveSmallIntegerField(default=0)
    verified = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=now, editable=False)
    expires_at = models.DateTimeField()

    class Meta:
        app_label = "django_cognito"
        indexes = [models.Index(fields=["user", "expires_at"], name="dc_auth_challenge_user")]

    def __str__(self) -> str:
        return f"{self.challenge} challenge of user {self.user_id}"
