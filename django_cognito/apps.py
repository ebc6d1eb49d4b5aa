"""App configuration."""

from __future__ import annotations

from django.apps import AppConfig


class DjangoCognitoConfig(AppConfig):
    name = "django_cognito"
    verbose_name = "Cognito"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the system checks)
        from .services import config_cache
        from .services.access import local_issuer
        from .verify import register_issuer_resolver

        register_issuer_resolver(local_issuer)
        config_cache.connect()
