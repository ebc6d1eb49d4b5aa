"""CUSTOM_AUTH over real HTTP with boto3, and the example project's SMS one-time-code flow.

The quiz receivers of ``tests.quiz`` drive the generic loop; the example's
``passwordless`` receivers drive the seed's use case, with the code read from the
development SMS outbox (also shown on its ``/dev/sms/`` page).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

pytest.register_assert_rewrite("tests.api_fixtures", "tests.live_api")

from botocore.exceptions import ClientError  # noqa: E402
from django.test import Client  # noqa: E402
from pycognito.aws_srp import AWSSRP  # noqa: E402

from django_cognito import clock, signals  # noqa: E402
from django_cognito.models import PoolUser, RefreshToken, UserPool  # noqa: E402
from django_cognito.services import admin_users, delivery, signin  # noqa: E402
from example_project import passwordless  # noqa: E402
from tests.api_fixtures import error  # noqa: E402
from tests.factories import PASSWORD, create_user  # noqa: E402
from tests.live_api import verify_with_pyjwt  # noqa: E402
from tests.quiz import Quiz  # noqa: E402

pytest_plugins = ["tests.api_fixtures", "tests.live_api"]

FLOWS = ["ALLOW_CUSTOM_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
PHONE = "+15555550123"
WRONG = ("NotAuthorizedException", "Incorrect username or password.")


@pytest.fixture
def app(pool: UserPool, make_client: Any) -> Any:
    return make_client(pool, explicit_auth_flows=FLOWS)


@pytest.fixture
def alice(pool: UserPool) -> PoolUser:
    return create_user(pool, phone_number=PHONE, phone_number_verified="true")


def start(idp: Any, app: Any, username: str = "alice", **params: str) -> dict[str, Any]:
    response: dict[str, Any] = idp.initiate_auth(
        ClientId=app.id, AuthFlow="CUSTOM_AUTH", AuthParameters={"USERNAME": username, **params})
    return response


def answer(idp: Any, app: Any, previous: dict[str, Any], value: str, username: str = "alice",
           **extra: Any) -> dict[str, Any]:
    response: dict[str, Any] = idp.respond_to_auth_challenge(
        ClientId=app.id, ChallengeName="CUSTOM_CHALLENGE", Session=previous["Session"],
        ChallengeResponses={"USERNAME": username, "ANSWER": value}, **extra)
    return response


# --- the generic loop ------------------------------------------------------------------------

def test_custom_challenge_then_tokens_over_http(idp: Any, api_url: str, pool: UserPool,
                                                app: Any, alice: PoolUser,
                                                connect: Any) -> None:
    quiz = Quiz(connect)
    first = start(idp, app)
    assert first["ChallengeName"] == "CUSTOM_CHALLENGE"
    assert first["ChallengeParameters"] == {"question": "2 + 2?", "USERNAME": "alice"}
    assert "AuthenticationResult" not in first
    second = answer(idp, app, first, "five")
    assert second["ChallengeName"] == "CUSTOM_CHALLENGE"
    done = answer(idp, app, second, "four-secret", ClientMetadata={"channel": "web"})
    tokens = done["AuthenticationResult"]
    claims = verify_with_pyjwt(api_url, pool, app, tokens["AccessToken"], "access")
    assert (claims["username"], claims["sub"]) == ("alice", str(alice.sub))
    assert verify_with_pyjwt(api_url, pool, app, tokens["IdToken"], "id")["aud"] == app.id
    assert quiz.events[-1]["request"]["clientMetadata"] == {"channel": "web"}
    assert quiz.events[-1]["request"]["session"] == [
        {"challengeName": "CUSTOM_CHALLENGE", "challengeResult": False,
         "challengeMetadata": "QUIZ-0"},
        {"challengeName": "CUSTOM_CHALLENGE", "challengeResult": True,
         "challengeMetadata": "QUIZ-1"}]


def test_three_wrong_answers_expiry_and_replay_over_http(idp: Any, app: Any, alice: PoolUser,
                                                         connect: Any) -> None:
    Quiz(connect)
    result = start(idp, app)
    for _ in range(2):
        result = answer(idp, app, result, "nope")
    with pytest.raises(ClientError) as third:
        answer(idp, app, result, "nope")
    assert error(third) == WRONG
    with pytest.raises(ClientError) as replay:
        answer(idp, app, result, "four-secret")
    assert error(replay) == ("NotAuthorizedException", "Invalid session for the user.")
    fresh = start(idp, app)
    clock.advance(dt.timedelta(minutes=4))
    with pytest.raises(ClientError) as expired:
        answer(idp, app, fresh, "four-secret")
    assert error(expired) == ("NotAuthorizedException",
                              "Invalid session for the user, session is expired.")
    assert not RefreshToken.objects.filter(user=alice).exists()


def test_unknown_user_enabled_and_legacy_over_http(idp: Any, pool: UserPool, app: Any,
                                                   make_client: Any, connect: Any) -> None:
    quiz = Quiz(connect)
    with pytest.raises(ClientError) as legacy:
        start(idp, app, "ghost")
    assert error(legacy) == ("UserNotFoundException", "User does not exist.")
    hiding = make_client(pool, name="hiding", explicit_auth_flows=FLOWS,
                         prevent_user_existence_errors="ENABLED")
    first = start(idp, hiding, "ghost")
    assert first["ChallengeName"] == "CUSTOM_CHALLENGE"
    with pytest.raises(ClientError) as refused:
        answer(idp, hiding, first, "four-secret", "ghost")
    assert error(refused) == WRONG
    assert [e["request"]["userNotFound"] for e in quiz.events] == [True] * 4


def test_srp_first_then_the_custom_challenge_over_http(idp: Any, app: Any, alice: PoolUser,
                                                       connect: Any) -> None:
    quiz = Quiz(connect)
    aws = AWSSRP(username="alice", password=PASSWORD, pool_id=app.pool_id, client_id=app.id,
                 client=idp)
    sent = aws.get_auth_params()
    verifier = idp.initiate_auth(ClientId=app.id, AuthFlow="CUSTOM_AUTH",
                                 AuthParameters={**sent, "CHALLENGE_NAME": "SRP_A"})
    assert verifier["ChallengeName"] == "PASSWORD_VERIFIER" and verifier["Session"]
    custom = idp.respond_to_auth_challenge(
        ClientId=app.id, ChallengeName="PASSWORD_VERIFIER", Session=verifier["Session"],
        ChallengeResponses=aws.process_challenge(verifier["ChallengeParameters"], sent))
    assert custom["ChallengeName"] == "CUSTOM_CHALLENGE"
    assert [entry["challengeName"] for entry in quiz.events[-2]["request"]["session"]] == \
        ["SRP_A", "PASSWORD_VERIFIER"]
    assert "AccessToken" in answer(idp, app, custom, "four-secret")["AuthenticationResult"]


def test_admin_initiate_and_respond_over_http(admin_idp: Any, app: Any, alice: PoolUser,
                                              connect: Any) -> None:
    Quiz(connect)
    first = admin_idp.admin_initiate_auth(UserPoolId=app.pool_id, ClientId=app.id,
                                          AuthFlow="CUSTOM_AUTH",
                                          AuthParameters={"USERNAME": "alice"})
    done = admin_idp.admin_respond_to_auth_challenge(
        UserPoolId=app.pool_id, ClientId=app.id, ChallengeName="CUSTOM_CHALLENGE",
        Session=first["Session"], ChallengeResponses={"USERNAME": "alice",
                                                      "ANSWER": "four-secret"})
    assert "IdToken" in done["AuthenticationResult"]


def test_not_configured_and_raising_receivers_over_http(idp: Any, app: Any, alice: PoolUser,
                                                        connect: Any) -> None:
    with pytest.raises(ClientError) as missing:
        start(idp, app)
    assert error(missing) == ("InvalidParameterException",
                              "Custom auth lambda trigger is not configured for the user pool.")
    Quiz(connect)

    def boom(sender: Any, event: dict[str, Any], **kwargs: Any) -> None:
        raise RuntimeError("code service down")

    connect(signals.create_auth_challenge, boom)
    with pytest.raises(ClientError) as denied:
        start(idp, app)
    assert error(denied) == ("UserLambdaValidationException",
                             "CreateAuthChallenge failed with error code service down.")


# --- the example: passwordless sign-in by SMS ------------------------------------------------

@pytest.fixture
def demo(settings: Any, pool: UserPool) -> UserPool:
    """The test pool as the example's passwordless pool."""
    settings.COGNITO_DEMO = {"PASSWORDLESS_POOL": pool.id}
    return pool


