"""CUSTOM_AUTH: the define / create / verify auth challenge loop (reference §1.4, §4.2).

InitiateAuth(CUSTOM_AUTH) asks the define auth challenge receivers what comes next, given the
history of the flow (``session``). ``CUSTOM_CHALLENGE`` runs create auth challenge and hands
the client its public parameters; the answer goes to verify auth challenge response, its
result joins the history and define decides again. A flow may start with SRP
(``CHALLENGE_NAME=SRP_A``): define then sees ``SRP_A`` and may ask for ``PASSWORD_VERIFIER``.

Between steps the state lives in the ``Session``, which is encrypted: its history and the
private challenge parameters (often the very answer) must not be readable by the client. A
Session answers once.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import caches

from ... import signals
from ...conf import app_settings
from ...exceptions import (
    InvalidLambdaResponseException,
    InvalidParameterException,
    NotAuthorizedException,
    TooManyRequestsException,
    UserNotFoundException,
)
from .. import limits, lockout, triggers
from ..clients import check_secret_hash
from ..users import find_user
from . import codes, once, sessions, srp
from .account import pre_authentication
from .results import INVALID_SESSION, WRONG_PASSWORD, AuthResult, Outcome, Proceed, SignIn

CUSTOM = "CUSTOM_CHALLENGE"
VERIFIER = "PASSWORD_VERIFIER"
#: Wrong answers a flow survives: the third ends it, whatever define would say (§9).
MAX_WRONG_ANSWERS = 3
NOT_CONFIGURED = "Custom auth lambda trigger is not configured for the user pool."
#: RATE_LIMITS entry: custom challenge flows a user may start per hour.
CUSTOM_AUTH_FLOW = "CustomAuthFlow"
# Appended to the client id sealed in a custom flow's SECRET_BLOCK, so the plain
# USER_SRP_AUTH answer refuses it: that path would issue tokens without the custom challenges.
_BLOCK_TAG = "/CUSTOM_AUTH"


@dataclass
class _Flow:
    """The sign-in and what happened in it so far."""

    signin: SignIn
    #: The user's username, or the name an unknown one is shown under (srp.fake_user_id).
    username: str
    history: list[dict[str, Any]] = field(default_factory=list)
    #: The name as typed, where the flow starts (SRP derives a hidden user's challenge).
    typed: str = ""

    def session(self) -> list[dict[str, Any]]:
        """``request.session``: a copy, so a receiver cannot rewrite the history."""
        return [dict(entry) for entry in self.history]

    def request(self, **extra: Any) -> dict[str, Any]:
        """The request fields every challenge trigger gets; the challenge triggers see
        ClientMetadata only from RespondToAuthChallenge (§4.1)."""
        user = self.signin.user
        attributes = triggers.user_attributes(user) if user else {}
        return {"userAttributes": attributes, **extra,
                "clientMetadata": dict(self.signin.later_metadata),
                "userNotFound": user is None}

    def event(self, source: str, request: dict[str, Any], response: dict[str, Any]
              ) -> dict[str, Any]:
        """A challenge trigger's event."""
        return triggers.build_event(self.signin.pool, self.signin.client, source, self.username,
                                    request, response)

    def send(self, signal: Any, event: dict[str, Any]) -> Mapping[str, Any]:
        """Send a challenge trigger; its response."""
        response: Mapping[str, Any] = triggers.send(signal, event, self.signin.pool,
                                                    self.signin.client)["response"]
        return response


def _entry(name: str, result: bool, metadata: str | None) -> dict[str, Any]:
    return {"challengeName": name, "challengeResult": result, "challengeMetadata": metadata}


