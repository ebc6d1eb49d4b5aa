"""Self-signed X.509 certificates (a pool's SAML signing certificate, a SAML provider's
encryption certificate) and the facts an administrator reads from a certificate."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

PEM_HEADER = "-----BEGIN CERTIFICATE-----"
PEM_FOOTER = "-----END CERTIFICATE-----"


@dataclass(frozen=True)
class IssuedCertificate:
    """A certificate in PEM and its private key in unencrypted PKCS#8 PEM."""

    certificate: str
    private_key: str
    not_before: dt.datetime
    not_after: dt.datetime


def self_signed(common_name: str, *, now: dt.datetime, days: int,
                bits: int = 2048) -> IssuedCertificate:
    """A new RSA key and a self-signed certificate for it, valid ``days`` from ``now``.

    SAML trusts certificates by their key, not by a chain (SAML V2.0 Metadata Interoperability
    Profile §2.5.1), so self-signed is what Cognito hands out too.
    """
    key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name[:64])])
    not_before = now.replace(microsecond=0)
    not_after = not_before + dt.timedelta(days=days)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name).issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before).not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    return IssuedCertificate(
        certificate=certificate.public_bytes(serialization.Encoding.PEM).decode(),
        private_key=key.private_bytes(serialization.Encoding.PEM,
                                      serialization.PrivateFormat.PKCS8,
                                      serialization.NoEncryption()).decode(),
        not_before=not_before, not_after=not_after)


def pem_body(pem: str) -> str:
    """The base64 DER of a PEM certificate on one line, without its armour."""
    lines = [line.strip() for line in pem.strip().splitlines()]
    return "".join(line for line in lines if line and not line.startswith("-----"))


def to_pem(body: str) -> str:
    """A certificate given as base64 DER (as SAML metadata carries it) in PEM armour."""
    compact = "".join(body.split())
    wrapped = "\n".join(compact[i:i + 64] for i in range(0, len(compact), 64))
    return f"{PEM_HEADER}\n{wrapped}\n{PEM_FOOTER}\n"


@dataclass(frozen=True)
class CertificateFacts:
    """What an administrator checks a certificate by."""

    subject: str
    issuer: str
    not_before: dt.datetime
    not_after: dt.datetime
    sha256: str


def facts(body_or_pem: str) -> CertificateFacts:
    """Subject, issuer, validity and SHA-256 fingerprint; ValueError if it is no certificate."""
    pem = body_or_pem if PEM_HEADER in body_or_pem else to_pem(body_or_pem)
    try:
        certificate = x509.load_pem_x509_certificate(pem.encode())
    except (ValueError, TypeError) as exc:
        raise ValueError(f"not an X.509 certificate: {exc}") from None
    digest = certificate.fingerprint(hashes.SHA256()).hex().upper()
    return CertificateFacts(
        subject=certificate.subject.rfc4514_string(), issuer=certificate.issuer.rfc4514_string(),
        not_before=certificate.not_valid_before_utc, not_after=certificate.not_valid_after_utc,
        sha256=":".join(digest[i:i + 2] for i in range(0, len(digest), 2)))

