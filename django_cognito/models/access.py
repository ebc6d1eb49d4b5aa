"""AWS-style access keys that sign administrative API calls (SigV4)."""

from __future__ import annotations

from django.db import models

from ..clock import now
from ..crypto.fields import EncryptedTextField
from .pool import UserPool


class AccessKey(models.Model):
    """An access key id and its secret (encrypted at rest: SigV4 verification needs it)."""

    access_key_id = models.CharField(max_length=128, unique=True)
    secret = EncryptedTextField()
    description = models.CharField(max_length=256, blank=True, default="")
    all_pools = models.BooleanField(
        default=False, help_text="Administers every pool and may create pools. Otherwise the "
                                 "key administers only the pools listed: one whose pools are "
                                 "all deleted administers nothing.")
    pools = models.ManyToManyField(UserPool, blank=True, related_name="access_keys",
                                   help_text="Pools this key may administer.")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=now, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        app_label = "django_cognito"
        verbose_name = "access key"

    def __str__(self) -> str:
        return self.access_key_id

    def allows(self, pool_id: str | None) -> bool:
        """Whether this key may act on ``pool_id`` (``None``: account-wide operations)."""
        if self.all_pools:
            return True
        return pool_id is not None and self.pools.filter(pk=pool_id).exists()
