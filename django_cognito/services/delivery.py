"""Rendering and sending of codes and invitations, with the custom message trigger."""

from __future__ import annotations

import html
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.dispatch import Signal
from django.utils.module_loading import import_string

from .. import signals
from ..conf import app_settings
from ..exceptions import CodeDeliveryFailureException, InvalidLambdaResponseException
from ..models import AppClient, PoolUser, UserPool
from . import triggers
from .schema import string_map

logger = logging.getLogger("django_cognito.delivery")

CODE_PLACEHOLDER = "{####}"
USERNAME_PLACEHOLDER = "{username}"
DEFAULT_VERIFICATION = {
    "SmsMessage": "Your verification code is {####}. ",
    "EmailMessage": "Your verification code is {####}. ",
    "EmailSubject": "Your verification code",
}
DEFAULT_INVITE = {
    "SMSMessage": "Your username is {username} and temporary password is {####}. ",
    "EmailMessage": "Your username is {username} and temporary password is {####}. ",
    "EmailSubject": "Your temporary password",
}


@dataclass
class Message:
    """A rendered message ready to send."""

    medium: str  # "EMAIL" or "SMS"
    attribute: str  # "email" or "phone_number"
    destination: str
    subject: str
    body: str
    purpose: str
    # What a custom sender trigger receives instead of the rendered text.
    code: str = field(default="", repr=False)
    user: PoolUser | None = field(default=None, repr=False)
    client: AppClient | None = field(default=None, repr=False)
    client_metadata: dict[str, str] = field(default_factory=dict, repr=False)

    def details(self) -> dict[str, str]:
        """Cognito's CodeDeliveryDetailsType for this message."""
        return code_delivery_details(self.medium, self.destination)


def mask(medium: str, destination: str) -> str:
    """Mask a destination the way Cognito does (``j***@e***``, ``+*******1234``)."""
    if medium == "EMAIL":
        local, _, domain = destination.partition("@")
        return f"{local[:1]}***@{domain[:1]}***"
    return "+" + "*" * max(len(destination) - 5, 0) + destination[-4:]


def code_delivery_details(medium: str, destination: str) -> dict[str, str]:
    """``CodeDeliveryDetails``: masked destination, medium and attribute name."""
    return {"Destination": mask(medium, destination), "DeliveryMedium": medium,
            "AttributeName": "email" if medium == "EMAIL" else "phone_number"}


def verification_templates(pool: UserPool) -> dict[str, str]:
    return {**DEFAULT_VERIFICATION, **{k: v for k, v in pool.verification_message_template.items()
                                        if isinstance(v, str) and v}}


def invite_templates(pool: UserPool) -> dict[str, str]:
    configured = pool.admin_create_user_config.get("InviteMessageTemplate") or {}
    return {**DEFAULT_INVITE, **{k: v for k, v in configured.items() if isinstance(v, str) and v}}


def render(pool: UserPool, client: AppClient | None, user: PoolUser, *, attribute: str,
           source: str, code: str, client_metadata: Mapping[str, str] | None = None,
           destination: str | None = None, username: str | None = None) -> Message:
    """Render a code message for ``attribute``, letting the custom message trigger rewrite it."""
    medium = "EMAIL" if attribute == "email" else "SMS"
    destination = destination or user.attr(attribute) or ""
    invite = source == triggers.MESSAGE_ADMIN_CREATE_USER
    templates = invite_templates(pool) if invite else verification_templates(pool)
    sms = templates["SMSMessage" if invite else "SmsMessage"]
    email, subject = templates["EmailMessage"], templates["EmailSubject"]
    # A custom sender composes the message itself from the code: nothing to customise here.
    if (triggers.has_receivers(signals.custom_message, pool)
            and not triggers.has_receivers(sender_signal(medium), pool)):
        request: dict[str, Any] = {
            "userAttributes": triggers.user_attributes(user),
            "codeParameter": CODE_PLACEHOLDER,
            "linkParameter": "{##Click Here##}",
            "usernameParameter": USERNAME_PLACEHOLDER if invite else None,
            "clientMetadata": string_map(client_metadata),
        }
        event = triggers.build_event(pool, client, source, user.username, request,
                                     {"smsMessage": None, "emailMessage": None,
                                      "emailSubject": None})
        response = triggers.send(signals.custom_message, event, pool, client)["response"]
        for key in ("smsMessage", "emailMessage"):
            value = response.get(key)
            if value is not None and CODE_PLACEHOLDER not in value:
                raise InvalidLambdaResponseException(
                    f"Invalid lambda response: {key} must contain {CODE_PLACEHOLDER}.")
        sms = response.get("smsMessage") or sms
        email = response.get("emailMessage") or email
        subject = response.get("emailSubject") or subject
    body = email if medium == "EMAIL" else sms
    name = username or user.username
    body = body.replace(CODE_PLACEHOLDER, code).replace(USERNAME_PLACEHOLDER, name)
    return Message(medium=medium, attribute=attribute, destination=destination,
                   subject=subject, body=body, purpose=source, code=code, user=user,
                   client=client, client_metadata=string_map(client_metadata))


