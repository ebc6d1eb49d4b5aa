"""SRP-6a as Cognito speaks it (reference §6): the group, helpers, verifier and server side.

Every formula matches what Amplify and pycognito compute on the client, byte for byte:
values are hashed as big-endian two's-complement hex (``pad``), the session key comes from
a one-block HKDF with the info string "Caldera Derived Key", and the proof is an HMAC over
the pool name, the SRP user id, the secret block and the timestamp.

Modular exponentiation goes through GMP (gmpy2): Python's ``pow`` spends about 20 ms of CPU
per sign-in on the 3072-bit group, GMP about 3 ms. A secret exponent (the server's b, the
password-derived x) goes through ``mpz_powm_sec``, whose time and cache accesses do not
depend on the exponent's bits, as OpenSSL treats Diffie-Hellman private exponents: b leaked
through timing would give v = (B - g^b)·k⁻¹ mod N, and with v an offline dictionary attack
on the password. The constant-time routine costs about 0.9 ms of those 3 ms.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets

import gmpy2  # type: ignore[import-untyped]

# RFC 5054 appendix A, the 3072-bit group (the one Cognito uses), generator 2.
N_HEX = (
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD1"
    "29024E088A67CC74020BBEA63B139B22514A08798E3404DD"
    "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245"
    "E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3D"
    "C2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F"
    "83655D23DCA3AD961C62F356208552BB9ED529077096966D"
    "670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B"
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9"
    "DE2BCBF6955817183995497CEA956AE515D2261898FA0510"
    "15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64"
    "ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7"
    "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6B"
    "F12FFA06D98A0864D87602733EC86A64521F2B18177B200C"
    "BBE117577A615D6C770988C0BAD946E208E24FA074E5AB31"
    "43DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF"
)
N = int(N_HEX, 16)
G = 2
SALT_BYTES = 16
# RFC 5054 §2.5.4 asks for private values of at least 256 bits.
PRIVATE_BYTES = 32
HKDF_INFO = b"Caldera Derived Key\x01"
MAX_PUBLIC_HEX = len(N_HEX) + 2
_HEX = re.compile(r"[0-9a-fA-F]+")
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_TIMESTAMP = re.compile(
    r"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
    r"(\d{1,2}) (\d{2}):(\d{2}):(\d{2}) UTC (\d{4})")


def hexstr(value: int) -> str:
    """Lower-case hex without leading zeros."""
    return f"{value:x}"


def pad(hex_value: str) -> str:
    """Hex as a positive big-endian two's-complement byte string (even length, high bit clear)."""
    if len(hex_value) % 2:
        return "0" + hex_value
    if hex_value[:1] in set("89abcdefABCDEF"):
        return "00" + hex_value
    return hex_value


def sha256_hex(data: bytes) -> str:
    """SHA-256 as 64 hex characters."""
    return hashlib.sha256(data).hexdigest()


def hex_hash(hex_value: str) -> str:
    """SHA-256 of the bytes that ``hex_value`` spells."""
    return sha256_hex(bytes.fromhex(hex_value))


K = int(hex_hash(pad(N_HEX) + pad(hexstr(G))), 16)


def _power(base: int, exponent: int) -> int:
    """base^exponent mod N for a public exponent."""
    return int(gmpy2.powmod(base, exponent, N))


def _secret_power(base: int, exponent: int) -> int:
    """base^exponent mod N in constant time for a secret exponent (GMP's mpz_powm_sec)."""
    if exponent == 0:  # mpz_powm_sec takes positive exponents only
        return 1
    return int(gmpy2.powmod_sec(base, exponent, N))


def parse_public(value: object) -> int | None:
    """A client's public value from hex, or ``None`` when malformed or ≡ 0 mod N.

    SRP-6a requires the server to abort on A % N == 0: such an A forces S to 0, so a
    client could sign in knowing nothing (RFC 5054 §2.5.4).
    """
    if not isinstance(value, str) or len(value) > MAX_PUBLIC_HEX or not _HEX.fullmatch(value):
        return None
    number = int(value, 16)
    return None if number % N == 0 else number


def compute_x(salt_hex: str, pool_name: str, user_id: str, password: str) -> int:
    """x = H(pad(salt) + H(poolName + userId + ":" + password))."""
    inner = sha256_hex(f"{pool_name}{user_id}:{password}".encode())
    return int(hex_hash(pad(salt_hex) + inner), 16)


def new_salt() -> str:
    """A random salt in canonical form, ``pad(hexstr(salt))``.

    Canonical because pycognito hashes the SALT string as received while Amplify parses it to
    an integer first: a salt with superfluous leading ``00`` would sign differently.
    """
    return pad(hexstr(int.from_bytes(secrets.token_bytes(SALT_BYTES), "big") or 1))


def make_verifier(salt_hex: str, pool_name: str, user_id: str, password: str) -> str:
    """v = g^x mod N, as padded hex."""
    return pad(hexstr(_secret_power(G, compute_x(salt_hex, pool_name, user_id, password))))


def new_private() -> int:
    """A random server private value b."""
    return int.from_bytes(secrets.token_bytes(PRIVATE_BYTES), "big") or 1


def server_public(verifier: int, b: int) -> int:
    """B = (k·v + g^b) mod N."""
    return (K * verifier + _secret_power(G, b)) % N


def scrambler(big_a: int, big_b: int) -> int:
    """u = H(pad(A) + pad(B))."""
    return int(hex_hash(pad(hexstr(big_a)) + pad(hexstr(big_b))), 16)


def server_secret(big_a: int, verifier: int, u: int, b: int) -> int:
    """S = (A·v^u)^b mod N."""
    return _secret_power(big_a * _power(verifier, u) % N, b)


def session_key(secret: int, u: int) -> bytes:
    """K = HKDF-SHA256(ikm=pad(S), salt=pad(u), info="Caldera Derived Key")[:16]."""
    prk = hmac.new(bytes.fromhex(pad(hexstr(u))), bytes.fromhex(pad(hexstr(secret))),
                   hashlib.sha256).digest()
    return hmac.new(prk, HKDF_INFO, hashlib.sha256).digest()[:16]


def signature(key: bytes, pool_name: str, user_id: str, secret_block: bytes,
              timestamp: str) -> bytes:
    """The HMAC-SHA256 that PASSWORD_CLAIM_SIGNATURE carries base64-encoded."""
    message = pool_name.encode() + user_id.encode() + secret_block + timestamp.encode()
    return hmac.new(key, message, hashlib.sha256).digest()


def format_timestamp(moment: dt.datetime) -> str:
    """Cognito's TIMESTAMP, e.g. ``Tue Mar 5 07:08:09 UTC 2024`` (day not zero-padded)."""
    moment = moment.astimezone(dt.UTC)
    return (f"{_DAYS[moment.weekday()]} {_MONTHS[moment.month - 1]} {moment.day} "
            f"{moment:%H:%M:%S} UTC {moment.year}")


def parse_timestamp(value: object) -> dt.datetime | None:
    """The instant a TIMESTAMP names, or ``None`` when it is not in Cognito's format.

    The weekday is not cross-checked: the signature covers the string, only the instant
    matters for freshness.
    """
    if not isinstance(value, str) or len(value) > 40:
        return None
    match = _TIMESTAMP.fullmatch(value)
    if match is None:
        return None
    month, day, hour, minute, second, year = match.groups()
    try:
        return dt.datetime(int(year), _MONTHS.index(month) + 1, int(day), int(hour),
                           int(minute), int(second), tzinfo=dt.UTC)
    except ValueError:
        return None
