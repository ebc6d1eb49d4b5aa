"""CreateIdentityProvider and its siblings: a pool's third-party identity providers."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, transaction

from ...clock import now
from ...crypto import certificates
from ...exceptions import (
    DuplicateProviderException,
    InvalidParameterException,
    LimitExceededException,
    ResourceNotFoundException,
)
from ...models import (
    AppClient,
    IdentityProvider,
    ProviderIdentity,
    ProviderType,
    SamlSigningCertificate,
    UserPool,
)
from ...models.federation import SOCIAL_TYPES
from ..pagination import Page, paginate
from ..schema import storable
from . import details as provider_details
from . import oidc, saml
from .identities import refresh_identities

MAX_PROVIDERS = 300
MAX_IDENTIFIERS = 50
NAME_PATTERN = r"[^_\p{Z}][\p{L}\p{M}\p{S}\p{N}\p{P}][^_\p{Z}]+"
IDENTIFIER_RE = re.compile(r"[\w\s+=.@-]+", re.ASCII)
# The name app clients and AdminLinkProviderForUser give the pool's own users.
COGNITO = "cognito"
# The username each type maps by default (reference §7: Facebook id, Amazon user_id, ...).
DEFAULT_USERNAME = {ProviderType.GOOGLE: "sub", ProviderType.FACEBOOK: "id",
                    ProviderType.LOGIN_WITH_AMAZON: "user_id",
                    ProviderType.SIGN_IN_WITH_APPLE: "sub", ProviderType.OIDC: "sub"}
# Cognito issues a new SAML signing certificate every year (GetSigningCertificate).
CERTIFICATE_RENEWAL = dt.timedelta(days=365)


def check_name(name: object, provider_type: object) -> str:
    """A new provider's name: ProviderNameTypeV2, and the type's own name for a social IdP."""
    if provider_type not in ProviderType.values:
        raise InvalidParameterException(f"Invalid ProviderType: {str(provider_type)[:40]}")
    if not isinstance(name, str) or not _name_matches(name):
        # AWS holds ProviderName to the model's pattern (aws/aws-cdk#28667: "no spaces, no
        # underscores"): the name prefixes federated usernames, <ProviderName>_<subject>.
        raise InvalidParameterException(
            f"1 validation error detected: Value '{str(name)[:64]}' at 'providerName' failed "
            f"to satisfy constraint: Member must satisfy regular expression pattern: "
            f"{NAME_PATTERN}")
    if provider_type in SOCIAL_TYPES and name != provider_type:
        raise InvalidParameterException(
            f"ProviderName must be {provider_type} for a {provider_type} identity provider.")
    if name.lower() == COGNITO:
        # Not stated by AWS: "Cognito" names the pool's own users wherever a provider name
        # is expected (AdminLinkProviderForUser, AdminDisableProviderForUser).
        raise InvalidParameterException(f"ProviderName {name} is reserved.")
    return name


def _name_matches(name: str) -> bool:
    if not 3 <= len(name) <= 32 or not storable(name):
        return False
    categories = [unicodedata.category(c) for c in name]
    if any(c.startswith("C") for c in categories):
        return False
    if categories[1][0] not in "LMSNP":
        return False
    return all(c != "_" and not cat.startswith("Z")
               for i, (c, cat) in enumerate(zip(name, categories, strict=True)) if i != 1)


def get_provider(pool: UserPool, name: object) -> IdentityProvider:
    """The pool's provider ``name`` or ResourceNotFoundException."""
    if isinstance(name, str) and len(name) <= 32 and storable(name):
        provider = IdentityProvider.objects.filter(pool=pool, name=name).first()
        if provider is not None:
            return provider
    raise ResourceNotFoundException(
        f"Identity provider {str(name)[:32]} does not exist in user pool {pool.pk}.")


def clean_mapping(pool: UserPool, provider_type: str, mapping: object) -> dict[str, str]:
    """AttributeMapping: writable pool attributes (or ``username``) to IdP attribute names.

    Mapped attributes are written at every sign-in, so each must be mutable (reference §7).
    """
    if mapping is None:
        mapping = {}
    if not isinstance(mapping, Mapping) or not all(
            isinstance(k, str) and isinstance(v, str) and storable(k) and storable(v) and v
            for k, v in mapping.items()):
        raise InvalidParameterException("AttributeMapping must map attribute names to IdP "
                                        "attribute names.")
    schema = pool.schema_by_name()
    for name in mapping:
        if name == "username":
            continue
        if name not in schema:
            raise InvalidParameterException(
                f"Invalid attribute mapping: {name[:40]} is not an attribute of the user pool.")
        if name in ("sub", "identities") or not schema[name].get("Mutable", True):
            raise InvalidParameterException(
                f"Invalid attribute mapping: {name[:40]} is not mutable.")
    cleaned = dict(mapping)
    default = DEFAULT_USERNAME.get(ProviderType(provider_type))
    if default and "username" not in cleaned:
        cleaned["username"] = default
    return dict(sorted(cleaned.items()))


