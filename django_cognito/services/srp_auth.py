"""USER_SRP_AUTH: the PASSWORD_VERIFIER challenge and its answer (reference §6, §2.6).

The SECRET_BLOCK handed to the client is the server's half of the exchange (A, B, b, who and
when), Fernet-encrypted and authenticated with the app's encryption keys, so the answer needs
no server-side session and any app process can check it. A block answers once.
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import hashlib
import hmac
import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NoReturn

from cryptography.fernet import InvalidToken
from django.core.cache import caches
from django.db.models import QuerySet

from .. import prepared
from ..clock import now
from ..conf import app_settings
from ..crypto import srp
from ..crypto.fields import fernet
from ..exceptions import (
    InvalidParameterException,
    NotAuthorizedException,
    UserNotFoundException,
)
from ..models import AppClient, PoolUser, UserPool
from . import auth, lockout, simulated
from .clients import check_secret_hash
from .users import check_new_username, find_user

# How long a challenge may be answered, and how far TIMESTAMP may stray from our clock.
BLOCK_VALIDITY = dt.timedelta(minutes=5)
TIMESTAMP_SKEW = dt.timedelta(minutes=5)
MAX_BLOCK_LENGTH = 4096
_WRONG = "Incorrect username or password."
_BAD_TIMESTAMP = "TIMESTAMP format should be EEE MMM d HH:mm:ss z yyyy in english."


@dataclass(frozen=True)
class _Block:
    """The server's state between the two steps, as carried in SECRET_BLOCK."""

    pool_id: str
    client_id: str
    user_pk: int | None  # None: the simulated challenge of an unknown user
    user_id_for_srp: str
    big_a: int
    big_b: int
    b: int
    issued: float
    admin: bool
    hidden_lock: int | None = None  # an unknown user's lockout number (simulated.lock_id)


def _fake_credentials(pool: UserPool, username: str) -> tuple[str, int]:
    """A stable salt and verifier for someone who cannot sign in with SRP (§2.6).

    The verifier is any group element: B = k·v + g^b looks random either way, and skipping
    g^x keeps the simulated challenge as cheap as a real one, so timing tells nothing.
    """
    salt = srp.pad(srp.hexstr(int.from_bytes(simulated.digest(pool, username, "salt", 16), "big")
                              or 1))
    verifier = int.from_bytes(simulated.digest(pool, username, "verifier", 384), "big") % srp.N
    return salt, verifier or 1


def _fake_user_id(pool: UserPool, username: str) -> str:
    """USER_ID_FOR_SRP for someone who is not there, as a real user would show it: the name
    itself where it could be a username of the pool (a real user's USER_ID_FOR_SRP is their
    username), else (generated usernames, or an alias typed) a UUID stable per name."""
    if not pool.username_attributes:
        try:
            check_new_username(pool, username)  # a name the pool could give a user
            return username
        except InvalidParameterException:
            pass
    return str(uuid.UUID(bytes=simulated.digest(pool, username, "user-id")[:16], version=4))


def _seal(block: _Block) -> str:
    # One fixed-width number for both (a real user's id, or minus a hidden one's lockout
    # number): the block's length tells nothing about whose it is.
    who = block.user_pk if block.user_pk is not None else -(block.hidden_lock or 0)
    payload = {"p": block.pool_id, "c": block.client_id, "u": f"{who:012d}",
               "n": block.user_id_for_srp, "a": srp.hexstr(block.big_a),
               "B": srp.hexstr(block.big_b), "b": srp.hexstr(block.b), "t": block.issued,
               "m": block.admin}
    token = fernet("srp-block").encrypt(json.dumps(payload, separators=(",", ":")).encode())
    # Standard base64: clients decode SECRET_BLOCK with it before signing the raw bytes.
    return base64.b64encode(base64.urlsafe_b64decode(token)).decode()


def _open(text: str) -> tuple[_Block, bytes]:
    """Decrypt a SECRET_BLOCK; anything forged, truncated or foreign is an invalid session."""
    if len(text) > MAX_BLOCK_LENGTH:
        raise NotAuthorizedException("Invalid session for the user.")
    return _decrypt(text)


