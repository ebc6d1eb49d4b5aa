"""Auth-flow ``Session`` strings: signed, expiring, bound to pool, client, user and challenge."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any

from django.core import signing

from ..clock import now
from ..exceptions import NotAuthorizedException
from ..models import AppClient

_SALT = "django_cognito.auth-session"
MAX_SESSION_LENGTH = 2048


@dataclass
class AuthSession:
    """What a challenge step needs from the previous one."""

    client_id: str
    user_id: int
    challenge: str
    username: str
    data: dict[str, Any]


def issue(client: AppClient, user_id: int, challenge: str, username: str,
          **data: Any) -> str:
    """A Session for the next RespondToAuthChallenge (valid AuthSessionValidity minutes)."""
    payload = {"c": client.pk, "u": user_id, "ch": challenge, "n": username, "d": data,
               "t": int(now().timestamp())}
    signed = signing.dumps(payload, salt=_SALT, compress=True)
    return base64.urlsafe_b64encode(signed.encode()).decode()


def client_id_of(session: object) -> str | None:
    """The client a Session was issued to, if its signature holds (its age is not checked)."""
    if not isinstance(session, str) or not 20 <= len(session) <= MAX_SESSION_LENGTH:
        return None
    try:
        payload = signing.loads(base64.urlsafe_b64decode(session.encode()).decode(), salt=_SALT)
    except (signing.BadSignature, ValueError, UnicodeDecodeError, json.JSONDecodeError):
        return None
    client_id = payload.get("c") if isinstance(payload, dict) else None
    return client_id if isinstance(client_id, str) else None


def read(client: AppClient, session: object, challenge: str) -> AuthSession:
    """Check a Session: signature, client, challenge name and age."""
    expired = NotAuthorizedException("Invalid session for the user, session is expired.")
    if not isinstance(session, str) or not 20 <= len(session) <= MAX_SESSION_LENGTH:
        raise NotAuthorizedException("Invalid session for the user.")
    try:
        payload = signing.loads(base64.urlsafe_b64decode(session.encode()).decode(), salt=_SALT)
    except (signing.BadSignature, ValueError, UnicodeDecodeError, json.JSONDecodeError):
        raise NotAuthorizedException("Invalid session for the user.") from None
    if not isinstance(payload, dict) or payload.get("c") != client.pk or \
            payload.get("ch") != challenge:
        raise NotAuthorizedException("Invalid session for the user.")
    if now().timestamp() - payload["t"] > client.auth_session_validity * 60:
        raise expired
    return AuthSession(client_id=payload["c"], user_id=payload["u"], challenge=payload["ch"],
                       username=payload["n"], data=payload.get("d") or {})
