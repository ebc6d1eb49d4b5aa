"""A real SAML 2.0 identity provider on loopback: pysaml2's ``saml2.server.Server`` in a small
WSGI app on a thread, signing and encrypting with Debian's ``xmlsec1``.

- ``/metadata``: its metadata (HTTP-Redirect SSO and SLO, its signing certificate).
- ``/sso``: takes an AuthnRequest (HTTP-Redirect), signs in ``idp.user`` without asking and
  answers with an HTML form that POSTs the SAMLResponse to the request's ACS (a visible
  "Continue" button: no JavaScript needed).
- ``/slo``: answers the SP's LogoutRequest with a LogoutResponse (HTTP-Redirect).

Responses and assertions are signed with RSA-SHA256 / SHA-256 (pysaml2 defaults to SHA-1);
``encrypt_to`` (a PEM certificate) encrypts assertions. ``response(...)`` builds a response
directly, for IdP-initiated sign-in and for tests that tamper with one.
"""

from __future__ import annotations

import base64
import html
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from lxml import etree  # type: ignore[import-untyped]
from onelogin.saml2.utils import OneLogin_Saml2_Utils
from saml2 import BINDING_HTTP_REDIRECT, xmldsig
from saml2.config import IdPConfig
from saml2.metadata import create_metadata_string
from saml2.saml import NAMEID_FORMAT_UNSPECIFIED, NameID
from saml2.server import Server

from django_cognito.clock import now
from django_cognito.crypto import certificates

PASSWORD = "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"
SIGN_ALG = xmldsig.SIG_RSA_SHA256
DIGEST_ALG = xmldsig.DIGEST_SHA256
SAML = "urn:oasis:names:tc:SAML:2.0:assertion"


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass


