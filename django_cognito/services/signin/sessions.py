"""Auth-flow ``Session`` strings: encrypted, expiring, bound to pool, client, user and
challenge.

A Session is a Fernet token (AES-CBC with HMAC-SHA256 and a random IV) of its state, so a
client can neither read nor alter it: a readable one would tell which users exist (a user's
database id, or none for someone PreventUserExistenceErrors hides), and no two are alike.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from cryptography.fernet import InvalidToken

from ...clock import now
from ...crypto.fields import fernet
from ...exceptions import NotAuthorizedException
from ...models import AppClient
from .results import EXPIRED_SESSION, INVALID_SESSION

MAX_SESSION_LENGTH = 2048
_BLOCK = 128


@dataclass
class AuthSession:
    """What a challenge step needs from the previous one."""

    client_id: str
    user_id: int  # 0 for someone PreventUserExistenceErrors hides
    challenge: str
    username: str
    data: dict[str, Any]


def issue(client: AppClient, user_id: int, challenge: str, username: str,
          **data: Any) -> str:
    """A Session for the next RespondToAuthChallenge (valid AuthSessionValidity minutes)."""
    payload = {"c": client.pk, "u": f"{user_id:012d}", "ch": challenge, "n": username,
               "d": data, "t": int(now().timestamp())}
    plain = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
    # Padded with whitespace (JSON ignores it) to a whole number of blocks: a Session's
    # length tells nothing about whose it is.
    plain += b" " * (-len(plain) % _BLOCK)
    return fernet("session").encrypt(plain).decode()


def _open(session: object) -> dict[str, Any] | None:
    if not isinstance(session, str) or not 20 <= len(session) <= MAX_SESSION_LENGTH:
        return None
    try:
        payload = json.loads(fernet("session").decrypt(session.encode("ascii")))
    except (InvalidToken, UnicodeError, ValueError):
        return None
    return payload if isinstance(payload, dict) else None


def client_id_of(session: object) -> str | None:
    """The client a Session was issued to, if it is genuine (its age is not checked)."""
    payload = _open(session)
    client_id = payload.get("c") if payload is not None else None
    return client_id if isinstance(client_id, str) else None


def read(client: AppClient, session: object, challenge: str) -> AuthSession:
    """Check a Session: signature, client, challenge name and age."""
    expired = NotAuthorizedException(EXPIRED_SESSION)
    payload = _open(session)
    if payload is None or payload.get("c") != client.pk or payload.get("ch") != challenge:
        raise NotAuthorizedException(INVALID_SESSION)
    if now().timestamp() - payload["t"] > client.auth_session_validity * 60:
        raise expired
    return AuthSession(client_id=payload["c"], user_id=int(payload["u"]),
                       challenge=payload["ch"],
                       username=payload["n"], data=payload.get("d") or {})
