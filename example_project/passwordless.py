"""Passwordless sign-in by a one-time code sent by SMS, built from the challenge signals only.

The three receivers below are the Django side of Cognito's define / create / verify auth
challenge Lambda functions. They act for the demo pool only: the pool whose id is
``COGNITO_DEMO["PASSWORDLESS_POOL"]``, else any pool named ``demo`` (the one
``manage.py cognito_demo`` creates); events of other pools pass through untouched.

A client signs in with ``AuthFlow="CUSTOM_AUTH"`` and ``USERNAME``; the user's
``phone_number`` gets a six-digit code (in development the SMS sender logs it and the
``/dev/sms/`` page lists it); the client answers ``CUSTOM_CHALLENGE`` with ``ANSWER=<code>``.
A wrong code may be retried with the same code twice; the third wrong one ends the flow.
An unknown username (with PreventUserExistenceErrors) gets the same challenge and no SMS.
"""

from __future__ import annotations

import hmac
import secrets
from typing import Any

from django.conf import settings

from django_cognito import signals
from django_cognito.models import UserPool
from django_cognito.services import delivery

DEMO_POOL_NAME = "demo"
CODE_LENGTH = 6
MAX_ATTEMPTS = 3
# challengeMetadata carries the code from one round to the next, so a retry reuses the code
# already sent rather than texting a new one; Cognito never shows it to the client.
_METADATA_PREFIX = "SMS-CODE-"


def is_demo_pool(event: dict[str, Any], pool: UserPool) -> bool:
    """Whether the event comes from the pool this example signs in to."""
    configured = (getattr(settings, "COGNITO_DEMO", None) or {}).get("PASSWORDLESS_POOL")
    if configured:
        return bool(event["userPoolId"] == configured)
    return pool.name == DEMO_POOL_NAME


def define_auth_challenge(sender: Any, event: dict[str, Any], pool: UserPool,
                          **kwargs: Any) -> None:
    """Ask for the code until it is right (tokens) or wrong three times (failure)."""
    if not is_demo_pool(event, pool):
        return
    session = event["request"]["session"]
    response = event["response"]
    response.update(challengeName=None, issueTokens=False, failAuthentication=False)
    if any(entry["challengeName"] != "CUSTOM_CHALLENGE" for entry in session):
        response["failAuthentication"] = True  # passwordless only: no SRP before the code
    elif session and session[-1]["challengeResult"]:
        response["issueTokens"] = True
    elif len(session) >= MAX_ATTEMPTS:
        response["failAuthentication"] = True
    else:
        response["challengeName"] = "CUSTOM_CHALLENGE"


def create_auth_challenge(sender: Any, event: dict[str, Any], pool: UserPool,
                          **kwargs: Any) -> None:
    """Text a new code on the first round; later rounds keep the code already sent."""
    if not is_demo_pool(event, pool):
        return
    request = event["request"]
    session = request["session"]
    previous = session[-1]["challengeMetadata"] if session else None
    if previous and previous.startswith(_METADATA_PREFIX):
        code = previous.removeprefix(_METADATA_PREFIX)
    else:
        code = f"{secrets.randbelow(10 ** CODE_LENGTH):0{CODE_LENGTH}d}"
        phone = request["userAttributes"].get("phone_number")
        if phone and not request["userNotFound"]:
            delivery.send(pool, delivery.Message(
                medium="SMS", attribute="phone_number", destination=phone, subject="",
                body=f"Your sign-in code is {code}.", purpose="CustomAuth_SignIn"))
    left = MAX_ATTEMPTS - len(session)
    event["response"].update(
        publicChallengeParameters={"CODE_DELIVERY_DELIVERY_MEDIUM": "SMS",
                                   "ATTEMPTS_LEFT": str(left)},
        privateChallengeParameters={"code": code},
        challengeMetadata=_METADATA_PREFIX + code)


def verify_auth_challenge_response(sender: Any, event: dict[str, Any], pool: UserPool,
                                   **kwargs: Any) -> None:
    """Compare the answer with the code in constant time."""
    if not is_demo_pool(event, pool):
        return
    request = event["request"]
    expected = request["privateChallengeParameters"].get("code", "")
    given = request["challengeAnswer"].strip()
    event["response"]["answerCorrect"] = bool(expected) and not request["userNotFound"] and \
        hmac.compare_digest(given.encode(), expected.encode())


RECEIVERS = (
    (signals.define_auth_challenge, define_auth_challenge),
    (signals.create_auth_challenge, create_auth_challenge),
    (signals.verify_auth_challenge_response, verify_auth_challenge_response),
)


def connect() -> None:
    """Connect the receivers (idempotent: each has a dispatch uid)."""
    for signal, receiver in RECEIVERS:
        signal.connect(receiver, sender=UserPool,
                       dispatch_uid=f"example_project.passwordless.{receiver.__name__}")


connect()
