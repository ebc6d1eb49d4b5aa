"""The pool as a SAML 2.0 service provider (reference §5, §7): python3-saml's settings, built
for each request from the provider's row and the pool's signing certificate (never from
files), and what the server remembers between a request and its answer.

- The SP entity id is ``urn:amazon:cognito:sp:<pool id>``; the assertion consumer service is
  the domain's ``/saml2/idpresponse`` (HTTP-POST) and single logout its ``/saml2/logout``.
- Strict mode: the Destination, Recipient, Audience, Issuer, validity window and signature
  are all checked by python3-saml. Every assertion must be signed (Cognito accepts a signed
  response or a signed assertion; this is stricter: a signed response around an unsigned
  assertion is refused), with no SHA-1. With EncryptedResponses every assertion must be
  encrypted, to the provider's own encryption certificate.
- Single logout's messages (HTTP-Redirect) must be signed, requests and responses alike.
- An AuthnRequest is answered within five minutes, once: its id is kept in the shared cache
  and taken at the answer. An assertion's id is remembered until it expires, so none is
  accepted twice.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from django.core.cache import caches
from lxml import etree  # type: ignore[import-untyped]
from onelogin.saml2.response import OneLogin_Saml2_Response
from onelogin.saml2.utils import OneLogin_Saml2_Utils
from onelogin.saml2.xml_utils import OneLogin_Saml2_XML

from ...clock import now
from ...conf import app_settings
from ...crypto import certificates
from ...models import IdentityProvider, ProviderType, UserPool
from . import details as provider_details
from .providers import signing_certificate
from .saml import POST, REDIRECT

REQUEST_WINDOW = dt.timedelta(minutes=5)
RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
SHA256 = "http://www.w3.org/2001/04/xmlenc#sha256"
UNSPECIFIED = "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified"
#: Cognito's limit on a SAMLResponse (saml2-idpresponse-endpoint).
MAX_RESPONSE_CHARS = 100_000


def entity_id(pool: UserPool) -> str:
    return f"urn:amazon:cognito:sp:{pool.pk}"


@dataclass(frozen=True)
class Endpoints:
    """Where the domain answers the IdP (absolute URLs)."""

    acs: str
    logout: str


def _pem(body: str) -> str:
    return certificates.pem_body(body) if "BEGIN" in body else body


def settings(provider: IdentityProvider, endpoints: Endpoints, *,
             decrypting: bool = False, messages_signed: bool = False) -> dict[str, Any]:
    """python3-saml's settings for ``provider``. ``decrypting`` puts the provider's
    encryption key where python3-saml decrypts with (the SP key); otherwise the pool's signing
    key, which signs requests. ``messages_signed`` requires the message itself signed (single
    logout's LogoutRequest and LogoutResponse, HTTP-Redirect); a SAMLResponse needs only its
    assertions signed."""
    metadata = provider.metadata or {}
    flags = provider.details or {}
    signing = signing_certificate(provider.pool)
    encrypted = provider_details.flag(flags, "EncryptedResponses")
    sign_requests = bool(flags.get("RequestSigningAlgorithm"))
    if decrypting and encrypted and provider.encryption_key:
        certificate, key = provider.encryption_certificate, provider.encryption_key
    else:
        certificate, key = signing.certificate, signing.private_key
    idp: dict[str, Any] = {
        "entityId": metadata.get("entity_id", ""),
        "singleSignOnService": {"url": metadata.get("sso_redirect_url", ""),
                                "binding": REDIRECT},
        "x509certMulti": {"signing": list(metadata.get("signing_certificates") or []),
                          "encryption": list(metadata.get("encryption_certificates") or [])},
    }
    if metadata.get("slo_redirect_url"):
        idp["singleLogoutService"] = {"url": metadata["slo_redirect_url"], "binding": REDIRECT}
    return {
        "strict": True,
        "debug": False,
        "sp": {
            "entityId": entity_id(provider.pool),
            "assertionConsumerService": {"url": endpoints.acs, "binding": POST},
            "singleLogoutService": {"url": endpoints.logout, "binding": REDIRECT},
            "NameIDFormat": UNSPECIFIED,
            "x509cert": _pem(certificate),
            "privateKey": key or "",
        },
        "idp": idp,
        "security": {
            "authnRequestsSigned": sign_requests,
            "logoutRequestSigned": sign_requests,
            "logoutResponseSigned": sign_requests,
            "wantMessagesSigned": messages_signed,
            "wantAssertionsSigned": True,
            "wantAssertionsEncrypted": encrypted,
            "wantNameId": True,
            "wantNameIdEncrypted": False,
            "wantAttributeStatement": False,
            "requestedAuthnContext": False,
            "signMetadata": False,
            "signatureAlgorithm": RSA_SHA256,
            "digestAlgorithm": SHA256,
            "rejectDeprecatedAlgorithm": True,
            "rejectUnsolicitedResponsesWithInResponseTo": True,
            "allowRepeatAttributeName": True,
            "allowSingleLabelDomains": True,
        },
    }


class Response(OneLogin_Saml2_Response):
    """python3-saml's Response, but an encrypted assertion keeps its own namespace prefixes.

    python3-saml puts the decrypted assertion in place with lxml's ``replace``, which
    reconciles its namespaces with the Response's: an assertion whose prefixes differ from
    the Response's (pysaml2 encrypts "self-contained" assertions, ``encas0:``...) is
    renamed, and as exclusive canonicalization keeps prefixes, its signature no longer
    verifies. Here the assertion's decrypted text is spliced back as it was signed."""

    def _decrypt_assertion(self, xml: Any) -> Any:
        data = OneLogin_Saml2_XML.query(
            xml, "/samlp:Response/saml:EncryptedAssertion/xenc:EncryptedData")
        plain = None
        if len(data) == 1:
            plain = etree.tostring(OneLogin_Saml2_Utils.decrypt_element(
                data[0], self._settings.get_sp_key(), debug=False, inplace=False))
        decrypted = super()._decrypt_assertion(xml)  # python3-saml's checks, then decryption
        assertions = OneLogin_Saml2_XML.query(decrypted, "/samlp:Response/saml:Assertion")
        if plain is None or len(assertions) != 1:
            return decrypted
        mark = f"dc-assertion-{secrets.token_hex(16)}"  # unguessable: no comment can match
        assertions[0].getparent().replace(assertions[0], etree.Comment(mark))
        text = etree.tostring(decrypted)
        if text.count(mark.encode()) != 1:
            return decrypted
        return OneLogin_Saml2_XML.to_etree(text.replace(f"<!--{mark}-->".encode(), plain))


def saml_providers(pool: UserPool, issuer: str) -> list[IdentityProvider]:
    """The pool's SAML providers whose metadata names ``issuer`` as the IdP."""
    return [p for p in IdentityProvider.objects.filter(pool=pool, provider_type=ProviderType.SAML)
            if (p.metadata or {}).get("entity_id") == issuer]


def _cache() -> Any:
    return caches[app_settings.CACHE_ALIAS]


def _key(kind: str, *parts: object) -> str:
    digest = hashlib.sha256("\x00".join(str(p) for p in parts).encode()).hexdigest()
    return f"dc:saml:{kind}:{digest}"


def remember_request(provider: IdentityProvider, request_id: str, client_id: str,
                     query: str) -> None:
    """An AuthnRequest sent: answerable once, for five minutes."""
    _cache().set(_key("request", provider.pool_id, request_id),
                 {"provider": provider.pk, "client": client_id, "query": query},
                 int(REQUEST_WINDOW.total_seconds()))


def take_request(pool: UserPool, request_id: str) -> dict[str, Any] | None:
    """The pending AuthnRequest ``request_id`` answers, forgotten as it is taken."""
    cache = _cache()
    key = _key("request", pool.pk, request_id)
    pending: dict[str, Any] | None = cache.get(key)
    if pending is not None and not cache.delete(key):
        return None  # another answer took it first
    return pending


def first_use_of_assertion(provider: IdentityProvider, assertion_id: str,
                           not_on_or_after: int | None) -> bool:
    """Whether ``assertion_id`` is new; it is then remembered until the assertion expires."""
    lifetime = int(not_on_or_after - now().timestamp()) if not_on_or_after else 0
    timeout = max(lifetime, int(REQUEST_WINDOW.total_seconds())) + 300
    return bool(_cache().add(_key("assertion", provider.pk, assertion_id), 1, timeout))


def remember_session(token: str, provider: IdentityProvider, name_id: str,
                     name_id_format: str | None, session_index: str | None,
                     lifetime: int) -> None:
    """What single logout needs of a login session a SAML sign-in started."""
    _cache().set(_key("session", token), {
        "provider": provider.pk, "name_id": name_id, "format": name_id_format,
        "session_index": session_index}, lifetime)


def saml_session(token: object) -> dict[str, Any] | None:
    if not isinstance(token, str) or len(token) > 128:
        return None
    found: dict[str, Any] | None = _cache().get(_key("session", token))
    return found


def forget_session(token: object) -> None:
    if isinstance(token, str) and len(token) <= 128:
        _cache().delete(_key("session", token))


def remember_logout(state: str, pending: dict[str, Any]) -> None:
    """A LogoutRequest sent at ``/logout``: its id, provider and final target."""
    _cache().set(_key("logout", state), pending, int(REQUEST_WINDOW.total_seconds()))


def take_logout(state: str) -> dict[str, Any] | None:
    cache = _cache()
    key = _key("logout", state)
    pending: dict[str, Any] | None = cache.get(key)
    cache.delete(key)
    return pending
