"""Typed access to ``settings.COGNITO``, read on every access so ``override_settings`` works."""

from __future__ import annotations

from typing import Any

from django.conf import settings as django_settings

DEFAULTS: dict[str, Any] = {
    # Region used in new pool ids (``<region>_<alnum>``) and in issuers.
    "REGION": "us-east-1",
    # Public base URL of the host project (scheme + host + prefix); never guessed from Host.
    "PUBLIC_BASE_URL": "",
    # Dotted path of ``callable(phone_number, message, *, pool, purpose)`` that delivers SMS.
    "SMS_SENDER": "django_cognito.services.delivery.log_sms_sender",
    # ``From`` address when a pool has no EmailConfiguration.From.
    "DEFAULT_FROM_EMAIL": None,
    # Fernet keys (urlsafe base64, 32 bytes) for secrets at rest; first one encrypts.
    # Empty: a key is derived from SECRET_KEY.
    "ENCRYPTION_KEYS": [],
    # Dotted path of the adapter class (decisions such as the Django user mapping).
    "ADAPTER": "django_cognito.adapter.DefaultAdapter",
    # Per-user attempt caps per hour (reference §9).
    "RATE_LIMITS": {
        "ConfirmSignUp": 15,
        "ResendConfirmationCode": 5,
        "ConfirmForgotPassword": 10,
        "ForgotPassword": 10,
        "ChangePassword": 5,
        "GetUserAttributeVerificationCode": 5,
        "VerifyUserAttribute": 15,
    },
    # Wrong answers a single code tolerates before it is void.
    "CODE_MAX_ATTEMPTS": 5,
    # Cache alias holding rate-limit and lockout counters.
    "CACHE_ALIAS": "default",
    # Lifetime of ListUsers pagination tokens (seconds); Cognito's is one hour.
    "PAGINATION_TOKEN_TTL": 3600,
}


class CognitoSettings:
    """Attribute access to ``settings.COGNITO`` merged over :data:`DEFAULTS`."""

    def __getattr__(self, name: str) -> Any:
        if name not in DEFAULTS:
            raise AttributeError(f"Unknown django_cognito setting: {name}")
        user = getattr(django_settings, "COGNITO", {}) or {}
        if name == "RATE_LIMITS":
            return {**DEFAULTS[name], **user.get(name, {})}
        return user.get(name, DEFAULTS[name])


app_settings = CognitoSettings()
