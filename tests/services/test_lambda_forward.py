"""Forwarding triggers to AWS Lambda through boto3, against a loopback Invoke API (§4.1)."""

from __future__ import annotations

import json
import socket
import sys
from collections.abc import Callable, Iterator
from typing import Any

import jwt
import pytest
from django.contrib.auth.hashers import check_password
from django.core import mail
from django.core.exceptions import ImproperlyConfigured

from django_cognito import signals
from django_cognito.exceptions import (
    InvalidLambdaResponseException,
    UnexpectedLambdaException,
    UserLambdaValidationException,
)
from django_cognito.models import (
    AppClient,
    PasswordHistoryEntry,
    PoolUser,
    RefreshToken,
    UserPool,
    UserStatus,
    VerificationCode,
)
from django_cognito.services import lambda_forward, signin, signup, tokens, triggers
from tests.factories import PASSWORD
from tests.lambda_stand_in import REGION, Handler, LambdaStandIn, arn

pytestmark = pytest.mark.django_db

EMAIL = "alice@example.com"
FLOWS = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]

def returns(change: Callable[[dict[str, Any]], None]) -> Handler:
    """A function that changes the event it receives and returns it, like a real trigger."""
    def handler(event: dict[str, Any]) -> tuple[int, dict[str, str], bytes]:
        change(event)
        return 200, {}, json.dumps(event).encode()
    return handler


def raises(message: str) -> Handler:
    """A function that throws: Lambda answers 200 with X-Amz-Function-Error (Unhandled)."""
    def handler(event: dict[str, Any]) -> tuple[int, dict[str, str], bytes]:
        body = {"errorMessage": message, "errorType": "Error", "trace": []}
        return 200, {"X-Amz-Function-Error": "Unhandled"}, json.dumps(body).encode()
    return handler


def answers(body: bytes) -> Handler:
    def handler(event: dict[str, Any]) -> tuple[int, dict[str, str], bytes]:
        return 200, {}, body
    return handler


def forwarding_pool(make_pool: Any, **lambda_config: Any) -> UserPool:
    pool: UserPool = make_pool(lambda_config=lambda_config)
    return pool


def envelope(pool: UserPool, client: AppClient, source: str, username: str,
             version: str = "1") -> dict[str, Any]:
    return {"version": version, "triggerSource": source, "region": pool.region,
            "userPoolId": pool.id, "userName": username,
            "callerContext": {"awsSdkVersion": triggers.SDK_VERSION, "clientId": client.id}}


@pytest.fixture
def dead_endpoint() -> Iterator[str]:
    """A loopback URL that refuses connections: its port stays bound, never listening, for the
    whole test, so no other server (another xdist worker's) can take it meanwhile."""
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        yield f"http://127.0.0.1:{holder.getsockname()[1]}"


def strip(event: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in event.items() if k not in ("request", "response")}


# Configuration --------------------------------------------------------------------------------

def test_function_arn_reads_cognitos_lambda_config_shapes() -> None:
    config = {"PreSignUp": arn("pre"), "CustomMessage": "",
              "PreTokenGenerationConfig": {"LambdaVersion": "V2_0", "LambdaArn": arn("v2")},
              "PreTokenGeneration": arn("legacy"),
              "CustomEmailSender": {"LambdaVersion": "V1_0", "LambdaArn": arn("mail")},
              "CustomSMSSender": arn("not-an-object")}
    assert lambda_forward.function_arn(config, "PreSignUp") == arn("pre")
    assert lambda_forward.function_arn(config, "CustomMessage") is None
    assert lambda_forward.function_arn(config, "PostConfirmation") is None
    assert lambda_forward.function_arn(config, "PreTokenGeneration") == arn("v2")
    assert lambda_forward.function_arn({"PreTokenGeneration": arn("legacy")},
                                       "PreTokenGeneration") == arn("legacy")
    assert lambda_forward.function_arn(config, "CustomEmailSender") == arn("mail")
    # A bare string for a sender is what Cognito itself would reject; it still names a function.
    assert lambda_forward.function_arn(config, "CustomSMSSender") == arn("not-an-object")
    assert lambda_forward.region_of(arn("x")) == REGION


