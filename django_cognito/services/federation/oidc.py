"""An OIDC provider's endpoints: given in ProviderDetails, or discovered from its issuer.

Cognito reads ``<oidc_issuer>/.well-known/openid-configuration`` when the provider is
created or updated, and takes authorize_url, token_url, attributes_url and jwks_uri from the
request only where it cannot discover them (ProviderDetailsType in botocore's model).
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from ...exceptions import InvalidParameterException
from .details import OIDC_ENDPOINTS
from .fetch import check_url, fetch

# Our ProviderDetails key -> the discovery document's member (OpenID Connect Discovery §3).
DISCOVERY_MEMBERS = {"authorize_url": "authorization_endpoint", "token_url": "token_endpoint",
                     "attributes_url": "userinfo_endpoint", "jwks_uri": "jwks_uri"}
DISCOVERY_PATH = "/.well-known/openid-configuration"


def discover(details: Mapping[str, str]) -> dict[str, str]:
    """The endpoints ``details`` leaves out, from the issuer's discovery document."""
    issuer = check_url(details["oidc_issuer"], "oidc_issuer")
    for key in OIDC_ENDPOINTS:
        if details.get(key):
            check_url(details[key], key)
    wanted = [key for key in OIDC_ENDPOINTS if not details.get(key)]
    if not wanted:
        return {}
    url = issuer.rstrip("/") + DISCOVERY_PATH
    body = fetch(url, "the OIDC discovery document", accept="application/json")
    try:
        document = json.loads(body)
    except (ValueError, RecursionError):  # a few thousand brackets exhaust the parser
        document = None
    if not isinstance(document, dict):
        raise InvalidParameterException(f"The OIDC discovery document at {url[:200]} is not "
                                        "a JSON object.")
    # The issuer a discovery document names must be the one it was fetched for (OpenID
    # Connect Discovery §4.3), or another party's tokens could pass as this provider's.
    found = document.get("issuer")
    if not isinstance(found, str) or found.rstrip("/") != issuer.rstrip("/"):
        raise InvalidParameterException(
            f"The OIDC discovery document at {url[:200]} names issuer {str(found)[:200]}, "
            f"not {issuer[:200]}.")
    endpoints: dict[str, str] = {}
    for key in wanted:
        value = document.get(DISCOVERY_MEMBERS[key])
        if value is None and key == "attributes_url":
            continue  # userinfo_endpoint is optional in discovery
        if not isinstance(value, str):
            raise InvalidParameterException(
                f"The OIDC discovery document of {issuer[:200]} has no "
                f"{DISCOVERY_MEMBERS[key]}; give {key} in ProviderDetails.")
        endpoints[key] = check_url(value, DISCOVERY_MEMBERS[key])
    return endpoints
