"""What the code under test wrote and sent: row counts, outbox sizes, the codes in messages."""

from __future__ import annotations

import re

from django.contrib.auth import get_user_model
from django.core import mail

from django_cognito.models import PasswordHistoryEntry, PoolUser, VerificationCode
from django_cognito.services import background, delivery


def counts() -> tuple[int, int, int, int]:
    """Rows a lifecycle call may write: pool users, Django users, codes, password history."""
    return (PoolUser.objects.count(), get_user_model()._default_manager.count(),
            VerificationCode.objects.count(), PasswordHistoryEntry.objects.count())


def outboxes() -> tuple[int, int]:
    """How many emails and SMS messages were sent (those sent after the response included)."""
    background.flush()
    return len(mail.outbox), len(delivery.outbox)


def last_code(destination: str | None = None) -> str:
    """The six-digit code of the last email (or SMS to ``destination``) sent."""
    background.flush()  # a code sent after the response is in the outbox once this returns
    texts = [m.body for m in mail.outbox if destination in (None, *m.to)]
    texts += [m["message"] for m in delivery.outbox
              if destination in (None, m["phone_number"])]
    assert texts, "no message was sent"
    match = re.search(r"\b(\d{6})\b", texts[-1])
    assert match, texts[-1]
    return match.group(1)
