"""Identity pools (cognito-identity): pools, their identities and the logins linked to them
(reference §8)."""

from __future__ import annotations

from django.db import models

from ..clock import now
from ..crypto.fields import EncryptedTextField
from .fields import KeyField
from .keys import KeyState


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
    # An identity whose last login was unlinked or merged away: it gets no credentials.
    disabled = models.BooleanField(default=False)
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


class IdentityTokenKey(models.Model):
    """An RSA key of the identity-pool service: it signs the OpenID tokens of every identity
    pool (one issuer, like ``cognito-identity.amazonaws.com``). The private half is
    encrypted at rest; retired keys stay published until their tokens have expired."""

    kid = models.CharField(max_length=64, unique=True, editable=False)
    state = models.CharField(max_length=8, choices=KeyState.choices, default=KeyState.ACTIVE)
    private_key = EncryptedTextField(editable=False)
    public_jwk = models.JSONField(editable=False)
    created_at = models.DateTimeField(default=now, editable=False)
    retired_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        app_label = "django_cognito"
        ordering = ["created_at", "id"]
        verbose_name = "identity token key"
        constraints = [models.UniqueConstraint(fields=["state"],
                                               condition=models.Q(state="active"),
                                               name="dc_identity_key_one_active")]

    def __str__(self) -> str:
        return f"{self.kid} ({self.state})"


class IamProviderType(models.TextChoices):
    OIDC = "oidc", "OpenID Connect"
    SAML = "saml", "SAML"


class IamIdentityProvider(models.Model):
    """An IAM identity provider that identity pools name by ARN in
    ``OpenIdConnectProviderARNs`` or ``SamlProviderARNs``: the issuer URL and audiences of
    an OIDC provider, or the metadata of a SAML one."""

    arn = KeyField(max_length=2048, primary_key=True)
    type = models.CharField(max_length=4, choices=IamProviderType.choices)
    url = models.CharField(max_length=255, blank=True, default="",
                           help_text="OIDC issuer URL (https://…), as the tokens' iss says.")
    client_ids = models.JSONField(default=list, blank=True,
                                  help_text="OIDC audiences: the client IDs tokens may name.")
    saml_metadata = models.TextField(blank=True, default="",
                                     help_text="SAML identity provider metadata (XML).")
    created_at = models.DateTimeField(default=now, editable=False)

    class Meta:
        app_label = "django_cognito"
        verbose_name = "IAM identity provider"

    def __str__(self) -> str:
        return self.arn
