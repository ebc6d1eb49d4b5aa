"""ProviderDetails: the members each provider type takes, the secrets kept encrypted, and the
members Cognito adds when it describes a provider.

The keys and the Describe output follow botocore's documentation of ProviderDetailsType
(IdentityProviderType.ProviderDetails), which gives a create request and a describe response
for every type.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ...exceptions import InvalidParameterException
from ...models import ProviderType
from ..schema import storable

# Kept encrypted at rest; Describe returns client_secret (as AWS does) but never Apple's key.
SECRET_KEYS = ("client_secret", "private_key")
WITHHELD_KEYS = ("private_key",)
OIDC_ENDPOINTS = ("authorize_url", "token_url", "attributes_url", "jwks_uri")
SAML_FLAGS = ("IDPSignout", "IDPInit", "EncryptedResponses")
SIGNING_ALGORITHMS = ("rsa-sha256",)


@dataclass(frozen=True)
class DetailsSpec:
    """The ProviderDetails members of one provider type."""

    required: tuple[str, ...]
    optional: tuple[str, ...] = ()
    # Members Describe adds; a request may carry them back (read, modify, write) and they
    # are ignored: Cognito fills them itself.
    derived: dict[str, str] = field(default_factory=dict)


_SOCIAL = ("client_id", "client_secret", "authorize_scopes")
SPECS: dict[str, DetailsSpec] = {
    ProviderType.GOOGLE: DetailsSpec(_SOCIAL, derived={
        "attributes_url": "https://people.googleapis.com/v1/people/me?personFields=",
        "attributes_url_add_attributes": "true",
        "authorize_url": "https://accounts.google.com/o/oauth2/v2/auth",
        "oidc_issuer": "https://accounts.google.com",
        "token_request_method": "POST",
        "token_url": "https://www.googleapis.com/oauth2/v4/token"}),
    ProviderType.FACEBOOK: DetailsSpec(_SOCIAL, ("api_version",), derived={
        "attributes_url": "https://graph.facebook.com/{v}me?fields=",
        "attributes_url_add_attributes": "true",
        "authorize_url": "https://www.facebook.com/{v}dialog/oauth",
        "token_request_method": "GET",
        "token_url": "https://graph.facebook.com/{v}oauth/access_token"}),
    ProviderType.LOGIN_WITH_AMAZON: DetailsSpec(_SOCIAL, derived={
        "attributes_url": "https://api.amazon.com/user/profile",
        "attributes_url_add_attributes": "false",
        "authorize_url": "https://www.amazon.com/ap/oa",
        "token_request_method": "POST",
        "token_url": "https://api.amazon.com/auth/o2/token"}),
    ProviderType.SIGN_IN_WITH_APPLE: DetailsSpec(
        ("client_id", "team_id", "key_id", "private_key", "authorize_scopes"), derived={
            "attributes_url_add_attributes": "false",
            "authorize_url": "https://appleid.apple.com/auth/authorize",
            "oidc_issuer": "https://appleid.apple.com",
            "token_request_method": "POST",
            "token_url": "https://appleid.apple.com/auth/token"}),
    ProviderType.OIDC: DetailsSpec(
        ("client_id", "authorize_scopes", "attributes_request_method", "oidc_issuer"),
        ("client_secret", *OIDC_ENDPOINTS), derived={"attributes_url_add_attributes": "false"}),
    ProviderType.SAML: DetailsSpec(
        (), ("MetadataURL", "MetadataFile", *SAML_FLAGS, "RequestSigningAlgorithm"),
        derived={"SSORedirectBindingURI": "", "SLORedirectBindingURI": "",
                 "ActiveEncryptionCertificate": ""}),
}


def clean_details(provider_type: str, given: object,
                  kept_secrets: Mapping[str, str] | None = None
                  ) -> tuple[dict[str, str], dict[str, str]]:
    """Validate ProviderDetails: ``(public members, secret members)``.

    ``kept_secrets`` are the provider's current secrets: an update that leaves one out keeps
    it (Describe never shows Apple's private key, so a read-modify-write could not send it).
    """
    spec = SPECS[provider_type]
    if not isinstance(given, Mapping) or not all(
            isinstance(k, str) and isinstance(v, str) and storable(k) and storable(v)
            for k, v in given.items()):
        raise InvalidParameterException("ProviderDetails must map strings to strings.")
    # Other keys are kept and described as given: the documentation calls the keys "subject
    # to change" and states no refusal.
    values = {k: v for k, v in given.items() if k not in spec.derived}
    for key in SECRET_KEYS:
        if not values.get(key) and kept_secrets and kept_secrets.get(key):
            values[key] = kept_secrets[key]
    missing = [key for key in spec.required if not values.get(key, "").strip()]
    if missing:
        raise InvalidParameterException(
            f"ProviderDetails for {provider_type} must contain {', '.join(missing)}.")
    if provider_type == ProviderType.OIDC:
        _check_oidc(values)
    elif provider_type == ProviderType.SAML:
        _check_saml(values)
    secrets = {k: values.pop(k) for k in SECRET_KEYS if values.get(k)}
    values = {k: v for k, v in values.items() if v != "" or k in spec.required}
    return dict(sorted(values.items())), secrets


def _check_oidc(values: dict[str, str]) -> None:
    method = values["attributes_request_method"]
    if method.upper() not in ("GET", "POST"):
        raise InvalidParameterException("attributes_request_method must be GET or POST.")
    values["attributes_request_method"] = method.upper()


def _check_saml(values: dict[str, str]) -> None:
    sources = [key for key in ("MetadataURL", "MetadataFile") if values.get(key)]
    if len(sources) != 1:
        raise InvalidParameterException(
            "ProviderDetails for SAML must contain either MetadataURL or MetadataFile.")
    for flag in SAML_FLAGS:
        if flag in values:
            if values[flag].lower() not in ("true", "false"):
                raise InvalidParameterException(f"{flag} must be true or false.")
            values[flag] = values[flag].lower()
    algorithm = values.get("RequestSigningAlgorithm")
    if algorithm is not None and algorithm not in SIGNING_ALGORITHMS:
        raise InvalidParameterException("RequestSigningAlgorithm must be rsa-sha256.")


def flag(details: Mapping[str, Any], name: str) -> bool:
    """A SAML ``"true"``/``"false"`` member; absent is false."""
    return str(details.get(name, "")).lower() == "true"


def described(provider_type: str, details: Mapping[str, str], secrets: Mapping[str, str],
              metadata: Mapping[str, Any], encryption_certificate: str = "") -> dict[str, str]:
    """ProviderDetails as DescribeIdentityProvider returns them."""
    spec = SPECS[provider_type]
    shown = {**details, **{k: v for k, v in secrets.items() if k not in WITHHELD_KEYS}}
    if provider_type == ProviderType.FACEBOOK:
        version = details.get("api_version", "")
        prefix = f"{version}/" if version else ""
        shown.update({k: v.format(v=prefix) for k, v in spec.derived.items()})
    elif provider_type == ProviderType.OIDC:
        shown.update(spec.derived)
        for key in OIDC_ENDPOINTS:
            if key not in details and metadata.get(key):
                shown[key] = metadata[key]
    elif provider_type == ProviderType.SAML:
        for key, member in (("SSORedirectBindingURI", "sso_redirect_url"),
                            ("SLORedirectBindingURI", "slo_redirect_url")):
            if metadata.get(member):
                shown[key] = metadata[member]
        if flag(details, "EncryptedResponses") and encryption_certificate:
            shown["ActiveEncryptionCertificate"] = encryption_certificate
    else:
        shown.update(spec.derived)
    return dict(sorted(shown.items()))