def test_forwarding_is_off_unless_the_setting_names_the_pool(
        make_pool: Any, make_client: Any, settings: Any) -> None:
    pool = forwarding_pool(make_pool, PreSignUp=arn("pre"))
    assert not triggers.has_receivers(signals.pre_sign_up, pool)
    settings.COGNITO = {"LAMBDA_FORWARD": ["eu-west-1_other"]}
    assert not triggers.has_receivers(signals.pre_sign_up, pool)
    settings.COGNITO = {"LAMBDA_FORWARD": [pool.id]}
    assert triggers.has_receivers(signals.pre_sign_up, pool)
    assert not triggers.has_receivers(signals.post_confirmation, pool)
    settings.COGNITO = {"LAMBDA_FORWARD": True}
    assert triggers.has_receivers(signals.pre_sign_up, pool)


def test_missing_boto3_is_improperly_configured(
        make_pool: Any, make_client: Any, lambda_server: LambdaStandIn,
        monkeypatch: pytest.MonkeyPatch) -> None:
    pool = forwarding_pool(make_pool, PreSignUp=arn("pre"))
    client = make_client(pool)
    monkeypatch.setitem(sys.modules, "boto3", None)  # what "not installed" looks like to import
    with pytest.raises(ImproperlyConfigured, match=r"django-cognito-idp\[aws\]"):
        signup.sign_up(client, "alice", PASSWORD, [{"Name": "email", "Value": EMAIL}])
    assert lambda_server.calls == []
    _nothing_written(pool)


# Pre sign-up ------------------------------------------------------------------------------------

def test_pre_sign_up_event_leaves_and_auto_confirm_comes_back(
        make_pool: Any, make_client: Any, lambda_server: LambdaStandIn) -> None:
    pool = forwarding_pool(make_pool, PreSignUp=arn("pre"))
    client = make_client(pool)

    def confirm(event: dict[str, Any]) -> None:
        event["response"].update(autoConfirmUser=True, autoVerifyEmail=True)
    lambda_server.on("pre", returns(confirm))

    result = signup.sign_up(client, "alice", PASSWORD, [{"Name": "email", "Value": EMAIL}],
                            validation_data=[{"Name": "invite", "Value": "x1"}],
                            client_metadata={"campaign": "spring"})
    user = PoolUser.objects.get(pool=pool, username="alice")
    [call] = lambda_server.calls
    assert call.function == arn("pre") and call.invocation_type == "RequestResponse"
    assert f"/{REGION}/lambda/aws4_request" in call.authorization
    assert call.event == {
        **envelope(pool, client, "PreSignUp_SignUp", "alice"),
        "request": {"userAttributes": {"email": EMAIL, "sub": str(user.sub),
                                       "cognito:user_status": "UNCONFIRMED"},
                    "validationData": {"invite": "x1"},
                    "clientMetadata": {"campaign": "spring"}},
        "response": {"autoConfirmUser": False, "autoVerifyEmail": False,
                     "autoVerifyPhone": False},
    }
    assert result.confirmed and result.code_delivery is None
    assert user.status == UserStatus.CONFIRMED and user.is_verified("email")
    assert mail.outbox == []


def test_lambda_runs_before_the_signal_receivers(
        make_pool: Any, make_client: Any, lambda_server: LambdaStandIn) -> None:
    pool = forwarding_pool(make_pool, PreSignUp=arn("pre"))
    client = make_client(pool)
    lambda_server.on("pre", returns(lambda e: e["response"].update(autoConfirmUser=True)))
    seen: list[dict[str, Any]] = []

    def receiver(sender: Any, event: dict[str, Any], **kwargs: Any) -> None:
        seen.append(dict(event["response"]))
        event["response"]["autoVerifyEmail"] = True

    signals.connect_for_pool(signals.pre_sign_up, pool.id, receiver)
    try:
        signup.sign_up(client, "alice", PASSWORD, [{"Name": "email", "Value": EMAIL}])
    finally:
        signals.disconnect_for_pool(signals.pre_sign_up, pool.id, receiver)
    assert seen == [{"autoConfirmUser": True, "autoVerifyEmail": False,
                     "autoVerifyPhone": False}]
    user = PoolUser.objects.get(pool=pool)
    assert user.status == UserStatus.CONFIRMED and user.is_verified("email")


def _nothing_written(pool: UserPool) -> None:
    assert not PoolUser.objects.filter(pool=pool).exists()
    assert not VerificationCode.objects.exists()
    assert not PasswordHistoryEntry.objects.exists()
    assert mail.outbox == []


def test_function_error_denies_sign_up_with_cognitos_message(
        make_pool: Any, make_client: Any, lambda_server: LambdaStandIn) -> None:
    pool = forwarding_pool(make_pool, PreSignUp=arn("pre"))
    client = make_client(pool)
    lambda_server.on("pre", raises("Invitation code is invalid"))
    with pytest.raises(UserLambdaValidationException) as caught:
        signup.sign_up(client, "alice", PASSWORD, [{"Name": "email", "Value": EMAIL}])
    assert caught.value.message == "PreSignUp failed with error Invitation code is invalid."
    _nothing_written(pool)


