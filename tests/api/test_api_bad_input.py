"""Bad input to every registered operation: a typed 400 that changes nothing, never a 500.

The operations come from ``api.registry.HANDLERS`` at test time, so an operation added
later is covered without touching this file. Requests are sent with ``requests`` (boto3
would refuse to send most of them), signed with botocore's SigV4 signer when the model
says the operation is signed.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.model import OperationModel, Shape
from django.apps import apps
from django.contrib.auth import get_user_model

from django_cognito.api import model, ops  # noqa: F401  (registers every handler)
from django_cognito.api.registry import HANDLERS
from django_cognito.api.views import MAX_BODY, TARGET_PREFIXES
from django_cognito.models import AppClient, UserPool
from django_cognito.services import groups
from tests.factories import create_user

pytest_plugins = ["tests.api_fixtures"]
pytestmark = pytest.mark.django_db(transaction=True)

PREFIXES = {service: prefix for prefix, service in TARGET_PREFIXES.items()}
# Longest string this test will send as "overlong" (the body limit applies first beyond).
MAX_PROBE = 100_000


@dataclass
class World:
    """Real ids to put in requests, so handlers get past their first lookup."""

    pool: UserPool
    client: AppClient

    def known(self, name: str) -> str | None:
        return {"UserPoolId": self.pool.pk, "ClientId": self.client.pk, "Username": "ann",
                "GroupName": "staff"}.get(name)


@pytest.fixture
def world(make_pool: Any, make_client: Any) -> World:
    pool = make_pool(name="world")
    client = make_client(pool, explicit_auth_flows=["ALLOW_USER_PASSWORD_AUTH",
                                                    "ALLOW_ADMIN_USER_PASSWORD_AUTH",
                                                    "ALLOW_REFRESH_TOKEN_AUTH"])
    user = create_user(pool, "ann")
    groups.add_user_to_group(user, groups.create_group(pool, "staff"))
    return World(pool, client)


def operations() -> list[tuple[str, str, OperationModel]]:
    """Every registered operation with botocore's model of it."""
    found = []
    assert len(HANDLERS) >= 60, sorted(HANDLERS)
    for service, name in sorted(HANDLERS):
        operation = model.operation_model(service, name)
        assert operation is not None, f"{name} is registered but not in the {service} model"
        found.append((service, name, operation))
    return found


def row_counts() -> dict[str, int]:
    """Rows of every django_cognito model and of the user model."""
    models = [*apps.get_app_config("django_cognito").get_models(), get_user_model()]
    return {m._meta.label: m._default_manager.count() for m in models}


class Sender:
    """Posts raw bodies to the live server, signing when the operation needs it."""

    def __init__(self, url: str, key_id: str, secret: str) -> None:
        self.url = url + "/"
        self.credentials = Credentials(key_id, secret)

    def post(self, service: str, target: str, body: bytes, *, sign: bool) -> requests.Response:
        headers = {"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": target,
                   "Connection": "close"}
        if sign:
            request = AWSRequest(method="POST", url=self.url, data=body, headers=headers)
            SigV4Auth(self.credentials, service, "us-east-1").add_auth(request)
            headers = dict(request.headers.items())
        return requests.post(self.url, data=body, headers=headers, timeout=30)

    def call(self, service: str, name: str, body: bytes) -> requests.Response:
        operation = model.operation_model(service, name)
        assert operation is not None
        return self.post(service, f"{PREFIXES[service]}.{name}", body,
                         sign=not model.is_unsigned(operation))


@pytest.fixture
def sender(api_base: str, access_key: Any) -> Sender:
    return Sender(api_base, access_key.access_key_id, access_key.secret)


def problem(response: requests.Response, expected: str | None = None) -> str | None:
    """Why ``response`` is not a typed 400 (of type ``expected``); ``None`` when it is."""
    try:
        body = response.json()
    except ValueError:
        return f"status {response.status_code}, body not JSON: {response.text[:200]!r}"
    kind = body.get("__type") if isinstance(body, dict) else None
    if response.status_code != 400:
        return f"status {response.status_code}: {body}"
    if not isinstance(kind, str) or not isinstance(body.get("message"), str):
        return f"no __type/message: {body}"
    if response.headers.get("x-amzn-ErrorType") != kind:
        return f"x-amzn-ErrorType {response.headers.get('x-amzn-ErrorType')!r} != {kind!r}"
    if expected is not None and kind != expected:
        return f"{kind} instead of {expected}: {body.get('message')}"
    return None


# Request bodies from the model -----------------------------------------------------------