@functools.lru_cache(maxsize=64)
def _decrypt(text: str) -> tuple[_Block, bytes]:
    # Remembered briefly: an answer's block is opened once to route it (custom flows started
    # with SRP) and again to check it. Whether it was answered before is kept apart (_spend).
    invalid = NotAuthorizedException("Invalid session for the user.")
    try:
        raw = base64.b64decode(text, validate=True)
        payload: Any = json.loads(fernet("srp-block").decrypt(base64.urlsafe_b64encode(raw)))
        who = int(payload["u"])
        block = _Block(
            pool_id=str(payload["p"]), client_id=str(payload["c"]),
            user_pk=who if who > 0 else None, hidden_lock=-who if who < 0 else None,
            user_id_for_srp=str(payload["n"]), big_a=int(payload["a"], 16),
            big_b=int(payload["B"], 16), b=int(payload["b"], 16), issued=float(payload["t"]),
            admin=bool(payload["m"]))
    except (InvalidToken, ValueError, TypeError, KeyError):
        raise invalid from None
    return block, raw


def start(client: AppClient, params: Mapping[str, str], *, admin: bool,
          client_metadata: dict[str, str] | None = None) -> auth.AuthResult:
    """InitiateAuth(USER_SRP_AUTH): answer SRP_A with the PASSWORD_VERIFIER challenge."""
    pool = client.pool
    username = auth.required(params, "USERNAME")
    srp_a = auth.required(params, "SRP_A")
    check_secret_hash(client, username, params.get("SECRET_HASH"))
    big_a = srp.parse_public(srp_a)
    if big_a is None:
        raise InvalidParameterException("SRP_A must be hex and not 0 mod N.")
    user = find_user(pool, username)
    hidden_lock = None
    if user is None:
        if not client.prevents_user_existence_errors:
            raise UserNotFoundException("User does not exist.")
        hidden_lock = simulated.lock_id(pool, username)
        lockout.check_hidden(pool, hidden_lock)
        user_id = _fake_user_id(pool, username)
        salt, verifier = _fake_credentials(pool, username)
    else:
        lockout.check(user)
        # Pre authentication sees InitiateAuth's ClientMetadata, so it runs at this step.
        auth.pre_authentication(client, user, client_metadata or {})
        user_id = user.username
        if user.srp_salt and user.srp_verifier:
            salt, verifier = user.srp_salt, int(user.srp_verifier, 16)
        else:  # no password yet (imported user): the answer can only fail, at the next step
            salt, verifier = _fake_credentials(pool, user.username)
    b = srp.new_private()
    big_b = srp.server_public(verifier, b)
    while big_b == 0 or srp.scrambler(big_a, big_b) == 0:  # RFC 5054 §2.5.3, u ≠ 0
        b = srp.new_private()
        big_b = srp.server_public(verifier, b)
    block = _Block(pool_id=pool.id, client_id=client.id,
                   user_pk=None if user is None else user.pk, user_id_for_srp=user_id,
                   big_a=big_a, big_b=big_b, b=b, issued=now().timestamp(), admin=admin,
                   hidden_lock=hidden_lock)
    return auth.AuthResult(challenge_name="PASSWORD_VERIFIER", challenge_parameters={
        "SALT": salt, "SRP_B": srp.hexstr(big_b), "SECRET_BLOCK": _seal(block),
        "USER_ID_FOR_SRP": user_id, "USERNAME": user_id})