@pytest.mark.parametrize("body", [b"<html>Bad gateway</html>", b'"a string"',
                                  b'{"version": "1"}', b'{"response": [1, 2]}'])
def test_garbage_output_is_an_invalid_lambda_response(
        make_pool: Any, make_client: Any, lambda_server: LambdaStandIn, body: bytes) -> None:
    pool = forwarding_pool(make_pool, PreSignUp=arn("pre"))
    client = make_client(pool)
    lambda_server.on("pre", answers(body))
    with pytest.raises(InvalidLambdaResponseException) as caught:
        signup.sign_up(client, "alice", PASSWORD, [{"Name": "email", "Value": EMAIL}])
    assert caught.value.message == "Unrecognizable lambda output"
    _nothing_written(pool)


def test_wrongly_typed_response_fields_are_refused(
        make_pool: Any, make_client: Any, lambda_server: LambdaStandIn) -> None:
    pool = forwarding_pool(make_pool, PreSignUp=arn("pre"))
    client = make_client(pool)
    lambda_server.on("pre", returns(lambda e: e["response"].update(autoConfirmUser="yes")))
    with pytest.raises(InvalidLambdaResponseException):
        signup.sign_up(client, "alice", PASSWORD, [{"Name": "email", "Value": EMAIL}])
    _nothing_written(pool)


def test_unreachable_function_is_an_unexpected_lambda_exception(
        make_pool: Any, make_client: Any, lambda_server: LambdaStandIn, settings: Any,
        dead_endpoint: str) -> None:
    pool = forwarding_pool(make_pool, PreSignUp=arn("pre"))
    client = make_client(pool)
    settings.COGNITO = {**settings.COGNITO, "LAMBDA_ENDPOINT_URL": dead_endpoint}
    with pytest.raises(UnexpectedLambdaException) as caught:
        signup.sign_up(client, "alice", PASSWORD, [{"Name": "email", "Value": EMAIL}])
    assert caught.value.message == \
        "PreSignUp invocation failed due to error EndpointConnectionError."
    _nothing_written(pool)


def test_missing_function_is_an_unexpected_lambda_exception(
        make_pool: Any, make_client: Any, lambda_server: LambdaStandIn) -> None:
    pool = forwarding_pool(make_pool, PreSignUp=arn("deleted"))
    client = make_client(pool)
    with pytest.raises(UnexpectedLambdaException) as caught:
        signup.sign_up(client, "alice", PASSWORD, [{"Name": "email", "Value": EMAIL}])
    assert caught.value.message == \
        "PreSignUp invocation failed due to error ResourceNotFoundException."
    assert [c.function for c in lambda_server.calls] == [arn("deleted")]
    _nothing_written(pool)


# Custom message ---------------------------------------------------------------------------------

def test_custom_message_event_leaves_and_rewritten_message_is_sent(
        make_pool: Any, make_client: Any, lambda_server: LambdaStandIn) -> None:
    pool = forwarding_pool(make_pool, CustomMessage=arn("msg"))
    client = make_client(pool)

    def rewrite(event: dict[str, Any]) -> None:
        event["response"].update(
            emailSubject="Welcome aboard",
            emailMessage=f"Hello {event['userName']}, code {event['request']['codeParameter']}")
    lambda_server.on("msg", returns(rewrite))

    signup.sign_up(client, "alice", PASSWORD, [{"Name": "email", "Value": EMAIL}],
                   client_metadata={"lang": "en"})
    user = PoolUser.objects.get(pool=pool)
    [event] = lambda_server.events("msg")
    assert event == {
        **envelope(pool, client, "CustomMessage_SignUp", "alice"),
        "request": {"userAttributes": {"email": EMAIL, "sub": str(user.sub),
                                       "cognito:user_status": "UNCONFIRMED"},
                    "codeParameter": "{####}", "linkParameter": "{##Click Here##}",
                    "usernameParameter": None, "clientMetadata": {"lang": "en"}},
        "response": {"smsMessage": None, "emailMessage": None, "emailSubject": None},
    }
    [sent] = mail.outbox
    assert sent.subject == "Welcome aboard"
    code = sent.body.rsplit(" ", 1)[1]
    assert sent.body == f"Hello alice, code {code}" and code.isdigit() and len(code) == 6
    signup.confirm_sign_up(client, "alice", code)
    user.refresh_from_db()
    assert user.status == UserStatus.CONFIRMED


