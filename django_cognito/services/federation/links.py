"""AdminLinkProviderForUser and AdminDisableProviderForUser (reference §7).

A link tells the pool that a provider's (attribute, value) signs in as an existing user:
when that identity signs in through the provider, the user gets the linked user's profile.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.db import IntegrityError, transaction

from ...exceptions import (
    InvalidParameterException,
    LimitExceededException,
    UserNotFoundException,
)
from ...models import (
    COGNITO_SUBJECT,
    IdentityProvider,
    PoolUser,
    ProviderIdentity,
    ProviderType,
    UserPool,
    UserStatus,
)
from ...models.federation import SOCIAL_TYPES
from .. import admin_users, users
from ..schema import MAX_VALUE_LENGTH, storable
from .identities import find_identity, refresh_identities
from .providers import COGNITO, get_provider

# "The maximum number of federated identities linked to a user is five." (API reference)
MAX_LINKS = 5
# Observed from AWS (InvalidParameterException), quoted by applications that handle them.
MERGING = ("Merging is not currently supported, provide a SourceUser that has not been "
           "signed up in order to link")
ALREADY_LINKED = "SourceUser is already linked to DestinationUser"


def _member(identifier: Mapping[str, object], key: str, what: str) -> str:
    value = identifier.get(key)
    if not isinstance(value, str) or not value or len(value) > MAX_VALUE_LENGTH or \
            not storable(value):
        raise InvalidParameterException(f"{what}.{key} must be a non-empty string.")
    return value


def _destination(pool: UserPool, destination: Mapping[str, object]) -> PoolUser:
    """A native user by username (ProviderName Cognito), or a federated user by its subject."""
    name = _member(destination, "ProviderName", "DestinationUser")
    value = _member(destination, "ProviderAttributeValue", "DestinationUser")
    if name.lower() == COGNITO:
        return users.get_user(pool, value)
    identity = find_identity(get_provider(pool, name), COGNITO_SUBJECT, value)
    if identity is None or not identity.primary:
        raise UserNotFoundException("Destination user does not exist.")
    return identity.user


def _source(pool: UserPool, source: Mapping[str, object]
            ) -> tuple[IdentityProvider, str, str]:
    name = _member(source, "ProviderName", "SourceUser")
    if name.lower() == COGNITO:
        raise InvalidParameterException(
            "SourceUser must be an identity of a third-party provider, not a Cognito user.")
    provider = get_provider(pool, name)
    attribute = _member(source, "ProviderAttributeName", "SourceUser")
    value = _member(source, "ProviderAttributeValue", "SourceUser")
    if attribute != COGNITO_SUBJECT:
        # Social providers link by their subject only; OIDC and SAML also by an attribute
        # their AttributeMapping fills (AdminLinkProviderForUser's documentation).
        if provider.provider_type in SOCIAL_TYPES:
            raise InvalidParameterException(
                f"ProviderAttributeName must be {COGNITO_SUBJECT} for {provider.name}.")
        if attribute not in provider.attribute_mapping or attribute == "username":
            raise InvalidParameterException(
                f"ProviderAttributeName {attribute[:40]} is not mapped by {provider.name}.")
    return provider, attribute, value


def link_provider_for_user(pool: UserPool, destination: Mapping[str, object],
                           source: Mapping[str, object]) -> ProviderIdentity:
    """AdminLinkProviderForUser: ``source`` signs in as ``destination`` from now on."""
    user = _destination(pool, destination)
    provider, attribute, value = _source(pool, source)
    existing = find_identity(provider, attribute, value)
    if existing is not None:
        raise InvalidParameterException(MERGING if existing.primary else ALREADY_LINKED)
    if attribute == COGNITO_SUBJECT:
        # A federated user made by an earlier sign-in (username <ProviderName>_<subject>).
        federated = users.find_user(pool, f"{provider.name}_{value}")
        if federated is not None and federated.status == UserStatus.EXTERNAL_PROVIDER:
            raise InvalidParameterException(MERGING)
    schema = pool.schema_by_name()
    # "All attributes in the DestinationUser profile must be mutable." (API reference)
    fixed = [name for name in user.attributes
             if name in schema and not schema[name].get("Mutable", True)]
    if fixed:
        raise InvalidParameterException(
            f"DestinationUser has immutable attributes ({', '.join(sorted(fixed)[:5])}); "
            "only a user whose attributes are all mutable can be linked.")
    with transaction.atomic():
        PoolUser.objects.select_for_update().filter(pk=user.pk).first()
        links = ProviderIdentity.objects.filter(user=user, primary=False).count()
        if links >= MAX_LINKS:
            raise LimitExceededException(
                f"A user can be linked to at most {MAX_LINKS} federated identities.")
        try:
            with transaction.atomic():
                identity = ProviderIdentity.objects.create(
                    provider=provider, user=user, attribute_name=attribute, subject=value)
        except IntegrityError:
            raise InvalidParameterException(ALREADY_LINKED) from None
        refresh_identities(user)
    return identity


def disable_provider_for_user(pool: UserPool, identifier: Mapping[str, object]) -> None:
    """AdminDisableProviderForUser.

    ProviderName ``Cognito`` stops a native user's own sign-in (the user is disabled, as by
    AdminDisableUser). For a provider, a linked identity is unlinked: its next sign-in makes
    a new federated user. A federated user's own identity is disabled: it signs in no more.
    """
    name = _member(identifier, "ProviderName", "User")
    attribute = _member(identifier, "ProviderAttributeName", "User")
    value = _member(identifier, "ProviderAttributeValue", "User")
    if name.lower() == COGNITO:
        if attribute != COGNITO_SUBJECT:
            raise InvalidParameterException(
                f"ProviderAttributeName must be {COGNITO_SUBJECT} for a Cognito user.")
        admin_users.set_enabled(users.get_user(pool, value), False)
        return
    provider = get_provider(pool, name)
    if attribute != COGNITO_SUBJECT and provider.provider_type not in (ProviderType.SAML,
                                                                       ProviderType.OIDC):
        raise InvalidParameterException(
            f"ProviderAttributeName must be {COGNITO_SUBJECT} for {provider.name}.")
    identity = find_identity(provider, attribute, value)
    if identity is None:
        raise UserNotFoundException("User does not exist.")
    with transaction.atomic():
        if identity.primary:
            identity.disabled = True
            identity.save(update_fields=["disabled"])
        else:
            identity.delete()
        refresh_identities(identity.user)
