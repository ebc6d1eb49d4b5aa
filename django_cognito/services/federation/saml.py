"""A SAML provider's metadata, read with python3-saml's metadata parser.

The parser refuses DTDs and entity declarations (no XML bomb, no external entity), and
reads the first IDPSSODescriptor: its entity id, single sign-on and logout locations per
binding, and its signing and encryption certificates. Cognito sends authentication requests
with HTTP-Redirect and describes the provider by its SSORedirectBindingURI and
SLORedirectBindingURI (ProviderDetailsType in botocore's model).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...clock import now
from ...crypto import certificates
from ...exceptions import InvalidParameterException
from .fetch import fetch

REDIRECT = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
POST = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"
MAX_METADATA_CHARS = 131072
ACCEPT = "application/samlmetadata+xml, application/xml;q=0.9, text/xml;q=0.8"
# Cognito's own certificates: ten years (GetSigningCertificate's documentation).
CERTIFICATE_DAYS = 3650


def metadata_document(details: Mapping[str, str]) -> str:
    """The metadata XML: MetadataFile as given, or MetadataURL's document."""
    if details.get("MetadataFile"):
        return details["MetadataFile"]
    body = fetch(details["MetadataURL"], "the SAML metadata", accept=ACCEPT)
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidParameterException("The SAML metadata is not UTF-8 text.") from None


def _parser() -> Any:
    try:
        from onelogin.saml2.idp_metadata_parser import OneLogin_Saml2_IdPMetadataParser
    except ImportError:
        raise InvalidParameterException(
            "SAML identity providers need python3-saml on the server: install "
            "django-cognito-idp[saml].") from None
    return OneLogin_Saml2_IdPMetadataParser


def parse_metadata(xml: str) -> dict[str, Any]:
    """What the provider's metadata says, or InvalidParameterException."""
    if len(xml) > MAX_METADATA_CHARS * 8:
        raise InvalidParameterException("The SAML metadata is too large.")
    parser = _parser()
    try:
        redirect = parser.parse(xml, required_sso_binding=REDIRECT, required_slo_binding=REDIRECT)
        post = parser.parse(xml, required_sso_binding=POST, required_slo_binding=POST)
    except Exception as exc:  # any failure to read untrusted XML is invalid input
        raise InvalidParameterException(
            f"Invalid SAML metadata: {str(exc)[:200] or type(exc).__name__}") from None
    idp = redirect.get("idp") or {}
    if not idp.get("entityId"):
        raise InvalidParameterException(
            "Invalid SAML metadata: no EntityDescriptor with an IDPSSODescriptor.")
    sso = (idp.get("singleSignOnService") or {}).get("url")
    if not sso:
        raise InvalidParameterException(
            "Invalid SAML metadata: no SingleSignOnService with the HTTP-Redirect binding.")
    signing, encryption = _certificates(idp)
    if not signing:
        raise InvalidParameterException("Invalid SAML metadata: no signing certificate.")
    for body in signing + encryption:
        try:
            certificates.facts(body)
        except ValueError:
            raise InvalidParameterException(
                "Invalid SAML metadata: a certificate is not X.509.") from None
    post_idp = post.get("idp") or {}
    return {
        "entity_id": idp["entityId"],
        "sso_redirect_url": sso,
        "slo_redirect_url": (idp.get("singleLogoutService") or {}).get("url", ""),
        "sso_post_url": (post_idp.get("singleSignOnService") or {}).get("url", ""),
        "slo_post_url": (post_idp.get("singleLogoutService") or {}).get("url", ""),
        "name_id_format": (redirect.get("sp") or {}).get("NameIDFormat", ""),
        "want_authn_requests_signed": bool(
            (redirect.get("security") or {}).get("authnRequestsSigned")),
        "signing_certificates": signing,
        "encryption_certificates": encryption,
    }


def _certificates(idp: Mapping[str, Any]) -> tuple[list[str], list[str]]:
    if idp.get("x509cert"):
        return [idp["x509cert"]], []
    multi = idp.get("x509certMulti") or {}
    return list(multi.get("signing") or []), list(multi.get("encryption") or [])


def new_certificate(common_name: str) -> certificates.IssuedCertificate:
    """A key pair and a ten-year self-signed certificate, as Cognito issues them."""
    return certificates.self_signed(common_name, now=now(), days=CERTIFICATE_DAYS)
