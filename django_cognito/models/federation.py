"""Federation: a pool's third-party identity providers, the identities linked to its users
and the pool's SAML signing certificates (reference §7)."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.db import models

from ..clock import now
from ..crypto.fields import EncryptedTextField
from .fields import KeyField
from .pool import UserPool
from .user import PoolUser

# ProviderAttributeName of an identity keyed by the IdP's own subject (sub, id, user_id, NameID).
COGNITO_SUBJECT = "Cognito_Subject"
SUBJECT_KEY_LENGTH = 512


class ProviderType(models.TextChoices):
    """IdentityProviderTypeType; a social type is also its provider's fixed name."""

    SAML = "SAML"
    OIDC = "OIDC"
    GOOGLE = "Google", "Google"
    FACEBOOK = "Facebook", "Facebook"
    LOGIN_WITH_AMAZON = "LoginWithAmazon", "Login with Amazon"
    SIGN_IN_WITH_APPLE = "SignInWithApple", "Sign in with Apple"


SOCIAL_TYPES = (ProviderType.GOOGLE, ProviderType.FACEBOOK, ProviderType.LOGIN_WITH_AMAZON,
                ProviderType.SIGN_IN_WITH_APPLE)


class IdentityProvider(models.Model):
    """A third-party IdP of a pool: Cognito's ``IdentityProviderType``.

    ``details`` holds the ProviderDetails as given, less the secrets, which ``secrets`` keeps
    encrypted (``client_secret``, Apple's ``private_key``). ``metadata`` holds what this app
    derived from the provider: an OIDC issuer's discovered endpoints, a SAML IdP's parsed
    metadata (entity id, single sign-on and logout URLs, signing and encryption certificates).
    A SAML provider with EncryptedResponses has an encryption key pair of its own.
    """

    id = models.BigAutoField(primary_key=True)
    pool = models.ForeignKey(UserPool, on_delete=models.CASCADE,
                             related_name="identity_providers", db_index=False)
    name = models.CharField(max_length=32)
    provider_type = models.CharField(max_length=16, choices=ProviderType.choices)
    details = models.JSONField(default=dict, blank=True)
    secrets = EncryptedTextField(null=True, blank=True, editable=False)
    metadata = models.JSONField(default=dict, blank=True, editable=False)
    attribute_mapping = models.JSONField(default=dict, blank=True)
    idp_identifiers = models.JSONField(default=list, blank=True)
    acr_mapping = models.JSONField(default=dict, blank=True)
    encryption_certificate = models.TextField(blank=True, default="", editable=False)
    encryption_key = EncryptedTextField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=now, editable=False)
    modified_at = models.DateTimeField(default=now, editable=False)

    class Meta:
        app_label = "django_cognito"
        verbose_name = "identity provider"
        constraints = [models.UniqueConstraint(fields=["pool", "name"],
                                               name="dc_idp_name")]

    def __str__(self) -> str:
        return self.name

    def secret_values(self) -> dict[str, str]:
        """The encrypted ProviderDetails members, decrypted."""
        if not self.secrets:
            return {}
        values: dict[str, str] = json.loads(self.secrets)
        return values

    def set_secret_values(self, values: dict[str, str]) -> None:
        self.secrets = json.dumps(values, sort_keys=True) if values else None


def subject_key(value: str) -> str:
    """The indexed form of a ProviderAttributeValue: long ones are digested."""
    if len(value) < SUBJECT_KEY_LENGTH:
        return value
    return "sha256:" + hashlib.sha256(value.encode()).hexdigest()


class ProviderIdentity(models.Model):
    """An identity mapping: the user a provider's (attribute, value) signs in as.

    ``primary`` marks the identity a federated user was created from at its first sign-in
    (username ``<ProviderName>_<subject>``); the others were linked to an existing user by
    AdminLinkProviderForUser. ``attribute_name`` is ``Cognito_Subject`` when ``subject`` is
    the IdP's own user id (sub, id, user_id or a SAML NameID); a SAML or OIDC link may name a
    mapped pool attribute instead (``email``), and the first sign-in that matches it rewrites
    the row to ``Cognito_Subject`` and the IdP's subject. A ``disabled`` identity no longer
    signs in (AdminDisableProviderForUser on a federated user's own identity). Identity pools
    resolve logins through the same rows.
    """

    id = models.BigAutoField(primary_key=True)
    provider = models.ForeignKey(IdentityProvider, on_delete=models.CASCADE,
                                 related_name="identities", db_index=False)
    user = models.ForeignKey(PoolUser, on_delete=models.CASCADE,
                             related_name="provider_identities", db_index=False)
    attribute_name = models.CharField(max_length=64, default=COGNITO_SUBJECT)
    subject = models.TextField()
    subject_key = KeyField(max_length=SUBJECT_KEY_LENGTH, editable=False)
    primary = models.BooleanField(default=False)
    disabled = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=now, editable=False)

    class Meta:
        app_label = "django_cognito"
        verbose_name = "identity mapping"
        constraints = [models.UniqueConstraint(
            fields=["provider", "attribute_name", "subject_key"], name="dc_identity_subject")]
        indexes = [models.Index(fields=["user", "provider"], name="dc_identity_user"),
                   models.Index(fields=["subject_key"], name="dc_identity_subject_key")]

    def __str__(self) -> str:
        return f"{self.provider_id}:{self.subject[:64]}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.subject_key = subject_key(self.subject)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = set(kwargs["update_fields"]) | {"subject_key"}
        super().save(*args, **kwargs)


class SamlSigningCertificate(models.Model):
    """A pool's certificate for signing SAML requests (GetSigningCertificate).

    Cognito issues one valid for ten years and a new one every year without invalidating
    the old ones: the newest signs, all stay published.
    """

    pool = models.ForeignKey(UserPool, on_delete=models.CASCADE,
                             related_name="saml_certificates", db_index=False)
    certificate = models.TextField(editable=False)
    private_key = EncryptedTextField(editable=False)
    not_after = models.DateTimeField(editable=False)
    created_at = models.DateTimeField(default=now, editable=False)

    class Meta:
        app_label = "django_cognito"
        verbose_name = "SAML signing certificate"
        indexes = [models.Index(fields=["pool", "created_at"], name="dc_saml_cert_pool")]

    def __str__(self) -> str:
        return f"SAML signing certificate of {self.pool_id} ({self.created_at:%Y-%m-%d})"