def _clean_identifiers(identifiers: object) -> list[str]:
    if identifiers is None:
        return []
    if not isinstance(identifiers, list) or len(identifiers) > MAX_IDENTIFIERS or not all(
            isinstance(i, str) and 1 <= len(i) <= 40 and IDENTIFIER_RE.fullmatch(i)
            for i in identifiers):
        raise InvalidParameterException(
            f"IdpIdentifiers must be at most {MAX_IDENTIFIERS} identifiers of 1 to 40 "
            "characters of [\\w\\s+=.@-].")
    if len(set(identifiers)) != len(identifiers):
        raise InvalidParameterException("IdpIdentifiers must not repeat an identifier.")
    return list(identifiers)


def _clean_acr(provider_type: str, acr: object) -> dict[str, str]:
    if not acr:
        return {}
    if provider_type != ProviderType.OIDC:
        raise InvalidParameterException("Only OIDC identity providers support AcrMapping.")
    if not isinstance(acr, Mapping):
        raise InvalidParameterException("AcrMapping must map levels to ACR values.")
    return dict(sorted(acr.items()))


def _configure(provider: IdentityProvider, given: object) -> None:
    """Validate ProviderDetails and read what they point at (before any transaction)."""
    public, secrets = provider_details.clean_details(
        provider.provider_type, given, provider.secret_values() if provider.pk else None)
    metadata: dict[str, Any] = {}
    if provider.provider_type == ProviderType.OIDC:
        metadata = oidc.discover(public)
    elif provider.provider_type == ProviderType.SAML:
        metadata = saml.parse_metadata(saml.metadata_document(public))
        if provider_details.flag(public, "EncryptedResponses") and \
                not provider.encryption_certificate:
            issued = saml.new_certificate(f"{provider.pool_id} {provider.name}")
            provider.encryption_certificate = issued.certificate
            provider.encryption_key = issued.private_key
    provider.details, provider.metadata = public, metadata
    provider.set_secret_values(secrets)


def _save(provider: IdentityProvider, creating: bool) -> IdentityProvider:
    """Save under the pool's lock: the count, name and identifiers are checked pool-wide."""
    with transaction.atomic():
        UserPool.objects.select_for_update().filter(pk=provider.pool_id).first()
        others = IdentityProvider.objects.filter(pool_id=provider.pool_id).exclude(
            pk=provider.pk).only("name", "idp_identifiers")
        if creating:
            if any(other.name == provider.name for other in others):
                raise _duplicate(provider.name)
            if len(others) >= MAX_PROVIDERS:
                raise LimitExceededException(
                    f"A user pool can have at most {MAX_PROVIDERS} identity providers.")
        taken = {i for other in others for i in other.idp_identifiers}
        clash = [i for i in provider.idp_identifiers if i in taken]
        if clash:
            raise InvalidParameterException(
                f"Duplicate identifier {clash[0]}: identifiers must be unique across the user "
                "pool's identity providers.")
        provider.modified_at = now()
        try:
            with transaction.atomic():
                provider.save()
        except IntegrityError:
            raise _duplicate(provider.name) from None
    return provider


def _duplicate(name: str) -> DuplicateProviderException:
    return DuplicateProviderException(
        f"A provider with the name {name} already exists in this user pool.")


def build_provider(pool: UserPool, name: object, provider_type: object, details: object, *,
                   attribute_mapping: object = None, idp_identifiers: object = None,
                   acr_mapping: object = None) -> IdentityProvider:
    """A new provider, validated and its documents read, not yet saved."""
    name = check_name(name, provider_type)
    if IdentityProvider.objects.filter(pool=pool, name=name).exists():
        raise _duplicate(name)
    provider = IdentityProvider(pool=pool, name=name, provider_type=str(provider_type))
    provider.attribute_mapping = clean_mapping(pool, provider.provider_type, attribute_mapping)
    provider.idp_identifiers = _clean_identifiers(idp_identifiers)
    provider.acr_mapping = _clean_acr(provider.provider_type, acr_mapping)
    _configure(provider, details)
    return provider


