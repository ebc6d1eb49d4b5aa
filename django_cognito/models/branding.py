"""A pool's managed login customisation (SetUICustomization): CSS and a logo, for the whole
pool or one app client."""

from __future__ import annotations

from django.db import models

from ..clock import now
from .client import AppClient
from .pool import UserPool


class UICustomization(models.Model):
    pool = models.ForeignKey(UserPool, on_delete=models.CASCADE, db_index=False)
    #: ``None``: the pool's own ("ALL"), used by clients without one of their own.
    client = models.ForeignKey(AppClient, on_delete=models.CASCADE, null=True, blank=True)
    css = models.TextField(blank=True, default="")
    image = models.BinaryField(blank=True, default=b"")
    image_type = models.CharField(max_length=32, blank=True, default="")
    css_version = models.CharField(max_length=32, blank=True, default="")
    created_at = models.DateTimeField(default=now, editable=False)
    modified_at = models.DateTimeField(default=now)

    class Meta:
        app_label = "django_cognito"
        verbose_name = "UI customization"
        constraints = [
            models.UniqueConstraint(fields=["pool", "client"], name="dc_ui_pool_client"),
            models.UniqueConstraint(fields=["pool"], condition=models.Q(client=None),
                                    name="dc_ui_pool_all"),
        ]

    def __str__(self) -> str:
        return f"UI customization of {self.client_id or 'ALL'} in {self.pool_id}"
