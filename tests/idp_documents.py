"""Test helpers: a loopback HTTP server for an identity provider's documents (an OIDC
discovery document, SAML metadata) and SAML metadata with a real certificate.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from django_cognito.clock import now
from django_cognito.crypto.certificates import pem_body, self_signed


class DocumentServer:
    """Serves ``documents[path] = (status, content type, body)`` on 127.0.0.1."""

    def __init__(self) -> None:
        self.documents: dict[str, tuple[int, str, bytes]] = {}
        self.requests: Counter[str] = Counter()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                server.requests[self.path] += 1
                status, kind, body = server.documents.get(
                    self.path, (404, "text/plain", b"not found"))
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                if status in (301, 302):
                    self.send_header("Location", body.decode())
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def serve(self, path: str, body: str | bytes | dict[str, Any], *, status: int = 200,
              content_type: str = "application/json") -> str:
        """Serve ``body`` at ``path``; returns its URL."""
        if isinstance(body, dict):
            body = json.dumps(body)
        self.documents[path] = (status, content_type,
                                body.encode() if isinstance(body, str) else body)
        return self.url + path

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def serving(settings: Any) -> Iterator[DocumentServer]:
    """A document server, and the setting that lets providers name loopback HTTP URLs (the
    body of a test module's ``idp_server`` fixture)."""
    settings.COGNITO = {**settings.COGNITO, "FEDERATION_LOOPBACK_HTTP": True}
    server = DocumentServer()
    yield server
    server.close()


def discovery(issuer: str, **overrides: Any) -> dict[str, Any]:
    """An OIDC discovery document for ``issuer``."""
    document = {"issuer": issuer, "authorization_endpoint": f"{issuer}/auth",
                "token_endpoint": f"{issuer}/token", "userinfo_endpoint": f"{issuer}/me",
                "jwks_uri": f"{issuer}/jwks", "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"]}
    document.update(overrides)
    return {k: v for k, v in document.items() if v is not None}


_CERTIFICATE: list[str] = []


def idp_certificate() -> str:
    """The base64 DER of a certificate (made once per test run)."""
    if not _CERTIFICATE:
        _CERTIFICATE.append(pem_body(self_signed("idp.example.com", now=now(),
                                                 days=30).certificate))
    return _CERTIFICATE[0]


def saml_metadata(entity_id: str = "https://idp.example.com/saml",
                  base: str = "https://idp.example.com", *, certificate: str | None = None,
                  redirect: bool = True) -> str:
    """IdP metadata with HTTP-Redirect (unless not ``redirect``) and HTTP-POST endpoints."""
    cert = idp_certificate() if certificate is None else certificate
    key = ("<md:KeyDescriptor use=\"signing\"><ds:KeyInfo><ds:X509Data>"
           f"<ds:X509Certificate>{cert}</ds:X509Certificate>"
           "</ds:X509Data></ds:KeyInfo></md:KeyDescriptor>") if cert else ""
    binding = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-"
    sso_redirect = (f'<md:SingleSignOnService Binding="{binding}Redirect" '
                    f'Location="{base}/sso/redirect"/>') if redirect else ""
    return f"""<?xml version="1.0"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata"
    xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="{entity_id}">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    {key}
    <md:SingleLogoutService Binding="{binding}Redirect" Location="{base}/slo/redirect"/>
    <md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress</md:NameIDFormat>
    {sso_redirect}
    <md:SingleSignOnService Binding="{binding}POST" Location="{base}/sso/post"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>"""
