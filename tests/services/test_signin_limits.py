"""What holds back guessing in a sign-in: second-factor answers count toward a lock that a
correct password does not lift; custom challenge answers count toward the sign-in lockout;
custom flows started and codes sent are capped per user."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from django_cognito import clock
from django_cognito.crypto import totp
from django_cognito.exceptions import (
    CodeMismatchException,
    NotAuthorizedException,
    TooManyRequestsException,
)
from django_cognito.models import AppClient, PoolUser, UserPool
from django_cognito.services import delivery, mfa, pool_config, signin
from tests.factories import PASSWORD, create_user
from tests.quiz import Quiz

RIGHT = "four-secret"  # what the quiz asks for

LOCKED = "Password attempts exceeded"


@pytest.fixture(autouse=True)
def _frozen() -> None:
    clock.freeze()  # a lock of one second must not lift while a slow machine runs the test


@pytest.fixture
def alice(pool: UserPool) -> PoolUser:
    return create_user(pool, phone_number="+15550100", phone_number_verified="true")


@pytest.fixture
def app(pool: UserPool, make_client: Any) -> AppClient:
    return make_client(pool, explicit_auth_flows=[
        "ALLOW_USER_PASSWORD_AUTH", "ALLOW_CUSTOM_AUTH", "ALLOW_USER_AUTH"])


def password(app: AppClient, name: str = "alice") -> signin.AuthResult:
    return signin.initiate_auth(app, "USER_PASSWORD_AUTH",
                                {"USERNAME": name, "PASSWORD": PASSWORD})


def with_totp(pool: UserPool, user: PoolUser) -> str:
    pool_config.set_mfa_config(pool, "ON", {"SoftwareTokenMfaConfiguration": {"Enabled": True}})
    pool.refresh_from_db()
    secret = mfa.associate_software_token(user)
    mfa.verify_software_token(user, totp.code_at(secret, -1), "app")
    mfa.set_user_mfa_preference(user, software_token={"Enabled": True, "PreferredMfa": True})
    return secret


def answer_totp(app: AppClient, result: signin.AuthResult, code: str) -> signin.AuthResult:
    return signin.respond_to_auth_challenge(
        app, "SOFTWARE_TOKEN_MFA", {"USERNAME": "alice", "SOFTWARE_TOKEN_MFA_CODE": code},
        result.session)


def test_wrong_mfa_codes_lock_across_fresh_passwords(pool: UserPool, app: AppClient,
                                                     alice: PoolUser) -> None:
    """Each correct password opens a fresh challenge with three tries; the wrong answers
    still add up, and the fifth locks the second factor whatever the password does."""
    secret = with_totp(pool, alice)
    for _ in range(5):
        challenge = password(app)
        assert challenge.challenge_name == "SOFTWARE_TOKEN_MFA"
        with pytest.raises(CodeMismatchException):
            answer_totp(app, challenge, "000000" if totp.code_at(secret) != "000000"
                        else "111111")
    # Locked: a correct password opens no new challenge ...
    with pytest.raises(NotAuthorizedException, match=LOCKED):
        password(app)
    clock.advance(dt.timedelta(seconds=1.5))  # the first lock (1 s) lifts
    challenge = password(app)
    # ... and a correct code signs in once the lock lifts, forgetting the failures.
    assert answer_totp(app, challenge, totp.code_at(secret)).tokens is not None
    clock.advance(dt.timedelta(seconds=31))
    with pytest.raises(CodeMismatchException):
        answer_totp(app, password(app), "000000" if totp.code_at(secret) != "000000"
                    else "111111")


def test_wrong_sms_codes_lock_the_second_factor(pool: UserPool, app: AppClient,
                                                alice: PoolUser) -> None:
    pool_config.set_mfa_config(pool, "ON", {"SmsMfaConfiguration": {}})
    pool.refresh_from_db()
    mfa.set_user_mfa_preference(alice, sms={"Enabled": True, "PreferredMfa": True})
    for wrong in (3, 2):  # a challenge takes three; five over two of them lock
        challenge = password(app)
        assert challenge.challenge_name == "SMS_MFA"
        for _ in range(wrong):
            with pytest.raises(CodeMismatchException):
                signin.respond_to_auth_challenge(
                    app, "SMS_MFA", {"USERNAME": "alice", "SMS_MFA_CODE": "99999x"},
                    challenge.session)
    sent = len(delivery.outbox)
    with pytest.raises(NotAuthorizedException, match=LOCKED):
        password(app)
    assert len(delivery.outbox) == sent  # no code is sent to a locked second factor


def custom(app: AppClient, name: str = "alice") -> signin.AuthResult:
    return signin.initiate_auth(app, "CUSTOM_AUTH", {"USERNAME": name})


def answer(app: AppClient, result: signin.AuthResult, value: str, name: str = "alice"
           ) -> signin.AuthResult:
    return signin.respond_to_auth_challenge(app, "CUSTOM_CHALLENGE",
                                            {"USERNAME": name, "ANSWER": value}, result.session)


@pytest.mark.parametrize("hiding", ["LEGACY", "ENABLED"])
def test_wrong_custom_answers_count_toward_the_lockout(
        pool: UserPool, make_client: Any, alice: PoolUser, connect: Any, hiding: str) -> None:
    """Five wrong answers over two flows lock the user: a sixth flow cannot even start, and a
    password sign-in is locked too. Someone who is not there is locked alike when hidden."""
    Quiz(connect)
    app = make_client(pool, explicit_auth_flows=["ALLOW_CUSTOM_AUTH",
                                                 "ALLOW_USER_PASSWORD_AUTH"],
                      prevent_user_existence_errors=hiding)
    names = ["alice"] + (["nobody"] if hiding == "ENABLED" else [])
    for name in names:
        for wrong in (2, 3):
            result = custom(app, name)
            for _ in range(wrong):
                try:
                    result = answer(app, result, "wrong", name)
                except NotAuthorizedException as failed:  # the third wrong answer ends it
                    assert failed.message == "Incorrect username or password."
        with pytest.raises(NotAuthorizedException, match=LOCKED):
            custom(app, name)
    with pytest.raises(NotAuthorizedException, match=LOCKED):
        password(app)
    clock.advance(dt.timedelta(seconds=1.5))
    assert answer(app, custom(app), RIGHT).tokens is not None  # the right answer, once unlocked


def test_the_lockout_setting_turns_custom_answers_off(pool: UserPool, app: AppClient,
                                                      alice: PoolUser, connect: Any,
                                                      settings: Any) -> None:
    settings.COGNITO = {**settings.COGNITO, "CUSTOM_AUTH_LOCKOUT": False}
    Quiz(connect)
    for _ in range(3):
        result = custom(app)
        for _ in range(2):
            result = answer(app, result, "wrong")
    assert answer(app, custom(app), RIGHT).tokens is not None


@pytest.mark.parametrize("name", ["alice", "nobody"])
def test_custom_flows_are_capped_per_user(pool: UserPool, make_client: Any, alice: PoolUser,
                                          connect: Any, settings: Any, name: str) -> None:
    settings.COGNITO = {**settings.COGNITO, "RATE_LIMITS": {"CustomAuthFlow": 3}}
    Quiz(connect)
    app = make_client(pool, explicit_auth_flows=["ALLOW_CUSTOM_AUTH"],
                      prevent_user_existence_errors="ENABLED")
    for _ in range(3):
        assert custom(app, name).challenge_name == "CUSTOM_CHALLENGE"
    with pytest.raises(TooManyRequestsException):
        custom(app, name)
    other = "nobody-else" if name == "nobody" else "nobody"
    assert custom(app, other).challenge_name == "CUSTOM_CHALLENGE"  # per user
    clock.advance(dt.timedelta(hours=2))
    assert custom(app, name).challenge_name == "CUSTOM_CHALLENGE"


@pytest.mark.parametrize("name", ["alice", "nobody"])
def test_passwordless_codes_sent_are_capped_per_user(
        pool: UserPool, make_client: Any, alice: PoolUser, settings: Any, name: str) -> None:
    settings.COGNITO = {**settings.COGNITO, "RATE_LIMITS": {"SignInCode": 2}}
    stored = pool_config.settings_of(pool)
    stored.extra = {**stored.extra,
                    "SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD", "EMAIL_OTP"]}}
    stored.save()
    app = make_client(pool, explicit_auth_flows=["ALLOW_USER_AUTH"],
                      prevent_user_existence_errors="ENABLED")
    start = {"USERNAME": name, "PREFERRED_CHALLENGE": "EMAIL_OTP"}
    for _ in range(2):
        assert signin.initiate_auth(app, "USER_AUTH", start).challenge_name == "EMAIL_OTP"
    with pytest.raises(TooManyRequestsException):
        signin.initiate_auth(app, "USER_AUTH", start)


@pytest.mark.django_db(transaction=True)  # the answering threads see the challenge row
def test_parallel_answers_share_the_three_attempts(pool: UserPool, alice: PoolUser,
                                                  make_client: Any,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """A burst of answers to one code challenge gets no more guesses than answers in turn:
    each takes an attempt before its code is checked."""
    import threading

    from django.db import connections

    from django_cognito.crypto import secrets as cs

    stored = pool_config.settings_of(pool)
    stored.extra = {**stored.extra,
                    "SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD", "EMAIL_OTP"]}}
    stored.save()
    app = make_client(pool, explicit_auth_flows=["ALLOW_USER_AUTH"])
    session = signin.initiate_auth(app, "USER_AUTH", {
        "USERNAME": "alice", "PREFERRED_CHALLENGE": "EMAIL_OTP"}).session
    checked: list[str] = []
    real_check = cs.check_code
    monkeypatch.setattr(cs, "check_code", lambda *args: checked.append("x") or real_check(*args))
    start = threading.Barrier(12)

    def guess() -> None:
        start.wait()
        try:
            signin.respond_to_auth_challenge(
                app, "EMAIL_OTP", {"USERNAME": "alice", "EMAIL_OTP_CODE": "000000"}, session)
        except Exception:  # noqa: BLE001, S110 - wrong codes and a dead challenge, by design
            pass
        finally:
            connections.close_all()

    threads = [threading.Thread(target=guess) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(checked) <= 3
