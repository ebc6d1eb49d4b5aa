"""Pre sign-up, post confirmation and custom message triggers as signals (reference §4)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.dispatch import Signal

from django_cognito import signals
from django_cognito.exceptions import (
    CodeMismatchException,
    InvalidLambdaResponseException,
    InvalidParameterException,
    InvalidPasswordException,
    TriggerRejected,
    UserLambdaValidationException,
)
from django_cognito.models import (
    AppClient,
    PoolUser,
    UserPool,
    UserStatus,
    VerificationCode,
)
from django_cognito.services import admin_users, delivery, passwords, recovery, signup, triggers
from django_cognito.services.users import find_user
from tests.effects import counts, last_code, outboxes
from tests.factories import PASSWORD

EMAIL = "alice@example.com"
PHONE = "+15555550123"
NO_CLIENT = "CLIENT_ID_NOT_APPLICABLE"

Receiver = Callable[..., None]
Connect = Callable[[Signal, Receiver], Receiver]




def recorder(connect: Connect, signal: Signal,
             respond: Callable[[dict[str, Any]], None] | None = None) -> list[dict[str, Any]]:
    """Connect a receiver that records each call (event as received) and may fill the response."""
    calls: list[dict[str, Any]] = []

    def receiver(sender: Any, event: dict[str, Any], pool: UserPool,
                 client: AppClient | None, **kwargs: Any) -> None:
        calls.append({"sender": sender, "event": copy.deepcopy(event), "pool": pool,
                      "client": client})
        if respond is not None:
            respond(event)

    connect(signal, receiver)
    return calls


def raiser(error: Exception) -> Receiver:
    def receiver(sender: Any, event: dict[str, Any], **kwargs: Any) -> None:
        raise error
    return receiver


def reload(user: PoolUser) -> PoolUser:
    return PoolUser.objects.get(pk=user.pk)


def register(client: AppClient, username: str = "alice", **kwargs: Any) -> signup.SignUpResult:
    attributes = kwargs.pop("attributes", {"email": EMAIL})
    return signup.sign_up(client, username, PASSWORD, attributes, **kwargs)


# Pre sign-up ----------------------------------------------------------------------------------

def test_pre_sign_up_event_shape(connect: Connect, pool: UserPool, client_app: AppClient) -> None:
    seen_in_db: list[bool] = []
    calls = recorder(connect, signals.pre_sign_up,
                     lambda event: seen_in_db.append(
                         PoolUser.objects.filter(username="alice").exists()))
    result = register(client_app, attributes={"email": EMAIL, "name": "Alice"},
                      validation_data=[{"Name": "captcha", "Value": "ok"}],
                      client_metadata={"source": "web"})
    assert len(calls) == 1
    call = calls[0]
    assert call["sender"] is UserPool
    assert call["pool"].pk == pool.pk and call["client"].pk == client_app.pk
    assert call["event"] == {
        "version": "1",
        "triggerSource": "PreSignUp_SignUp",
        "region": "us-east-1",
        "userPoolId": pool.id,
        "userName": "alice",
        "callerContext": {"awsSdkVersion": triggers.SDK_VERSION, "clientId": client_app.id},
        "request": {
            "userAttributes": {"email": EMAIL, "name": "Alice", "sub": str(result.user.sub),
                               "cognito:user_status": "UNCONFIRMED"},
            "validationData": {"captcha": "ok"},
            "clientMetadata": {"source": "web"},
        },
        "response": {"autoConfirmUser": False, "autoVerifyEmail": False,
                     "autoVerifyPhone": False},
    }
    assert seen_in_db == [False]  # it runs before the user exists
    assert reload(result.user).status == UserStatus.UNCONFIRMED
    assert len(mail.outbox) == 1


def test_pre_sign_up_event_uses_the_sub_in_email_username_pools(
        connect: Connect, make_pool: Any, make_client: Any) -> None:
    calls = recorder(connect, signals.pre_sign_up)
    client = make_client(make_pool(username_attributes=["email"]))
    user = signup.sign_up(client, EMAIL, PASSWORD).user
    event = calls[0]["event"]
    assert event["userName"] == str(user.sub)
    assert event["request"]["userAttributes"]["email"] == EMAIL
    assert event["request"]["validationData"] == {}


@pytest.mark.parametrize(("error", "text"), [
    (ValueError("Domain not allowed"), "Domain not allowed"),
    (TriggerRejected("Sign-ups are closed"), "Sign-ups are closed"),
])
def test_denied_pre_sign_up_writes_nothing(connect: Connect, client_app: AppClient,
                                           error: Exception, text: str) -> None:
    connect(signals.pre_sign_up, raiser(error))
    with pytest.raises(UserLambdaValidationException) as raised:
        register(client_app)
    assert raised.value.message == f"PreSignUp failed with error {text}."
    assert counts() == (0, 0, 0, 0) and outboxes() == (0, 0)


@pytest.mark.parametrize(("respond", "message"), [
    (lambda event: event["response"].update(autoConfirmUser="yes"),
     "Invalid lambda response: autoConfirmUser must be a boolean."),
    (lambda event: event["response"].update(autoVerifyEmail=1),
     "Invalid lambda response: autoVerifyEmail must be a boolean."),
    (lambda event: event["response"].update(autoVerifyPhone="false"),
     "Invalid lambda response: autoVerifyPhone must be a boolean."),
    (lambda event: event.update(response=None),
     "Invalid lambda response: response is not an object."),
    (lambda event: event.update(response=["autoConfirmUser"]),
     "Invalid lambda response: response is not an object."),
    (lambda event: event.pop("response"),
     "Invalid lambda response: response is not an object."),
])
def test_malformed_pre_sign_up_response_writes_nothing(connect: Connect,
                                                       client_app: AppClient,
                                                       respond: Callable[[dict[str, Any]], None],
                                                       message: str) -> None:
    recorder(connect, signals.pre_sign_up, respond)
    with pytest.raises(InvalidLambdaResponseException) as raised:
        register(client_app)
    assert raised.value.message == message
    assert counts() == (0, 0, 0, 0) and outboxes() == (0, 0)


def test_pre_sign_up_is_not_called_for_invalid_requests(connect: Connect,
                                                        client_app: AppClient) -> None:
    calls = recorder(connect, signals.pre_sign_up)
    with pytest.raises(InvalidPasswordException):
        signup.sign_up(client_app, "alice", "weak", {"email": EMAIL})
    with pytest.raises(InvalidParameterException):
        signup.sign_up(client_app, "alice", PASSWORD, {"custom:unknown": "x"})
    assert calls == []


@pytest.mark.parametrize("validation_data", ["captcha=ok", [{"Name": "captcha"}, 5],
                                             [{"Name": "captcha", "Value": 1}]])
def test_malformed_validation_data_is_refused(connect: Connect, client_app: AppClient,
                                              validation_data: Any) -> None:
    with pytest.raises(InvalidParameterException):
        register(client_app, validation_data=validation_data)
    assert counts() == (0, 0, 0, 0)
    calls = recorder(connect, signals.pre_sign_up)
    with pytest.raises(InvalidParameterException):
        register(client_app, validation_data=validation_data)
    assert calls == [] and counts() == (0, 0, 0, 0) and outboxes() == (0, 0)


def test_auto_confirm_skips_the_code_and_fires_post_confirmation(
        connect: Connect, client_app: AppClient) -> None:
    recorder(connect, signals.pre_sign_up,
             lambda event: event["response"].update(autoConfirmUser=True))
    status_seen: list[str] = []
    confirmations = recorder(connect, signals.post_confirmation,
                             lambda event: status_seen.append(
                                 PoolUser.objects.get(username="alice").status))
    result = register(client_app, client_metadata={"plan": "pro"})
    user = reload(result.user)
    assert result.confirmed is True and result.code_delivery is None
    assert user.status == UserStatus.CONFIRMED
    assert "email_verified" not in user.attributes
    assert outboxes() == (0, 0) and VerificationCode.objects.count() == 0
    assert status_seen == [UserStatus.CONFIRMED]
    event = confirmations[0]["event"]
    assert event["triggerSource"] == "PostConfirmation_ConfirmSignUp"
    assert event["callerContext"]["clientId"] == client_app.id
    assert event["request"]["clientMetadata"] == {"plan": "pro"}
    assert event["request"]["userAttributes"]["cognito:user_status"] == "CONFIRMED"
    assert event["response"] == {}


def test_auto_verify_email_and_phone(connect: Connect, make_pool: Any,
                                     make_client: Any) -> None:
    recorder(connect, signals.pre_sign_up, lambda event: event["response"].update(
        autoConfirmUser=True, autoVerifyEmail=True, autoVerifyPhone=True))
    client = make_client(make_pool(auto_verified_attributes=["email", "phone_number"]))
    user = reload(register(client, attributes={"email": EMAIL, "phone_number": PHONE}).user)
    assert user.status == UserStatus.CONFIRMED
    assert user.is_verified("email") and user.is_verified("phone_number")

    only_email = reload(register(client, "bob", attributes={"email": "bob@example.com"}).user)
    assert only_email.attributes == {"email": "bob@example.com", "email_verified": "true"}


def test_auto_verify_without_auto_confirm_leaves_the_user_unconfirmed(
        connect: Connect, client_app: AppClient) -> None:
    recorder(connect, signals.pre_sign_up,
             lambda event: event["response"].update(autoVerifyEmail=True))
    confirmations = recorder(connect, signals.post_confirmation)
    result = register(client_app)
    user = reload(result.user)
    assert user.status == UserStatus.UNCONFIRMED and user.is_verified("email")
    assert result.code_delivery is None and outboxes() == (0, 0)
    assert confirmations == []


def test_auto_verify_takes_the_alias_from_another_user(connect: Connect, make_pool: Any,
                                                       make_client: Any) -> None:
    client = make_client(make_pool(alias_attributes=["email"]))
    first = register(client, "first").user
    signup.confirm_sign_up(client, "first", last_code())
    recorder(connect, signals.pre_sign_up, lambda event: event["response"].update(
        autoConfirmUser=True, autoVerifyEmail=True))
    second = register(client, "second").user
    assert reload(first).attributes["email_verified"] == "false"
    assert find_user(first.pool, EMAIL) == reload(second)


def test_every_connected_receiver_fires_in_order(connect: Connect,
                                                 client_app: AppClient) -> None:
    order: list[str] = []

    def first(sender: Any, event: dict[str, Any], **kwargs: Any) -> None:
        order.append("first")
        event["response"]["autoConfirmUser"] = True

    def second(sender: Any, event: dict[str, Any], **kwargs: Any) -> None:
        order.append("second")
        assert event["response"]["autoConfirmUser"] is True
        event["response"]["autoVerifyEmail"] = True

    connect(signals.pre_sign_up, first)
    connect(signals.pre_sign_up, second)
    user = reload(register(client_app).user)
    assert order == ["first", "second"]
    assert user.status == UserStatus.CONFIRMED and user.is_verified("email")


def test_pre_sign_up_for_admin_create_user(connect: Connect, pool: UserPool) -> None:
    calls = recorder(connect, signals.pre_sign_up, lambda event: event["response"].update(
        autoConfirmUser=True, autoVerifyEmail=True))
    user = admin_users.admin_create_user(
        pool, "alice", attributes={"email": EMAIL}, temporary_password="Temp0rary!",
        desired_delivery_mediums=["EMAIL"], validation_data={"invited_by": "ops"},
        client_metadata={"ticket": "42"})
    event = calls[0]["event"]
    assert calls[0]["client"] is None
    assert event["triggerSource"] == "PreSignUp_AdminCreateUser"
    assert event["callerContext"] == {"awsSdkVersion": triggers.SDK_VERSION,
                                      "clientId": NO_CLIENT}
    assert event["userName"] == "alice" and event["userPoolId"] == pool.id
    assert event["request"]["userAttributes"]["cognito:user_status"] == "FORCE_CHANGE_PASSWORD"
    assert event["request"]["validationData"] == {"invited_by": "ops"}
    assert event["request"]["clientMetadata"] == {"ticket": "42"}
    stored = reload(user)  # the response is ignored for AdminCreateUser
    assert stored.status == UserStatus.FORCE_CHANGE_PASSWORD
    assert not stored.is_verified("email")


def test_denied_admin_create_user_writes_nothing(connect: Connect, pool: UserPool) -> None:
    connect(signals.pre_sign_up, raiser(TriggerRejected("not on the list")))
    with pytest.raises(UserLambdaValidationException) as raised:
        admin_users.admin_create_user(pool, "alice", attributes={"email": EMAIL},
                                      desired_delivery_mediums=["EMAIL"])
    assert raised.value.message == "PreSignUp failed with error not on the list."
    assert counts() == (0, 0, 0, 0) and outboxes() == (0, 0)


# Post confirmation ----------------------------------------------------------------------------

def test_post_confirmation_after_confirm_sign_up(connect: Connect, pool: UserPool,
                                                 client_app: AppClient) -> None:
    user = register(client_app).user
    code = last_code()
    seen: list[tuple[str, str | None]] = []
    calls = recorder(connect, signals.post_confirmation, lambda event: seen.append(
        (reload(user).status, reload(user).attributes.get("email_verified"))))
    signup.confirm_sign_up(client_app, "alice", code, client_metadata={"from": "email-link"})
    assert seen == [(UserStatus.CONFIRMED, "true")]
    assert calls[0]["event"] == {
        "version": "1",
        "triggerSource": "PostConfirmation_ConfirmSignUp",
        "region": "us-east-1",
        "userPoolId": pool.id,
        "userName": "alice",
        "callerContext": {"awsSdkVersion": triggers.SDK_VERSION, "clientId": client_app.id},
        "request": {
            "userAttributes": {"email": EMAIL, "email_verified": "true",
                               "sub": str(user.sub), "cognito:user_status": "CONFIRMED"},
            "clientMetadata": {"from": "email-link"},
        },
        "response": {},
    }


def test_post_confirmation_not_fired_when_confirmation_fails(connect: Connect,
                                                             client_app: AppClient) -> None:
    calls = recorder(connect, signals.post_confirmation)
    register(client_app)
    code = last_code()
    with pytest.raises(CodeMismatchException):
        signup.confirm_sign_up(client_app, "alice", "000000" if code != "000000" else "111111")
    assert calls == []


def test_failing_post_confirmation_is_reported_but_the_user_stays_confirmed(
        connect: Connect, client_app: AppClient) -> None:
    user = register(client_app).user
    code = last_code()
    connect(signals.post_confirmation, raiser(RuntimeError("CRM unavailable")))
    with pytest.raises(UserLambdaValidationException) as raised:
        signup.confirm_sign_up(client_app, "alice", code)
    assert raised.value.message == "PostConfirmation failed with error CRM unavailable."
    assert reload(user).status == UserStatus.CONFIRMED
    assert VerificationCode.objects.count() == 0


def test_post_confirmation_after_admin_confirm_sign_up(connect: Connect,
                                                       client_app: AppClient) -> None:
    user = register(client_app).user
    calls = recorder(connect, signals.post_confirmation)
    signup.admin_confirm_sign_up(reload(user), client_metadata={"by": "support"})
    event = calls[0]["event"]
    assert calls[0]["client"] is None
    assert event["triggerSource"] == "PostConfirmation_ConfirmSignUp"
    assert event["callerContext"]["clientId"] == NO_CLIENT
    assert event["request"]["clientMetadata"] == {"by": "support"}
    assert event["request"]["userAttributes"]["cognito:user_status"] == "CONFIRMED"


def test_post_confirmation_after_confirm_forgot_password(connect: Connect,
                                                         client_app: AppClient) -> None:
    user = register(client_app).user
    signup.confirm_sign_up(client_app, "alice", last_code())
    recovery.admin_reset_user_password(reload(user))
    code = last_code()
    new_password = "N3w-Passw0rd"
    seen: list[tuple[str, bool]] = []
    calls = recorder(connect, signals.post_confirmation, lambda event: seen.append(
        (reload(user).status, passwords.verify(reload(user), new_password))))
    recovery.confirm_forgot_password(client_app, "alice", code, new_password,
                                     client_metadata={"k": "v"})
    assert seen == [(UserStatus.CONFIRMED, True)]
    event = calls[0]["event"]
    assert event["triggerSource"] == "PostConfirmation_ConfirmForgotPassword"
    assert event["callerContext"]["clientId"] == client_app.id
    assert event["request"]["clientMetadata"] == {"k": "v"}
    assert new_password not in repr(event)


# Custom message -------------------------------------------------------------------------------

def test_custom_message_rewrites_the_sign_up_email(connect: Connect, pool: UserPool,
                                                   client_app: AppClient) -> None:
    calls = recorder(connect, signals.custom_message, lambda event: event["response"].update(
        emailMessage="<p>Welcome! Your code is {####}</p>", emailSubject="Welcome aboard"))
    result = register(client_app, client_metadata={"lang": "en"})
    code = last_code()
    assert mail.outbox[0].subject == "Welcome aboard"
    assert mail.outbox[0].body == f"<p>Welcome! Your code is {code}</p>"
    assert result.code_delivery == {"Destination": "a***@e***", "DeliveryMedium": "EMAIL",
                                    "AttributeName": "email"}
    event = calls[0]["event"]
    assert event["triggerSource"] == "CustomMessage_SignUp"
    assert event["userPoolId"] == pool.id and event["userName"] == "alice"
    assert event["callerContext"]["clientId"] == client_app.id
    assert event["request"]["codeParameter"] == "{####}"
    assert event["request"]["usernameParameter"] is None
    assert event["request"]["clientMetadata"] == {"lang": "en"}
    assert event["request"]["userAttributes"]["email"] == EMAIL
    assert event["response"] == {"smsMessage": None, "emailMessage": None, "emailSubject": None}
    assert code not in repr(event)  # the trigger sees the placeholder, never the code


def test_custom_message_rewrites_the_sms(connect: Connect, make_pool: Any,
                                         make_client: Any) -> None:
    recorder(connect, signals.custom_message, lambda event: event["response"].update(
        smsMessage="Example code: {####}", emailMessage="unused {####}"))
    client = make_client(make_pool(auto_verified_attributes=["phone_number"]))
    register(client, attributes={"phone_number": PHONE})
    assert delivery.outbox[0]["message"] == f"Example code: {last_code(PHONE)}"
    assert mail.outbox == []


def test_custom_message_left_empty_keeps_the_template(connect: Connect,
                                                      client_app: AppClient) -> None:
    calls = recorder(connect, signals.custom_message)
    register(client_app)
    assert len(calls) == 1
    assert mail.outbox[0].subject == "Your verification code"
    assert mail.outbox[0].body == f"Your verification code is {last_code()}. "


def test_custom_message_sources(connect: Connect, pool: UserPool,
                                client_app: AppClient) -> None:
    calls = recorder(connect, signals.custom_message)
    register(client_app)
    signup.resend_confirmation_code(client_app, "alice")
    signup.confirm_sign_up(client_app, "alice", last_code())
    recovery.forgot_password(client_app, "alice")
    recovery.admin_reset_user_password(PoolUser.objects.get(username="alice"))
    admin_users.admin_create_user(pool, "bob", attributes={"email": "bob@example.com"},
                                  desired_delivery_mediums=["EMAIL"])
    sources = [(c["event"]["triggerSource"], c["event"]["callerContext"]["clientId"])
               for c in calls]
    assert sources == [
        ("CustomMessage_SignUp", client_app.id),
        ("CustomMessage_ResendCode", client_app.id),
        ("CustomMessage_ForgotPassword", client_app.id),
        ("CustomMessage_ForgotPassword", NO_CLIENT),
        ("CustomMessage_AdminCreateUser", NO_CLIENT),
    ]
    assert len(mail.outbox) == 5


def test_custom_message_rewrites_the_invitation(connect: Connect, make_pool: Any) -> None:
    pool = make_pool(username_attributes=["email"])
    calls = recorder(connect, signals.custom_message, lambda event: event["response"].update(
        emailMessage="Sign in as {username} with {####}", emailSubject="You are invited"))
    admin_users.admin_create_user(pool, "dave@example.com", temporary_password="Temp0rary!",
                                  desired_delivery_mediums=["EMAIL"])
    event = calls[0]["event"]
    assert event["request"]["usernameParameter"] == "{username}"
    assert event["request"]["codeParameter"] == "{####}"
    assert "Temp0rary!" not in repr(event)
    assert mail.outbox[0].subject == "You are invited"
    assert mail.outbox[0].body == "Sign in as dave@example.com with Temp0rary!"


@pytest.mark.parametrize(("response", "message"), [
    ({"emailMessage": "No code here"},
     "Invalid lambda response: emailMessage must contain {####}."),
    ({"smsMessage": "No code here either"},
     "Invalid lambda response: smsMessage must contain {####}."),
    ({"emailMessage": ["{####}"]}, "Invalid lambda response: emailMessage must be a string."),
    ({"emailSubject": 42}, "Invalid lambda response: emailSubject must be a string."),
])
def test_bad_custom_message_fails_sign_up_and_writes_nothing(
        connect: Connect, client_app: AppClient, response: dict[str, Any],
        message: str) -> None:
    recorder(connect, signals.custom_message, lambda event: event["response"].update(response))
    with pytest.raises(InvalidLambdaResponseException) as raised:
        register(client_app)
    assert raised.value.message == message
    assert counts() == (0, 0, 0, 0) and outboxes() == (0, 0)


def test_failing_custom_message_keeps_the_previous_code(connect: Connect,
                                                        client_app: AppClient) -> None:
    user = register(client_app).user
    code = last_code()
    connect(signals.custom_message, raiser(RuntimeError("template store down")))
    with pytest.raises(UserLambdaValidationException) as raised:
        signup.resend_confirmation_code(client_app, "alice")
    assert raised.value.message == "CustomMessage failed with error template store down."
    with pytest.raises(UserLambdaValidationException):
        admin_users.admin_create_user(reload(user).pool, "bob",
                                      attributes={"email": "bob@example.com"},
                                      desired_delivery_mediums=["EMAIL"])
    assert len(mail.outbox) == 1 and PoolUser.objects.count() == 1
    signup.confirm_sign_up(client_app, "alice", code)
    assert reload(user).status == UserStatus.CONFIRMED


def test_failing_custom_message_leaves_no_reset_code(connect: Connect,
                                                     client_app: AppClient) -> None:
    user = register(client_app).user
    signup.confirm_sign_up(client_app, "alice", last_code())
    connect(signals.custom_message, raiser(RuntimeError("down")))
    with pytest.raises(UserLambdaValidationException):
        recovery.forgot_password(client_app, "alice")
    with pytest.raises(UserLambdaValidationException):
        recovery.admin_reset_user_password(reload(user))
    assert VerificationCode.objects.count() == 0
    assert reload(user).status == UserStatus.CONFIRMED
