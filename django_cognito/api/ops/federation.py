"""Identity providers, the pool's SAML signing certificate and linked identities (SigV4)."""

from __future__ import annotations

from typing import Any

from ...crypto.certificates import pem_body
from ...models import IdentityProvider
from ...services.federation import links, providers
from ..registry import Call, operation
from ..shapes import identity_provider_type, provider_description
from .common import pool_of


def _provider(call: Call) -> IdentityProvider:
    return providers.get_provider(pool_of(call), call.params["ProviderName"])


@operation("CreateIdentityProvider")
def create_identity_provider(call: Call) -> dict[str, Any]:
    p = call.params
    provider = providers.create_provider(
        pool_of(call), p["ProviderName"], p["ProviderType"], p["ProviderDetails"],
        attribute_mapping=p.get("AttributeMapping"), idp_identifiers=p.get("IdpIdentifiers"),
        acr_mapping=p.get("AcrMapping"))
    return {"IdentityProvider": identity_provider_type(provider)}


@operation("DescribeIdentityProvider")
def describe_identity_provider(call: Call) -> dict[str, Any]:
    return {"IdentityProvider": identity_provider_type(_provider(call))}


@operation("UpdateIdentityProvider")
def update_identity_provider(call: Call) -> dict[str, Any]:
    p = call.params
    provider = providers.update_provider(
        _provider(call), details=p.get("ProviderDetails"),
        attribute_mapping=p.get("AttributeMapping"), idp_identifiers=p.get("IdpIdentifiers"),
        acr_mapping=p.get("AcrMapping"))
    return {"IdentityProvider": identity_provider_type(provider)}


@operation("DeleteIdentityProvider")
def delete_identity_provider(call: Call) -> dict[str, Any]:
    providers.delete_provider(_provider(call))
    return {}


@operation("ListIdentityProviders")
def list_identity_providers(call: Call) -> dict[str, Any]:
    p = call.params
    page = providers.list_providers(pool_of(call), p.get("MaxResults"), p.get("NextToken"))
    response: dict[str, Any] = {"Providers": [provider_description(x) for x in page.items]}
    if page.next_token:
        response["NextToken"] = page.next_token
    return response


@operation("GetIdentityProviderByIdentifier")
def get_identity_provider_by_identifier(call: Call) -> dict[str, Any]:
    provider = providers.provider_by_identifier(pool_of(call), call.params["IdpIdentifier"])
    return {"IdentityProvider": identity_provider_type(provider)}


@operation("GetSigningCertificate")
def get_signing_certificate(call: Call) -> dict[str, Any]:
    """The base64 DER of the pool's newest signing certificate, without PEM armour."""
    return {"Certificate": pem_body(providers.signing_certificate(pool_of(call)).certificate)}


@operation("AdminLinkProviderForUser")
def admin_link_provider_for_user(call: Call) -> dict[str, Any]:
    p = call.params
    links.link_provider_for_user(pool_of(call), p["DestinationUser"], p["SourceUser"])
    return {}


@operation("AdminDisableProviderForUser")
def admin_disable_provider_for_user(call: Call) -> dict[str, Any]:
    links.disable_provider_for_user(pool_of(call), call.params["User"])
    return {}
