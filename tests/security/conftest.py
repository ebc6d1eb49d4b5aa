"""Fixtures of the attack tests, which drive the live server over HTTP as an outsider would.

They build on the project's own fixtures: the live server and boto3 clients of
``tests.api_fixtures`` and ``tests.live_api`` (each test module lists both in
``pytest_plugins``), the factories and the trigger fixtures of ``tests.conftest``. Helpers
are fixtures, as ``fails`` is, so that no test module imports another.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Iterator
from http.client import HTTPConnection
from typing import Any
from urllib.parse import urlsplit

import pytest

pytest.register_assert_rewrite("tests.api_fixtures", "tests.live_api")

from botocore.exceptions import ClientError  # noqa: E402

from django_cognito import signals  # noqa: E402
from django_cognito.models import AppClient, PoolUser, UserPool  # noqa: E402
from django_cognito.services import background, delivery, pool_config  # noqa: E402
from tests.factories import create_user  # noqa: E402
from tests.live_api import ALL_FLOWS  # noqa: E402

PHONE = "+15555550123"
TARGET = "AWSCognitoIdentityProviderService."
CONTENT_TYPE = "application/x-amz-json-1.1"
#: Every flow an attacker might try: ALL_FLOWS, custom challenges and choice-based sign-in.
FLOWS = [*ALL_FLOWS, "ALLOW_CUSTOM_AUTH", "ALLOW_USER_AUTH"]

Post = Callable[..., tuple[int, dict[str, Any]]]


@pytest.fixture(autouse=True)
def _as_deployed(settings: Any) -> Iterator[None]:
    """As deployed: codes go out after the answer where waiting would tell who exists, and
    those answers come no sooner than the even floor (the test settings turn both off for
    speed and complete outboxes); every code is out by teardown."""
    settings.COGNITO = {k: v for k, v in settings.COGNITO.items()
                        if k not in ("BACKGROUND_DELIVERY", "EVEN_ANSWER_SECONDS")}
    yield
    background.flush()


@pytest.fixture
def alice(pool: UserPool) -> PoolUser:
    """alice: CONFIRMED with PASSWORD, a verified email and a verified phone number."""
    return create_user(pool, phone_number=PHONE, phone_number_verified="true")


@pytest.fixture
def app(pool: UserPool, make_client: Any) -> AppClient:
    """An app client of ``pool`` allowing every flow (PreventUserExistenceErrors LEGACY)."""
    client: AppClient = make_client(pool, explicit_auth_flows=FLOWS)
    return client


@pytest.fixture
def hiding_app(pool: UserPool, make_client: Any) -> AppClient:
    """An app client of ``pool`` allowing every flow, with PreventUserExistenceErrors ENABLED."""
    client: AppClient = make_client(pool, name="hiding", explicit_auth_flows=FLOWS,
                                    prevent_user_existence_errors="ENABLED")
    return client


@pytest.fixture
def first_factors() -> Callable[[UserPool, list[str]], None]:
    """``first_factors(pool, factors)``: the pool's SignInPolicy.AllowedFirstAuthFactors."""
    def configure(pool: UserPool, factors: list[str]) -> None:
        stored = pool_config.settings_of(pool)
        stored.extra = {**stored.extra, "SignInPolicy": {"AllowedFirstAuthFactors": factors}}
        stored.save()
    return configure


@pytest.fixture
def limits(settings: Any) -> Callable[..., None]:
    """``limits(Operation=n, ...)``: set COGNITO["RATE_LIMITS"] entries for this test."""
    def configure(**caps: int) -> None:
        current = settings.COGNITO.get("RATE_LIMITS", {})
        settings.COGNITO = {**settings.COGNITO, "RATE_LIMITS": {**current, **caps}}
    return configure


@pytest.fixture
def post(api_url: str) -> Post:
    """``post(operation, body, headers=None, data=None)``: one plain HTTP request to the JSON
    API, as any HTTP client would send it; returns the status and the decoded body.

    ``headers`` replace the defaults (Content-Type and X-Amz-Target) when given; ``data``
    sends those exact bytes instead of ``body``'s JSON.
    """
    parts = urlsplit(api_url)

    def send(operation: str, body: Any = None, headers: dict[str, str] | None = None,
             data: bytes | None = None) -> tuple[int, dict[str, Any]]:
        payload = data if data is not None else json.dumps(body or {}).encode()
        sent = headers if headers is not None else {
            "Content-Type": CONTENT_TYPE, "X-Amz-Target": TARGET + operation}
        connection = HTTPConnection(parts.hostname or "localhost", parts.port, timeout=30)
        try:
            connection.request("POST", parts.path or "/", body=payload,
                               headers={**sent, "Connection": "close"})
            response = connection.getresponse()
            return response.status, json.loads(response.read() or b"{}")
        finally:
            connection.close()
    return send


class TextedCode:
    """Custom-auth receivers of a passwordless sign-in by SMS: each flow texts a fresh
    six-digit code to the user's phone and accepts that code only. The engine ends a flow
    at its third wrong answer; nothing here limits anything, as in a careless Lambda."""

    def __init__(self, connect: Callable[..., Any]) -> None:
        connect(signals.define_auth_challenge, self.define)
        connect(signals.create_auth_challenge, self.create)
        connect(signals.verify_auth_challenge_response, self.verify)

    @staticmethod
    def define(sender: Any, event: dict[str, Any], **kwargs: Any) -> None:
        session = event["request"]["session"]
        if session and session[-1]["challengeResult"]:
            event["response"].update(issueTokens=True, failAuthentication=False)
        else:
            event["response"].update(challengeName="CUSTOM_CHALLENGE", issueTokens=False,
                                     failAuthentication=False)

    @staticmethod
    def create(sender: Any, event: dict[str, Any], pool: UserPool, **kwargs: Any) -> None:
        request = event["request"]
        session = request["session"]
        code = session[-1]["challengeMetadata"] if session else None
        if not code:
            code = f"{secrets.randbelow(10**6):06d}"
            phone = request["userAttributes"].get("phone_number")
            if phone and not request["userNotFound"]:
                delivery.send(pool, delivery.Message(
                    medium="SMS", attribute="phone_number", destination=phone, subject="",
                    body=f"Your sign-in code is {code}.", purpose="CustomAuth_SignIn"))
        event["response"].update(publicChallengeParameters={"medium": "SMS"},
                                 privateChallengeParameters={"code": code},
                                 challengeMetadata=code)

    @staticmethod
    def verify(sender: Any, event: dict[str, Any], **kwargs: Any) -> None:
        request = event["request"]
        expected = request["privateChallengeParameters"].get("code")
        event["response"]["answerCorrect"] = bool(expected) and \
            request["challengeAnswer"] == expected


@pytest.fixture
def texted_code(connect: Callable[..., Any]) -> TextedCode:
    """Connect :class:`TextedCode`'s receivers for this test."""
    return TextedCode(connect)



def _seen(call: Callable[..., Any], *args: Any, **params: Any) -> tuple[str, ...]:
    try:
        response = call(*args, **params)
    except ClientError as refused:
        answer = refused.response
        assert answer["ResponseMetadata"]["HTTPStatusCode"] == 400
        return (answer["Error"]["Code"], answer["Error"]["Message"])
    if "AuthenticationResult" in response:
        return ("tokens",)
    return ("challenge", str(response.get("ChallengeName")))


@pytest.fixture
def seen() -> Callable[..., tuple[str, ...]]:
    """``seen(call, **params)``: what an outsider learns from one sign-in call: the error's
    type and message, ``("challenge", name)`` or ``("tokens",)``."""
    return _seen