def test_custom_message_without_the_code_placeholder_is_refused(
        make_pool: Any, make_client: Any, lambda_server: LambdaStandIn) -> None:
    pool = forwarding_pool(make_pool, CustomMessage=arn("msg"))
    client = make_client(pool)
    lambda_server.on("msg", returns(lambda e: e["response"].update(emailMessage="no code")))
    with pytest.raises(InvalidLambdaResponseException):
        signup.sign_up(client, "alice", PASSWORD, [{"Name": "email", "Value": EMAIL}])
    _nothing_written(pool)


# Pre token generation V2 ------------------------------------------------------------------------

def test_pre_token_generation_v2_event_and_claims(
        make_pool: Any, make_client: Any, lambda_server: LambdaStandIn) -> None:
    pool = forwarding_pool(make_pool, PreTokenGenerationConfig={
        "LambdaVersion": "V2_0", "LambdaArn": arn("tokens")})
    client = make_client(pool, explicit_auth_flows=FLOWS)
    user = PoolUser.objects.get(pk=signup.sign_up(
        client, "alice", PASSWORD, [{"Name": "email", "Value": EMAIL}]).user.pk)
    signup.admin_confirm_sign_up(user)

    def claims(event: dict[str, Any]) -> None:
        event["response"]["claimsAndScopeOverrideDetails"] = {
            "idTokenGeneration": {"claimsToAddOrOverride": {"tier": "gold"},
                                  "claimsToSuppress": ["email"]},
            "accessTokenGeneration": {"claimsToAddOrOverride": {"tenant": {"id": 7}},
                                      "scopesToAdd": ["orders/read"]},
        }
    lambda_server.on("tokens", returns(claims))

    result = signin.initiate_auth(client, "USER_PASSWORD_AUTH",
                                {"USERNAME": "alice", "PASSWORD": PASSWORD})
    assert result.tokens is not None
    [event] = lambda_server.events("tokens")
    assert event == {
        **envelope(pool, client, "TokenGeneration_Authentication", "alice", version="2"),
        "request": {"userAttributes": {"email": EMAIL, "sub": str(user.sub),
                                       "cognito:user_status": "CONFIRMED"},
                    "groupConfiguration": {"groupsToOverride": [], "iamRolesToOverride": [],
                                           "preferredRole": None},
                    "clientMetadata": {},
                    "scopes": ["aws.cognito.signin.user.admin"]},
        "response": {"claimsAndScopeOverrideDetails": None},
    }
    id_claims = jwt.decode(result.tokens.id_token, options={"verify_signature": False})
    access = jwt.decode(result.tokens.access_token, options={"verify_signature": False})
    assert id_claims["tier"] == "gold" and "email" not in id_claims
    assert access["tenant"] == {"id": 7}
    assert access["scope"] == "aws.cognito.signin.user.admin orders/read"

    # The refresh path fires the same function with its own source.
    assert result.tokens.refresh_token is not None
    tokens.refresh(client, result.tokens.refresh_token)
    assert [e["triggerSource"] for e in lambda_server.events("tokens")] == [
        triggers.TOKEN_AUTHENTICATION, triggers.TOKEN_REFRESH_TOKENS]


def test_pre_token_generation_v1_through_the_legacy_key(
        make_pool: Any, make_client: Any, lambda_server: LambdaStandIn) -> None:
    pool = forwarding_pool(make_pool, PreTokenGeneration=arn("v1"))
    client = make_client(pool, explicit_auth_flows=FLOWS)
    user = signup.sign_up(client, "alice", PASSWORD, [{"Name": "email", "Value": EMAIL}]).user
    signup.admin_confirm_sign_up(user)
    lambda_server.on("v1", returns(lambda e: e["response"].update(claimsOverrideDetails={
        "claimsToAddOrOverride": {"plan": "pro"},
        "groupOverrideDetails": {"groupsToOverride": ["admins"]}})))
    result = signin.initiate_auth(client, "USER_PASSWORD_AUTH",
                                {"USERNAME": "alice", "PASSWORD": PASSWORD})
    [event] = lambda_server.events("v1")
    assert event["version"] == "1" and "scopes" not in event["request"]
    assert event["response"] == {"claimsOverrideDetails": None}
    assert result.tokens is not None
    id_claims = jwt.decode(result.tokens.id_token, options={"verify_signature": False})
    assert id_claims["plan"] == "pro" and id_claims["cognito:groups"] == ["admins"]


