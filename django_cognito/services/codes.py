"""One-time codes: issue (hashed), verify with expiry and attempt limits."""

from __future__ import annotations

import datetime as dt

from django.db.models import F

from ..clock import now
from ..conf import app_settings
from ..crypto import secrets as cs
from ..exceptions import CodeMismatchException, ExpiredCodeException
from ..models import CodePurpose, PoolUser, VerificationCode
from .schema import storable

LIFETIMES = {
    CodePurpose.SIGN_UP: dt.timedelta(hours=24),
    CodePurpose.VERIFY_ATTRIBUTE: dt.timedelta(hours=24),
    CodePurpose.FORGOT_PASSWORD: dt.timedelta(hours=1),
}


def issue(user: PoolUser, purpose: str, attribute: str = "", pending_value: str = "") -> str:
    """Create (or replace) the user's outstanding code for ``purpose`` and return it in clear."""
    code = cs.new_code()
    salt = cs.random_string(16)
    VerificationCode.objects.update_or_create(
        user=user, purpose=purpose, attribute=attribute,
        defaults={"code_hash": cs.hash_code(code, salt), "salt": salt, "attempts": 0,
                  "expires_at": now() + LIFETIMES[CodePurpose(purpose)],
                  "pending_value": pending_value, "created_at": now()})
    return code


def outstanding(user: PoolUser, purpose: str, attribute: str | None = None
                ) -> VerificationCode | None:
    """The user's live code for ``purpose`` (any attribute unless one is given)."""
    codes = VerificationCode.objects.filter(user=user, purpose=purpose)
    if attribute is not None:
        codes = codes.filter(attribute=attribute)
    return codes.order_by("-created_at").first()


def consume(user: PoolUser, purpose: str, code: object,
            attribute: str | None = None) -> VerificationCode:
    """Check ``code`` and return its record; the caller deletes it in its own transaction.

    Call this outside ``transaction.atomic()``: a wrong answer is counted at once and must
    survive the error it raises; the code dies after ``CODE_MAX_ATTEMPTS`` wrong answers.
    """
    record = outstanding(user, purpose, attribute)
    # A code already at its attempt limit is dead even if concurrent wrong answers raced
    # past the delete below: otherwise a parallel guesser gets extra tries.
    if record is None or record.expires_at <= now() or \
            record.attempts >= app_settings.CODE_MAX_ATTEMPTS:
        if record is not None:
            record.delete()
        raise ExpiredCodeException()
    # The attempt is taken before the code is checked: parallel guesses each take their own,
    # so no burst gets more than CODE_MAX_ATTEMPTS.
    if not VerificationCode.objects.filter(
            pk=record.pk, attempts__lt=app_settings.CODE_MAX_ATTEMPTS).update(
            attempts=F("attempts") + 1):
        raise ExpiredCodeException()
    if not isinstance(code, str) or not storable(code) or \
            not cs.check_code(code, record.salt, record.code_hash):
        if record.attempts + 1 >= app_settings.CODE_MAX_ATTEMPTS:
            VerificationCode.objects.filter(pk=record.pk).delete()
        raise CodeMismatchException()
    # A right code costs no attempt: one followed by a refused password stays as it was.
    VerificationCode.objects.filter(pk=record.pk).update(attempts=F("attempts") - 1)
    return record