def initiate(signin: SignIn) -> Outcome:
    """InitiateAuth / AdminInitiateAuth with AuthFlow CUSTOM_AUTH."""
    client = signin.answering_client(CUSTOM)
    username = signin.require("USERNAME")
    check_secret_hash(client, username, signin.presented.get("SECRET_HASH"))
    if not triggers.has_receivers(signals.define_auth_challenge, signin.pool):
        raise InvalidParameterException(NOT_CONFIGURED)
    start = signin.presented.get("CHALLENGE_NAME")
    big_a = None
    if start:
        if start != "SRP_A":
            raise InvalidParameterException(f"Invalid CHALLENGE_NAME {start[:64]}")
        big_a = srp.parse_a(signin.require("SRP_A"))
    user = find_user(signin.pool, username)
    if user is None:
        if not signin.hides_users:
            raise UserNotFoundException("User does not exist.")
        # Someone who is not there is held back as a real user would be.
        codes.lock_of(signin.pool, srp.fake_user_id(signin.pool, username),
                      limit=CUSTOM_AUTH_FLOW)
    else:
        if big_a is not None or app_settings.CUSTOM_AUTH_LOCKOUT:
            lockout.check(user)
        # Each flow may send a message someone pays for and allows three more guesses.
        limits.hit(CUSTOM_AUTH_FLOW, user, error=TooManyRequestsException)
        pre_authentication(signin, user)
    signin.user = user
    flow = _Flow(signin, user.username if user else srp.fake_user_id(signin.pool, username),
                 typed=username)
    if big_a is not None:
        flow.history.append(_entry("SRP_A", True, None))
    return _next(flow, big_a)


def _next(flow: _Flow, big_a: int | None = None) -> Outcome:
    """Ask define what comes next and do it: tokens, a custom challenge or SRP."""
    decision = _define(flow)
    if decision is None:
        if flow.signin.user is None:
            raise NotAuthorizedException(WRONG_PASSWORD)
        if app_settings.CUSTOM_AUTH_LOCKOUT:  # the challenges were answered: a sign-in
            lockout.succeeded(flow.signin.user)
        # The decision order of a password sign-in (disabled, unconfirmed, reset, new
        # password), then MFA and tokens (§1.5).
        return Proceed(flow.signin)
    if decision == VERIFIER:
        if big_a is None:  # SRP can only follow the SRP_A the client opened the flow with
            raise InvalidLambdaResponseException(
                "Invalid lambda response: PASSWORD_VERIFIER must follow SRP_A.")
        return _password_verifier(flow, big_a)
    return _create(flow)


def _define(flow: _Flow) -> str | None:
    """Run define auth challenge: ``None`` to issue tokens, else the next challenge name."""
    event = flow.event(triggers.DEFINE_AUTH_CHALLENGE, flow.request(session=flow.session()),
                       {"challengeName": None, "issueTokens": None, "failAuthentication": None})
    response = flow.send(signals.define_auth_challenge, event)
    name = response.get("challengeName")
    issue = _flag(response, "issueTokens")
    fail = _flag(response, "failAuthentication")
    if name is None and issue is None and fail is None:
        # No receiver answered for this pool: as if its Lambda were not assigned.
        raise InvalidParameterException(NOT_CONFIGURED)
    if name is not None and not isinstance(name, str):
        raise InvalidLambdaResponseException(
            "Invalid lambda response: challengeName must be a string.")
    if fail:
        raise NotAuthorizedException(WRONG_PASSWORD)
    if issue:
        return None
    if name in (CUSTOM, VERIFIER):
        return name
    if name is None:
        raise InvalidLambdaResponseException(
            "Invalid lambda response: define auth challenge set no challengeName and neither "
            "issueTokens nor failAuthentication.")
    raise InvalidLambdaResponseException(
        f"Invalid lambda response: unsupported challengeName {name[:64]}.")


def _flag(response: Mapping[str, Any], name: str) -> bool | None:
    value = response.get(name)
    if value is not None and not isinstance(value, bool):
        raise InvalidLambdaResponseException(f"Invalid lambda response: {name} must be a boolean.")
    return value


