"""The JSON 1.1 envelope: CORS for browser clients, request ids, error headers, 500s."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from django_cognito.api import registry
from django_cognito.api.registry import Call

TARGET = "AWSCognitoIdentityProviderService."
JSON = "application/x-amz-json-1.1"


def post(target: str, body: Any = None, **headers: str) -> Any:
    return Client().post("/", data=json.dumps(body or {}), content_type=JSON,
                         HTTP_X_AMZ_TARGET=target, **headers)


def test_preflight_allows_what_amplify_sends() -> None:
    response = Client().options("/", HTTP_ORIGIN="http://localhost:3000",
                                HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
                                HTTP_ACCESS_CONTROL_REQUEST_HEADERS="content-type,x-amz-target")
    assert response.status_code == 200
    allowed = {h.strip() for h in response["Access-Control-Allow-Headers"].split(",")}
    assert {"content-type", "x-amz-target", "x-amz-user-agent", "cache-control"} <= allowed
    exposed = {h.strip() for h in response["Access-Control-Expose-Headers"].split(",")}
    assert {"x-amzn-errortype", "x-amzn-requestid"} <= exposed
    assert "POST" in response["Access-Control-Allow-Methods"]


@pytest.mark.django_db
def test_errors_carry_type_in_body_and_header_and_a_request_id() -> None:
    response = post(TARGET + "SignUp", {"ClientId": "nope", "Username": "a", "Password": "x"})
    assert response.status_code == 400
    assert response["Content-Type"] == JSON
    body = json.loads(response.content)
    assert body["__type"] == response["x-amzn-ErrorType"] == "ResourceNotFoundException"
    assert body["message"]
    assert len(response["x-amzn-RequestId"]) == 36
    assert response["Access-Control-Allow-Origin"] == "*"


def test_only_post_is_accepted() -> None:
    response = Client().get("/", HTTP_X_AMZ_TARGET=TARGET + "SignUp")
    assert response.status_code == 400
    assert json.loads(response.content)["__type"] == "UnknownOperationException"


def test_an_unexpected_failure_is_a_typed_500_without_details(monkeypatch: Any) -> None:
    def broken(call: Call) -> dict[str, Any]:
        raise RuntimeError("secret internals")

    monkeypatch.setitem(registry.HANDLERS, ("cognito-idp", "SignUp"), broken)
    response = post(TARGET + "SignUp", {"ClientId": "c", "Username": "a", "Password": "x"})
    assert response.status_code == 500
    assert json.loads(response.content) == {"__type": "InternalErrorException",
                                            "message": "Internal error."}
    assert response["x-amzn-ErrorType"] == "InternalErrorException"
