"""Devices a user's sign-ins were tracked on (reference §1.3, §6 "Device SRP")."""

from __future__ import annotations

from django.db import models

from ..clock import now
from ..crypto.fields import EncryptedTextField
from .user import PoolUser


class DeviceStatus(models.TextChoices):
    """DeviceRememberedStatusType."""

    REMEMBERED = "remembered"
    NOT_REMEMBERED = "not_remembered"


class Device(models.Model):
    """A device key handed out in NewDeviceMetadata, and its SRP verifier once confirmed.

    A sign-in on a pool with device tracking creates the row unconfirmed; ConfirmDevice
    stores the verifier the client derived from its device password, after which the
    device is listed and, when remembered, can stand in for MFA through device SRP. The
    verifier is encrypted at rest: it would let anyone holding it pose as the server.
    """

    id = models.BigAutoField(primary_key=True)
    user = models.ForeignKey(PoolUser, on_delete=models.CASCADE, related_name="devices",
                             db_index=False)
    device_key = models.CharField(max_length=55, unique=True)
    device_group_key = models.CharField(max_length=64)
    salt = models.CharField(max_length=256, blank=True, default="")
    verifier = EncryptedTextField(null=True, blank=True)
    name = models.CharField(max_length=1024, blank=True, default="")
    # Further DeviceAttributes (e.g. last_ip_used), shown as stored.
    attributes = models.JSONField(default=dict, blank=True)
    remembered_status = models.CharField(max_length=16, choices=DeviceStatus.choices,
                                         default=DeviceStatus.NOT_REMEMBERED)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=now, editable=False)
    last_authenticated_at = models.DateTimeField(null=True, blank=True)
    modified_at = models.DateTimeField(default=now)

    class Meta:
        app_label = "django_cognito"
        indexes = [models.Index(fields=["user", "id"], name="dc_device_user")]

    def __str__(self) -> str:
        return f"device {self.device_key} of user {self.user_id}"

    @property
    def confirmed(self) -> bool:
        return self.confirmed_at is not None and bool(self.verifier)

    @property
    def remembered(self) -> bool:
        return self.confirmed and self.remembered_status == DeviceStatus.REMEMBERED
