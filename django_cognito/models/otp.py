"""Pool users' software tokens as django-otp devices."""

from __future__ import annotations

from django.db import models
from django_otp.models import Device

from .mfa import SoftwareToken


class PoolTOTPDevice(Device):
    """A pool user's TOTP authenticator, as a django-otp device of the linked Django user.

    django-otp's ``match_token``, ``OTPMiddleware`` and ``otp_required`` then accept a pool
    user who signed in to a Django session. The secret stays where it is, encrypted at rest
    in the software token; a code is accepted once, whichever of the two checks it.
    """

    token = models.OneToOneField(SoftwareToken, on_delete=models.CASCADE,
                                 related_name="otp_device")

    class Meta:
        app_label = "django_cognito"
        verbose_name = "pool user TOTP device"

    def verify_token(self, token: object) -> bool:
        """django-otp's check: the pool user's TOTP code, each step accepted once."""
        return bool(self.confirmed) and self.token.spend(token)
