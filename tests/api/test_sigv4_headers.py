"""A SigV4 signature must cover every header that selects behaviour: a signature over the
host alone, replayed with another X-Amz-Target, must not run another operation."""

from __future__ import annotations

import json
from typing import Any
from urllib.error import HTTPError
from urllib.request import Request, urlopen

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from django_cognito.models import AccessKey, PoolUser, UserPool
from django_cognito.services import admin_users

pytest_plugins = ["tests.api_fixtures"]

TARGET = "AWSCognitoIdentityProviderService."


def signed(url: str, key: AccessKey, operation: str, body: dict[str, Any], *,
           over: tuple[str, ...]) -> dict[str, str]:
    """Headers of a request signed by botocore's own signer over the headers ``over``."""
    data = json.dumps(body).encode()
    request = AWSRequest(method="POST", url=url, data=data, headers={
        "Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": TARGET + operation})
    signer = SigV4Auth(Credentials(key.access_key_id, key.secret or ""), "cognito-idp", "us-east-1")
    signer.add_auth(request)  # signs every header the request carries
    headers = dict(request.headers.items())
    if over:  # the same signature computation restricted to ``over``
        narrow = AWSRequest(method="POST", url=url, data=data,
                            headers={k: v for k, v in headers.items()
                                     if k.lower() in over or k.lower() == "x-amz-date"})
        narrow.context["timestamp"] = headers["X-Amz-Date"]
        canonical = signer.canonical_request(narrow)
        signature = signer.signature(signer.string_to_sign(narrow, canonical), narrow)
        scope = headers["Authorization"].split("Credential=")[1].split(",")[0]
        headers["Authorization"] = (f"AWS4-HMAC-SHA256 Credential={scope}, SignedHeaders="
                                    f"{';'.join(sorted(over))}, Signature={signature}")
    return headers


def post(url: str, headers: dict[str, str], body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    request = Request(url, data=json.dumps(body).encode(), headers=headers,  # noqa: S310
                      method="POST")
    try:
        with urlopen(request, timeout=10) as response:  # noqa: S310 (the live test server)
            return response.status, json.loads(response.read() or b"{}")
    except HTTPError as error:
        return error.code, json.loads(error.read())


@pytest.mark.parametrize("over", [("host",), ("host", "x-amz-date"),
                                  ("content-type", "host", "x-amz-date")])
def test_a_signature_without_the_target_runs_nothing(api_base: str, access_key: AccessKey,
                                                     pool: UserPool, over: tuple[str, ...]
                                                     ) -> None:
    user = admin_users.admin_create_user(pool, "victim", message_action="SUPPRESS")
    body = {"UserPoolId": pool.id, "Username": "victim"}
    headers = signed(api_base, access_key, "AdminGetUser", body, over=over)
    for operation in ("AdminGetUser", "AdminDisableUser"):  # as signed, then replayed
        replayed = {**headers, "X-Amz-Target": TARGET + operation}
        status, answer = post(api_base, replayed, body)
        assert status == 400
        assert answer["__type"] == "IncompleteSignatureException"
        assert "x-amz-target" in answer["message"]
    assert PoolUser.objects.get(pk=user.pk).enabled


def test_a_signature_over_every_header_still_works(api_base: str, access_key: AccessKey,
                                                   pool: UserPool) -> None:
    admin_users.admin_create_user(pool, "victim", message_action="SUPPRESS")
    body = {"UserPoolId": pool.id, "Username": "victim"}
    headers = signed(api_base, access_key, "AdminGetUser", body, over=())
    status, answer = post(api_base, headers, body)
    assert status == 200 and answer["Username"] == "victim"
