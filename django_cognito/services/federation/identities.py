"""Identity mappings of pool users and the ``identities`` attribute they are shown as."""

from __future__ import annotations

import json
from typing import Any

from ...models import IdentityProvider, PoolUser, ProviderIdentity, ProviderType
from ...models.federation import subject_key
from ..users import save_user


def find_identity(provider: IdentityProvider, attribute_name: str,
                  value: str) -> ProviderIdentity | None:
    """The mapping of ``provider``'s (attribute, value), if any."""
    return ProviderIdentity.objects.filter(
        provider=provider, attribute_name=attribute_name,
        subject_key=subject_key(value)).select_related("user").first()


def issuer_of(provider: IdentityProvider) -> str | None:
    """The ``issuer`` of an identity: a SAML IdP's entity id, an OIDC issuer; none for the
    social providers."""
    if provider.provider_type == ProviderType.SAML:
        return str(provider.metadata.get("entity_id") or "") or None
    if provider.provider_type == ProviderType.OIDC:
        return str(provider.details.get("oidc_issuer") or "") or None
    return None


def identity_entry(identity: ProviderIdentity) -> dict[str, Any]:
    """One member of the ``identities`` attribute (cognito-user-pools-identity-federation-
    consolidate-users.html shows it for linked SAML users)."""
    provider = identity.provider
    return {"userId": identity.subject, "providerName": provider.name,
            "providerType": provider.provider_type, "issuer": issuer_of(provider),
            "primary": identity.primary,
            "dateCreated": int(identity.created_at.timestamp() * 1000)}


def refresh_identities(user: PoolUser) -> None:
    """Write the user's ``identities`` attribute from its mappings (removed when none)."""
    rows = ProviderIdentity.objects.filter(user=user).select_related("provider") \
        .order_by("created_at", "id")
    entries = [identity_entry(row) for row in rows]
    attributes = dict(user.attributes)
    if entries:
        attributes["identities"] = json.dumps(entries, separators=(",", ":"))
    else:
        attributes.pop("identities", None)
    if attributes != user.attributes:
        user.attributes = attributes
        save_user(user, ["attributes"])
