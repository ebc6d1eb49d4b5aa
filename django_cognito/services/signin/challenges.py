"""The challenge store: the server's half of a challenge that a Session names.

A Session is encrypted but stateless, so whatever must not be replayed or guessed without
limit lives in an :class:`~django_cognito.models.AuthChallenge` row: a challenge answers once,
counts wrong answers and holds the hash of the one-time code it sent.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.db.models import F

from ...clock import now
from ...crypto import secrets as cs
from ...exceptions import NotAuthorizedException
from ...models import AppClient, AuthChallenge, PoolUser
from ..clients import check_secret_hash
from ..users import find_user
from . import sessions
from .results import EXPIRED_SESSION, INVALID_SESSION, AuthResult, SignIn

#: Wrong answers a challenge survives; the next answer after the last one finds it dead.
MAX_ATTEMPTS = 3


def issue(signin: SignIn, challenge: str, parameters: dict[str, str], *, code: str = "",
          **data: Any) -> AuthResult:
    """Store ``challenge`` for the signed-in user; a Session naming it goes to the client."""
    client, user = signin.answering_client(challenge), signin.found()
    AuthChallenge.objects.filter(user=user, expires_at__lte=now()).delete()
    salt = cs.random_string(16) if code else ""
    record = AuthChallenge.objects.create(
        user=user, challenge=challenge, salt=salt,
        code_hash=cs.hash_code(code, salt) if code else "",
        expires_at=now() + dt.timedelta(minutes=client.auth_session_validity))
    if signin.hosted:
        data["h"] = 1
    session = sessions.issue(client, user.pk, challenge, user.username, m=str(record.pk),
                             s=signin.source, **data)
    return AuthResult(challenge_name=challenge, session=session,
                      challenge_parameters=parameters)


def open_named(client: AppClient, session: object, challenge: str, username: str | None = None
               ) -> tuple[PoolUser, AuthChallenge, sessions.AuthSession]:
    """The live challenge a Session names, checked against the user ``username`` names."""
    state = sessions.read(client, session, challenge)
    try:
        record_id = uuid.UUID(str(state.data.get("m")))
    except ValueError:
        raise NotAuthorizedException(INVALID_SESSION) from None
    record = (AuthChallenge.objects.select_related("user__pool")
              .filter(pk=record_id, user_id=state.user_id, challenge=challenge).first())
    if record is None or record.attempts >= MAX_ATTEMPTS:
        raise NotAuthorizedException(INVALID_SESSION)
    if record.expires_at <= now():
        record.delete()
        raise NotAuthorizedException(EXPIRED_SESSION)
    user = record.user
    if username is not None and find_user(client.pool, username) != user:
        raise NotAuthorizedException(INVALID_SESSION)
    if not user.enabled:
        raise NotAuthorizedException("User is disabled.")
    return user, record, state


def open_answer(signin: SignIn, challenge: str
                ) -> tuple[PoolUser, AuthChallenge, sessions.AuthSession]:
    """The challenge a RespondToAuthChallenge call answers, for the USERNAME it presents.

    The sign-in continues with that user and the token source the challenge was issued for.
    A challenge of the managed login answers only there, and an API one only through the API.
    """
    client = signin.answering_client(challenge)
    username = signin.require("USERNAME")
    check_secret_hash(client, username, signin.presented.get("SECRET_HASH"))
    user, record, state = open_named(client, signin.session, challenge, username)
    if bool(state.data.get("h")) != signin.hosted:
        raise NotAuthorizedException(INVALID_SESSION)
    signin.user = user
    signin.source = str(state.data.get("s") or signin.source)
    return user, record, state


def reserve_attempt(record: AuthChallenge) -> None:
    """Take one of the challenge's attempts before its answer is checked: parallel answers
    each take their own, so no burst gets more than MAX_ATTEMPTS guesses."""
    taken = AuthChallenge.objects.filter(pk=record.pk, attempts__lt=MAX_ATTEMPTS).update(
        attempts=F("attempts") + 1)
    if not taken:
        raise NotAuthorizedException(INVALID_SESSION)


def count_wrong(record: AuthChallenge) -> None:
    """Record a wrong answer; it survives the error raised next (no enclosing transaction)."""
    AuthChallenge.objects.filter(pk=record.pk).update(attempts=F("attempts") + 1)


def spend(record: AuthChallenge) -> None:
    """Use the challenge up; a concurrent answer that already did so loses."""
    if AuthChallenge.objects.filter(pk=record.pk).delete()[0] == 0:
        raise NotAuthorizedException(INVALID_SESSION)


def mark_verified(record: AuthChallenge) -> None:
    """MFA_SETUP: the enrolment this challenge waits for is done."""
    AuthChallenge.objects.filter(pk=record.pk).update(verified=True)
