"""CUSTOM_AUTH: the define / create / verify auth challenge loop (reference §1.4, §4.2).

InitiateAuth(CUSTOM_AUTH) asks the define auth challenge receivers what comes next, given the
history of the flow (``session``). ``CUSTOM_CHALLENGE`` runs create auth challenge and hands
the client its public parameters; the answer goes to verify auth challenge response, its
result joins the history and define decides again. A flow may start with SRP
(``CHALLENGE_NAME=SRP_A``): define then sees ``SRP_A`` and may ask for ``PASSWORD_VERIFIER``.

Between steps the state lives in the ``Session``, which :mod:`.sessions` encrypts: its history
and the private challenge parameters (often the very answer) must not be readable by the
client. A Session answers once.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import caches

from .. import signals
from ..clock import now
from ..conf import app_settings
from ..crypto import srp
from ..exceptions import (
    InvalidLambdaResponseException,
    InvalidParameterException,
    NotAuthorizedException,
    UserNotFoundException,
)
from ..models import AppClient, PoolUser
from . import auth, lockout, sessions, simulated, srp_auth, triggers
from .clients import check_secret_hash
from .users import find_user, same_username

CUSTOM = "CUSTOM_CHALLENGE"
VERIFIER = "PASSWORD_VERIFIER"
#: Wrong answers a flow survives: the third ends it, whatever define would say (§9).
MAX_WRONG_ANSWERS = 3
NOT_CONFIGURED = "Custom auth lambda trigger is not configured for the user pool."
_WRONG = "Incorrect username or password."
_INVALID = "Invalid session for the user."
# Appended to the client id sealed in a custom flow's SECRET_BLOCK, so the plain
# USER_SRP_AUTH answer refuses it: that path would issue tokens without the custom challenges.
_BLOCK_TAG = "/CUSTOM_AUTH"


@dataclass
class _Flow:
    """Who is signing in and what happened so far."""

    client: AppClient
    user: PoolUser | None  # None: an unknown username under PreventUserExistenceErrors
    username: str  # the user's username, or the name typed for an unknown user
    admin: bool
    history: list[dict[str, Any]] = field(default_factory=list)

    def session(self) -> list[dict[str, Any]]:
        """``request.session``: a copy, so a receiver cannot rewrite the history."""
        return [dict(entry) for entry in self.history]

    def request(self, metadata: Mapping[str, str], **extra: Any) -> dict[str, Any]:
        """The request fields every challenge trigger gets."""
        attributes = triggers.user_attributes(self.user) if self.user else {}
        return {"userAttributes": attributes, **extra, "clientMetadata": dict(metadata),
                "userNotFound": self.user is None}


def _entry(name: str, result: bool, metadata: str | None) -> dict[str, Any]:
    return {"challengeName": name, "challengeResult": result, "challengeMetadata": metadata}


def initiate(client: AppClient, params: Mapping[str, str], *, admin: bool,
             client_metadata: Mapping[str, str]) -> auth.AuthResult:
    """InitiateAuth / AdminInitiateAuth with AuthFlow CUSTOM_AUTH."""
    username = auth.required(params, "USERNAME")
    check_secret_hash(client, username, params.get("SECRET_HASH"))
    if not triggers.has_receivers(signals.define_auth_challenge, client.pool):
        raise InvalidParameterException(NOT_CONFIGURED)
    start = params.get("CHALLENGE_NAME")
    big_a = None
    if start:
        if start != "SRP_A":
            raise InvalidParameterException(f"Invalid CHALLENGE_NAME {start[:64]}")
        big_a = srp.parse_public(auth.required(params, "SRP_A"))
        if big_a is None:
            raise InvalidParameterException("SRP_A must be hex and not 0 mod N.")
    user = find_user(client.pool, username)
    if user is None:
        if not client.prevents_user_existence_errors:
            raise UserNotFoundException("User does not exist.")
    else:
        if big_a is not None:
            lockout.check(user)
        # Pre authentication sees InitiateAuth's ClientMetadata; the challenge triggers do
        # not: they get ClientMetadata only from RespondToAuthChallenge (§4.1).
        auth.pre_authentication(client, user, dict(client_metadata))
    flow = _Flow(client, user, user.username if user else username, admin)
    if big_a is not None:
        flow.history.append(_entry("SRP_A", True, None))
    return _next(flow, {}, big_a)


def _next(flow: _Flow, metadata: dict[str, str], big_a: int | None = None) -> auth.AuthResult:
    """Ask define what comes next and do it: tokens, a custom challenge or SRP."""
    decision = _define(flow, metadata)
    if decision is None:
        if flow.user is None:
            raise NotAuthorizedException(_WRONG)
        # The decision order of a password sign-in (disabled, unconfirmed, reset, new
        # password), then MFA and tokens (§1.5).
        return auth.after_password(flow.client, flow.user, metadata)
    if decision == VERIFIER:
        if big_a is None:  # SRP can only follow the SRP_A the client opened the flow with
            raise InvalidLambdaResponseException(
                "Invalid lambda response: PASSWORD_VERIFIER must follow SRP_A.")
        return _password_verifier(flow, big_a)
    return _create(flow, metadata)


def _define(flow: _Flow, metadata: dict[str, str]) -> str | None:
    """Run define auth challenge: ``None`` to issue tokens, else the next challenge name."""
    pool, client = flow.client.pool, flow.client
    event = triggers.build_event(
        pool, client, "DefineAuthChallenge_Authentication", flow.username,
        flow.request(metadata, session=flow.session()),
        {"challengeName": None, "issueTokens": None, "failAuthentication": None})
    response = triggers.send(signals.define_auth_challenge, event, pool, client)["response"]
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
        raise NotAuthorizedException(_WRONG)
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


def _create(flow: _Flow, metadata: dict[str, str]) -> auth.AuthResult:
    """Run create auth challenge and hand the client a CUSTOM_CHALLENGE."""
    pool, client = flow.client.pool, flow.client
    if not triggers.has_receivers(signals.create_auth_challenge, pool):
        raise InvalidParameterException(NOT_CONFIGURED)
    event = triggers.build_event(
        pool, client, "CreateAuthChallenge_Authentication", flow.username,
        flow.request(metadata, challengeName=CUSTOM, session=flow.session()),
        {"publicChallengeParameters": None, "privateChallengeParameters": None,
         "challengeMetadata": None})
    response = triggers.send(signals.create_auth_challenge, event, pool, client)["response"]
    public = _parameters(response, "publicChallengeParameters")
    private = _parameters(response, "privateChallengeParameters")
    challenge_metadata = response.get("challengeMetadata")
    if challenge_metadata is not None and not isinstance(challenge_metadata, str):
        raise InvalidLambdaResponseException(
            "Invalid lambda response: challengeMetadata must be a string.")
    session = _issue(flow, CUSTOM, {"h": flow.history, "p": private, "m": challenge_metadata})
    return auth.AuthResult(challenge_name=CUSTOM, session=session,
                           challenge_parameters={**public, "USERNAME": flow.username})


def _issue(flow: _Flow, challenge: str, state: dict[str, Any]) -> str:
    """A Session carrying ``state`` encrypted (it holds the private challenge parameters)."""
    session = sessions.issue(flow.client, flow.user.pk if flow.user else 0, challenge,
                             flow.username, a=flow.admin, s=state)
    if len(session) > sessions.MAX_SESSION_LENGTH:  # the API's Session is at most 2048 long
        raise InvalidLambdaResponseException(
            "Invalid lambda response: the challenge parameters are too large.")
    return session


def _resume(client: AppClient, session: object, challenge: str, username: str, admin: bool
            ) -> tuple[_Flow, dict[str, Any]]:
    """Open a Session of this flow for ``username``; it cannot be answered twice."""
    read = sessions.read(client, session, challenge)
    state = read.data.get("s")
    if read.data.get("a") is not admin or not isinstance(state, dict):
        raise NotAuthorizedException(_INVALID)
    pool = client.pool
    user = None
    if read.user_id:
        user = PoolUser.objects.select_related("pool").filter(pk=read.user_id, pool=pool).first()
        if user is None or (username != user.username and find_user(pool, username) != user):
            raise NotAuthorizedException(_INVALID)
    elif not same_username(pool, username, read.username) and challenge == CUSTOM:
        raise NotAuthorizedException(_INVALID)
    if not _spend(str(session)):  # a replayed Session would reset nothing but add attempts
        raise NotAuthorizedException(_INVALID)
    flow = _Flow(client, user, user.username if user else read.username, admin,
                 [dict(entry) for entry in state.get("h", [])])
    return flow, state


def _spend(session: str) -> bool:
    """Mark a Session used; ``False`` when it was answered before."""
    key = "django_cognito:custom-auth:" + hashlib.sha256(session.encode()).hexdigest()
    # Longer than any client's AuthSessionValidity (at most 15 minutes).
    return bool(caches[app_settings.CACHE_ALIAS].add(key, 1, timeout=16 * 60))


@auth.challenge_handler(CUSTOM)
def _answer_custom_challenge(client: AppClient, answers: dict[str, str], session: object,
                             metadata: dict[str, str], admin: bool) -> auth.AuthResult:
    """RespondToAuthChallenge(CUSTOM_CHALLENGE): verify the ANSWER, then ask define again."""
    username = auth.required(answers, "USERNAME")
    check_secret_hash(client, username, answers.get("SECRET_HASH"))
    answer = auth.required(answers, "ANSWER")
    flow, state = _resume(client, session, CUSTOM, username, admin)
    pool = client.pool
    if not triggers.has_receivers(signals.verify_auth_challenge_response, pool):
        raise InvalidParameterException(NOT_CONFIGURED)
    private = state.get("p") or {}
    event = triggers.build_event(
        pool, client, "VerifyAuthChallengeResponse_Authentication", flow.username,
        flow.request(metadata, privateChallengeParameters=dict(private), challengeAnswer=answer),
        {"answerCorrect": None})
    response = triggers.send(signals.verify_auth_challenge_response, event, pool,
                             client)["response"]
    correct = bool(_flag(response, "answerCorrect"))
    flow.history.append(_entry(CUSTOM, correct, state.get("m")))
    wrong = sum(1 for entry in flow.history
                if entry["challengeName"] == CUSTOM and not entry["challengeResult"])
    if wrong >= MAX_WRONG_ANSWERS:
        raise NotAuthorizedException(_WRONG)
    return _next(flow, metadata)


def _password_verifier(flow: _Flow, big_a: int) -> auth.AuthResult:
    """The PASSWORD_VERIFIER challenge of a custom flow that started with SRP_A."""
    pool, user = flow.client.pool, flow.user
    hidden_lock = None
    if user is None:  # the simulated challenge of §2.6, as USER_SRP_AUTH gives
        hidden_lock = simulated.lock_id(pool, flow.username)
        lockout.check_hidden(pool, hidden_lock)
        user_id = srp_auth._fake_user_id(pool, flow.username)
        salt, verifier = srp_auth._fake_credentials(pool, flow.username)
    elif user.srp_salt and user.srp_verifier:
        user_id, salt, verifier = user.username, user.srp_salt, int(user.srp_verifier, 16)
    else:  # no password (imported user): the answer can only fail
        user_id = user.username
        salt, verifier = srp_auth._fake_credentials(pool, user.username)
    b = srp.new_private()
    big_b = srp.server_public(verifier, b)
    while big_b == 0 or srp.scrambler(big_a, big_b) == 0:  # RFC 5054 §2.5.3, u ≠ 0
        b = srp.new_private()
        big_b = srp.server_public(verifier, b)
    block = srp_auth._Block(pool_id=pool.id, client_id=flow.client.id + _BLOCK_TAG,
                            user_pk=user.pk if user else None, user_id_for_srp=user_id,
                            big_a=big_a, big_b=big_b, b=b, issued=now().timestamp(),
                            admin=flow.admin, hidden_lock=hidden_lock)
    sealed = srp_auth._seal(block)
    session = _issue(flow, VERIFIER, {"h": flow.history, "b": _digest(sealed)})
    return auth.AuthResult(challenge_name=VERIFIER, session=session, challenge_parameters={
        "SALT": salt, "SRP_B": srp.hexstr(big_b), "SECRET_BLOCK": sealed,
        "USER_ID_FOR_SRP": user_id, "USERNAME": user_id})


def _digest(block_text: str) -> str:
    return hashlib.sha256(block_text.encode()).hexdigest()


def started_with_srp(answers: Mapping[str, str]) -> bool:
    """Whether a PASSWORD_VERIFIER answer belongs to a custom flow (its SECRET_BLOCK says)."""
    text = answers.get("PASSWORD_CLAIM_SECRET_BLOCK")
    if not text:
        return False
    try:
        block, _ = srp_auth._open(text)
    except NotAuthorizedException:
        return False
    return block.client_id.endswith(_BLOCK_TAG)


@auth.challenge_handler(VERIFIER)
def _answer_password_verifier(client: AppClient, answers: dict[str, str], session: object,
                              metadata: dict[str, str], admin: bool) -> auth.AuthResult:
    """RespondToAuthChallenge(PASSWORD_VERIFIER) in a custom flow: prove, then define again."""
    pool = client.pool
    username = auth.required(answers, "USERNAME")
    block_text = auth.required(answers, "PASSWORD_CLAIM_SECRET_BLOCK")
    claim = auth.required(answers, "PASSWORD_CLAIM_SIGNATURE")
    timestamp = auth.required(answers, "TIMESTAMP")
    check_secret_hash(client, username, answers.get("SECRET_HASH"))
    block, raw = srp_auth._open(block_text)
    if block.pool_id != pool.id or block.client_id != client.id + _BLOCK_TAG or \
            block.admin != admin:
        raise NotAuthorizedException(_INVALID)
    flow, state = _resume(client, session, VERIFIER, username, admin)
    if state.get("b") != _digest(block_text) or \
            (flow.user.pk if flow.user else None) != block.user_pk:
        raise NotAuthorizedException(_INVALID)
    # The checks of USER_SRP_AUTH's answer (srp_auth.verify), in the same order.
    moment = srp.parse_timestamp(timestamp)
    if moment is None:
        raise InvalidParameterException(srp_auth._BAD_TIMESTAMP)
    current = now()
    if current.timestamp() - block.issued > srp_auth.BLOCK_VALIDITY.total_seconds():
        raise NotAuthorizedException("Invalid session for the user, session is expired.")
    if abs(current - moment) > srp_auth.TIMESTAMP_SKEW:
        raise NotAuthorizedException(_WRONG)
    user = srp_auth._user_of(pool, block, username)
    if user is None:
        srp_auth.refuse_hidden(pool, block, raw, username, timestamp)
    lockout.check(user)
    if not srp_auth._spend(raw) or not srp_auth._proof_holds(user, block, raw, timestamp, claim):
        lockout.failed(user)
        raise NotAuthorizedException(_WRONG)
    lockout.succeeded(user)
    flow.user = user
    flow.history.append(_entry(VERIFIER, True, None))
    return _next(flow, metadata)