def valid_value(shape: Shape, name: str, world: World) -> Any:
    """A value of the right type and size (not necessarily meaningful)."""
    kind, meta = shape.type_name, shape.metadata
    if kind == "string":
        known = world.known(name)
        if known is not None:
            return known
        if shape.enum:
            return shape.enum[0]
        return "a" * max(meta.get("min", 1), 1)
    if kind in ("integer", "long"):
        return max(meta.get("min", 1), 1) if meta.get("max", 2) >= 1 else meta.get("min", 0)
    if kind == "boolean":
        return False
    if kind in ("double", "float", "timestamp"):
        return 1
    if kind == "blob":
        return "YQ=="
    if kind == "list":
        return [valid_value(shape.member, name, world)] * meta.get("min", 0)
    if kind == "map":
        return {}
    return {member: valid_value(shape.members[member], member, world)
            for member in shape.required_members}


def minimal_body(operation: OperationModel, world: World) -> dict[str, Any]:
    shape = operation.input_shape
    return {} if shape is None else valid_value(shape, "", world)


WRONG_TYPES: dict[str, Any] = {"string": 12345, "integer": "12", "long": "12",
                               "boolean": "true", "list": {"a": 1}, "map": ["a"],
                               "structure": "text", "blob": 17, "timestamp": "now",
                               "double": "1.5", "float": "1.5"}


def overlong(shape: Shape, name: str, world: World) -> Any:
    """A value just past the member's maximum, or ``None`` when it has none."""
    top = shape.metadata.get("max")
    if top is None or top >= MAX_PROBE:
        return None
    if shape.type_name == "string":
        return "a" * (top + 1)
    if shape.type_name == "list":
        return [valid_value(shape.member, name, world)] * (top + 1)
    if shape.type_name in ("integer", "long"):
        return top + 1
    return None


def members(operation: OperationModel) -> Iterator[tuple[str, Shape]]:
    shape = operation.input_shape
    if shape is not None:
        yield from shape.members.items()


def run_cases(sender: Sender, cases: Iterator[tuple[str, str, str, bytes, str | None]]
              ) -> list[str]:
    """Send each case; collect what went wrong, checking row counts after each operation."""
    failures: list[str] = []
    before = row_counts()
    last = None
    for service, name, label, body, expected in cases:
        if last is not None and last != name:
            after = row_counts()
            if after != before:
                failures.append(f"{last}: rows changed {before} -> {after}")
                before = after
        last = name
        why = problem(sender.call(service, name, body), expected)
        if why:
            failures.append(f"{name} ({label}): {why}")
    after = row_counts()
    if after != before:
        failures.append(f"{last}: rows changed {before} -> {after}")
    return failures


def each_operation(build: Callable[[str, str, OperationModel],
                                   Iterator[tuple[str, bytes, str | None]]]
                   ) -> Iterator[tuple[str, str, str, bytes, str | None]]:
    for service, name, operation in operations():
        for label, body, expected in build(service, name, operation):
            yield service, name, label, body, expected


# Tests -------------------------------------------------------------------------------------

def test_every_operation_rejects_bodies_that_are_not_a_json_object(sender: Sender,
                                                                   world: World) -> None:
    def build(service: str, name: str, operation: OperationModel
              ) -> Iterator[tuple[str, bytes, str | None]]:
        yield "malformed JSON", b'{"UserPoolId": ', "SerializationException"
        yield "invalid UTF-8", b'{"a": "\xff\xfe"}', "SerializationException"
        yield "JSON array", b"[]", "SerializationException"
        yield "JSON string", b'"text"', "SerializationException"
        yield "JSON null", b"null", "SerializationException"
        # Deeper than the JSON parser's stack: a typed error, not an internal one.
        yield "nested arrays", b"[" * 5000 + b"]" * 5000, "SerializationException"
        yield "nested in a member", b'{"ClientMetadata": ' + b'{"a": ' * 5000 + b"1" + \
            b"}" * 5001, "SerializationException"
    assert run_cases(sender, each_operation(build)) == []


def test_every_operation_rejects_members_of_the_wrong_type(sender: Sender,
                                                           world: World) -> None:
    def build(service: str, name: str, operation: OperationModel
              ) -> Iterator[tuple[str, bytes, str | None]]:
        base = minimal_body(operation, world)
        for member, shape in members(operation):
            body = {**base, member: WRONG_TYPES[shape.type_name]}
            yield f"{member} as {type(body[member]).__name__}", json.dumps(body).encode(), \
                "SerializationException"
            if shape.type_name == "list" and shape.member.type_name != "structure":
                wrong = WRONG_TYPES[shape.member.type_name]
                yield f"{member} item", json.dumps({**base, member: [wrong]}).encode(), \
                    "SerializationException"
            if shape.type_name == "list" and shape.member.type_name == "structure":
                yield f"{member} item", json.dumps({**base, member: ["x"]}).encode(), \
                    "SerializationException"
            if shape.type_name == "map":
                yield f"{member} value", json.dumps({**base, member: {"k": 1}}).encode(), \
                    "SerializationException"
    assert run_cases(sender, each_operation(build)) == []