def sms_code() -> str:
    [message] = delivery.outbox
    assert message["phone_number"] == PHONE and message["purpose"] == "CustomAuth_SignIn"
    code = message["message"].removeprefix("Your sign-in code is ").removesuffix(".")
    assert len(code) == passwordless.CODE_LENGTH and code.isdigit()
    return code


def test_example_sms_one_time_code_with_boto3(idp: Any, api_url: str, demo: UserPool,
                                              app: Any, alice: PoolUser) -> None:
    first = start(idp, app)
    assert first["ChallengeName"] == "CUSTOM_CHALLENGE"
    assert first["ChallengeParameters"] == {"CODE_DELIVERY_DELIVERY_MEDIUM": "SMS",
                                            "ATTEMPTS_LEFT": "3", "USERNAME": "alice"}
    code = sms_code()
    wrong = f"{(int(code) + 1) % 10 ** 6:06d}"
    retry = answer(idp, app, first, wrong)
    assert retry["ChallengeParameters"]["ATTEMPTS_LEFT"] == "2"
    assert len(delivery.outbox) == 1  # the retry keeps the code already sent
    done = answer(idp, app, retry, f" {code} ")
    claims = verify_with_pyjwt(api_url, demo, app, done["AuthenticationResult"]["IdToken"], "id")
    assert (claims["cognito:username"], claims["phone_number"]) == ("alice", PHONE)


