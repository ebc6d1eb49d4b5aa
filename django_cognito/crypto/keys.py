"""RSA signing keys as JSON Web Keys: generation, PEM storage form, JWK members and ``kid``.

Pure key cryptography; which keys a pool holds, and their rotation, live in
``django_cognito.tokens.keys``.
"""

from __future__ import annotations

import base64
import hashlib
import json

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

KEY_SIZE = 2048


def _b64url_uint(value: int) -> str:
    raw = value.to_bytes((value.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def public_jwk(public: rsa.RSAPublicKey) -> dict[str, str]:
    """The RFC 7517 members of an RSA public key (``e``, ``kty``, ``n``)."""
    numbers = public.public_numbers()
    return {"e": _b64url_uint(numbers.e), "kty": "RSA", "n": _b64url_uint(numbers.n)}


def key_id(jwk: dict[str, str]) -> str:
    """The RFC 7638 SHA-256 thumbprint in standard base64, shaped like AWS's ``...=`` kids."""
    canonical = json.dumps({"e": jwk["e"], "kty": "RSA", "n": jwk["n"]},
                           separators=(",", ":"), sort_keys=True)
    return base64.b64encode(hashlib.sha256(canonical.encode()).digest()).decode()


def generate_private_key() -> rsa.RSAPrivateKey:
    """A fresh RSA-2048 key with the exponent every JWKS consumer expects (``AQAB``)."""
    return rsa.generate_private_key(public_exponent=65537, key_size=KEY_SIZE)


def private_pem(private: rsa.RSAPrivateKey) -> str:
    """``private`` as unencrypted PKCS#8 PEM (the column that holds it encrypts it at rest)."""
    return private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                 serialization.NoEncryption()).decode()


def load_private_pem(pem: str, kid: str) -> rsa.RSAPrivateKey:
    """The RSA private key stored as ``pem`` under ``kid``."""
    parsed = serialization.load_pem_private_key(pem.encode(), password=None)
    if not isinstance(parsed, rsa.RSAPrivateKey):  # pragma: no cover - we store RSA only
        raise TypeError(f"Signing key {kid} is not an RSA key.")
    return parsed
