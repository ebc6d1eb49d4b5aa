"""SAML logins: the Logins key is a SAML provider ARN the pool lists in ``SamlProviderARNs``
and the value a base64 SAMLResponse (reference §8.3), checked by python3-saml as AWS checks
SAML for IAM: the assertion signed with a certificate of the provider's metadata (never
SHA-1), Issuer the metadata's entity id, within its validity window, Audience
``urn:amazon:webservices`` and Destination/Recipient ``https://signin.aws.amazon.com/saml``
(IAM guide, "Configure SAML assertions for the authentication response"). The subject is
the NameID; the attributes become the login's claims, each a list of values, so role rules
read them and a Token role mapping reads the ``Role`` attribute's "roleArn,providerArn"
pairs. An assertion is not remembered: the enhanced flow sends the same Logins map to GetId
and then to GetCredentialsForIdentity.
"""

from __future__ import annotations

from typing import Any

from onelogin.saml2.response import OneLogin_Saml2_Response
from onelogin.saml2.settings import OneLogin_Saml2_Settings

from ...exceptions import (
    InvalidIdentityPoolConfigurationException,
    InvalidParameterException,
    NotAuthorizedException,
)
from ...models import IamIdentityProvider, IamProviderType, IdentityPool
from ..federation.saml import POST, REDIRECT, parse_metadata
from .login_types import Login, amr, unsupported

AUDIENCE = "urn:amazon:webservices"
RECIPIENT = "https://signin.aws.amazon.com/saml"
ROLE_ATTRIBUTE = "https://aws.amazon.com/SAML/Attributes/Role"
UNSPECIFIED = "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified"
RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
SHA256 = "http://www.w3.org/2001/04/xmlenc#sha256"
MAX_RESPONSE_CHARS = 100_000
MAX_SUBJECT_CHARS = 512
INVALID = "Invalid login token. Invalid SAML response."
# The URL python3-saml compares Destination and Recipient with.
REQUEST = {"https": "on", "http_host": "signin.aws.amazon.com", "script_name": "/saml",
           "get_data": {}, "post_data": {}}


def saml_settings(metadata: dict[str, Any]) -> OneLogin_Saml2_Settings:
    """python3-saml's settings: AWS as the service provider, the IAM provider as the IdP."""
    return OneLogin_Saml2_Settings({
        "strict": True,
        "debug": False,
        "sp": {"entityId": AUDIENCE, "NameIDFormat": UNSPECIFIED,
               "assertionConsumerService": {"url": RECIPIENT, "binding": POST}},
        "idp": {"entityId": metadata["entity_id"],
                "singleSignOnService": {"url": metadata["sso_redirect_url"],
                                        "binding": REDIRECT},
                "x509certMulti": {"signing": list(metadata["signing_certificates"])}},
        "security": {
            "wantAssertionsSigned": True,
            "wantMessagesSigned": False,
            "wantAssertionsEncrypted": False,
            "wantNameId": True,
            "wantAttributeStatement": False,
            "rejectDeprecatedAlgorithm": True,
            "rejectUnsolicitedResponsesWithInResponseTo": False,
            "allowRepeatAttributeName": True,
            "signatureAlgorithm": RSA_SHA256,
            "digestAlgorithm": SHA256,
        },
    }, sp_validation_only=True)


def _provider(pool: IdentityPool, arn: str) -> IamIdentityProvider:
    if arn not in (pool.saml_provider_arns or []):
        raise unsupported(arn)
    row = IamIdentityProvider.objects.filter(arn=arn, type=IamProviderType.SAML).first()
    if row is None:
        raise unsupported(arn)
    return row


def saml_login(pool: IdentityPool, provider: str, token: str) -> Login:
    """A SAMLResponse of the IAM SAML provider ``provider`` (an ARN)."""
    row = _provider(pool, provider)
    try:
        settings = saml_settings(parse_metadata(row.saml_metadata))
    except InvalidParameterException:
        raise InvalidIdentityPoolConfigurationException(
            f"The SAML provider {provider} has no usable metadata.") from None
    if len(token) > MAX_RESPONSE_CHARS:
        raise NotAuthorizedException(INVALID)
    try:
        response = OneLogin_Saml2_Response(settings, token)
        valid = response.is_valid(dict(REQUEST), raise_exceptions=False)
        name_id = response.get_nameid() if valid else None
        attributes = response.get_attributes() if valid else {}
    except Exception:  # untrusted XML: any failure to read it is a bad token
        raise NotAuthorizedException(INVALID) from None
    if not valid or not isinstance(name_id, str) or not name_id or \
            len(name_id) > MAX_SUBJECT_CHARS:
        raise NotAuthorizedException(INVALID)
    claims: dict[str, Any] = {name: [str(v) for v in values]
                              for name, values in attributes.items()}
    claims["sub"] = name_id
    return Login(provider, name_id, claims, mapping_key=provider, amr=amr(provider, name_id))
