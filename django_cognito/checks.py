"""System checks (``cognito.E…`` errors, ``cognito.W…`` warnings), each with a hint."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from .conf import DEFAULTS, app_settings

DEVELOPMENT_EMAIL_BACKENDS = {
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
}
DEVELOPMENT_SMS_SENDER = DEFAULTS["SMS_SENDER"]


@register()
def check_settings(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Settings that are malformed or unsafe."""
    messages: list[CheckMessage] = []
    raw = getattr(settings, "COGNITO", {})
    if not isinstance(raw, dict):
        return [Error("settings.COGNITO must be a dict.", id="cognito.E001",
                      hint="Set COGNITO = {...} with keys documented in django_cognito.conf.")]
    unknown = sorted(set(raw) - set(DEFAULTS))
    if unknown:
        messages.append(Error(f"Unknown COGNITO settings: {', '.join(unknown)}.",
                              id="cognito.E002",
                              hint=f"Known settings: {', '.join(sorted(DEFAULTS))}."))
    for key in ("SMS_SENDER", "ADAPTER"):
        try:
            import_string(getattr(app_settings, key))
        except ImportError as exc:
            messages.append(Error(f"COGNITO['{key}'] cannot be imported: {exc}",
                                  id="cognito.E003", hint="Give a dotted path to a callable."))
    try:
        from .crypto.fields import fernet

        fernet()
    except ImproperlyConfigured as exc:
        messages.append(Error(str(exc), id="cognito.E004",
                              hint="Each key is Fernet.generate_key() output (urlsafe base64)."))
    if not settings.DEBUG:
        messages.extend(_production_warnings())
    return messages


def _production_warnings() -> list[CheckMessage]:
    messages: list[CheckMessage] = []
    base = app_settings.PUBLIC_BASE_URL
    if not base:
        messages.append(Warning("COGNITO['PUBLIC_BASE_URL'] is not set.", id="cognito.W001",
                                hint="Set the public https URL clients reach this app at; "
                                     "issuers and links are built from it, never from Host."))
    elif base.startswith("http://"):
        messages.append(Warning("COGNITO['PUBLIC_BASE_URL'] uses http with DEBUG=False.",
                                id="cognito.W002",
                                hint="Serve tokens and codes over https only."))
    if settings.EMAIL_BACKEND in DEVELOPMENT_EMAIL_BACKENDS:
        messages.append(Warning(
            f"EMAIL_BACKEND is {settings.EMAIL_BACKEND}: verification codes and invitations "
            "will not reach users.", id="cognito.W003",
            hint="Configure an SMTP or provider email backend."))
    if app_settings.SMS_SENDER == DEVELOPMENT_SMS_SENDER:
        messages.append(Warning(
            "COGNITO['SMS_SENDER'] is the development sender: SMS codes are only logged.",
            id="cognito.W004", hint="Point SMS_SENDER at a callable that sends SMS."))
    if not app_settings.ENCRYPTION_KEYS:
        messages.append(Warning(
            "COGNITO['ENCRYPTION_KEYS'] is empty: secrets at rest use a key derived from "
            "SECRET_KEY, so rotating SECRET_KEY makes them unreadable.", id="cognito.W005",
            hint="Set ENCRYPTION_KEYS to a list of Fernet keys."))
    return messages


@register(Tags.database)
def check_pools(app_configs: Any = None, databases: Any = None, **kwargs: Any
                ) -> list[CheckMessage]:
    """Pools whose configuration cannot work with these settings (``check --database``)."""
    if not databases:
        return []
    from .models import UserPool

    messages: list[CheckMessage] = []
    for pool in UserPool.objects.all().only("id", "auto_verified_attributes"):
        if "email" in pool.auto_verified_attributes and \
                settings.EMAIL_BACKEND == "django.core.mail.backends.dummy.EmailBackend":
            messages.append(Warning(
                f"Pool {pool.id} verifies email but EMAIL_BACKEND discards mail.",
                id="cognito.W010", hint="Configure a real EMAIL_BACKEND.", obj=pool))
    return messages