def _parameters(response: Mapping[str, Any], name: str) -> dict[str, str]:
    """A challenge-parameter map of strings; numbers and booleans become their JSON text."""
    value = response.get(name)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise InvalidLambdaResponseException(f"Invalid lambda response: {name} must be a map.")
    result: dict[str, str] = {}
    for key, item in value.items():
        if not isinstance(key, str) or not isinstance(item, str | bool | int | float):
            raise InvalidLambdaResponseException(
                f"Invalid lambda response: {name} must map strings to strings.")
        result[key] = item if isinstance(item, str) else json.dumps(item)
    return result


def _create(flow: _Flow) -> AuthResult:
    """Run create auth challenge and hand the client a CUSTOM_CHALLENGE."""
    if not triggers.has_receivers(signals.create_auth_challenge, flow.signin.pool):
        raise InvalidParameterException(NOT_CONFIGURED)
    event = flow.event(triggers.CREATE_AUTH_CHALLENGE,
                       flow.request(challengeName=CUSTOM, session=flow.session()),
                       {"publicChallengeParameters": None, "privateChallengeParameters": None,
                        "challengeMetadata": None})
    response = flow.send(signals.create_auth_challenge, event)
    public = _parameters(response, "publicChallengeParameters")
    private = _parameters(response, "privateChallengeParameters")
    challenge_metadata = response.get("challengeMetadata")
    if challenge_metadata is not None and not isinstance(challenge_metadata, str):
        raise InvalidLambdaResponseException(
            "Invalid lambda response: challengeMetadata must be a string.")
    session = _issue(flow, CUSTOM, {"h": flow.history, "p": private, "m": challenge_metadata})
    return AuthResult(challenge_name=CUSTOM, session=session,
                      challenge_parameters={**public, "USERNAME": flow.username})


def _issue(flow: _Flow, challenge: str, state: dict[str, Any]) -> str:
    """A Session naming ``state``, which stays on the server: the history define decides on
    and the private challenge parameters (often the very answer) are never the client's to
    read or to choose, not even a client holding the encryption key."""
    signin = flow.signin
    client = signin.answering_client(challenge)
    if len(json.dumps(state)) > sessions.MAX_SESSION_LENGTH:  # as a Session's 2048 bound
        raise InvalidLambdaResponseException(
            "Invalid lambda response: the challenge parameters are too large.")
    name = secrets.token_hex(16)
    user_id = signin.user.pk if signin.user else 0
    # Whose state it is is kept with it: a Session sealed with the key cannot point another
    # user's (or name's) sign-in at state of the attacker's own flow.
    owner = {"client": client.pk, "user": user_id, "name": flow.username,
             "admin": signin.admin, "challenge": challenge}
    caches[app_settings.CACHE_ALIAS].set(_state_key(name), {**state, "owner": owner},
                                         timeout=client.auth_session_validity * 60 + 60)
    return sessions.issue(client, user_id, challenge, flow.username, a=signin.admin, x=name)


def _state_key(name: str) -> str:
    return f"django_cognito:custom-auth:{name}"


def _resume(signin: SignIn, challenge: str, username: str) -> tuple[_Flow, dict[str, Any]]:
    """Open a Session of this flow for ``username``; it cannot be answered twice."""
    client = signin.answering_client(challenge)
    read = sessions.read(client, signin.session, challenge)
    state = caches[app_settings.CACHE_ALIAS].get(_state_key(str(read.data.get("x"))))
    if read.data.get("a") is not signin.admin or not isinstance(state, dict) or \
            state.get("owner") != {"client": client.pk, "user": read.user_id,
                                   "name": read.username, "admin": signin.admin,
                                   "challenge": challenge}:
        raise NotAuthorizedException(INVALID_SESSION)
    pool = signin.pool
    user = None
    if read.user_id:
        user = srp.user_named(pool, read.user_id, username)
        if user is None:
            raise NotAuthorizedException(INVALID_SESSION)
    elif not srp.shows_as(pool, username, read.username) and challenge == CUSTOM:
        raise NotAuthorizedException(INVALID_SESSION)
    # A replayed Session would reset nothing but add attempts.
    if not once.spend("custom-auth", str(signin.session)):
        raise NotAuthorizedException(INVALID_SESSION)
    signin.user = user
    flow = _Flow(signin, user.username if user else read.username,
                 [dict(entry) for entry in state.get("h", [])])
    return flow, state


