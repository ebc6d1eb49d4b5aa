"""Per-user MFA state: software tokens (TOTP) and factor preferences."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from ..clock import now
from ..crypto import totp
from ..crypto.fields import EncryptedTextField
from .user import PoolUser


class SoftwareToken(models.Model):
    """A user's TOTP authenticator (RFC 6238), enrolled by AssociateSoftwareToken.

    The secret must be recovered to compute codes, so it is encrypted at rest. A new
    association waits in ``pending_secret`` until VerifySoftwareToken proves it, so an
    abandoned enrolment never locks the user out of the token already in use.
    """

    user = models.OneToOneField(PoolUser, on_delete=models.CASCADE,
                                related_name="software_token")
    secret = EncryptedTextField(null=True, blank=True)
    pending_secret = EncryptedTextField(null=True, blank=True)
    friendly_name = models.CharField(max_length=256, blank=True, default="")
    # The last accepted time step: a code of that step or earlier is a replay (RFC 6238 §5.2).
    last_used_step = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=now, editable=False)
    verified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        app_label = "django_cognito"

    def __str__(self) -> str:
        return f"software token of user {self.user_id}"

    @property
    def confirmed(self) -> bool:
        return bool(self.secret)

    def spend(self, code: object) -> bool:
        """Accept a TOTP code once: its step is claimed by a conditional update (no race)."""
        if self.secret is None:
            return False
        step = totp.matching_step(self.secret, code, self.last_used_step)
        if step is None:
            return False
        fresh = Q(last_used_step__isnull=True) | Q(last_used_step__lt=step)
        claimed = SoftwareToken.objects.filter(Q(pk=self.pk) & fresh).update(
            last_used_step=step) == 1
        if claimed:
            self.last_used_step = step
        return claimed


class MfaPreference(models.Model):
    """The MFA factors a user enabled (SetUserMFAPreference) and the preferred one."""

    user = models.OneToOneField(PoolUser, on_delete=models.CASCADE,
                                related_name="mfa_preference")
    sms_enabled = models.BooleanField(default=False)
    software_token_enabled = models.BooleanField(default=False)
    email_enabled = models.BooleanField(default=False)
    preferred = models.CharField(max_length=24, blank=True, default="")
    modified_at = models.DateTimeField(default=now)

    class Meta:
        app_label = "django_cognito"

    def __str__(self) -> str:
        return f"MFA preference of user {self.user_id}"
