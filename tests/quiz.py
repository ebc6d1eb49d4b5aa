"""A one-question quiz as CUSTOM_AUTH receivers: define, create and verify auth challenge.

The question goes in the public challenge parameters, the answer in the private ones; each
event is recorded as received. Service and API tests of custom authentication drive it.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from django.dispatch import Signal

from django_cognito import signals

Receiver = Callable[..., None]
Connect = Callable[[Signal, Receiver], Receiver]


class Quiz:
    """Receivers for a one-question quiz; records every event as received."""

    def __init__(self, connect: Connect, *, max_rounds: int = 5) -> None:
        self.events: list[dict[str, Any]] = []
        self.max_rounds = max_rounds
        self.define_response: dict[str, Any] | None = None
        self.create_response: dict[str, Any] | None = None
        self.verify_response: dict[str, Any] | None = None
        connect(signals.define_auth_challenge, self.define)
        connect(signals.create_auth_challenge, self.create)
        connect(signals.verify_auth_challenge_response, self.verify)

    def names(self) -> list[str]:
        return [event["triggerSource"].split("_")[0] for event in self.events]

    def define(self, sender: Any, event: dict[str, Any], **kwargs: Any) -> None:
        self.events.append(copy.deepcopy(event))
        if self.define_response is not None:
            event["response"].update(self.define_response)
            return
        session = event["request"]["session"]
        response = event["response"]
        if session and session[-1]["challengeName"] == "SRP_A":
            response.update(challengeName="PASSWORD_VERIFIER", issueTokens=False,
                            failAuthentication=False)
        elif session and session[-1]["challengeName"] == "CUSTOM_CHALLENGE" and \
                session[-1]["challengeResult"]:
            response.update(issueTokens=True, failAuthentication=False)
        elif len(session) >= self.max_rounds:
            response.update(issueTokens=False, failAuthentication=True)
        else:
            response.update(challengeName="CUSTOM_CHALLENGE", issueTokens=False,
                            failAuthentication=False)

    def create(self, sender: Any, event: dict[str, Any], **kwargs: Any) -> None:
        self.events.append(copy.deepcopy(event))
        event["response"].update(self.create_response or {
            "publicChallengeParameters": {"question": "2 + 2?"},
            "privateChallengeParameters": {"answer": "four-secret"},
            "challengeMetadata": f"QUIZ-{len(event['request']['session'])}"})

    def verify(self, sender: Any, event: dict[str, Any], **kwargs: Any) -> None:
        self.events.append(copy.deepcopy(event))
        if self.verify_response is not None:
            event["response"].update(self.verify_response)
            return
        request = event["request"]
        event["response"]["answerCorrect"] = \
            request["challengeAnswer"] == request["privateChallengeParameters"].get("answer")