def answer_challenge(signin: SignIn) -> Outcome:
    """RespondToAuthChallenge(CUSTOM_CHALLENGE): verify the ANSWER, then ask define again."""
    client = signin.answering_client(CUSTOM)
    username = signin.require("USERNAME")
    check_secret_hash(client, username, signin.presented.get("SECRET_HASH"))
    answer = signin.require("ANSWER")
    flow, state = _resume(signin, CUSTOM, username)
    if not triggers.has_receivers(signals.verify_auth_challenge_response, signin.pool):
        raise InvalidParameterException(NOT_CONFIGURED)
    counted = app_settings.CUSTOM_AUTH_LOCKOUT
    if counted:  # a locked user's answers are not even checked
        codes.lock_of(signin.pool, flow.username)
    private = state.get("p") or {}
    event = flow.event(triggers.VERIFY_AUTH_CHALLENGE,
                       flow.request(privateChallengeParameters=dict(private),
                                    challengeAnswer=answer),
                       {"answerCorrect": None})
    correct = bool(_flag(flow.send(signals.verify_auth_challenge_response, event),
                         "answerCorrect"))
    flow.history.append(_entry(CUSTOM, correct, state.get("m")))
    if counted and not correct:
        # Each wrong answer counts toward the sign-in lockout, as a wrong password does:
        # otherwise every new flow would bring three fresh guesses (reference §9).
        codes.lock_of(signin.pool, flow.username, failed=True)
    wrong = sum(1 for entry in flow.history
                if entry["challengeName"] == CUSTOM and not entry["challengeResult"])
    if wrong >= MAX_WRONG_ANSWERS:
        raise NotAuthorizedException(WRONG_PASSWORD)
    return _next(flow)


def _password_verifier(flow: _Flow, big_a: int) -> AuthResult:
    """The PASSWORD_VERIFIER challenge of a custom flow that started with SRP_A."""
    parameters = srp.user_challenge(flow.signin, big_a, flow.typed or flow.username,
                                    client_tag=_BLOCK_TAG)
    session = _issue(flow, VERIFIER,
                     {"h": flow.history, "b": _digest(parameters["SECRET_BLOCK"])})
    return AuthResult(challenge_name=VERIFIER, session=session, challenge_parameters=parameters)


def _digest(block_text: str) -> str:
    return hashlib.sha256(block_text.encode()).hexdigest()


def started_with_srp(answers: Mapping[str, str]) -> bool:
    """Whether a PASSWORD_VERIFIER answer belongs to a custom flow (its SECRET_BLOCK says)."""
    text = answers.get("PASSWORD_CLAIM_SECRET_BLOCK")
    if not text or len(text) > srp.MAX_BLOCK_LENGTH:
        return False
    client_id = srp.client_of(srp.USER, text)
    return client_id is not None and client_id.endswith(_BLOCK_TAG)


def answer_password_verifier(signin: SignIn) -> Outcome:
    """RespondToAuthChallenge(PASSWORD_VERIFIER) in a custom flow: prove, then define again."""
    client = signin.answering_client(VERIFIER)
    presented = srp.VerifierAnswer.of(signin)
    check_secret_hash(client, presented.username, signin.presented.get("SECRET_HASH"))
    block, raw = srp.open_block(srp.USER, presented.block_text)
    if block.pool_id != signin.pool.id or block.client_id != client.id + _BLOCK_TAG or \
            block.admin != signin.admin:
        raise NotAuthorizedException(INVALID_SESSION)
    flow, state = _resume(signin, VERIFIER, presented.username)
    if state.get("b") != _digest(presented.block_text) or \
            (signin.user.pk if signin.user else None) != block.user_pk:
        raise NotAuthorizedException(INVALID_SESSION)
    srp.check_user_proof(signin, block, raw, presented)  # as USER_SRP_AUTH's answer
    flow.history.append(_entry(VERIFIER, True, None))
    return _next(flow)
