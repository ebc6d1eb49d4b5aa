"""Header-only SigV4 attacks on admin operations (issue 11, finding 5), over plain HTTP.

Someone who captured one signed request may change whatever the signature does not cover.
``tests/api/test_sigv4_headers.py`` replays a signature over host (and the date) as another
X-Amz-Target; here the other ways around it: x-amz-* headers added unsigned, a signed payload
hash that does not bind the body, and SignedHeaders entries that are not lower case. Each is
refused with the victim untouched.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from django_cognito.models import AccessKey, PoolUser, UserPool
from django_cognito.services import admin_users

pytest_plugins = ["tests.api_fixtures", "tests.live_api"]

TARGET = "AWSCognitoIdentityProviderService."


def signed(url: str, key: AccessKey, operation: str, body: dict[str, Any],
           **extra: str) -> dict[str, str]:
    """The headers of a request botocore signs over every header it carries (and ``extra``)."""
    request = AWSRequest(method="POST", url=url, data=json.dumps(body).encode(), headers={
        "Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": TARGET + operation,
        **extra})
    SigV4Auth(Credentials(key.access_key_id, key.secret or ""), "cognito-idp",
              "us-east-1").add_auth(request)
    return dict(request.headers.items())


@pytest.fixture
def victim(pool: UserPool) -> PoolUser:
    user: PoolUser = admin_users.admin_create_user(pool, "victim", message_action="SUPPRESS")
    return user


def untouched(user: PoolUser) -> bool:
    return PoolUser.objects.filter(pk=user.pk, enabled=True).exists()


def test_a_signature_over_the_date_and_host_runs_no_other_operation(
        api_url: str, post: Any, access_key: AccessKey, pool: UserPool,
        victim: PoolUser) -> None:
    """The finding itself, once: AdminGetUser signed over host and x-amz-date, replayed as
    AdminDeleteUser."""
    body = {"UserPoolId": pool.id, "Username": "victim"}
    headers = signed(api_url, access_key, "AdminGetUser", body)
    narrow = AWSRequest(method="POST", url=api_url, data=json.dumps(body).encode(),
                        headers={"X-Amz-Date": headers["X-Amz-Date"]})
    narrow.context["timestamp"] = headers["X-Amz-Date"]
    signer = SigV4Auth(Credentials(access_key.access_key_id, access_key.secret or ""),
                       "cognito-idp", "us-east-1")
    signature = signer.signature(signer.string_to_sign(
        narrow, signer.canonical_request(narrow)), narrow)
    scope = headers["Authorization"].split("Credential=")[1].split(",")[0]
    replayed = {**headers, "X-Amz-Target": TARGET + "AdminDeleteUser",
                "Authorization": f"AWS4-HMAC-SHA256 Credential={scope}, "
                                 f"SignedHeaders=host;x-amz-date, Signature={signature}"}
    status, answer = post("AdminDeleteUser", body, headers=replayed)
    assert (status, answer["__type"]) == (400, "IncompleteSignatureException")
    assert untouched(victim)


@pytest.mark.parametrize(("header", "value"), [
    ("X-Amz-Content-Sha256", "sha256 of the body"),
    ("X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD"),
    ("X-Amz-Security-Token", "IQoJb3JpZ2luX2VjEBAaCXVzLWVhc3QtMSJHMEUCIQ"),
], ids=["content-sha256", "content-sha256-unsigned-payload", "security-token"])
def test_an_x_amz_header_added_unsigned_is_refused(api_url: str, post: Any,
                                                   access_key: AccessKey, pool: UserPool,
                                                   victim: PoolUser, header: str,
                                                   value: str) -> None:
    body = {"UserPoolId": pool.id, "Username": "victim"}
    headers = signed(api_url, access_key, "AdminDisableUser", body)
    if value == "sha256 of the body":
        value = hashlib.sha256(json.dumps(body).encode()).hexdigest()
    status, answer = post("AdminDisableUser", body, headers={**headers, header: value})
    assert (status, answer["__type"]) == (400, "IncompleteSignatureException")
    assert header.lower() in answer["message"]
    assert untouched(victim)
    # The same request without the added header is the key holder's, and runs.
    assert post("AdminDisableUser", body, headers=headers)[0] == 200
    assert not untouched(victim)


@pytest.mark.parametrize("payload_hash", ["UNSIGNED-PAYLOAD", "sha256 of the signed body"],
                         ids=["unsigned-payload", "sha256"])
def test_a_signed_payload_hash_binds_the_body(api_url: str, post: Any, access_key: AccessKey,
                                              pool: UserPool, victim: PoolUser,
                                              payload_hash: str) -> None:
    """A signature whose x-amz-content-sha256 is UNSIGNED-PAYLOAD (S3's convention) would
    leave the body to whoever holds the request; the body must match the signed hash."""
    harmless = {"UserPoolId": pool.id, "Username": "nobody"}
    if payload_hash != "UNSIGNED-PAYLOAD":
        payload_hash = hashlib.sha256(json.dumps(harmless).encode()).hexdigest()
    headers = signed(api_url, access_key, "AdminDisableUser", harmless,
                     **{"X-Amz-Content-Sha256": payload_hash})
    assert "x-amz-content-sha256" in headers["Authorization"]
    swapped = {"UserPoolId": pool.id, "Username": "victim"}
    status, answer = post("AdminDisableUser", swapped, headers=headers)
    assert (status, answer["__type"]) == (400, "InvalidSignatureException")
    assert untouched(victim)


@pytest.mark.parametrize("entry", ["host", "x-amz-date", "x-amz-target"])
def test_an_upper_case_signed_header_entry_is_refused(api_url: str, post: Any,
                                                      access_key: AccessKey, pool: UserPool,
                                                      victim: PoolUser, entry: str) -> None:
    """SignedHeaders lists lower-case names (SigV4's canonical form): an entry in another
    case would sign under one name and be checked under another."""
    body = {"UserPoolId": pool.id, "Username": "victim"}
    headers = signed(api_url, access_key, "AdminDisableUser", body)
    authorization = headers["Authorization"]
    listed = authorization.split("SignedHeaders=")[1].split(",")[0]
    assert entry in listed.split(";")
    upper = ";".join(name.title() if name == entry else name for name in listed.split(";"))
    status, answer = post("AdminDisableUser", body, headers={
        **headers, "Authorization": authorization.replace(listed, upper)})
    assert (status, answer["__type"]) == (400, "IncompleteSignatureException")
    assert answer["message"] == "SignedHeaders must be lower case."
    assert untouched(victim)
