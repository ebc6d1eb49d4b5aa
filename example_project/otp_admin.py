"""The example project's admin: staff sign in with a password and a TOTP code (django-otp).

django-otp's ``OTPAdminSite`` admits only users verified by one of their OTP devices in this
session. ``manage.py cognito_demo`` gives the demo admin a TOTP device and prints it to enrol;
a staff user without a device cannot sign in until a verified user adds one under "TOTP
devices" and hands over its QR code.
"""

from __future__ import annotations

from django.contrib import admin
from django_otp.admin import OTPAdminSite


def otp_admin_site() -> OTPAdminSite:
    """An ``OTPAdminSite`` named ``admin`` with every model ``admin.site`` has.

    Each model gets a new ``ModelAdmin`` bound to this site: one of ``admin.site`` would wrap
    its views in ``admin.site``'s permission check, which asks for no OTP device.
    """
    site = OTPAdminSite(name="admin")
    site.site_header = site.site_title = "django_cognito example"
    for model, model_admin in admin.site._registry.items():
        site.register(model, type(model_admin))
    return site
