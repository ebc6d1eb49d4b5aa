"""The SRP seam: server challenge, sealed block, proof check and one-time spend.

User SRP (USER_SRP_AUTH, USER_AUTH's PASSWORD_SRP), custom authentication started with SRP
and remembered devices (DEVICE_SRP_AUTH) all run the same exchange (reference §6, §2.6):
the server answers SRP_A with SRP_B and a SECRET_BLOCK, the client proves it knows the
password (or the device secret) with a signature over that block and a TIMESTAMP.

The SECRET_BLOCK is the server's half of the exchange (A, B, b, who and when), encrypted
and authenticated with a key derived for its kind, so any app process can check the answer;
a block answers once, and what it holds is checked again once decrypted.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import functools
import hmac
import json
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NoReturn

from cryptography.fernet import InvalidToken
from django.core.cache import caches
from django.db.models import QuerySet

from ... import prepared
from ...clock import now
from ...conf import app_settings
from ...crypto import srp
from ...crypto.fields import fernet
from ...exceptions import InvalidParameterException, NotAuthorizedException
from ...models import PoolUser, UserPool
from ...models.user import name_key
from .. import lockout, simulated
from ..users import check_new_username, find_user, same_username
from . import once
from .results import EXPIRED_SESSION, INVALID_SESSION, WRONG_PASSWORD, SignIn

# How long a challenge may be answered, and how far TIMESTAMP may stray from our clock.
BLOCK_VALIDITY = dt.timedelta(minutes=5)
TIMESTAMP_SKEW = dt.timedelta(minutes=5)
MAX_BLOCK_LENGTH = 4096
#: How long an exchange is kept: beyond its validity, so a late answer reads "expired".
STATE_LIFETIME = int((BLOCK_VALIDITY + TIMESTAMP_SKEW).total_seconds()) + 60
BAD_TIMESTAMP = "TIMESTAMP format should be EEE MMM d HH:mm:ss z yyyy in english."
BAD_SRP_A = "SRP_A must be hex and not 0 mod N."
#: Kinds of block, each sealed with its own derived key: one never opens as the other.
USER, DEVICE = "srp-block", "device-srp-block"


@dataclass(frozen=True)
class Block:
    """The server's state between the two steps of an exchange, as carried in SECRET_BLOCK."""

    pool_id: str
    client_id: str
    #: A user's id; for the simulated challenge of an unknown user, minus its lockout number.
    who: int
    #: USER_ID_FOR_SRP, or the device key.
    name: str
    big_a: int
    big_b: int
    b: int
    issued: float
    admin: bool
    #: Device SRP: the token source of the sign-in it continues.
    source: str = ""

    @property
    def user_pk(self) -> int | None:
        """The user the challenge was issued to (None: a simulated one)."""
        return self.who if self.who > 0 else None

    @property
    def hidden_lock(self) -> int | None:
        """An unknown user's lockout number (:func:`simulated.lock_id`)."""
        return -self.who if self.who < 0 else None


def parse_a(value: str) -> int:
    """The client's SRP_A, or Cognito's error when it is not a group element."""
    big_a = srp.parse_public(value)
    if big_a is None:
        raise InvalidParameterException(BAD_SRP_A)
    return big_a


def server_challenge(verifier: int, big_a: int) -> tuple[int, int]:
    """A fresh secret exponent ``b`` and the public ``B = k·v + g^b`` for it."""
    while True:
        b = srp.new_private()
        big_b = srp.server_public(verifier, b)
        if big_b != 0 and srp.scrambler(big_a, big_b) != 0:  # RFC 5054 §2.5.3, u ≠ 0
            return b, big_b


