"""The enumeration table (issue 11, finding 4): under PreventUserExistenceErrors=ENABLED,
every answer of every operation that takes a username is the same for a real user and for a
name that does not exist, over HTTP as an outsider sees it.

Each row runs the same calls for a real user and for a missing name and compares what came
back: the error type and message, or the response with the values that are random by design
masked (SRP_B, SECRET_BLOCK, Session, a salt) and destinations reduced to their shape. The
real users have names as long as the missing one, and the clock stands still, so that even
the length of a sealed value is compared. SignUp of an existing name is the one answer
allowed to differ: Cognito says UsernameExistsException there (reference §2.6).
"""

from __future__ import annotations

import base64
import datetime as dt
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from botocore.exceptions import ClientError
from django.core import mail

from django_cognito import clock
from django_cognito.crypto import srp
from django_cognito.models import AppClient, UserPool
from django_cognito.services import admin_users, background, delivery, signup
from tests.factories import NEW_PASSWORD, PASSWORD, create_user

pytest_plugins = ["tests.api_fixtures", "tests.live_api"]

MISSING = "ghost"  # as long as every real name below, so sealed values are as long too
RECOVERY = {"RecoveryMechanisms": [{"Name": "verified_email", "Priority": 1},
                                   {"Name": "verified_phone_number", "Priority": 2}]}
FACTORS = ["PASSWORD", "EMAIL_OTP", "SMS_OTP"]


@pytest.fixture
def pool(make_pool: Any, first_factors: Any) -> UserPool:
    """A pool as the console makes it: recovery by verified email first; every first factor."""
    made: UserPool = make_pool(account_recovery_setting=RECOVERY)
    first_factors(made, FACTORS)
    return made


@dataclass
class World:
    """The attacker's view: a boto3 client, the app client that hides users, its pool."""

    idp: Any
    app: AppClient
    pool: UserPool


@pytest.fixture
def world(idp: Any, pool: UserPool, hiding_app: AppClient, alice: Any) -> World:
    """alice (CONFIRMED, verified email and phone), carol (UNCONFIRMED, code sent) and
    doris (disabled) are real; the clock stands still (sealed values hold the time)."""
    signup.sign_up(hiding_app, "carol", PASSWORD,
                   [{"Name": "email", "Value": "carol@example.com"}])
    admin_users.set_enabled(create_user(pool, "doris"), False)
    clock.freeze()
    return World(idp, hiding_app, pool)


def masked(value: Any, name: str, key: str = "") -> Any:
    """``value`` with what is random by design reduced to its shape."""
    if isinstance(value, dict):
        return {k: masked(v, name, k) for k, v in value.items() if k != "ResponseMetadata"}
    if isinstance(value, list):
        return [masked(item, name) for item in value]
    if not isinstance(value, str):
        return value
    if value == name:
        return "<name>"
    if key == "SRP_B":
        return "<B>" if re.fullmatch(r"[0-9a-f]+", value) and 1 < int(value, 16) < srp.N \
            else value
    if key == "SALT":  # 16 random bytes in canonical hex (a sign byte when the top bit is set)
        return "<salt>" if re.fullmatch(r"(?:[0-9a-f]{2}){1,17}", value) else value
    if key in ("Session", "SECRET_BLOCK"):
        return f"<{len(value)} characters>"
    if key in ("Destination", "CODE_DELIVERY_DESTINATION"):
        return re.sub(r"[A-Za-z0-9]", "#", value)
    return value


@dataclass
class Trail:
    """What one name got from a sequence of calls."""

    name: str
    seen: list[Any] = field(default_factory=list)

    def __call__(self, call: Callable[..., Any], **params: Any) -> Any:
        try:
            response = call(**params)
        except ClientError as refused:
            answer = refused.response
            assert answer["ResponseMetadata"]["HTTPStatusCode"] == 400
            self.seen.append((answer["Error"]["Code"], answer["Error"]["Message"]))
            return None
        self.seen.append(masked(response, self.name))
        return response


def wrong_code() -> str:
    """A six-digit code that no message sent so far carried."""
    background.flush()
    sent = " ".join([str(m.body) for m in mail.outbox] + [m["message"] for m in delivery.outbox])
    return next(code for code in ("000000", "111111", "222222") if code not in sent)


def initiate(t: Trail, w: World, flow: str, **parameters: str) -> Any:
    return t(w.idp.initiate_auth, ClientId=w.app.id, AuthFlow=flow,
             AuthParameters={"USERNAME": t.name, **parameters})


