"""Custom email and SMS sender triggers replace delivery (reference §4.2)."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core import mail
from django.dispatch import Signal

from django_cognito import signals
from django_cognito.exceptions import CodeDeliveryFailureException, TriggerRejected
from django_cognito.models import AppClient, PoolUser, UserPool, UserStatus
from django_cognito.services import (
    admin_users,
    attributes,
    delivery,
    recovery,
    signup,
    triggers,
)
from tests.factories import NEW_PASSWORD, PASSWORD
from tests.lambda_stand_in import LambdaStandIn, arn

pytestmark = pytest.mark.django_db

EMAIL = "alice@example.com"
PHONE = "+15555550123"
NO_CLIENT = "CLIENT_ID_NOT_APPLICABLE"

Events = list[dict[str, Any]]
Attach = Callable[..., Events]


@pytest.fixture
def sender() -> Iterator[Attach]:
    """Connect a recording receiver to a sender signal for one pool; disconnected afterwards."""
    connected: list[tuple[Signal, str, Callable[..., None]]] = []

    def attach(signal: Signal, pool: UserPool,
               action: Callable[[dict[str, Any]], None] | None = None) -> Events:
        events: Events = []

        def receiver(sender: Any, event: dict[str, Any], pool: UserPool,
                     client: AppClient | None, **kwargs: Any) -> None:
            events.append(copy.deepcopy(event))
            if action is not None:
                action(event)

        signals.connect_for_pool(signal, pool.id, receiver)
        connected.append((signal, pool.id, receiver))
        return events

    yield attach
    for signal, pool_id, receiver in connected:
        assert signals.disconnect_for_pool(signal, pool_id, receiver)


def user_attributes(user: PoolUser) -> dict[str, str]:
    return triggers.user_attributes(PoolUser.objects.get(pk=user.pk))


def test_source_names_follow_the_custom_message_sources() -> None:
    for purpose in ("SignUp", "AdminCreateUser", "ResendCode", "ForgotPassword",
                    "UpdateUserAttribute", "VerifyUserAttribute", "Authentication"):
        assert delivery.sender_source("EMAIL", f"CustomMessage_{purpose}") == \
            f"CustomEmailSender_{purpose}"
        assert delivery.sender_source("SMS", f"CustomMessage_{purpose}") == \
            f"CustomSMSSender_{purpose}"


def test_email_sender_receives_every_source_and_nothing_is_mailed(
        sender: Attach, pool: UserPool, client_app: AppClient) -> None:
    events = sender(signals.custom_email_sender, pool)
    result = signup.sign_up(client_app, "alice", PASSWORD, {"email": EMAIL},
                            client_metadata={"lang": "fr"})
    user = result.user
    assert result.code_delivery == {"Destination": "a***@e***", "DeliveryMedium": "EMAIL",
                                    "AttributeName": "email"}
    [event] = events
    assert event == {
        "version": "1", "triggerSource": "CustomEmailSender_SignUp", "region": pool.region,
        "userPoolId": pool.id, "userName": "alice",
        "callerContext": {"awsSdkVersion": triggers.SDK_VERSION, "clientId": client_app.id},
        "request": {"type": "customEmailSenderRequestV1", "code": event["request"]["code"],
                    "userAttributes": {"email": EMAIL, "sub": str(user.sub),
                                       "cognito:user_status": "UNCONFIRMED"},
                    "clientMetadata": {"lang": "fr"}},
        "response": {},
    }
    signup.resend_confirmation_code(client_app, "alice")
    # The code handed to the sender is the one the pool accepts.
    signup.confirm_sign_up(client_app, "alice", events[-1]["request"]["code"])
    assert PoolUser.objects.get(pk=user.pk).status == UserStatus.CONFIRMED

    recovery.forgot_password(client_app, "alice", client_metadata={"step": "reset"})
    assert events[-1]["request"]["clientMetadata"] == {"step": "reset"}
    recovery.confirm_forgot_password(client_app, "alice", events[-1]["request"]["code"],
                                     NEW_PASSWORD)

    user = PoolUser.objects.get(pk=user.pk)
    attributes.update_user_attributes(user, [{"Name": "email", "Value": "new@example.com"}],
                                      client=client_app)
    attributes.get_user_attribute_verification_code(PoolUser.objects.get(pk=user.pk), "email",
                                                    client=client_app)
    attributes.verify_user_attribute(PoolUser.objects.get(pk=user.pk), "email",
                                     events[-1]["request"]["code"])
    admin_users.admin_create_user(pool, "bob", attributes={"email": "bob@example.com"},
                                  temporary_password="Temp0rary!",
                                  desired_delivery_mediums=["EMAIL"])

    assert [(e["triggerSource"], e["callerContext"]["clientId"], e["userName"])
            for e in events] == [
        ("CustomEmailSender_SignUp", client_app.id, "alice"),
        ("CustomEmailSender_ResendCode", client_app.id, "alice"),
        ("CustomEmailSender_ForgotPassword", client_app.id, "alice"),
        ("CustomEmailSender_UpdateUserAttribute", client_app.id, "alice"),
        ("CustomEmailSender_VerifyUserAttribute", client_app.id, "alice"),
        ("CustomEmailSender_AdminCreateUser", NO_CLIENT, "bob"),
    ]
    assert all(e["request"]["type"] == "customEmailSenderRequestV1" for e in events)
    assert all(len(e["request"]["code"]) == 6 for e in events[:-1])
    # An invitation's code is the temporary password, as in Cognito.
    assert events[-1]["request"]["code"] == "Temp0rary!"
    assert events[3]["request"]["userAttributes"]["email"] == "new@example.com"
    assert mail.outbox == [] and delivery.outbox == []
    assert PoolUser.objects.get(pk=user.pk).attr("email") == "new@example.com"


def test_sms_sender_replaces_the_sms_sender(sender: Attach, make_pool: Any,
                                            make_client: Any) -> None:
    pool = make_pool(auto_verified_attributes=["phone_number"])
    client = make_client(pool)
    sms_events = sender(signals.custom_sms_sender, pool)
    email_events = sender(signals.custom_email_sender, pool)
    user = signup.sign_up(client, "carol", PASSWORD, {"phone_number": PHONE}).user
    [event] = sms_events
    assert event["triggerSource"] == "CustomSMSSender_SignUp"
    assert event["request"] == {"type": "customSMSSenderRequestV1",
                                "code": event["request"]["code"],
                                "userAttributes": user_attributes(user),
                                "clientMetadata": {}}
    assert email_events == [] and delivery.outbox == [] and mail.outbox == []
    signup.confirm_sign_up(client, "carol", event["request"]["code"])


def test_sms_sender_for_the_authentication_source(sender: Attach, pool: UserPool,
                                                  client_app: AppClient) -> None:
    events = sender(signals.custom_sms_sender, pool)
    user = signup.sign_up(client_app, "dan", PASSWORD,
                          {"email": EMAIL, "phone_number": PHONE}).user
    message = delivery.render(pool, client_app, user, attribute="phone_number",
                              source="CustomMessage_Authentication", code="424242",
                              client_metadata={"k": "v"})
    delivery.send(pool, message)
    assert events[-1]["triggerSource"] == "CustomSMSSender_Authentication"
    assert events[-1]["request"]["code"] == "424242"
    assert events[-1]["request"]["clientMetadata"] == {"k": "v"}
    assert delivery.outbox == []


def test_a_sender_for_another_pool_leaves_delivery_alone(
        sender: Attach, pool: UserPool, client_app: AppClient, make_pool: Any) -> None:
    other = make_pool(name="other")
    events = sender(signals.custom_email_sender, other)
    signup.sign_up(client_app, "alice", PASSWORD, {"email": EMAIL})
    assert events == []
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [EMAIL]


def test_custom_message_is_not_consulted_for_a_medium_with_a_sender(
        sender: Attach, pool: UserPool, client_app: AppClient, make_pool: Any,
        make_client: Any) -> None:
    messages = sender(signals.custom_message, pool)
    emails = sender(signals.custom_email_sender, pool)
    signup.sign_up(client_app, "alice", PASSWORD, {"email": EMAIL})
    assert messages == [] and len(emails) == 1 and mail.outbox == []
    # An SMS pool with only an email sender: the SMS is still customised and sent.
    sms_pool = make_pool(name="sms", auto_verified_attributes=["phone_number"])
    sms_messages = sender(signals.custom_message, sms_pool)
    sender(signals.custom_email_sender, sms_pool)
    signup.sign_up(make_client(sms_pool), "carol", PASSWORD, {"phone_number": PHONE})
    assert [m["triggerSource"] for m in sms_messages] == ["CustomMessage_SignUp"]
    assert [m["phone_number"] for m in delivery.outbox] == [PHONE]


def test_a_failing_sender_is_a_delivery_failure(sender: Attach, pool: UserPool,
                                                client_app: AppClient) -> None:
    def refuse(event: dict[str, Any]) -> None:
        raise TriggerRejected("mail service down")

    sender(signals.custom_email_sender, pool, refuse)
    with pytest.raises(CodeDeliveryFailureException):
        signup.sign_up(client_app, "alice", PASSWORD, {"email": EMAIL})
    assert mail.outbox == []


def test_sender_lambda_is_invoked_asynchronously_with_the_event(
        make_pool: Any, make_client: Any, lambda_server: LambdaStandIn) -> None:
    pool = make_pool(lambda_config={"CustomEmailSender": {"LambdaVersion": "V1_0",
                                                          "LambdaArn": arn("mailer")}})
    client = make_client(pool)
    lambda_server.on("mailer", lambda event: (500, {}, b"never called synchronously"))
    user = signup.sign_up(client, "alice", PASSWORD, {"email": EMAIL},
                          client_metadata={"a": "b"}).user
    [call] = lambda_server.calls
    assert call.function == arn("mailer") and call.invocation_type == "Event"
    assert call.event == {
        "version": "1", "triggerSource": "CustomEmailSender_SignUp", "region": pool.region,
        "userPoolId": pool.id, "userName": "alice",
        "callerContext": {"awsSdkVersion": triggers.SDK_VERSION, "clientId": client.id},
        "request": {"type": "customEmailSenderRequestV1", "code": call.event["request"]["code"],
                    "userAttributes": user_attributes(user), "clientMetadata": {"a": "b"}},
        "response": {},
    }
    assert mail.outbox == []
    signup.confirm_sign_up(client, "alice", call.event["request"]["code"])


def test_unreachable_sender_lambda_is_a_delivery_failure(
        make_pool: Any, make_client: Any, lambda_server: LambdaStandIn,
        settings: Any) -> None:
    pool = make_pool(lambda_config={"CustomEmailSender": {"LambdaVersion": "V1_0",
                                                          "LambdaArn": arn("gone")}})
    client = make_client(pool)
    with pytest.raises(CodeDeliveryFailureException):
        signup.sign_up(client, "alice", PASSWORD, {"email": EMAIL})
    assert [c.function for c in lambda_server.calls] == [arn("gone")]
    assert mail.outbox == []