def seal(kind: str, block: Block) -> str:
    """SECRET_BLOCK: who and when, encrypted for ``kind``, in standard base64 (clients decode
    it with that before signing the raw bytes). The exchange itself (A, B and the secret
    exponent b) stays in the shared cache under a random name the block carries: a client
    never chooses b, not even one holding the encryption key."""
    name = secrets.token_hex(16)
    caches[app_settings.CACHE_ALIAS].set(
        _exchange_key(kind, name),
        {"a": srp.hexstr(block.big_a), "B": srp.hexstr(block.big_b), "b": srp.hexstr(block.b)},
        timeout=STATE_LIFETIME)
    # One fixed-width number for a user or a hidden one: the length tells nothing of whose.
    payload = {"p": block.pool_id, "c": block.client_id, "u": f"{block.who:012d}",
               "n": block.name, "x": name, "t": block.issued, "m": block.admin,
               "s": block.source}
    token = fernet(kind).encrypt(json.dumps(payload, separators=(",", ":")).encode())
    return base64.b64encode(base64.urlsafe_b64decode(token)).decode()


def _exchange_key(kind: str, name: str) -> str:
    return f"django_cognito:srp-exchange:{kind}:{name}"


def client_of(kind: str, text: str) -> str | None:
    """The client id a genuine SECRET_BLOCK was issued for (nothing else is checked)."""
    try:
        return str(_decrypt(kind, text)[0]["c"])
    except (NotAuthorizedException, KeyError):
        return None


def open_block(kind: str, text: str) -> tuple[Block, bytes]:
    """Decrypt a SECRET_BLOCK and find its exchange; anything forged, truncated, foreign,
    expired or out of range is an invalid session."""
    invalid = NotAuthorizedException(INVALID_SESSION)
    if len(text) > MAX_BLOCK_LENGTH:
        raise invalid
    payload, raw = _decrypt(kind, text)
    try:
        exchange = caches[app_settings.CACHE_ALIAS].get(_exchange_key(kind, str(payload["x"])))
        block = Block(
            pool_id=str(payload["p"]), client_id=str(payload["c"]), who=int(payload["u"]),
            name=str(payload["n"]), big_a=int(exchange["a"], 16), big_b=int(exchange["B"], 16),
            b=int(exchange["b"], 16), issued=float(payload["t"]), admin=bool(payload["m"]),
            source=str(payload["s"]))
    except (ValueError, TypeError, KeyError):  # no such exchange (expired, foreign)
        raise invalid from None
    # Checked again, as anything read back is (RFC 5054 §2.5.4: A % N ≠ 0).
    if not (1 < block.b < srp.N and 0 < block.big_a % srp.N and 0 < block.big_b < srp.N):
        raise invalid
    return block, raw


@functools.lru_cache(maxsize=64)
def _decrypt(kind: str, text: str) -> tuple[dict[str, Any], bytes]:
    # Remembered briefly: an answer's block is opened once to route it (custom flows started
    # with SRP) and again to check it. Whether it was answered before is kept apart (spend).
    try:
        raw = base64.b64decode(text, validate=True)
        payload = json.loads(fernet(kind).decrypt(base64.urlsafe_b64encode(raw)))
    except (InvalidToken, ValueError, TypeError, binascii.Error):
        raise NotAuthorizedException(INVALID_SESSION) from None
    if not isinstance(payload, dict):
        raise NotAuthorizedException(INVALID_SESSION)
    return payload, raw


def spend(kind: str, raw: bytes) -> bool:
    """Mark a block used; ``False`` when it was answered before (replay)."""
    return once.spend(kind, raw, int((BLOCK_VALIDITY + TIMESTAMP_SKEW).total_seconds()))


def answer_time(block: Block, timestamp: str) -> dt.datetime:
    """The answer's TIMESTAMP, checked for its format and the block's age."""
    moment = srp.parse_timestamp(timestamp)
    if moment is None:
        raise InvalidParameterException(BAD_TIMESTAMP)
    if now().timestamp() - block.issued > BLOCK_VALIDITY.total_seconds():
        raise NotAuthorizedException(EXPIRED_SESSION)
    return moment


def stale(moment: dt.datetime) -> bool:
    """Whether a proof's TIMESTAMP is too far from now: an old proof must sign no one in."""
    return abs(now() - moment) > TIMESTAMP_SKEW


