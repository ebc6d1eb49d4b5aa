"""Test helpers: RSA key pairs that sign Cognito-shaped tokens, and a loopback JWKS server.

The server stands in for ``cognito-idp.<region>.amazonaws.com``: it serves a JWKS on
127.0.0.1 from a thread, can swap its keys (rotation), and records every path requested so
tests can prove what was, and was not, fetched.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
import uuid
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from django_cognito import clock

JWKS_PATH = "/us-east-1_TestPool/.well-known/jwks.json"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64json(value: Any) -> str:
    return b64url(json.dumps(value, separators=(",", ":")).encode())


def _uint(value: int) -> str:
    return b64url(value.to_bytes((value.bit_length() + 7) // 8, "big"))


class KeyPair:
    """An RSA key with a Cognito-style ``kid`` (base64 ending in ``=``, reference §3.1)."""

    def __init__(self, bits: int = 2048, kid: str | None = None) -> None:
        self.private_key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
        self.kid = kid or base64.b64encode(uuid.uuid4().bytes + b"kid").decode()

    def jwk(self, **overrides: Any) -> dict[str, Any]:
        numbers = self.private_key.public_key().public_numbers()
        jwk = {"alg": "RS256", "e": _uint(numbers.e), "kid": self.kid, "kty": "RSA",
               "n": _uint(numbers.n), "use": "sig"}
        jwk.update(overrides)
        return {k: v for k, v in jwk.items() if v is not None}

    def public_pem(self) -> bytes:
        return self.private_key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)

    def sign(self, payload: dict[str, Any], header: dict[str, Any] | None = None) -> str:
        """A compact JWS with Cognito's header ``{"kid", "alg": "RS256"}`` unless overridden."""
        head = {"kid": self.kid, "alg": "RS256"} if header is None else header
        signing_input = f"{b64json(head)}.{b64json(payload)}"
        signature = self.private_key.sign(signing_input.encode(), padding.PKCS1v15(),
                                          hashes.SHA256())
        return f"{signing_input}.{b64url(signature)}"


def hs256(payload: dict[str, Any], header: dict[str, Any], secret: bytes) -> str:
    """An HMAC-SHA256 token: the classic key-confusion attack when ``secret`` is a public key."""
    signing_input = f"{b64json(header)}.{b64json(payload)}"
    mac = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64url(mac)}"


def unsigned(payload: dict[str, Any], header: dict[str, Any]) -> str:
    return f"{b64json(header)}.{b64json(payload)}."


def _now() -> int:
    return int(clock.now().timestamp())


def access_claims(issuer: str, client_id: str = "client-a", **overrides: Any) -> dict[str, Any]:
    """An access token payload shaped like Cognito's (reference §3.3; no ``aud``)."""
    now = _now()
    claims: dict[str, Any] = {
        "sub": str(uuid.uuid4()),
        "cognito:groups": ["admin", "staff"],
        "iss": issuer,
        "client_id": client_id,
        "origin_jti": str(uuid.uuid4()),
        "event_id": str(uuid.uuid4()),
        "token_use": "access",
        "scope": "aws.cognito.signin.user.admin",
        "auth_time": now,
        "exp": now + 3600,
        "iat": now,
        "jti": str(uuid.uuid4()),
        "username": "alice",
    }
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


def id_claims(issuer: str, client_id: str = "client-a", **overrides: Any) -> dict[str, Any]:
    """An ID token payload shaped like Cognito's (reference §3.2; ``aud`` = client id)."""
    now = _now()
    claims: dict[str, Any] = {
        "sub": str(uuid.uuid4()),
        "cognito:groups": ["admin"],
        "email_verified": True,
        "iss": issuer,
        "cognito:username": "alice",
        "origin_jti": str(uuid.uuid4()),
        "aud": client_id,
        "event_id": str(uuid.uuid4()),
        "token_use": "id",
        "auth_time": now,
        "exp": now + 3600,
        "iat": now,
        "jti": str(uuid.uuid4()),
        "email": "alice@example.com",
    }
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


class JwksServer:
    """A JWKS endpoint on ``127.0.0.1:<free port>`` served from a daemon thread."""

    def __init__(self, *keys: KeyPair) -> None:
        self.documents: dict[str, Any] = {}
        self.raw: dict[str, tuple[int, dict[str, str], bytes]] = {}
        self.requests: list[str] = []
        self.delay = 0.0
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._httpd.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self._httpd.server_address[1]}"
        self.issuer = self.base_url + JWKS_PATH.removesuffix("/.well-known/jwks.json")
        self.jwks_url = self.base_url + JWKS_PATH
        self.set_keys(*keys)
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.02,),
                                        daemon=True)
        self._thread.start()

    def set_keys(self, *keys: KeyPair, path: str = JWKS_PATH) -> None:
        """Publish exactly these keys (rotation replaces the set)."""
        self.publish({"keys": [key.jwk() for key in keys]}, path=path)

    def publish(self, document: Any, path: str = JWKS_PATH) -> None:
        with self._lock:
            self.documents[path] = document
            self.raw.pop(path, None)

    def respond(self, path: str, status: int, body: bytes = b"",
                headers: dict[str, str] | None = None) -> None:
        """Answer ``path`` with a fixed response (errors, redirects, oversized bodies)."""
        with self._lock:
            self.raw[path] = (status, headers or {}, body)

    def fetches(self, path: str = JWKS_PATH) -> int:
        with self._lock:
            return Counter(self.requests)[path]

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                with server._lock:
                    server.requests.append(self.path)
                    raw = server.raw.get(self.path)
                    document = server.documents.get(self.path)
                if server.delay:
                    time.sleep(server.delay)
                if raw is not None:
                    status, headers, body = raw
                elif document is not None:
                    status, headers = 200, {"Content-Type": "application/json"}
                    body = json.dumps(document).encode()
                else:
                    status, headers, body = 404, {}, b"not found"
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass

        return Handler
