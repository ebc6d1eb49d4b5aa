"""A live server and boto3 clients that sign with a stored access key, plus shape checks.

Test modules load it with ``pytest_plugins = ["tests.api_fixtures"]``. Tests using these
fixtures need ``@pytest.mark.django_db(transaction=True)``: the live
server answers from another thread, which sees only committed rows.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from botocore import UNSIGNED
from botocore.config import Config
from botocore.exceptions import ClientError
from botocore.model import Shape

from django_cognito.api.model import service_model
from django_cognito.models import AccessKey, UserPool
from tests.factories import create_access_key

REGION = "us-east-1"
ACCESS_KEY_ID = "AKIAAPITESTKEY000001"
SECRET = "api-test-secret/0123456789abcdefghijklm"
SCOPED_KEY_ID = "AKIASCOPEDKEY0000001"
SCOPED_SECRET = "scoped-secret-0123456789abcdefghijklmn"

_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,), "blob": (str,), "boolean": (bool,), "integer": (int,), "long": (int,),
    "double": (int, float), "float": (int, float), "timestamp": (int, float)}


def check_shape(shape: Shape, value: Any, path: str = "$") -> None:
    """Assert every member of ``value`` exists in ``shape`` with the right JSON type."""
    kind = shape.type_name
    if kind == "structure":
        assert isinstance(value, dict), f"{path}: {value!r} is not an object"
        unknown = sorted(set(value) - set(shape.members))
        assert not unknown, f"{path}: {unknown} are not members of {shape.name}"
        missing = [m for m in shape.required_members if m not in value]
        assert not missing, f"{path}: required members {missing} of {shape.name} are missing"
        for name, item in value.items():
            check_shape(shape.members[name], item, f"{path}.{name}")
    elif kind == "list":
        assert isinstance(value, list), f"{path}: {value!r} is not a list"
        for index, item in enumerate(value):
            check_shape(shape.member, item, f"{path}[{index}]")
    elif kind == "map":
        assert isinstance(value, dict), f"{path}: {value!r} is not an object"
        for key, item in value.items():
            check_shape(shape.key, key, f"{path}.<key>")
            check_shape(shape.value, item, f"{path}.{key}")
    else:
        assert isinstance(value, _TYPES[kind]) and (kind == "boolean") == isinstance(
            value, bool), f"{path}: {value!r} is not a {kind}"
        if kind == "string" and shape.enum:
            assert value in shape.enum, f"{path}: {value!r} is not one of {shape.name}"


def check_output(operation: str, body: Any, service: str = "cognito-idp") -> None:
    """Assert ``body`` has the output shape of ``operation`` in botocore's model."""
    shape = service_model(service).operation_model(operation).output_shape
    if shape is None:
        assert body == {}, f"{operation} has no output but returned {body!r}"
    else:
        check_shape(shape, body, operation)


@dataclass
class Checked:
    """The operations a client called and whose raw 200 bodies matched the model."""

    operations: list[str]


def _after_call(checked: Checked, service: str = "cognito-idp") -> Any:
    def hook(http_response: Any, model: Any, **_: Any) -> None:
        body = json.loads(http_response.content or b"{}")
        if http_response.status_code == 200:
            check_output(model.name, body, service)
            checked.operations.append(model.name)
        else:
            assert http_response.status_code == 400 or (
                http_response.status_code == 500 and
                body.get("__type") == "InternalErrorException"), http_response.status_code
            assert isinstance(body.get("__type"), str) and isinstance(body.get("message"), str)
            assert http_response.headers.get("x-amzn-ErrorType") == body["__type"]
        assert http_response.headers.get("x-amzn-RequestId")
    return hook


def boto_client(url: str, *, key_id: str = ACCESS_KEY_ID, secret: str = SECRET,
                signed: bool = True, checked: Checked | None = None,
                region: str = REGION, service: str = "cognito-idp") -> Any:
    """A ``service`` client on ``url``; its raw responses are checked against the model."""
    config = Config(retries={"max_attempts": 1, "mode": "standard"},
                    signature_version=None if signed else UNSIGNED)
    client = boto3.client(service, endpoint_url=url, region_name=region,
                          aws_access_key_id=key_id, aws_secret_access_key=secret,
                          config=config)
    client.meta.events.register(f"after-call.{service}",
                                _after_call(checked or Checked([]), service))
    client.meta.events.register(f"before-send.{service}", _no_keep_alive)
    return client


def _no_keep_alive(request: Any, **_: Any) -> None:
    # A kept-alive connection holds a live-server thread, and the in-memory database
    # connection it shares, past the end of the test.
    request.headers["Connection"] = "close"


@pytest.fixture
def api_base(live_server: Any, settings: Any) -> str:
    """The live server's URL, also the public base URL (issuers and domains follow it)."""
    settings.COGNITO = {**settings.COGNITO, "PUBLIC_BASE_URL": live_server.url}
    return str(live_server.url)


@pytest.fixture
def access_key(transactional_db: Any) -> AccessKey:
    """An unscoped access key: it administers every pool and may create pools."""
    return create_access_key(ACCESS_KEY_ID, SECRET, all_pools=True)


@pytest.fixture
def checked() -> Checked:
    return Checked([])


@pytest.fixture
def cognito(api_base: str, access_key: AccessKey, checked: Checked) -> Iterator[Any]:
    """A boto3 ``cognito-idp`` client signing with ``access_key`` against the live server."""
    client = boto_client(api_base, checked=checked)
    yield client
    client.close()


@pytest.fixture
def make_boto(api_base: str) -> Iterator[Any]:
    """A factory of extra boto3 clients on the live server, closed after the test."""
    made: list[Any] = []

    def factory(**options: Any) -> Any:
        client = boto_client(api_base, **options)
        made.append(client)
        return client
    yield factory
    for client in made:
        client.close()


@pytest.fixture
def scoped_key(transactional_db: Any) -> Any:
    """A factory of keys that may administer one pool only."""
    def factory(pool: UserPool, key_id: str = SCOPED_KEY_ID,
                secret: str = SCOPED_SECRET) -> AccessKey:
        return create_access_key(key_id, secret, pool)
    return factory


def error(excinfo: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    """The ``(code, message)`` of a caught ClientError, which must be a 400."""
    response = excinfo.value.response
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400
    return response["Error"]["Code"], response["Error"]["Message"]


def error_of(call: Any, *args: Any, **params: Any) -> tuple[str, str]:
    """The ``(code, message)`` of the 400 error ``call(*args, **params)`` raises."""
    with pytest.raises(ClientError) as info:
        call(*args, **params)
    return error(info)


@pytest.fixture
def fails() -> Any:
    """``fails(call, **params)``: the ``(code, message)`` of the 400 error ``call`` raises."""
    return error_of


@pytest.fixture
def identity(api_url: str, access_key: AccessKey, checked: Checked) -> Iterator[Any]:
    """A boto3 ``cognito-identity`` client signing with the unscoped key."""
    client = boto_client(api_url, checked=checked, service="cognito-identity")
    yield client
    client.close()


@pytest.fixture
def guest(api_url: str, checked: Checked) -> Iterator[Any]:
    """A ``cognito-identity`` client that signs nothing, as apps call the public
    operations (GetId, GetOpenIdToken, GetCredentialsForIdentity, UnlinkIdentity)."""
    client = boto_client(api_url, checked=checked, service="cognito-identity", signed=False)
    yield client
    client.close()