def test_example_three_wrong_codes_and_other_pools(idp: Any, demo: UserPool, app: Any,
                                                   alice: PoolUser, make_pool: Any,
                                                   make_client: Any) -> None:
    result = start(idp, app)
    code = sms_code()
    wrong = f"{(int(code) + 1) % 10 ** 6:06d}"
    result = answer(idp, app, result, wrong)
    result = answer(idp, app, result, wrong)
    assert result["ChallengeParameters"]["ATTEMPTS_LEFT"] == "1"
    with pytest.raises(ClientError) as third:
        answer(idp, app, result, code + "0")
    assert error(third) == WRONG
    # The receivers leave every other pool alone: there custom auth is not configured.
    other = make_pool(name="other-pool")
    other_app = make_client(other, explicit_auth_flows=FLOWS)
    admin_users.admin_create_user(other, "alice", message_action="SUPPRESS")
    with pytest.raises(ClientError) as elsewhere:
        start(idp, other_app)
    assert error(elsewhere)[0] == "InvalidParameterException"
    assert len(delivery.outbox) == 1


def test_example_unknown_user_gets_a_challenge_but_no_sms(idp: Any, demo: UserPool,
                                                          make_client: Any) -> None:
    hiding = make_client(demo, explicit_auth_flows=FLOWS, prevent_user_existence_errors="ENABLED")
    first = start(idp, hiding, "nobody")
    assert first["ChallengeParameters"]["CODE_DELIVERY_DELIVERY_MEDIUM"] == "SMS"
    # Whatever the answer, the flow can only end in the generic refusal.
    result = answer(idp, hiding, first, "123456", "nobody")
    result = answer(idp, hiding, result, "000000", "nobody")
    with pytest.raises(ClientError) as refused:
        answer(idp, hiding, result, "999999", "nobody")
    assert error(refused) == WRONG
    assert delivery.outbox == []


def test_example_acts_on_the_pool_named_demo_without_a_setting(
        idp: Any, settings: Any, make_pool: Any, make_client: Any) -> None:
    settings.COGNITO_DEMO = {}
    pool = make_pool(name="demo")
    app = make_client(pool, explicit_auth_flows=FLOWS)
    admin_users.admin_create_user(pool, "alice", attributes={"phone_number": PHONE},
                                  message_action="SUPPRESS")
    first = start(idp, app)
    assert first["ChallengeParameters"]["ATTEMPTS_LEFT"] == "3"
    # FORCE_CHANGE_PASSWORD: the code proves the phone, then the new password is asked for.
    assert answer(idp, app, first, sms_code())["ChallengeName"] == "NEW_PASSWORD_REQUIRED"


@pytest.mark.urls("example_project.urls")
def test_dev_sms_outbox_page(settings: Any, demo: UserPool, app: Any, alice: PoolUser) -> None:
    signin.initiate_auth(app, "CUSTOM_AUTH", {"USERNAME": "alice"})
    code = sms_code()
    delivery.outbox.append({"phone_number": "+15550000000", "message": "<b>later</b>",
                            "pool": demo.id, "purpose": "CustomMessage_SignUp"})
    settings.DEBUG = True
    page = Client().get("/dev/sms/")
    assert page.status_code == 200
    html = page.content.decode()
    assert f"Your sign-in code is {code}." in html and PHONE in html
    assert "&lt;b&gt;later&lt;/b&gt;" in html and "<b>later</b>" not in html
    assert html.index("later") < html.index(code)  # newest first
    settings.DEBUG = False
    assert Client().get("/dev/sms/").status_code == 404