@dataclass
class SamlIdp:
    base: str
    directory: Path
    entity_id: str = ""
    name_id: str = "jdoe"
    attributes: dict[str, list[str]] = field(default_factory=lambda: {
        "email": ["jdoe@example.com"], "groups": ["staff", "admins"]})
    encrypt_to: str | None = None
    requests: list[dict[str, str]] = field(default_factory=list)
    server: Server | None = None
    sp_metadata: str = ""
    lifetime_minutes: int = 15
    #: Whether ``/slo`` signs its LogoutResponse (HTTP-Redirect's Signature).
    sign_logout: bool = True
    key_name: str = "idp"

    def configure(self, sp_metadata: str, *, key_name: str = "idp") -> None:
        """(Re)build the IdP, trusting the SP described by ``sp_metadata``."""
        self.sp_metadata = sp_metadata
        self.key_name = key_name
        self.server = Server(config=self._config(key_name))

    def _keys(self, name: str) -> tuple[str, str]:
        key, cert = self.directory / f"{name}.key", self.directory / f"{name}.crt"
        if not key.exists():
            issued = certificates.self_signed(name, now=now(), days=30)
            key.write_text(issued.private_key)
            cert.write_text(issued.certificate)
        return str(key), str(cert)

    def _config(self, key_name: str) -> IdPConfig:
        key, cert = self._keys(key_name)
        sp = self.directory / "sp.xml"
        sp.write_text(self.sp_metadata)
        config = IdPConfig()
        config.load({
            "entityid": self.entity_id,
            "service": {"idp": {
                "endpoints": {
                    "single_sign_on_service": [(f"{self.base}/sso", BINDING_HTTP_REDIRECT)],
                    "single_logout_service": [(f"{self.base}/slo", BINDING_HTTP_REDIRECT)]},
                "name_id_format": [NAMEID_FORMAT_UNSPECIFIED],
                "policy": {"default": {"lifetime": {"minutes": self.lifetime_minutes},
                                       "attribute_restrictions": None}},
            }},
            "key_file": key, "cert_file": cert,
            "xmlsec_binary": "/usr/bin/xmlsec1",
            "metadata": {"local": [str(sp)]} if self.sp_metadata else {},
            "allow_unknown_attributes": True,
        })
        return config

    def metadata(self) -> str:
        assert self.server is not None
        xml = create_metadata_string(None, config=self.server.config, valid=24)
        return xml.decode() if isinstance(xml, bytes) else str(xml)

    def response(self, *, in_response_to: str | None, destination: str, audience: str,
                 sign_response: bool = True, sign_assertion: bool = True,
                 name_id: str | None = None,
                 tamper: Callable[[Any], None] | None = None) -> str:
        """A SAMLResponse's XML, as pysaml2 signs (and encrypts) it.

        With ``tamper``, pysaml2 builds it unsigned, ``tamper`` changes the parsed Response in
        place (its validity window, audience, recipient...), then the assertion and, with
        ``sign_response``, the response are signed with the IdP's key (python3-saml's
        ``add_sign``): genuine signatures over what pysaml2 would never have said."""
        assert self.server is not None
        if tamper is not None:
            assert not self.encrypt_to, "tampering with encrypted assertions is not supported"
            unsigned = self.response(in_response_to=in_response_to, destination=destination,
                                     audience=audience, sign_response=False,
                                     sign_assertion=False, name_id=name_id)
            root = etree.fromstring(unsigned.encode())
            tamper(root)
            return self.sign(root, sign_response=sign_response, sign_assertion=sign_assertion)
        kwargs: dict[str, Any] = {}
        if self.encrypt_to:
            kwargs.update(encrypt_assertion=True, encrypt_cert_assertion=self.encrypt_to,
                          encrypted_advice_attributes=False)
        response = self.server.create_authn_response(
            identity=self.attributes, in_response_to=in_response_to, destination=destination,
            sp_entity_id=audience,
            name_id=NameID(format=NAMEID_FORMAT_UNSPECIFIED, text=name_id or self.name_id),
            authn={"class_ref": PASSWORD}, sign_response=sign_response,
            sign_assertion=sign_assertion, sign_alg=SIGN_ALG, digest_alg=DIGEST_ALG, **kwargs)
        return response.decode() if isinstance(response, bytes) else str(response)

    def sign(self, root: Any, *, sign_response: bool = True,
             sign_assertion: bool = True) -> str:
        """``root`` (a parsed, unsigned Response) signed with the IdP's key: its assertion
        (signed on its own, exclusive canonicalization keeps that signature valid in place),
        then the Response."""
        key_file, cert_file = self._keys(self.key_name)
        key, cert = Path(key_file).read_text(), Path(cert_file).read_text()
        if sign_assertion:
            for assertion in root.findall(f"{{{SAML}}}Assertion"):
                signed = OneLogin_Saml2_Utils.add_sign(
                    etree.tostring(assertion), key, cert,
                    sign_algorithm=SIGN_ALG, digest_algorithm=DIGEST_ALG)
                root.replace(assertion, etree.fromstring(signed))
        if sign_response:
            signed = OneLogin_Saml2_Utils.add_sign(etree.tostring(root), key, cert,
                                                   sign_algorithm=SIGN_ALG,
                                                   digest_algorithm=DIGEST_ALG)
            return signed.decode() if isinstance(signed, bytes) else str(signed)
        return etree.tostring(root).decode()

    def logout_request_url(self, destination: str, name_id: str | None = None) -> str:
        """An IdP-initiated LogoutRequest (HTTP-Redirect, signed)."""
        assert self.server is not None
        request_id, request = self.server.create_logout_request(
            destination, self.entity_id,
            name_id=NameID(format=NAMEID_FORMAT_UNSPECIFIED, text=name_id or self.name_id),
            sign=False)
        info = self.server.apply_binding(BINDING_HTTP_REDIRECT, str(request), destination,
                                         relay_state="", sign=True, sigalg=SIGN_ALG)
        return dict(info["headers"])["Location"]

    # The WSGI app.
    def __call__(self, environ: dict[str, Any], start: Any) -> list[bytes]:
        path = environ["PATH_INFO"]
        query = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
        assert self.server is not None
        if path == "/metadata":
            start("200 OK", [("Content-Type", "application/samlmetadata+xml")])
            return [self.metadata().encode()]
        if path == "/sso":
            self.requests.append(query)
            parsed = self.server.parse_authn_request(query["SAMLRequest"], BINDING_HTTP_REDIRECT)
            message = parsed.message
            acs = message.assertion_consumer_service_url
            xml = self.response(in_response_to=message.id, destination=acs,
                                audience=message.issuer.text)
            page = form_page(acs, xml, query.get("RelayState", ""))
            start("200 OK", [("Content-Type", "text/html; charset=utf-8")])
            return [page.encode()]
        if path == "/slo":
            self.requests.append(query)
            parsed = self.server.parse_logout_request(query["SAMLRequest"],
                                                      BINDING_HTTP_REDIRECT)
            response = self.server.create_logout_response(
                parsed.message, [BINDING_HTTP_REDIRECT], sign=False)
            destination = self.sp_logout_url
            info = self.server.apply_binding(
                BINDING_HTTP_REDIRECT, str(response), destination,
                relay_state=query.get("RelayState", ""), response=True, sign=self.sign_logout,
                sigalg=SIGN_ALG)
            start("302 Found", [("Location", dict(info["headers"])["Location"])])
            return [b""]
        start("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found"]

    sp_logout_url: str = ""


def form_page(action: str, xml: str, relay_state: str) -> str:
    encoded = base64.b64encode(xml.encode()).decode()
    return (
        "<!doctype html><html lang=en><head><title>Signing in</title></head><body>"
        f'<form method="post" action="{html.escape(action)}">'
        f'<input type="hidden" name="SAMLResponse" value="{encoded}">'
        f'<input type="hidden" name="RelayState" value="{html.escape(relay_state)}">'
        '<button type="submit">Continue</button></form></body></html>')


def run_idp(directory: Path) -> Iterator[SamlIdp]:
    """An IdP on a free loopback port, for as long as the generator lives."""
    server: WSGIServer = make_server("127.0.0.1", 0, lambda e, s: idp(e, s),
                                     handler_class=_Quiet)
    base = f"http://127.0.0.1:{server.server_port}"
    idp = SamlIdp(base=base, directory=directory, entity_id=f"{base}/metadata")
    idp.configure("")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield idp
    finally:
        server.shutdown()
        server.server_close()