def configure_provider(provider: IdentityProvider, *, details: object = None,
                       attribute_mapping: object = None, idp_identifiers: object = None,
                       acr_mapping: object = None) -> IdentityProvider:
    """Apply an update to ``provider`` in memory: each member given replaces the stored one."""
    if attribute_mapping is not None:
        provider.attribute_mapping = clean_mapping(provider.pool, provider.provider_type,
                                                   attribute_mapping)
    if idp_identifiers is not None:
        provider.idp_identifiers = _clean_identifiers(idp_identifiers)
    if acr_mapping is not None:
        provider.acr_mapping = _clean_acr(provider.provider_type, acr_mapping)
    if details is not None:
        _configure(provider, details)
    return provider


def save_provider(provider: IdentityProvider) -> IdentityProvider:
    """Save a built or configured provider (name, count and identifiers checked pool-wide)."""
    return _save(provider, creating=provider.pk is None)


def create_provider(pool: UserPool, name: object, provider_type: object, details: object, *,
                    attribute_mapping: object = None, idp_identifiers: object = None,
                    acr_mapping: object = None) -> IdentityProvider:
    """CreateIdentityProvider: a duplicate name is a DuplicateProviderException."""
    return save_provider(build_provider(
        pool, name, provider_type, details, attribute_mapping=attribute_mapping,
        idp_identifiers=idp_identifiers, acr_mapping=acr_mapping))


def update_provider(provider: IdentityProvider, *, details: object = None,
                    attribute_mapping: object = None, idp_identifiers: object = None,
                    acr_mapping: object = None) -> IdentityProvider:
    """UpdateIdentityProvider."""
    return save_provider(configure_provider(
        provider, details=details, attribute_mapping=attribute_mapping,
        idp_identifiers=idp_identifiers, acr_mapping=acr_mapping))


def delete_provider(provider: IdentityProvider) -> None:
    """Delete a provider, its identity mappings, and its name from the pool's app clients.

    The pool's federated users stay, as in Cognito ("users can no longer sign in to your
    user pool through that IdP"); users it was linked to lose it from ``identities``.
    """
    with transaction.atomic():
        for client in AppClient.objects.select_for_update().filter(pool_id=provider.pool_id):
            kept = [p for p in client.supported_identity_providers if p != provider.name]
            if kept != client.supported_identity_providers:
                client.supported_identity_providers = kept
                client.save(update_fields=["supported_identity_providers"])
        linked = list({row.user for row in ProviderIdentity.objects.filter(
            provider=provider, primary=False).select_related("user", "user__pool")})
        provider.delete()
        for user in linked:
            refresh_identities(user)


def list_providers(pool: UserPool, limit: object = None,
                   token: object = None) -> Page[IdentityProvider]:
    """A page of the pool's providers in the order they were created."""
    return paginate(IdentityProvider.objects.filter(pool=pool), "id", limit, token,
                    scope=f"identity-providers:{pool.pk}")


def provider_by_identifier(pool: UserPool, identifier: object) -> IdentityProvider:
    """GetIdentityProviderByIdentifier: the provider holding ``identifier``."""
    if isinstance(identifier, str):
        for provider in IdentityProvider.objects.filter(pool=pool).order_by("id"):
            if identifier in provider.idp_identifiers:
                return provider
    raise ResourceNotFoundException(f"Identity provider with identifier {str(identifier)[:40]} "
                                    f"does not exist in user pool {pool.pk}.")


def described_details(provider: IdentityProvider) -> dict[str, str]:
    """ProviderDetails as Describe shows them (client_secret included, Apple's key not)."""
    return provider_details.described(
        provider.provider_type, provider.details, provider.secret_values(), provider.metadata,
        certificates.pem_body(provider.encryption_certificate)
        if provider.encryption_certificate else "")


def signing_certificate(pool: UserPool) -> SamlSigningCertificate:
    """The pool's newest SAML signing certificate, issued on first use and every year."""
    def newest() -> SamlSigningCertificate | None:
        return SamlSigningCertificate.objects.filter(pool=pool).order_by(
            "-created_at", "-id").first()

    latest = newest()
    if latest is not None and latest.created_at > now() - CERTIFICATE_RENEWAL:
        return latest
    with transaction.atomic():
        UserPool.objects.select_for_update().filter(pk=pool.pk).first()
        latest = newest()
        if latest is not None and latest.created_at > now() - CERTIFICATE_RENEWAL:
            return latest
        issued = saml.new_certificate(pool.pk)
        return SamlSigningCertificate.objects.create(
            pool=pool, certificate=issued.certificate, private_key=issued.private_key,
            not_after=issued.not_after)


def supported_by(client: AppClient) -> list[IdentityProvider]:
    """The client's third-party providers, in its SupportedIdentityProviders order."""
    names = [n for n in client.supported_identity_providers if n != COGNITO]
    found = {p.name: p for p in IdentityProvider.objects.filter(pool_id=client.pool_id,
                                                                name__in=names)}
    return [found[n] for n in names if n in found]