def expected_signature(block: Block, verifier: int, salt_name: str, identity: str,
                       raw: bytes, timestamp: str) -> bytes:
    """The signature a client knowing the secret behind ``verifier`` would send."""
    u = srp.scrambler(block.big_a, block.big_b)
    key = srp.session_key(srp.server_secret(block.big_a, verifier, u, block.b), u)
    return srp.signature(key, salt_name, identity, raw, timestamp)


def signature_matches(expected: bytes, claim: str) -> bool:
    """PASSWORD_CLAIM_SIGNATURE against the expected one, in constant time."""
    try:
        presented = base64.b64decode(claim, validate=True)
    except (ValueError, binascii.Error):  # not base64, or not ASCII
        return False
    return hmac.compare_digest(expected, presented)


@dataclass(frozen=True)
class VerifierAnswer:
    """A PASSWORD_VERIFIER or DEVICE_PASSWORD_VERIFIER answer, as presented."""

    username: str
    block_text: str
    claim: str
    timestamp: str

    @classmethod
    def of(cls, signin: SignIn) -> VerifierAnswer:
        """The answer's parameters, each required, in the order Cognito checks them."""
        return cls(username=signin.require("USERNAME"),
                   block_text=signin.require("PASSWORD_CLAIM_SECRET_BLOCK"),
                   claim=signin.require("PASSWORD_CLAIM_SIGNATURE"),
                   timestamp=signin.require("TIMESTAMP"))


# --- A pool user's exchange: USER_SRP_AUTH, PASSWORD_SRP and custom flows started with SRP --

def fake_credentials(pool: UserPool, username: str) -> tuple[str, int]:
    """A stable salt and verifier for someone who cannot sign in with SRP (§2.6).

    The verifier is any group element: B = k·v + g^b looks random either way, and skipping
    g^x keeps the simulated challenge as cheap as a real one, so timing tells nothing.
    """
    salt = srp.pad(srp.hexstr(int.from_bytes(simulated.digest(pool, username, "salt", 16), "big")
                              or 1))
    verifier = int.from_bytes(simulated.digest(pool, username, "verifier", 384), "big") % srp.N
    return salt, verifier or 1


def fake_user_id(pool: UserPool, username: str) -> str:
    """USER_ID_FOR_SRP for someone who is not there, as a real user would show it: the name
    itself where it could be a username of the pool (a real user's USER_ID_FOR_SRP is their
    username), else (generated usernames, or an alias typed) a UUID stable per name."""
    if not pool.username_attributes:
        try:
            check_new_username(pool, username)  # a name the pool could give a user
            # As the pool compares it: a real user shows the stored name whatever the case
            # (or width) it was typed in.
            return name_key(username, pool.case_sensitive, pool.normalize_usernames)
        except InvalidParameterException:
            pass
    return str(uuid.UUID(bytes=simulated.digest(pool, username, "user-id")[:16], version=4))


def shows_as(pool: UserPool, typed: str, shown: str) -> bool:
    """Whether ``typed`` names whoever an answer showed as ``shown``: the same name as the
    pool compares them, or the name a hidden user is shown under (:func:`fake_user_id`)."""
    return same_username(pool, typed, shown) or fake_user_id(pool, typed) == shown


def user_challenge(signin: SignIn, big_a: int, username: str, client_tag: str = ""
                   ) -> dict[str, str]:
    """PASSWORD_VERIFIER's parameters for ``signin.user`` (or the simulated challenge of an
    unknown ``username``); ``client_tag`` marks blocks of custom flows."""
    pool, user = signin.pool, signin.user
    hidden_lock = 0
    if user is None:
        hidden_lock = simulated.lock_id(pool, username)
        lockout.check_hidden(pool, hidden_lock)
        user_id = fake_user_id(pool, username)
        salt, verifier = fake_credentials(pool, username)
    elif user.srp_salt and user.srp_verifier:
        user_id, salt, verifier = user.username, user.srp_salt, int(user.srp_verifier, 16)
    else:  # no password yet (imported user): the answer can only fail, at the next step
        user_id = user.username
        salt, verifier = fake_credentials(pool, user.username)
    b, big_b = server_challenge(verifier, big_a)
    client = signin.answering_client("PASSWORD_VERIFIER")
    block = Block(pool_id=pool.id, client_id=client.id + client_tag,
                  who=user.pk if user is not None else -hidden_lock, name=user_id,
                  big_a=big_a, big_b=big_b, b=b, issued=now().timestamp(), admin=signin.admin)
    return {"SALT": salt, "SRP_B": srp.hexstr(big_b), "SECRET_BLOCK": seal(USER, block),
            "USER_ID_FOR_SRP": user_id, "USERNAME": user_id}


