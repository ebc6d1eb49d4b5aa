"""Codes for clients that hide who exists go out after the answer (COGNITO's default
BACKGROUND_DELIVERY): the answer does not wait for the message, and a failed delivery is
logged rather than told."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.core import mail

from django_cognito.models import AppClient, UserPool
from django_cognito.services import background, recovery
from tests.effects import last_code
from tests.factories import create_user

pytestmark = pytest.mark.django_db(transaction=True)  # the worker thread sees commits only

gate = threading.Event()


def slow_sms_sender(phone_number: str, message: str, **kwargs: Any) -> None:
    """An SMS provider that answers only when the test lets it."""
    assert gate.wait(10)
    raise RuntimeError("provider down")


@pytest.fixture
def hiding(pool: UserPool, make_client: Any, settings: Any) -> AppClient:
    settings.COGNITO = {**settings.COGNITO, "BACKGROUND_DELIVERY": True}
    return make_client(pool, prevent_user_existence_errors="ENABLED")


def test_a_recovery_code_is_sent_after_the_answer(hiding: AppClient, pool: UserPool) -> None:
    create_user(pool)
    details = recovery.forgot_password(hiding, "alice")
    assert details["DeliveryMedium"] == "EMAIL"
    code = last_code()  # flushes what went out after the answer
    recovery.confirm_forgot_password(hiding, "alice", code, "N3w-Passw0rd!")


def test_the_answer_waits_for_no_provider_and_tells_no_failure(
        hiding: AppClient, make_pool: Any, make_client: Any, settings: Any, caplog: Any
) -> None:
    settings.COGNITO = {**settings.COGNITO, "SMS_SENDER": f"{__name__}.slow_sms_sender"}
    pool = make_pool(name="sms", auto_verified_attributes=["phone_number"])
    app = make_client(pool, prevent_user_existence_errors="ENABLED")
    create_user(pool, attributes={"phone_number": "+15550100",
                                  "phone_number_verified": "true"})
    gate.clear()
    # The provider hangs, then fails: the answer comes at once all the same, as for anyone.
    assert recovery.forgot_password(app, "alice")["DeliveryMedium"] == "SMS"
    assert recovery.forgot_password(app, "nobody")["DeliveryMedium"] == "SMS"
    gate.set()
    background.flush()
    assert "Delivery of CustomMessage_ForgotPassword to SMS failed" in caplog.text
    assert mail.outbox == []