def test_every_operation_requires_its_required_members(sender: Sender, world: World) -> None:
    def build(service: str, name: str, operation: OperationModel
              ) -> Iterator[tuple[str, bytes, str | None]]:
        shape = operation.input_shape
        if shape is None:
            return
        base = minimal_body(operation, world)
        for member in shape.required_members:
            body = {k: v for k, v in base.items() if k != member}
            yield f"without {member}", json.dumps(body).encode(), "InvalidParameterException"
            yield f"{member} null", json.dumps({**base, member: None}).encode(), \
                "InvalidParameterException"
    assert run_cases(sender, each_operation(build)) == []


def test_every_operation_rejects_overlong_members(sender: Sender, world: World) -> None:
    def build(service: str, name: str, operation: OperationModel
              ) -> Iterator[tuple[str, bytes, str | None]]:
        base = minimal_body(operation, world)
        for member, shape in members(operation):
            value = overlong(shape, member, world)
            if value is not None:
                yield f"{member} too long", json.dumps({**base, member: value}).encode(), \
                    "InvalidParameterException"
            if shape.type_name == "string" and shape.enum:
                yield f"{member} not in enum", json.dumps({**base, member: "NOPE"}).encode(), \
                    "InvalidParameterException"
    assert run_cases(sender, each_operation(build)) == []


def test_every_operation_rejects_an_oversized_body(sender: Sender, world: World) -> None:
    def build(service: str, name: str, operation: OperationModel
              ) -> Iterator[tuple[str, bytes, str | None]]:
        padding = "x" * (MAX_BODY + 1)
        yield "oversized", json.dumps({"Padding": padding}).encode(), \
            "RequestEntityTooLargeException"
    assert run_cases(sender, each_operation(build)) == []


def test_unknown_targets_are_typed_errors(sender: Sender, world: World) -> None:
    before = row_counts()
    targets = ["", "AWSCognitoIdentityProviderService.", "NoSuchService.SignUp",
               "AWSCognitoIdentityProviderService.NoSuchOperation",
               "AWSCognitoIdentityProviderService.signup", "x" * 5000]
    targets += [f"{PREFIXES[s]}.{n}Extra" for s, n, _ in operations()]
    failures = []
    for target in targets:
        response = sender.post("cognito-idp", target, b"{}", sign=False)
        why = problem(response, "UnknownOperationException")
        if why:
            failures.append(f"{target[:60]!r}: {why}")
    assert failures == [], "\n".join(failures)
    assert row_counts() == before


def test_hostile_values_never_cause_a_server_error(sender: Sender, world: World) -> None:
    """Type-valid bodies whose strings a database cannot store, or that are odd, still get
    a typed answer; nothing reaches a 500."""
    hostile = ["\x00", "\ud800", " ", "../%é"]
    failures = []
    for service, name, operation in operations():
        base = minimal_body(operation, world)
        strings = [m for m, s in members(operation) if s.type_name == "string" and not s.enum]
        bodies = [base] + [{**base, m: value} for m in strings for value in hostile]
        for body in bodies:
            response = sender.call(service, name, json.dumps(body).encode())
            if response.status_code == 200:
                continue
            why = problem(response)
            if why:
                failures.append(f"{name} {json.dumps(body)[:120]}: {why}")
    assert failures == [], "\n".join(failures)


def test_members_the_model_does_not_know_are_dropped(sender: Sender, world: World) -> None:
    """Stored, an unknown member would come back outside the model's output shapes."""
    arn = "arn:aws:lambda:us-east-1:123456789012:function:pre-sign-up"
    body = {"PoolName": "extras", "Bogus": 1,
            "LambdaConfig": {"Bogus": "x", "PreSignUp": arn},
            "AdminCreateUserConfig": {"AllowAdminCreateUserOnly": True, "Bogus": True}}
    created = sender.call("cognito-idp", "CreateUserPool", json.dumps(body).encode())
    assert created.status_code == 200, created.text
    pool = UserPool.objects.get(pk=created.json()["UserPool"]["Id"])
    assert pool.lambda_config == {"PreSignUp": arn}
    assert pool.admin_create_user_config == {"AllowAdminCreateUserOnly": True}
    assert "Bogus" not in created.text
    mfa = {"UserPoolId": pool.id, "MfaConfiguration": "OFF",
           "SoftwareTokenMfaConfiguration": {"Enabled": True, "Bogus": 1}}
    answer = sender.call("cognito-idp", "SetUserPoolMfaConfig", json.dumps(mfa).encode())
    assert answer.status_code == 200, answer.text
    assert answer.json()["SoftwareTokenMfaConfiguration"] == {"Enabled": True}
    described = sender.call("cognito-idp", "DescribeUserPool",
                            json.dumps({"UserPoolId": pool.id}).encode())
    assert described.status_code == 200 and "Bogus" not in described.text