def respond(t: Trail, w: World, name: str, session: str | None, **answers: str) -> Any:
    extra = {"Session": session} if session else {}
    return t(w.idp.respond_to_auth_challenge, ClientId=w.app.id, ChallengeName=name,
             ChallengeResponses={"USERNAME": t.name, **answers}, **extra)


def srp_a() -> str:
    return srp.hexstr(pow(srp.G, srp.new_private(), srp.N))


# --- the rows ---------------------------------------------------------------------------------

def password_auth(t: Trail, w: World) -> None:
    initiate(t, w, "USER_PASSWORD_AUTH", PASSWORD="Wrong-Passw0rd!")


def srp_challenge(t: Trail, w: World) -> None:
    initiate(t, w, "USER_SRP_AUTH", SRP_A=srp_a())


def srp_wrong_proof(t: Trail, w: World) -> None:
    challenge = initiate(t, w, "USER_SRP_AUTH", SRP_A=srp_a())
    if challenge:
        respond(t, w, "PASSWORD_VERIFIER", None,
                PASSWORD_CLAIM_SECRET_BLOCK=challenge["ChallengeParameters"]["SECRET_BLOCK"],
                PASSWORD_CLAIM_SIGNATURE=base64.b64encode(secrets.token_bytes(32)).decode(),
                TIMESTAMP=srp.format_timestamp(clock.now()))


def user_auth(t: Trail, w: World) -> None:
    initiate(t, w, "USER_AUTH")


def user_auth_then_email_code(t: Trail, w: World) -> None:
    selection = initiate(t, w, "USER_AUTH")
    chosen = selection and respond(t, w, "SELECT_CHALLENGE", selection["Session"],
                                   ANSWER="EMAIL_OTP")
    if chosen:
        for _ in range(4):  # three wrong codes, then the challenge is spent
            respond(t, w, "EMAIL_OTP", chosen["Session"], EMAIL_OTP_CODE=wrong_code())


def preferred(challenge: str) -> Callable[[Trail, World], None]:
    def probe(t: Trail, w: World) -> None:
        extra = {"PASSWORD": "Wrong-Passw0rd!"} if challenge == "PASSWORD" else \
            {"SRP_A": srp_a()} if challenge == "PASSWORD_SRP" else {}
        started = initiate(t, w, "USER_AUTH", PREFERRED_CHALLENGE=challenge, **extra)
        if started and challenge.endswith("_OTP"):
            for _ in range(4):
                respond(t, w, challenge, started["Session"],
                        **{f"{challenge}_CODE": wrong_code()})
    return probe


def forgot_password(t: Trail, w: World) -> None:
    t(w.idp.forgot_password, ClientId=w.app.id, Username=t.name)


def confirm_forgot_password(t: Trail, w: World, tries: int = 6) -> None:
    for _ in range(tries):
        t(w.idp.confirm_forgot_password, ClientId=w.app.id, Username=t.name,
          ConfirmationCode=wrong_code(), Password=NEW_PASSWORD)


def forgot_then_confirm(t: Trail, w: World) -> None:
    forgot_password(t, w)
    confirm_forgot_password(t, w)


def forgot_then_confirm_after_expiry(t: Trail, w: World) -> None:
    forgot_password(t, w)
    clock.advance(dt.timedelta(hours=1, minutes=1))
    confirm_forgot_password(t, w, tries=2)


def confirm_sign_up(t: Trail, w: World, tries: int = 6) -> None:
    for _ in range(tries):
        t(w.idp.confirm_sign_up, ClientId=w.app.id, Username=t.name,
          ConfirmationCode=wrong_code())


def resend_confirmation_code(t: Trail, w: World) -> None:
    t(w.idp.resend_confirmation_code, ClientId=w.app.id, Username=t.name)


def sign_up_weak_password(t: Trail, w: World) -> None:
    t(w.idp.sign_up, ClientId=w.app.id, Username=t.name, Password="weak",
      UserAttributes=[{"Name": "email", "Value": "someone@example.com"}])