def from_address(pool: UserPool) -> str:
    return (pool.email_configuration.get("From") or app_settings.DEFAULT_FROM_EMAIL
            or settings.DEFAULT_FROM_EMAIL)


def sender_signal(medium: str) -> Signal:
    """The custom sender trigger that replaces delivery over ``medium``."""
    return signals.custom_email_sender if medium == "EMAIL" else signals.custom_sms_sender


def sender_source(medium: str, purpose: str) -> str:
    """``CustomEmailSender_<X>`` / ``CustomSMSSender_<X>`` for a ``CustomMessage_<X>`` source."""
    names = signals.TRIGGER_NAMES
    kind = purpose.removeprefix(names[signals.custom_message] + "_")
    return f"{names[sender_signal(medium)]}_{kind}"


def custom_sender_event(pool: UserPool, message: Message, user: PoolUser) -> triggers.Event:
    """The custom email / SMS sender event (reference §4.2); ``code`` is not KMS-encrypted."""
    request = {
        "type": ("customEmailSenderRequestV1" if message.medium == "EMAIL"
                 else "customSMSSenderRequestV1"),
        "code": message.code,
        "userAttributes": triggers.user_attributes(user),
        "clientMetadata": dict(message.client_metadata),
    }
    return triggers.build_event(pool, message.client, sender_source(message.medium,
                                                                    message.purpose),
                                user.username, request, {})


def send(pool: UserPool, message: Message) -> None:
    """Deliver a message: to the pool's custom sender trigger when assigned, else ourselves."""
    signal = sender_signal(message.medium)
    if message.user is not None and triggers.has_receivers(signal, pool):
        try:
            triggers.notify(signal, custom_sender_event(pool, message, message.user), pool,
                            message.client)
        except Exception as exc:
            logger.exception("%s trigger failed for %s", signals.TRIGGER_NAMES[signal],
                             message.purpose)
            raise CodeDeliveryFailureException() from exc
        return
    try:
        if message.medium == "EMAIL":
            mail = EmailMultiAlternatives(message.subject, message.body, from_address(pool),
                                          [message.destination])
            mail.attach_alternative(html.escape(message.body), "text/html")
            mail.send()
        else:
            sender = import_string(app_settings.SMS_SENDER)
            sender(message.destination, message.body, pool=pool, purpose=message.purpose)
    except Exception as exc:
        logger.exception("Delivery of %s to %s failed", message.purpose, message.medium)
        raise CodeDeliveryFailureException() from exc


def log_sms_sender(phone_number: str, message: str, *, pool: UserPool, purpose: str) -> None:
    """Development SMS sender: logs the message (configure COGNITO['SMS_SENDER'] in production)."""
    logger.warning("SMS to %s (%s, pool %s): %s", phone_number, purpose, pool.id, message)
    outbox.append({"phone_number": phone_number, "message": message, "pool": pool.id,
                   "purpose": purpose})


#: Messages sent by :func:`log_sms_sender`, like ``django.core.mail.outbox`` (tests, demo).
outbox: list[dict[str, str]] = []
