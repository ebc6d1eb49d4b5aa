"""CUSTOM_AUTH through the services: the define / create / verify loop (reference §4.2).

A small quiz flow (the question in the public parameters, the answer in the private ones)
drives every path: success, wrong answers and their limit, expiry and replay of a Session,
SRP first, unknown users under PreventUserExistenceErrors, malformed trigger responses and
receivers that raise — and the exact events of §4 the receivers see.
"""

from __future__ import annotations

import base64
import copy
import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.dispatch import Signal
from pycognito.aws_srp import AWSSRP

from django_cognito import clock, signals
from django_cognito.crypto.fields import fernet
from django_cognito.exceptions import (
    CognitoError,
    InvalidLambdaResponseException,
    InvalidParameterException,
    NotAuthorizedException,
    UserLambdaValidationException,
    UserNotConfirmedException,
    UserNotFoundException,
)
from django_cognito.models import AppClient, PoolUser, RefreshToken, UserPool, UserStatus
from django_cognito.services import admin_users, delivery, pool_config, signin
from django_cognito.services.signin.custom import NOT_CONFIGURED
from tests.factories import PASSWORD
from tests.quiz import Quiz

Receiver = Callable[..., None]
Connect = Callable[[Signal, Receiver], Receiver]
CUSTOM_FLOWS = ["ALLOW_CUSTOM_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
WRONG = "Incorrect username or password."
INVALID = "Invalid session for the user."
EXPIRED = "Invalid session for the user, session is expired."
NO_CLIENT_METADATA: dict[str, str] = {}




@pytest.fixture
def app(pool: UserPool, make_client: Any) -> AppClient:
    return make_client(pool, explicit_auth_flows=CUSTOM_FLOWS)


@pytest.fixture
def quiz(connect: Connect) -> Quiz:
    return Quiz(connect)


def start(client: AppClient, username: str = "alice", **params: str) -> signin.AuthResult:
    return signin.initiate_auth(client, "CUSTOM_AUTH", {"USERNAME": username, **params})


def answer(client: AppClient, result: signin.AuthResult, value: str, username: str = "alice",
           metadata: dict[str, str] | None = None, admin: bool = False) -> signin.AuthResult:
    return signin.respond_to_auth_challenge(
        client, "CUSTOM_CHALLENGE", {"USERNAME": username, "ANSWER": value}, result.session,
        client_metadata=metadata, admin=admin)


def fails(exception: type[CognitoError], message: str, call: Callable[[], object]) -> None:
    with pytest.raises(exception) as caught:
        call()
    assert caught.value.message == message


def envelope(pool: UserPool, client: AppClient, source: str, username: str = "alice"
             ) -> dict[str, Any]:
    return {"version": "1", "triggerSource": source, "region": pool.region,
            "userPoolId": pool.id, "userName": username,
            "callerContext": {"awsSdkVersion": "django-cognito-1.0", "clientId": client.id}}


def test_the_loop_issues_tokens_and_receivers_see_the_events_of_section_4(
        pool: UserPool, app: AppClient, alice: PoolUser, quiz: Quiz) -> None:
    first = start(app)
    assert (first.challenge_name, first.tokens) == ("CUSTOM_CHALLENGE", None)
    assert first.challenge_parameters == {"question": "2 + 2?", "USERNAME": "alice"}
    assert first.session
    done = answer(app, first, "four-secret", metadata={"shop": "web"})
    assert done.tokens is not None and done.challenge_name is None
    assert RefreshToken.objects.filter(user=alice).count() == 1

    attributes = {"email": "alice@example.com", "email_verified": "true",
                  "sub": str(alice.sub), "cognito:user_status": "CONFIRMED"}
    quiz_entry = {"challengeName": "CUSTOM_CHALLENGE", "challengeResult": True,
                  "challengeMetadata": "QUIZ-0"}
    assert quiz.events == [
        {**envelope(pool, app, "DefineAuthChallenge_Authentication"),
         "request": {"userAttributes": attributes, "session": [], "clientMetadata": {},
                     "userNotFound": False},
         "response": {"challengeName": None, "issueTokens": None, "failAuthentication": None}},
        {**envelope(pool, app, "CreateAuthChallenge_Authentication"),
         "request": {"userAttributes": attributes, "challengeName": "CUSTOM_CHALLENGE",
                     "session": [], "clientMetadata": {}, "userNotFound": False},
         "response": {"publicChallengeParameters": None, "privateChallengeParameters": None,
                      "challengeMetadata": None}},
        # ClientMetadata reaches the challenge triggers from RespondToAuthChallenge (§4.1).
        {**envelope(pool, app, "VerifyAuthChallengeResponse_Authentication"),
         "request": {"userAttributes": attributes,
                     "privateChallengeParameters": {"answer": "four-secret"},
                     "challengeAnswer": "four-secret", "clientMetadata": {"shop": "web"},
                     "userNotFound": False},
         "response": {"answerCorrect": None}},
        {**envelope(pool, app, "DefineAuthChallenge_Authentication"),
         "request": {"userAttributes": attributes, "session": [quiz_entry],
                     "clientMetadata": {"shop": "web"}, "userNotFound": False},
         "response": {"challengeName": None, "issueTokens": None, "failAuthentication": None}},
    ]


def test_private_parameters_and_history_are_not_readable_in_the_session(
        app: AppClient, alice: PoolUser, quiz: Quiz) -> None:
    session = start(app).session
    assert session is not None
    raw = base64.urlsafe_b64decode(session + "=" * (-len(session) % 4))
    for secret in (b"four-secret", b"QUIZ-0", b"answer", b"CUSTOM_CHALLENGE", b"alice"):
        assert secret not in raw
    # Only the server's key opens it, and even that finds neither the private parameters nor
    # the history: they stay on the server, named by the Session.
    payload = json.loads(fernet("session").decrypt(session.encode()))
    assert payload["ch"] == "CUSTOM_CHALLENGE"
    assert "four-secret" not in repr(payload) and "QUIZ-0" not in repr(payload)


def test_a_wrong_answer_gets_a_new_challenge_then_the_right_one_signs_in(
        app: AppClient, alice: PoolUser, quiz: Quiz) -> None:
    first = start(app)
    second = answer(app, first, "five")
    assert second.challenge_name == "CUSTOM_CHALLENGE" and second.session != first.session
    assert second.challenge_parameters["USERNAME"] == "alice"
    done = answer(app, second, "four-secret")
    assert done.tokens is not None
    sessions = [e["request"]["session"] for e in quiz.events if e["triggerSource"].startswith(
        "Define")]
    assert sessions[-1] == [
        {"challengeName": "CUSTOM_CHALLENGE", "challengeResult": False,
         "challengeMetadata": "QUIZ-0"},
        {"challengeName": "CUSTOM_CHALLENGE", "challengeResult": True,
         "challengeMetadata": "QUIZ-1"}]


def test_the_third_wrong_answer_ends_the_flow(app: AppClient, alice: PoolUser,
                                              quiz: Quiz) -> None:
    result = start(app)
    for _ in range(2):
        result = answer(app, result, "nope")
        assert result.challenge_name == "CUSTOM_CHALLENGE"
    defines = quiz.names().count("DefineAuthChallenge")
    fails(NotAuthorizedException, WRONG, lambda: answer(app, result, "four-secret-not"))
    # The third failure ends the flow before define is asked again.
    assert quiz.names().count("DefineAuthChallenge") == defines
    assert quiz.names()[-1] == "VerifyAuthChallengeResponse"
    assert not RefreshToken.objects.exists()


def test_fail_authentication_and_a_replayed_or_expired_session(
        app: AppClient, alice: PoolUser, quiz: Quiz) -> None:
    quiz.max_rounds = 1
    first = start(app)
    fails(NotAuthorizedException, WRONG, lambda: answer(app, first, "nope"))
    # A Session answers once: replaying it with the right answer is refused.
    fails(NotAuthorizedException, INVALID, lambda: answer(app, first, "four-secret"))
    second = start(app)
    clock.advance(dt.timedelta(minutes=3, seconds=1))
    fails(NotAuthorizedException, EXPIRED, lambda: answer(app, second, "four-secret"))
    assert not RefreshToken.objects.exists()


def test_session_validity_follows_the_client_setting(pool: UserPool, make_client: Any,
                                                     alice: PoolUser, quiz: Quiz) -> None:
    app = make_client(pool, explicit_auth_flows=CUSTOM_FLOWS, auth_session_validity=10)
    first = start(app)
    clock.advance(dt.timedelta(minutes=9))
    assert answer(app, first, "four-secret").tokens is not None


def test_the_session_is_bound_to_client_user_and_api(pool: UserPool, app: AppClient,
                                                     make_client: Any, alice: PoolUser,
                                                     quiz: Quiz) -> None:
    other = make_client(pool, name="other", explicit_auth_flows=CUSTOM_FLOWS)
    admin_users.admin_create_user(pool, "bob", message_action="SUPPRESS")
    first = start(app)
    fails(NotAuthorizedException, INVALID, lambda: answer(other, first, "four-secret"))
    fails(NotAuthorizedException, INVALID, lambda: answer(app, first, "four-secret", "bob"))
    fails(NotAuthorizedException, INVALID,
          lambda: answer(app, first, "four-secret", admin=True))
    fails(NotAuthorizedException, INVALID, lambda: signin.respond_to_auth_challenge(
        app, "CUSTOM_CHALLENGE", {"USERNAME": "alice", "ANSWER": "x"}, first.session[:-4] +
        "AAAA"))
    # Those refusals did not spend it.
    assert answer(app, first, "four-secret").tokens is not None


def test_missing_answer_and_disabled_flow(pool: UserPool, app: AppClient, make_client: Any,
                                          alice: PoolUser, quiz: Quiz) -> None:
    first = start(app)
    fails(InvalidParameterException, "Missing required parameter ANSWER",
          lambda: signin.respond_to_auth_challenge(app, "CUSTOM_CHALLENGE",
                                                 {"USERNAME": "alice"}, first.session))
    password_only = make_client(pool, name="pw", explicit_auth_flows=["ALLOW_USER_SRP_AUTH"])
    fails(InvalidParameterException, "CUSTOM_AUTH flow not enabled for this client",
          lambda: start(password_only))
    legacy = make_client(pool, name="legacy", explicit_auth_flows=["CUSTOM_AUTH_FLOW_ONLY"])
    assert start(legacy).challenge_name == "CUSTOM_CHALLENGE"
    fails(InvalidParameterException, "Missing required parameter USERNAME",
          lambda: signin.initiate_auth(app, "CUSTOM_AUTH", {}))


def test_admin_flow_and_immediate_tokens(app: AppClient, alice: PoolUser, quiz: Quiz) -> None:
    result = signin.initiate_auth(app, "CUSTOM_AUTH", {"USERNAME": "alice"}, admin=True)
    fails(NotAuthorizedException, INVALID, lambda: answer(app, result, "four-secret"))
    result = signin.initiate_auth(app, "CUSTOM_AUTH", {"USERNAME": "alice"}, admin=True)
    assert answer(app, result, "four-secret", admin=True).tokens is not None
    quiz.define_response = {"issueTokens": True}
    assert start(app).tokens is not None


def test_unknown_user_legacy_and_enabled(pool: UserPool, app: AppClient, make_client: Any,
                                         quiz: Quiz) -> None:
    fails(UserNotFoundException, "User does not exist.", lambda: start(app, "ghost"))
    assert quiz.events == []
    hiding = make_client(pool, name="hiding", explicit_auth_flows=CUSTOM_FLOWS,
                         prevent_user_existence_errors="ENABLED")
    first = start(hiding, "ghost")
    assert first.challenge_name == "CUSTOM_CHALLENGE"
    assert first.challenge_parameters == {"question": "2 + 2?", "USERNAME": "ghost"}
    # Even a right answer and define's issueTokens end in the generic refusal.
    fails(NotAuthorizedException, WRONG, lambda: answer(hiding, first, "four-secret", "ghost"))
    assert [e["request"]["userNotFound"] for e in quiz.events] == [True] * 4
    assert {e["userName"] for e in quiz.events} == {"ghost"}
    assert all(e["request"]["userAttributes"] == {} for e in quiz.events)
    assert quiz.events[2]["request"]["privateChallengeParameters"] == {"answer": "four-secret"}
    assert not RefreshToken.objects.exists()


def test_disabled_and_unconfirmed_users_are_refused_before_tokens(
        pool: UserPool, app: AppClient, alice: PoolUser, quiz: Quiz) -> None:
    first = start(app)
    admin_users.set_enabled(alice, False)
    fails(NotAuthorizedException, "User is disabled.", lambda: answer(app, first, "four-secret"))
    admin_users.set_enabled(PoolUser.objects.get(pk=alice.pk), True)
    PoolUser.objects.filter(pk=alice.pk).update(status=UserStatus.UNCONFIRMED)
    fails(UserNotConfirmedException, "User is not confirmed.",
          lambda: answer(app, start(app), "four-secret"))
    assert not RefreshToken.objects.exists()


def test_a_force_change_password_user_gets_the_new_password_challenge(
        pool: UserPool, app: AppClient, quiz: Quiz) -> None:
    admin_users.admin_create_user(pool, "carol", temporary_password=PASSWORD,
                                  message_action="SUPPRESS")
    result = answer(app, start(app, "carol"), "four-secret", "carol")
    assert result.challenge_name == "NEW_PASSWORD_REQUIRED"


def srp_client(client: AppClient, password: str = PASSWORD) -> AWSSRP:
    return AWSSRP(username="alice", password=password, pool_id=client.pool_id,
                  client_id=client.id, client=object())


def srp_start(client: AppClient, aws: AWSSRP) -> tuple[signin.AuthResult, dict[str, str]]:
    sent = aws.get_auth_params()
    result = signin.initiate_auth(client, "CUSTOM_AUTH", {**sent, "CHALLENGE_NAME": "SRP_A"})
    return result, sent


def verifier_answer(client: AppClient, aws: AWSSRP, result: signin.AuthResult,
                    sent: dict[str, str], session: str | None) -> signin.AuthResult:
    answers = aws.process_challenge(result.challenge_parameters, sent)
    return signin.respond_to_auth_challenge(client, "PASSWORD_VERIFIER", answers, session)


def test_starting_with_srp_runs_the_password_verifier_then_the_custom_challenge(
        app: AppClient, alice: PoolUser, quiz: Quiz) -> None:
    aws = srp_client(app)
    result, sent = srp_start(app, aws)
    assert result.challenge_name == "PASSWORD_VERIFIER" and result.session
    assert set(result.challenge_parameters) == {"SALT", "SRP_B", "SECRET_BLOCK",
                                                "USER_ID_FOR_SRP", "USERNAME"}
    assert result.challenge_parameters["USER_ID_FOR_SRP"] == "alice"
    srp_a = {"challengeName": "SRP_A", "challengeResult": True, "challengeMetadata": None}
    assert quiz.events[0]["request"]["session"] == [srp_a]
    custom = verifier_answer(app, aws, result, sent, result.session)
    assert custom.challenge_name == "CUSTOM_CHALLENGE"
    assert quiz.events[1]["request"]["session"] == [
        srp_a, {"challengeName": "PASSWORD_VERIFIER", "challengeResult": True,
                "challengeMetadata": None}]
    assert answer(app, custom, "four-secret").tokens is not None
    assert quiz.events[-1]["request"]["session"][-1]["challengeMetadata"] == "QUIZ-2"


def test_srp_start_refuses_a_wrong_password_and_a_plain_srp_answer(
        app: AppClient, alice: PoolUser, quiz: Quiz) -> None:
    aws = srp_client(app, "Wr0ng-Passw0rd!")
    result, sent = srp_start(app, aws)
    fails(NotAuthorizedException, WRONG,
          lambda: verifier_answer(app, aws, result, sent, result.session))
    assert len(quiz.events) == 1  # define is not asked after a failed proof
    # Without its Session, the custom flow's block is not a USER_SRP_AUTH answer either.
    aws = srp_client(app)
    result, sent = srp_start(app, aws)
    fails(NotAuthorizedException, INVALID,
          lambda: verifier_answer(app, aws, result, sent, None))
    assert not RefreshToken.objects.exists()


def test_srp_start_for_an_unknown_user_is_simulated(pool: UserPool, make_client: Any,
                                                    quiz: Quiz) -> None:
    hiding = make_client(pool, explicit_auth_flows=CUSTOM_FLOWS,
                         prevent_user_existence_errors="ENABLED")
    aws = srp_client(hiding)
    result, sent = srp_start(hiding, aws)
    assert result.challenge_name == "PASSWORD_VERIFIER"
    # As a real user's would: the username itself (the pool has plain usernames).
    assert result.challenge_parameters["USER_ID_FOR_SRP"] == "alice"
    assert quiz.events[0]["request"]["userNotFound"] is True
    fails(NotAuthorizedException, WRONG,
          lambda: verifier_answer(hiding, aws, result, sent, result.session))


def test_password_verifier_is_refused_without_srp_a(app: AppClient, alice: PoolUser,
                                                    quiz: Quiz) -> None:
    quiz.define_response = {"challengeName": "PASSWORD_VERIFIER"}
    fails(InvalidLambdaResponseException,
          "Invalid lambda response: PASSWORD_VERIFIER must follow SRP_A.", lambda: start(app))
    fails(InvalidParameterException, "Invalid CHALLENGE_NAME SMS_MFA",
          lambda: start(app, CHALLENGE_NAME="SMS_MFA"))
    fails(InvalidParameterException, "SRP_A must be hex and not 0 mod N.",
          lambda: start(app, CHALLENGE_NAME="SRP_A", SRP_A="0"))


@pytest.mark.parametrize(("trigger", "response", "message"), [
    ("define", {"issueTokens": "yes"}, "issueTokens must be a boolean."),
    ("define", {"failAuthentication": 1}, "failAuthentication must be a boolean."),
    ("define", {"challengeName": 7}, "challengeName must be a string."),
    ("define", {"challengeName": "MAGIC_LINK"}, "unsupported challengeName MAGIC_LINK."),
    ("define", {"issueTokens": False, "failAuthentication": False},
     "define auth challenge set no challengeName and neither issueTokens nor "
     "failAuthentication."),
    ("create", {"publicChallengeParameters": ["a"]}, "publicChallengeParameters must be a map."),
    ("create", {"privateChallengeParameters": {"a": {"b": "c"}}},
     "privateChallengeParameters must map strings to strings."),
    ("create", {"challengeMetadata": 5}, "challengeMetadata must be a string."),
    ("create", {"privateChallengeParameters": {"pad": "x" * 3000}},
     "the challenge parameters are too large."),
    ("verify", {"answerCorrect": "true"}, "answerCorrect must be a boolean."),
])
def test_malformed_trigger_responses(app: AppClient, alice: PoolUser, quiz: Quiz,
                                     trigger: str, response: dict[str, Any],
                                     message: str) -> None:
    setattr(quiz, f"{trigger}_response", response)
    with pytest.raises(InvalidLambdaResponseException) as caught:
        if trigger == "verify":
            answer(app, start(app), "four-secret")
        else:
            start(app)
    assert caught.value.message == f"Invalid lambda response: {message}"
    assert not RefreshToken.objects.exists()


def test_create_parameters_become_strings(app: AppClient, alice: PoolUser, quiz: Quiz) -> None:
    quiz.create_response = {"publicChallengeParameters": {"attempts": 1, "sms": True,
                                                          "USERNAME": "spoof"},
                            "privateChallengeParameters": {"answer": "four-secret"}}
    result = start(app)
    assert result.challenge_parameters == {"attempts": "1", "sms": "true", "USERNAME": "alice"}
    assert answer(app, result, "four-secret").tokens is not None
    assert quiz.events[-1]["request"]["session"][0]["challengeMetadata"] is None


@pytest.mark.parametrize(("signal", "name"), [
    (signals.define_auth_challenge, "DefineAuthChallenge"),
    (signals.create_auth_challenge, "CreateAuthChallenge"),
    (signals.verify_auth_challenge_response, "VerifyAuthChallengeResponse"),
])
def test_a_raising_receiver_denies_and_writes_nothing(connect: Connect, app: AppClient,
                                                      alice: PoolUser, quiz: Quiz,
                                                      signal: Signal, name: str) -> None:
    def boom(sender: Any, event: dict[str, Any], **kwargs: Any) -> None:
        raise ValueError("no entry")

    connect(signal, boom)
    with pytest.raises(UserLambdaValidationException) as caught:
        answer(app, start(app), "four-secret")
    assert caught.value.message == f"{name} failed with error no entry."
    assert not RefreshToken.objects.exists()
    assert delivery.outbox == []
    assert PoolUser.objects.get(pk=alice.pk).modified_at == alice.modified_at


def test_without_receivers_custom_auth_is_not_configured(app: AppClient, alice: PoolUser,
                                                         connect: Connect) -> None:
    fails(InvalidParameterException, NOT_CONFIGURED, lambda: start(app))
    # A receiver that leaves every pool but its own alone answers nothing for this one.
    connect(signals.define_auth_challenge, lambda sender, event, **kwargs: None)
    fails(InvalidParameterException, NOT_CONFIGURED, lambda: start(app))


def test_pre_authentication_runs_first_with_initiate_metadata(
        connect: Connect, app: AppClient, alice: PoolUser, quiz: Quiz) -> None:
    seen: list[dict[str, Any]] = []

    def deny(sender: Any, event: dict[str, Any], **kwargs: Any) -> None:
        seen.append(copy.deepcopy(event))
        raise ValueError("closed today")

    connect(signals.pre_authentication, deny)
    with pytest.raises(UserLambdaValidationException) as caught:
        signin.initiate_auth(app, "CUSTOM_AUTH", {"USERNAME": "alice"},
                           client_metadata={"store": "7"})
    assert caught.value.message == "PreAuthentication failed with error closed today."
    assert seen[0]["request"]["validationData"] == {"store": "7"}
    assert quiz.events == []


def test_a_plain_srp_answer_still_signs_in_whatever_session_it_carries(
        pool: UserPool, make_client: Any, alice: PoolUser, quiz: Quiz) -> None:
    app = make_client(pool, explicit_auth_flows=["ALLOW_USER_SRP_AUTH", *CUSTOM_FLOWS])
    aws = srp_client(app)
    sent = aws.get_auth_params()
    result = signin.initiate_auth(app, "USER_SRP_AUTH", sent)
    done = verifier_answer(app, aws, result, sent, "x" * 40)
    assert done.tokens is not None
    assert quiz.events == []


def test_mfa_applies_after_define_issues_tokens(pool: UserPool, app: AppClient,
                                                alice: PoolUser, quiz: Quiz) -> None:
    pool_config.set_mfa_config(pool, "ON", {"SoftwareTokenMfaConfiguration": {"Enabled": True}})
    result = answer(app, start(app), "four-secret")
    assert (result.challenge_name, result.tokens) == ("MFA_SETUP", None)
    assert not RefreshToken.objects.exists()


def test_a_hidden_user_locks_in_a_flow_started_with_srp_as_a_real_one(
        pool: UserPool, make_client: Any, alice: PoolUser, quiz: Quiz) -> None:
    """Five wrong SRP proofs lock the name whether or not it exists, and the lock then
    refuses the start of the next flow alike."""
    clock.freeze()
    hiding = make_client(pool, name="hiding",
                         explicit_auth_flows=[*CUSTOM_FLOWS, "ALLOW_USER_PASSWORD_AUTH"],
                         prevent_user_existence_errors="ENABLED")
    outcomes = {}
    for name in ("alice", "ghost"):
        for _ in range(5):
            aws = AWSSRP(username=name, password="Wr0ng-Passw0rd!", pool_id=hiding.pool_id,
                         client_id=hiding.id, client=object())
            result, sent = srp_start(hiding, aws)
            with pytest.raises(NotAuthorizedException) as wrong:
                verifier_answer(hiding, aws, result, sent, result.session)
            assert wrong.value.message == WRONG
        aws = AWSSRP(username=name, password=PASSWORD, pool_id=hiding.pool_id,
                     client_id=hiding.id, client=object())
        with pytest.raises(NotAuthorizedException) as locked:
            srp_start(hiding, aws)
        with pytest.raises(NotAuthorizedException) as by_password:
            signin.initiate_auth(hiding, "USER_PASSWORD_AUTH",
                               {"USERNAME": name, "PASSWORD": PASSWORD})
        outcomes[name] = (locked.value.message, by_password.value.message)
    assert outcomes["alice"] == outcomes["ghost"] == ("Password attempts exceeded",) * 2