ROWS = [
    pytest.param("alice", password_auth, id="InitiateAuth-USER_PASSWORD_AUTH-wrong-password"),
    pytest.param("doris", password_auth, id="InitiateAuth-USER_PASSWORD_AUTH-disabled"),
    pytest.param("alice", srp_challenge, id="InitiateAuth-USER_SRP_AUTH-challenge"),
    pytest.param("alice", srp_wrong_proof, id="USER_SRP_AUTH-wrong-proof"),
    pytest.param("alice", user_auth, id="InitiateAuth-USER_AUTH"),
    pytest.param("alice", user_auth_then_email_code, id="USER_AUTH-SELECT_CHALLENGE-EMAIL_OTP"),
    *[pytest.param("alice", preferred(name), id=f"InitiateAuth-USER_AUTH-PREFERRED-{name}")
      for name in ("PASSWORD", "PASSWORD_SRP", "EMAIL_OTP", "SMS_OTP")],
    pytest.param("alice", forgot_password, id="ForgotPassword"),
    pytest.param("doris", forgot_password, id="ForgotPassword-disabled"),
    pytest.param("alice", confirm_forgot_password, id="ConfirmForgotPassword-no-code-sent"),
    pytest.param("alice", forgot_then_confirm, id="ConfirmForgotPassword-after-ForgotPassword"),
    pytest.param("alice", forgot_then_confirm_after_expiry,
                 id="ConfirmForgotPassword-after-expiry"),
    pytest.param("doris", forgot_then_confirm, id="ConfirmForgotPassword-disabled"),
    pytest.param("alice", confirm_sign_up, id="ConfirmSignUp-CONFIRMED"),
    pytest.param("carol", confirm_sign_up, id="ConfirmSignUp-UNCONFIRMED"),
    pytest.param("alice", resend_confirmation_code, id="ResendConfirmationCode-CONFIRMED"),
    pytest.param("carol", resend_confirmation_code, id="ResendConfirmationCode-UNCONFIRMED"),
    pytest.param("alice", sign_up_weak_password, id="SignUp-weak-password"),
]


@pytest.mark.parametrize(("real", "probe"), ROWS)
def test_a_real_and_a_missing_user_get_the_same_answers(
        world: World, real: str, probe: Callable[[Trail, World], None]) -> None:
    trails = [Trail(real), Trail(MISSING)]
    for trail in trails:
        probe(trail, world)
    assert trails[0].seen, "the row made no call"
    assert trails[0].seen == trails[1].seen, f"{real} and {MISSING} are told apart"


def confirm_forgot_password_once(t: Trail, w: World) -> None:
    if not t.seen:  # a code is outstanding (or "sent", for the missing name)
        forgot_password(t, w)
    confirm_forgot_password(t, w, tries=1)


def confirm_sign_up_once(t: Trail, w: World) -> None:
    confirm_sign_up(t, w, tries=1)


LIMITED = [
    pytest.param("alice", "ForgotPassword", forgot_password, id="ForgotPassword"),
    pytest.param("alice", "ConfirmForgotPassword", confirm_forgot_password_once,
                 id="ConfirmForgotPassword"),
    pytest.param("alice", "ConfirmSignUp", confirm_sign_up_once, id="ConfirmSignUp-CONFIRMED"),
    pytest.param("carol", "ConfirmSignUp", confirm_sign_up_once,
                 id="ConfirmSignUp-UNCONFIRMED"),
    pytest.param("alice", "ResendConfirmationCode", resend_confirmation_code,
                 id="ResendConfirmationCode-CONFIRMED"),
    pytest.param("carol", "ResendConfirmationCode", resend_confirmation_code,
                 id="ResendConfirmationCode-UNCONFIRMED"),
]


@pytest.mark.parametrize(("real", "operation", "probe"), LIMITED)
def test_the_hourly_limits_tell_no_one_apart(world: World, limits: Any, real: str,
                                            operation: str,
                                            probe: Callable[[Trail, World], None]) -> None:
    """A missing name hits LimitExceededException at the same count as a real user."""
    limits(**{operation: 3})
    trails = [Trail(real), Trail(MISSING)]
    for trail in trails:
        for _ in range(5):
            probe(trail, world)
    exceeded = ("LimitExceededException", "Attempt limit exceeded, please try after some time.")
    assert exceeded in trails[0].seen, f"{real} never reached the {operation} limit"
    assert trails[0].seen == trails[1].seen, f"{real} and {MISSING} are told apart"


def test_sign_up_of_an_existing_name_is_the_documented_exception(world: World) -> None:
    """SignUp still says UsernameExistsException under PreventUserExistenceErrors, as
    Cognito does (reference §2.6); a new name is signed up."""
    attributes = [{"Name": "email", "Value": "someone@example.com"}]
    trails = [Trail("alice"), Trail(MISSING)]
    for trail in trails:
        trail(world.idp.sign_up, ClientId=world.app.id, Username=trail.name,
              Password=PASSWORD, UserAttributes=attributes)
    assert trails[0].seen == [("UsernameExistsException", "User already exists")]
    assert trails[1].seen[0]["UserConfirmed"] is False
    assert trails[1].seen[0]["CodeDeliveryDetails"]["DeliveryMedium"] == "EMAIL"
