"""Guessing one-time codes over HTTP past the limits (issue 11, findings 2 and 3).

An attacker who knows alice's password guesses her second factor across fresh sign-ins;
one who knows only a username guesses passwordless codes across fresh flows. Wrong answers
must add up to a lock that a correct password does not lift, starting flows and sending
codes must be capped per user, and someone who is not there must meet the same answers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from django_cognito import clock
from django_cognito.crypto import totp
from django_cognito.models import AppClient, PoolUser, RefreshToken, UserPool
from django_cognito.services import mfa, pool_config
from tests.effects import last_code, outboxes
from tests.factories import PASSWORD
from tests.live_api import respond

pytest_plugins = ["tests.api_fixtures", "tests.live_api"]

LOCKED = ("NotAuthorizedException", "Password attempts exceeded")
WRONG_PASSWORD = ("NotAuthorizedException", "Incorrect username or password.")
MISMATCH = "CodeMismatchException"
Seen = Callable[..., tuple[str, ...]]


@pytest.fixture(autouse=True)
def _frozen() -> None:
    clock.freeze()  # a lock of one second must not lift while a slow machine runs the test


def password_sign_in(idp: Any, app: AppClient) -> dict[str, Any]:
    answer: dict[str, Any] = idp.initiate_auth(
        ClientId=app.id, AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "alice", "PASSWORD": PASSWORD})
    return answer


def other_than(code: str) -> str:
    return "000000" if code != "000000" else "111111"


# --- MFA: the password is known ---------------------------------------------------------------

def test_wrong_totp_codes_lock_across_fresh_password_sign_ins(
        idp: Any, pool: UserPool, app: AppClient, alice: PoolUser, seen: Seen) -> None:
    pool_config.set_mfa_config(pool, "ON", {"SoftwareTokenMfaConfiguration": {"Enabled": True}})
    secret = mfa.associate_software_token(alice)
    mfa.verify_software_token(alice, totp.code_at(secret, -1), "phone")
    mfa.set_user_mfa_preference(alice, software_token={"Enabled": True, "PreferredMfa": True})
    wrong = other_than(totp.code_at(secret))
    for _ in range(5):  # a correct password each time opens a fresh challenge
        challenge = password_sign_in(idp, app)
        assert challenge["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
        assert seen(respond, idp, app, "SOFTWARE_TOKEN_MFA", challenge["Session"],
                    SOFTWARE_TOKEN_MFA_CODE=wrong)[0] == MISMATCH
    # Locked: the right password opens nothing, and the right code on the challenge still
    # open is not even checked.
    assert seen(password_sign_in, idp, app) == LOCKED
    assert seen(respond, idp, app, "SOFTWARE_TOKEN_MFA", challenge["Session"],
                SOFTWARE_TOKEN_MFA_CODE=totp.code_at(secret)) == LOCKED
    assert not RefreshToken.objects.exists()


def test_wrong_sms_codes_lock_and_stop_the_texts(idp: Any, pool: UserPool, app: AppClient,
                                                 alice: PoolUser, seen: Seen) -> None:
    pool_config.set_mfa_config(pool, "ON", {"SmsMfaConfiguration": {}})
    mfa.set_user_mfa_preference(alice, sms={"Enabled": True, "PreferredMfa": True})
    phone = alice.attributes["phone_number"]
    for wrong in (3, 2):  # a challenge takes three answers; five over two of them lock
        challenge = password_sign_in(idp, app)
        assert challenge["ChallengeName"] == "SMS_MFA"
        guess = other_than(last_code(phone))
        for _ in range(wrong):
            assert seen(respond, idp, app, "SMS_MFA", challenge["Session"],
                        SMS_MFA_CODE=guess)[0] == MISMATCH
    texts = outboxes()[1]
    assert texts == 2
    for _ in range(3):
        assert seen(password_sign_in, idp, app) == LOCKED
    assert seen(respond, idp, app, "SMS_MFA", challenge["Session"],
                SMS_MFA_CODE=last_code(phone)) == LOCKED
    assert outboxes()[1] == texts  # no code is texted to a locked second factor
    assert not RefreshToken.objects.exists()


def test_sms_mfa_codes_sent_are_capped(idp: Any, pool: UserPool, app: AppClient,
                                       alice: PoolUser, limits: Any, seen: Seen) -> None:
    """Whoever knows the password could otherwise have a billable SMS sent per sign-in."""
    limits(SignInCode=2)
    pool_config.set_mfa_config(pool, "ON", {"SmsMfaConfiguration": {}})
    mfa.set_user_mfa_preference(alice, sms={"Enabled": True, "PreferredMfa": True})
    for _ in range(2):
        assert seen(password_sign_in, idp, app) == ("challenge", "SMS_MFA")
    for _ in range(2):
        assert seen(password_sign_in, idp, app)[0] == "TooManyRequestsException"
    assert outboxes()[1] == 2


# --- passwordless: only a username is known ---------------------------------------------------

def custom_start(idp: Any, app: AppClient, username: str) -> dict[str, Any]:
    answer: dict[str, Any] = idp.initiate_auth(ClientId=app.id, AuthFlow="CUSTOM_AUTH",
                                               AuthParameters={"USERNAME": username})
    return answer


def guess_custom_codes(idp: Any, app: AppClient, username: str, seen: Seen
                       ) -> list[tuple[str, ...]]:
    """Three wrong codes in one flow, two in the next, then a third flow: what was seen."""
    answers: list[tuple[str, ...]] = []
    for wrong in (3, 2):
        started = custom_start(idp, app, username)
        assert started["ChallengeName"] == "CUSTOM_CHALLENGE"
        session = started["Session"]
        for _ in range(wrong):
            try:
                answer = respond(idp, app, "CUSTOM_CHALLENGE", session, username,
                                 ANSWER="not-the-code")
            except idp.exceptions.NotAuthorizedException as ended:
                answers.append((ended.response["Error"]["Code"],
                                ended.response["Error"]["Message"]))
            else:
                answers.append(("challenge", answer["ChallengeName"]))
                session = answer["Session"]
    answers.append(seen(custom_start, idp, app, username))
    return answers


def test_guessed_custom_codes_lock_the_user(idp: Any, hiding_app: AppClient, alice: PoolUser,
                                            texted_code: Any, seen: Seen) -> None:
    """Each flow texts a code and allows three answers; wrong answers add up across flows,
    the fifth locks, and a locked user gets no more texts. Someone who is not there meets
    the same answers, and no texts."""
    answers = guess_custom_codes(idp, hiding_app, "alice", seen)
    assert answers == [("challenge", "CUSTOM_CHALLENGE")] * 2 + [WRONG_PASSWORD] + \
        [("challenge", "CUSTOM_CHALLENGE")] * 2 + [LOCKED]
    assert outboxes()[1] == 2
    assert seen(password_sign_in, idp, hiding_app) == LOCKED  # the one lock of the user
    assert guess_custom_codes(idp, hiding_app, "nobody", seen) == answers
    assert outboxes()[1] == 2
    assert not RefreshToken.objects.exists()


@pytest.mark.parametrize("username", ["alice", "nobody"])
def test_custom_flows_started_are_capped(idp: Any, hiding_app: AppClient, alice: PoolUser,
                                         texted_code: Any, limits: Any, seen: Seen,
                                         username: str) -> None:
    limits(CustomAuthFlow=3)
    for _ in range(3):
        assert seen(custom_start, idp, hiding_app, username) == \
            ("challenge", "CUSTOM_CHALLENGE")
    for _ in range(2):
        assert seen(custom_start, idp, hiding_app, username)[0] == "TooManyRequestsException"
    assert outboxes()[1] == (3 if username == "alice" else 0)


def email_otp_start(idp: Any, app: AppClient, username: str) -> dict[str, Any]:
    answer: dict[str, Any] = idp.initiate_auth(
        ClientId=app.id, AuthFlow="USER_AUTH",
        AuthParameters={"USERNAME": username, "PREFERRED_CHALLENGE": "EMAIL_OTP"})
    return answer


@pytest.mark.parametrize("username", ["alice", "nobody"])
def test_passwordless_email_codes_sent_are_capped(
        idp: Any, pool: UserPool, hiding_app: AppClient, alice: PoolUser, first_factors: Any,
        limits: Any, seen: Seen, username: str) -> None:
    first_factors(pool, ["PASSWORD", "EMAIL_OTP"])
    limits(SignInCode=2)
    for _ in range(2):
        assert seen(email_otp_start, idp, hiding_app, username) == ("challenge", "EMAIL_OTP")
    for _ in range(2):
        assert seen(email_otp_start, idp, hiding_app, username)[0] == \
            "TooManyRequestsException"
    assert outboxes()[0] == (2 if username == "alice" else 0)


def test_guessed_email_codes_lock_the_user(idp: Any, pool: UserPool, hiding_app: AppClient,
                                           alice: PoolUser, first_factors: Any,
                                           seen: Seen) -> None:
    first_factors(pool, ["PASSWORD", "EMAIL_OTP"])
    journeys = []
    for username in ("alice", "nobody"):
        answers = []
        for wrong in (3, 2):
            session = email_otp_start(idp, hiding_app, username)["Session"]
            guess = other_than(last_code()) if username == "alice" else "000000"
            answers += [seen(respond, idp, hiding_app, "EMAIL_OTP", session, username,
                             EMAIL_OTP_CODE=guess) for _ in range(wrong)]
        answers.append(seen(email_otp_start, idp, hiding_app, username))
        if username == "alice":  # the right code on the challenge still open: not checked
            answers.append(seen(respond, idp, hiding_app, "EMAIL_OTP", session, username,
                                EMAIL_OTP_CODE=last_code()))
        journeys.append(answers)
    mismatch = ("CodeMismatchException", "Invalid code or auth state for the user.")
    assert journeys[0] == [mismatch] * 5 + [LOCKED, LOCKED]
    assert journeys[1] == journeys[0][:-1]
    assert outboxes()[0] == 2
    assert not RefreshToken.objects.exists()