def verify(client: AppClient, answers: Mapping[str, str], *, admin: bool,
           client_metadata: dict[str, str] | None = None) -> auth.AuthResult:
    """RespondToAuthChallenge(PASSWORD_VERIFIER): check the proof, then continue the sign-in."""
    pool = client.pool
    username = auth.required(answers, "USERNAME")
    block_text = auth.required(answers, "PASSWORD_CLAIM_SECRET_BLOCK")
    claim = auth.required(answers, "PASSWORD_CLAIM_SIGNATURE")
    timestamp = auth.required(answers, "TIMESTAMP")
    check_secret_hash(client, username, answers.get("SECRET_HASH"))
    block, raw = _open(block_text)
    if block.pool_id != pool.id or block.client_id != client.id or block.admin != admin:
        raise NotAuthorizedException("Invalid session for the user.")
    moment = srp.parse_timestamp(timestamp)
    if moment is None:
        raise InvalidParameterException(_BAD_TIMESTAMP)
    current = now()
    if current.timestamp() - block.issued > BLOCK_VALIDITY.total_seconds():
        raise NotAuthorizedException("Invalid session for the user, session is expired.")
    if abs(current - moment) > TIMESTAMP_SKEW:  # an old proof must not sign anyone in
        raise NotAuthorizedException(_WRONG)
    user = _user_of(pool, block, username)
    if user is None:
        refuse_hidden(pool, block, raw, username, timestamp)
    lockout.check(user)
    if not _spend(raw) or not _proof_holds(user, block, raw, timestamp, claim):
        lockout.failed(user)
        raise NotAuthorizedException(_WRONG)
    lockout.succeeded(user)
    return auth.after_password(client, user, client_metadata or {})


def refuse_hidden(pool: UserPool, block: _Block, raw: bytes, username: str,
                  timestamp: str) -> NoReturn:
    """Answer a proof no user stands behind: the same work as a real check (timing tells
    nothing), then wrong. A simulated challenge answered under its own name counts toward
    that name's lockout, as a real user's wrong proof counts toward theirs."""
    lock = block.hidden_lock
    if lock is not None and username != block.user_id_for_srp and \
            simulated.lock_id(pool, username) != lock:
        lock = None  # an answer naming someone else counts toward no lock
    if lock is not None:
        lockout.check_hidden(pool, lock)
    _spend(raw)
    _signature(block, _fake_credentials(pool, block.user_id_for_srp)[1], pool, raw, timestamp)
    if lock is not None:
        lockout.failed_hidden(pool, lock)
    raise NotAuthorizedException(_WRONG)


def _user_of(pool: UserPool, block: _Block, username: str) -> PoolUser | None:
    """The block's user, if ``username`` names it (its internal username or an alias)."""
    if block.user_pk is None:
        return None
    # Every SRP answer reads its user: the query is compiled once, not per answer.
    found = prepared.fetch("srp_auth.user", PoolUser, _user_query, [block.user_pk, pool.pk])
    if not found:
        return None
    user = found[0]
    user.pool = pool  # the client's, already loaded: no join decoding the pool's JSON again
    if username != user.username and find_user(pool, username) != user:
        return None
    return user


def _user_query(args: Sequence[Any]) -> QuerySet[PoolUser]:
    return PoolUser.objects.filter(pk=args[0], pool_id=args[1])[:1]


def _spend(raw: bytes) -> bool:
    """Mark a block used; ``False`` when it was answered before (replay)."""
    key = "django_cognito:srp-block:" + hashlib.sha256(raw).hexdigest()
    timeout = int((BLOCK_VALIDITY + TIMESTAMP_SKEW).total_seconds())
    return bool(caches[app_settings.CACHE_ALIAS].add(key, 1, timeout=timeout))


def _proof_holds(user: PoolUser, block: _Block, raw: bytes, timestamp: str, claim: str) -> bool:
    """Recompute the client's signature from the verifier and compare in constant time."""
    stored = user.srp_verifier if block.user_id_for_srp == user.username else None
    # Without a verifier the proof cannot hold; a stand-in keeps the work (and time) the same.
    verifier = int(stored, 16) if stored else _fake_credentials(user.pool, user.username)[1]
    expected = _signature(block, verifier, user.pool, raw, timestamp)
    try:
        presented = base64.b64decode(claim, validate=True)
    except ValueError:  # not base64, or not ASCII
        return False
    return hmac.compare_digest(expected, presented) and bool(stored)


def _signature(block: _Block, verifier: int, pool: UserPool, raw: bytes, timestamp: str
               ) -> bytes:
    """The signature a client knowing the password behind ``verifier`` would send."""
    u = srp.scrambler(block.big_a, block.big_b)
    key = srp.session_key(srp.server_secret(block.big_a, verifier, u, block.b), u)
    return srp.signature(key, pool.pool_name_suffix, block.user_id_for_srp, raw, timestamp)