def test_pre_token_function_error_issues_no_tokens(
        make_pool: Any, make_client: Any, lambda_server: LambdaStandIn) -> None:
    pool = forwarding_pool(make_pool, PreTokenGenerationConfig={
        "LambdaVersion": "V2_0", "LambdaArn": arn("tokens")})
    client = make_client(pool, explicit_auth_flows=FLOWS)
    user = signup.sign_up(client, "alice", PASSWORD, [{"Name": "email", "Value": EMAIL}]).user
    signup.admin_confirm_sign_up(user)
    lambda_server.on("tokens", raises("tenant suspended"))
    with pytest.raises(UserLambdaValidationException) as caught:
        signin.initiate_auth(client, "USER_PASSWORD_AUTH",
                           {"USERNAME": "alice", "PASSWORD": PASSWORD})
    assert caught.value.message == "PreTokenGeneration failed with error tenant suspended."
    assert not RefreshToken.objects.exists()


# User migration ---------------------------------------------------------------------------------

def test_user_migration_event_leaves_and_the_user_is_migrated(
        make_pool: Any, make_client: Any, lambda_server: LambdaStandIn) -> None:
    pool = forwarding_pool(make_pool, UserMigration=arn("migrate"))
    client = make_client(pool, explicit_auth_flows=FLOWS)

    def found(event: dict[str, Any]) -> None:
        assert event["request"]["password"] == PASSWORD
        event["response"].update(
            userAttributes={"email": "legacy@example.com", "email_verified": "true"},
            finalUserStatus="CONFIRMED", messageAction="SUPPRESS")
    lambda_server.on("migrate", returns(found))

    result = signin.initiate_auth(client, "USER_PASSWORD_AUTH",
                                {"USERNAME": "legacy", "PASSWORD": PASSWORD},
                                client_metadata={"app": "web"})
    assert result.tokens is not None
    [event] = lambda_server.events("migrate")
    assert event == {
        **envelope(pool, client, "UserMigration_Authentication", "legacy"),
        "request": {"password": PASSWORD, "validationData": {"app": "web"},
                    "clientMetadata": {"app": "web"}},
        "response": {"userAttributes": None, "finalUserStatus": None, "messageAction": None,
                     "desiredDeliveryMediums": None, "forceAliasCreation": None,
                     "enableSMSMFA": None},
    }
    user = PoolUser.objects.get(pool=pool, username="legacy")
    assert user.status == UserStatus.CONFIRMED and user.is_verified("email")
    assert check_password(PASSWORD, user.password)
    assert mail.outbox == []


def test_user_migration_unreachable_creates_nobody(
        make_pool: Any, make_client: Any, lambda_server: LambdaStandIn, settings: Any,
        dead_endpoint: str) -> None:
    pool = forwarding_pool(make_pool, UserMigration=arn("migrate"))
    client = make_client(pool, explicit_auth_flows=FLOWS)
    settings.COGNITO = {**settings.COGNITO, "LAMBDA_ENDPOINT_URL": dead_endpoint}
    with pytest.raises(UnexpectedLambdaException):
        signin.initiate_auth(client, "USER_PASSWORD_AUTH",
                           {"USERNAME": "legacy", "PASSWORD": PASSWORD})
    assert not PoolUser.objects.filter(pool=pool).exists()
    assert not RefreshToken.objects.exists()


# Retries ----------------------------------------------------------------------------------------

def test_a_throttled_invocation_is_retried(
        make_pool: Any, make_client: Any, lambda_server: LambdaStandIn, settings: Any) -> None:
    settings.COGNITO = {**settings.COGNITO, "LAMBDA_MAX_ATTEMPTS": 3}
    lambda_forward._client.cache_clear()
    pool = forwarding_pool(make_pool, PreSignUp=arn("pre"))
    client = make_client(pool)
    attempts: list[int] = []

    def flaky(event: dict[str, Any]) -> tuple[int, dict[str, str], bytes]:
        attempts.append(1)
        if len(attempts) == 1:
            return 503, {"X-Amzn-ErrorType": "ServiceException"}, b'{"Message": "busy"}'
        event["response"]["autoConfirmUser"] = True
        return 200, {}, json.dumps(event).encode()
    lambda_server.on("pre", flaky)
    assert signup.sign_up(client, "alice", PASSWORD,
                          [{"Name": "email", "Value": EMAIL}]).confirmed
    assert len(attempts) == 2
    assert strip(lambda_server.calls[0].event) == strip(lambda_server.calls[1].event)
