"""Identity pools (cognito-identity): pools, their identities and the logins linked to them
(reference §8)."""

from __future__ import annotations

from django.db import models

from ..clock import now
from .fields import KeyField


class IdentityPool(models.Model):
    """An identity pool: Cognito's ``IdentityPool`` shape, its roles and tag maps.

    ``roles`` holds ``{"authenticated": arn, "unauthenticated": arn}``; ``role_mappings`` the
    ``RoleMappings`` of SetIdentityPoolRoles by provider key; ``principal_tags`` maps a provider
    name to ``{"use_defaults": bool, "tags": {tag: claim}}``.
    """

    id = KeyField(max_length=55, primary_key=True)
    name = models.CharField(max_length=128)
    allow_unauthenticated_identities = models.BooleanField(default=False)
    allow_classic_flow = models.BooleanField(default=False)
    supported_login_providers = models.JSONField(default=dict, blank=True)
    developer_provider_name = models.CharField(max_length=128, blank=True, default="")
    openid_connect_provider_arns = models.JSONField(default=list, blank=True)
    cognito_identity_providers = models.JSONField(default=list, blank=True)
    saml_provider_arns = models.JSONField(default=list, blank=True)
    tags = models.JSONField(default=dict, blank=True)
    roles = models.JSONField(default=dict, blank=True)
    role_mappings = models.JSONField(default=dict, blank=True)
    principal_tags = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=now, editable=False)
    modified_at = models.DateTimeField(default=now, editable=False)

    class Meta:
        app_label = "django_cognito"
        verbose_name = "identity pool"

    def __str__(self) -> str:
        return f"{self.name} ({self.id})"

    @property
    def region(self) -> str:
        return self.id.partition(":")[0]


class Identity(models.Model):
    """An identity of an identity pool: a stable id for one user, guest or federated."""

    id = KeyField(max_length=55, primary_key=True)
    pool = models.ForeignKey(IdentityPool, on_delete=models.CASCADE, related_name="identities")
    created_at = models.DateTimeField(default=now, editable=False)
    modified_at = models.DateTimeField(default=now, editable=False)

    class Meta:
        app_label = "django_cognito"
        verbose_name = "identity"
        verbose_name_plural = "identities"

    def __str__(self) -> str:
        return self.id


class IdentityLogin(models.Model):
    """A login linked to an identity: a provider key and the provider's subject.

    The provider key is the Logins map key: ``cognito-idp.<region>.amazonaws.com/<pool id>``,
    ``accounts.google.com``, an OIDC host, a SAML provider ARN or the developer provider name.
    """

    id = models.BigAutoField(primary_key=True)
    identity = models.ForeignKey(Identity, on_delete=models.CASCADE, related_name="logins")
    pool = models.ForeignKey(IdentityPool, on_delete=models.CASCADE, related_name="logins",
                             db_index=False)
    provider = KeyField(max_length=1024)
    subject = KeyField(max_length=512)
    linked_at = models.DateTimeField(default=now, editable=False)

    class Meta:
        app_label = "django_cognito"
        verbose_name = "identity login"
        constraints = [models.UniqueConstraint(fields=["pool", "provider", "subject"],
                                               name="dc_identity_login")]
        # The admin searches identities by login subject.
        indexes = [models.Index(fields=["subject"], name="dc_identity_login_subject")]

    def __str__(self) -> str:
        return f"{self.provider}: {self.subject}"