def check_user_proof(signin: SignIn, block: Block, raw: bytes, answer: VerifierAnswer
                     ) -> PoolUser:
    """Check a PASSWORD_VERIFIER answer to :func:`user_challenge`: its age and TIMESTAMP,
    the user it names, the lockout and the proof; the user once all hold."""
    pool = signin.pool
    username, timestamp, claim = answer.username, answer.timestamp, answer.claim
    if stale(answer_time(block, timestamp)):
        raise NotAuthorizedException(WRONG_PASSWORD)
    user = user_named(pool, block.user_pk, username)
    if user is None:
        _refuse_hidden(pool, block, raw, username, timestamp)
    lockout.check(user)
    if not spend(USER, raw) or not _proof_holds(user, block, raw, timestamp, claim):
        lockout.failed(user)
        raise NotAuthorizedException(WRONG_PASSWORD)
    lockout.succeeded(user)
    signin.user = user
    return user


def _refuse_hidden(pool: UserPool, block: Block, raw: bytes, username: str,
                   timestamp: str) -> NoReturn:
    """Answer a proof no user stands behind: the same work as a real check (timing tells
    nothing), then wrong. A simulated challenge answered under its own name counts toward
    that name's lockout, as a real user's wrong proof counts toward theirs."""
    lock = block.hidden_lock
    if lock is not None and username != block.name and simulated.lock_id(pool, username) != lock:
        lock = None  # an answer naming someone else counts toward no lock
    if lock is not None:
        lockout.check_hidden(pool, lock)
    spend(USER, raw)
    expected_signature(block, fake_credentials(pool, block.name)[1], pool.pool_name_suffix,
                       block.name, raw, timestamp)
    if lock is not None:
        lockout.failed_hidden(pool, lock)
    raise NotAuthorizedException(WRONG_PASSWORD)


def user_named(pool: UserPool, user_pk: int | None, username: str) -> PoolUser | None:
    """The user ``user_pk`` of ``pool``, if ``username`` names it (its username or an alias):
    the user a block or Session was issued to, answering under a name that is theirs."""
    if not user_pk:
        return None
    # Every SRP answer reads its user: the query is compiled once, not per answer.
    found = prepared.fetch("srp_auth.user", PoolUser, _user_query, [user_pk, pool.pk])
    if not found:
        return None
    user = found[0]
    user.pool = pool  # the client's, already loaded: no join decoding the pool's JSON again
    if username != user.username and find_user(pool, username) != user:
        return None
    return user


def _user_query(args: Sequence[Any]) -> QuerySet[PoolUser]:
    return PoolUser.objects.filter(pk=args[0], pool_id=args[1])[:1]


def _proof_holds(user: PoolUser, block: Block, raw: bytes, timestamp: str, claim: str) -> bool:
    """Recompute the client's signature from the verifier and compare in constant time."""
    stored = user.srp_verifier if block.name == user.username else None
    # Without a verifier the proof cannot hold; a stand-in keeps the work (and time) the same.
    verifier = int(stored, 16) if stored else fake_credentials(user.pool, user.username)[1]
    expected = expected_signature(block, verifier, user.pool.pool_name_suffix, block.name, raw,
                                  timestamp)
    return signature_matches(expected, claim) and bool(stored)
