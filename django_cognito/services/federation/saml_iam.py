"""SAML responses addressed to AWS itself, as IAM takes them for federation (and identity
pools for SAML logins): python3-saml checks the assertion's signature against the provider's
metadata (never SHA-1), its Issuer (the metadata's entity id), its validity window, Audience
``urn:amazon:webservices`` and Destination/Recipient ``https://signin.aws.amazon.com/saml``
(IAM guide, "Configure SAML assertions for the authentication response")."""

from __future__ import annotations

from dataclasses import dataclass

from onelogin.saml2.response import OneLogin_Saml2_Response
from onelogin.saml2.settings import OneLogin_Saml2_Settings

from ...exceptions import NotAuthorizedException
from .saml import POST, REDIRECT, parse_metadata

AUDIENCE = "urn:amazon:webservices"
RECIPIENT = "https://signin.aws.amazon.com/saml"
UNSPECIFIED = "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified"
RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
SHA256 = "http://www.w3.org/2001/04/xmlenc#sha256"
MAX_RESPONSE_CHARS = 100_000
# The URL python3-saml compares Destination and Recipient with.
REQUEST = {"https": "on", "http_host": "signin.aws.amazon.com", "script_name": "/saml",
           "get_data": {}, "post_data": {}}


@dataclass(frozen=True)
class Assertion:
    """What a valid response says: its NameID and its attributes (each a list of values)."""

    name_id: str
    attributes: dict[str, list[str]]


def iam_settings(metadata_xml: str) -> OneLogin_Saml2_Settings:
    """python3-saml's settings: AWS as the service provider, ``metadata_xml``'s IdP as the
    identity provider; InvalidParameterException when the metadata is unusable."""
    metadata = parse_metadata(metadata_xml)
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


def aws_assertion(settings: OneLogin_Saml2_Settings, encoded: str, *,
                  invalid: str) -> Assertion:
    """The assertion of a base64 SAMLResponse for AWS, or NotAuthorizedException(invalid)."""
    if len(encoded) > MAX_RESPONSE_CHARS:
        raise NotAuthorizedException(invalid)
    try:
        response = OneLogin_Saml2_Response(settings, encoded)
        if not response.is_valid(dict(REQUEST), raise_exceptions=False):
            raise NotAuthorizedException(invalid)
        name_id = response.get_nameid()
        attributes = response.get_attributes()
    except NotAuthorizedException:
        raise
    except Exception:  # untrusted XML: any failure to read it is a bad response
        raise NotAuthorizedException(invalid) from None
    if not isinstance(name_id, str) or not name_id:
        raise NotAuthorizedException(invalid)
    return Assertion(name_id, {str(name): [str(v) for v in values]
                               for name, values in attributes.items()})
