"""Pool resources beyond users: resource servers, domains and stored-only pool settings."""

from __future__ import annotations

from django.db import models

from ..clock import now
from .pool import UserPool


class ResourceServer(models.Model):
    """An OAuth2 resource server of a pool; its scopes become ``<identifier>/<scope>``."""

    pool = models.ForeignKey(UserPool, on_delete=models.CASCADE, related_name="resource_servers",
                             db_index=False)
    identifier = models.CharField(max_length=256)
    name = models.CharField(max_length=256)
    # Cognito's ResourceServerScopeType dicts: [{"ScopeName": ..., "ScopeDescription": ...}].
    scopes = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=now, editable=False)

    class Meta:
        app_label = "django_cognito"
        ordering = ["identifier"]
        verbose_name = "resource server"
        constraints = [models.UniqueConstraint(fields=["pool", "identifier"],
                                               name="dc_resource_server_identifier")]

    def __str__(self) -> str:
        return self.identifier

    def scope_names(self) -> list[str]:
        """The full scope strings this server grants."""
        return [f"{self.identifier}/{s['ScopeName']}" for s in self.scopes]


class UserPoolDomain(models.Model):
    """A prefix or custom domain of a pool (unique across all pools, like Cognito's)."""

    pool = models.ForeignKey(UserPool, on_delete=models.CASCADE, related_name="domains",
                             db_index=False)
    domain = models.CharField(max_length=63, unique=True)
    # CustomDomainConfigType ({"CertificateArn": ...}); empty for a prefix domain.
    custom_domain_config = models.JSONField(default=dict, blank=True)
    managed_login_version = models.PositiveSmallIntegerField(default=1)
    created_at = models.DateTimeField(default=now, editable=False)

    class Meta:
        app_label = "django_cognito"
        verbose_name = "user pool domain"
        indexes = [models.Index(fields=["pool"], name="dc_domain_pool")]

    def __str__(self) -> str:
        return self.domain

    @property
    def is_custom(self) -> bool:
        return bool(self.custom_domain_config)


class UserPoolSettings(models.Model):
    """Pool configuration the API stores and reports but no other column holds.

    ``mfa`` keeps SetUserPoolMfaConfig's factor settings; ``extra`` keeps members such as
    DeviceConfiguration or UserPoolAddOns exactly as given (Cognito's shapes).
    """

    pool = models.OneToOneField(UserPool, on_delete=models.CASCADE, primary_key=True,
                                related_name="settings")
    mfa = models.JSONField(default=dict, blank=True)
    extra = models.JSONField(default=dict, blank=True)

    class Meta:
        app_label = "django_cognito"
        verbose_name = "user pool settings"
        verbose_name_plural = "user pool settings"

    def __str__(self) -> str:
        return f"settings of {self.pool_id}"
