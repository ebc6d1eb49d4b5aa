"""USER_AUTH (choice-based sign-in) over real HTTP with boto3 and pycognito's SRP client:
SELECT_CHALLENGE and PREFERRED_CHALLENGE, passwordless EMAIL_OTP and SMS_OTP, PASSWORD and
PASSWORD_SRP, the pool's sign-in policy, and PreventUserExistenceErrors.

Every response is checked against botocore's output shape by the clients of ``live_api``.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

pytest.register_assert_rewrite("tests.api_fixtures", "tests.live_api")

from django.core import mail  # noqa: E402
from pycognito.aws_srp import AWSSRP  # noqa: E402

from django_cognito.models import (  # noqa: E402
    AuthChallenge,
    MfaPreference,
    PoolUser,
    RefreshToken,
    UserPool,
)
from django_cognito.services import admin_users, delivery, pool_config  # noqa: E402
from django_cognito.services.users import save_user  # noqa: E402
from tests.api_fixtures import error_of  # noqa: E402
from tests.factories import PASSWORD  # noqa: E402
from tests.factories import create_user as make_user  # noqa: E402
from tests.live_api import respond, verify_with_pyjwt  # noqa: E402

pytest_plugins = ["tests.api_fixtures", "tests.live_api"]

PHONE = "+15555550142"
EVERY_FACTOR = ["PASSWORD", "EMAIL_OTP", "SMS_OTP"]
WRONG_CODE = ("CodeMismatchException", "Invalid code or auth state for the user.")


def sign_in_policy(pool: UserPool, factors: list[str]) -> None:
    settings = pool_config.settings_of(pool)
    settings.extra = {**settings.extra, "SignInPolicy": {"AllowedFirstAuthFactors": factors}}
    settings.save()


@pytest.fixture
def pool(make_pool: Any) -> UserPool:
    made: UserPool = make_pool(name="choice")
    sign_in_policy(made, EVERY_FACTOR)
    return made


@pytest.fixture
def app(pool: UserPool, make_client: Any) -> Any:
    return make_client(pool, explicit_auth_flows=["ALLOW_USER_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])


@pytest.fixture
def alice(pool: UserPool) -> PoolUser:
    user = make_user(pool, "alice")
    user.attributes.update({"phone_number": PHONE, "phone_number_verified": "true"})
    save_user(user)
    return user


def start(idp: Any, app: Any, username: str = "alice", **parameters: str) -> dict[str, Any]:
    answer: dict[str, Any] = idp.initiate_auth(
        ClientId=app.id, AuthFlow="USER_AUTH",
        AuthParameters={"USERNAME": username, **parameters})
    return answer



def last_code(text: str) -> str:
    match = re.search(r"\b(\d{6})\b", text)
    assert match, text
    return match.group(1)


def test_select_challenge_then_a_code_by_email(idp: Any, api_url: str, pool: UserPool,
                                               app: Any, alice: PoolUser) -> None:
    selection = start(idp, app)
    assert selection["ChallengeName"] == "SELECT_CHALLENGE" and selection["Session"]
    assert selection["AvailableChallenges"] == ["PASSWORD", "PASSWORD_SRP", "EMAIL_OTP",
                                                "SMS_OTP"]
    assert mail.outbox == [] and delivery.outbox == []
    challenge = respond(idp, app, "SELECT_CHALLENGE", selection["Session"], ANSWER="EMAIL_OTP")
    assert challenge["ChallengeName"] == "EMAIL_OTP"
    assert challenge["ChallengeParameters"] == {"CODE_DELIVERY_DELIVERY_MEDIUM": "EMAIL",
                                                "CODE_DELIVERY_DESTINATION": "a***@e***"}
    [message] = mail.outbox
    assert message.to == ["alice@example.com"]
    code = last_code(message.body)
    # The selection was single use: it cannot send a second code.
    assert error_of(idp.respond_to_auth_challenge, ClientId=app.id,
                    ChallengeName="SELECT_CHALLENGE", Session=selection["Session"],
                    ChallengeResponses={"USERNAME": "alice", "ANSWER": "EMAIL_OTP"}) == (
        "NotAuthorizedException", "Invalid session for the user.")
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    assert error_of(respond, idp=idp, app=app, name="EMAIL_OTP", session=challenge["Session"],
                    EMAIL_OTP_CODE=wrong) == WRONG_CODE
    tokens = respond(idp, app, "EMAIL_OTP", challenge["Session"],
                     EMAIL_OTP_CODE=code)["AuthenticationResult"]
    claims = verify_with_pyjwt(api_url, pool, app, tokens["AccessToken"], "access")
    assert claims["sub"] == str(alice.sub) and claims["client_id"] == app.id
    assert RefreshToken.objects.filter(user=alice).count() == 1
    assert not AuthChallenge.objects.exists()
    assert error_of(respond, idp=idp, app=app, name="EMAIL_OTP", session=challenge["Session"],
                    EMAIL_OTP_CODE=code) == ("NotAuthorizedException",
                                             "Invalid session for the user.")


def test_preferred_sms_otp_goes_straight_to_the_code(idp: Any, app: Any,
                                                     alice: PoolUser) -> None:
    challenge = start(idp, app, PREFERRED_CHALLENGE="SMS_OTP")
    assert challenge["ChallengeName"] == "SMS_OTP"
    assert challenge["ChallengeParameters"]["CODE_DELIVERY_DESTINATION"] == "+*******0142"
    [sms] = delivery.outbox
    assert sms["phone_number"] == PHONE and sms["purpose"] == "CustomMessage_Authentication"
    for _ in range(3):
        assert error_of(respond, idp=idp, app=app, name="SMS_OTP", session=challenge["Session"],
                        SMS_OTP_CODE="000000" if last_code(sms["message"]) != "000000"
                        else "111111") == WRONG_CODE
    # Three wrong answers spend the session, right code or not.
    assert error_of(respond, idp=idp, app=app, name="SMS_OTP", session=challenge["Session"],
                    SMS_OTP_CODE=last_code(sms["message"]))[0] == "NotAuthorizedException"
    again = start(idp, app, PREFERRED_CHALLENGE="SMS_OTP")
    result = respond(idp, app, "SMS_OTP", again["Session"],
                     SMS_OTP_CODE=last_code(delivery.outbox[-1]["message"]))
    assert result["AuthenticationResult"]["IdToken"]


def test_password_and_password_srp_choices(idp: Any, app: Any, alice: PoolUser) -> None:
    direct = start(idp, app, PREFERRED_CHALLENGE="PASSWORD", PASSWORD=PASSWORD)
    assert direct["AuthenticationResult"]["AccessToken"]
    assert error_of(start, idp=idp, app=app, PREFERRED_CHALLENGE="PASSWORD",
                    PASSWORD="Wr0ng-password!") == ("NotAuthorizedException",
                                                     "Incorrect username or password.")
    selection = start(idp, app)
    chosen = respond(idp, app, "SELECT_CHALLENGE", selection["Session"], ANSWER="PASSWORD",
                     PASSWORD=PASSWORD)
    assert chosen["AuthenticationResult"]["AccessToken"]
    srp = AWSSRP(username="alice", password=PASSWORD, pool_id=app.pool_id, client_id=app.id,
                 client=idp)
    sent = srp.get_auth_params()
    verifier = start(idp, app, PREFERRED_CHALLENGE="PASSWORD_SRP", SRP_A=sent["SRP_A"])
    assert verifier["ChallengeName"] == "PASSWORD_VERIFIER"
    proof = srp.process_challenge(verifier["ChallengeParameters"], sent)
    tokens = idp.respond_to_auth_challenge(ClientId=app.id, ChallengeName="PASSWORD_VERIFIER",
                                           ChallengeResponses=proof)["AuthenticationResult"]
    assert tokens["RefreshToken"]
    wrong = AWSSRP(username="alice", password="Wr0ng-password!", pool_id=app.pool_id,
                   client_id=app.id, client=idp)
    sent = wrong.get_auth_params()
    selection = start(idp, app)
    verifier = respond(idp, app, "SELECT_CHALLENGE", selection["Session"],
                       ANSWER="PASSWORD_SRP", SRP_A=sent["SRP_A"])
    assert error_of(idp.respond_to_auth_challenge, ClientId=app.id,
                    ChallengeName="PASSWORD_VERIFIER",
                    ChallengeResponses=wrong.process_challenge(
                        verifier["ChallengeParameters"], sent)) == (
        "NotAuthorizedException", "Incorrect username or password.")


def test_a_password_goes_on_to_mfa_and_a_code_does_not(idp: Any, pool: UserPool, app: Any,
                                                        alice: PoolUser) -> None:
    pool_config.set_mfa_config(pool, "OPTIONAL", {"SmsMfaConfiguration": {}})
    pool.refresh_from_db()
    admin_users_preference(alice)
    by_password = start(idp, app, PREFERRED_CHALLENGE="PASSWORD", PASSWORD=PASSWORD)
    assert by_password["ChallengeName"] == "SMS_MFA"
    # Alice set MFA up: a code alone would skip it, so none is offered to her.
    assert start(idp, app, PREFERRED_CHALLENGE="EMAIL_OTP")["ChallengeName"] == \
        "SELECT_CHALLENGE"
    # Bob has no MFA of his own in this OPTIONAL pool: his code signs him in directly.
    make_user(pool, "bob")
    by_code = start(idp, app, "bob", PREFERRED_CHALLENGE="EMAIL_OTP")
    result = respond(idp, app, "EMAIL_OTP", by_code["Session"], "bob",
                     EMAIL_OTP_CODE=last_code(mail.outbox[-1].body))
    assert result["AuthenticationResult"]["AccessToken"]


def admin_users_preference(user: PoolUser) -> None:
    from django_cognito.services import mfa

    mfa.set_user_mfa_preference(user, sms={"Enabled": True, "PreferredMfa": True})


def test_the_sign_in_policy_and_verified_contacts_decide_the_choices(
        idp: Any, pool: UserPool, app: Any, alice: PoolUser) -> None:
    bob = make_user(pool, "bob")  # email verified, no phone
    assert start(idp, app, "bob")["AvailableChallenges"] == ["PASSWORD", "PASSWORD_SRP",
                                                             "EMAIL_OTP"]
    # An unavailable preference falls back to the choice.
    fallback = start(idp, app, "bob", PREFERRED_CHALLENGE="SMS_OTP")
    assert fallback["ChallengeName"] == "SELECT_CHALLENGE" and delivery.outbox == []
    assert error_of(respond, idp=idp, app=app, name="SELECT_CHALLENGE",
                    session=fallback["Session"], username="bob", ANSWER="SMS_OTP")[0] == \
        "InvalidParameterException"
    bob.attributes["email_verified"] = "false"
    save_user(bob)
    assert start(idp, app, "bob")["AvailableChallenges"] == ["PASSWORD", "PASSWORD_SRP"]
    sign_in_policy(pool, ["PASSWORD"])
    assert start(idp, app)["AvailableChallenges"] == ["PASSWORD", "PASSWORD_SRP"]
    assert start(idp, app, PREFERRED_CHALLENGE="EMAIL_OTP")["ChallengeName"] == \
        "SELECT_CHALLENGE"
    assert mail.outbox == []
    # A session names its user: Bob cannot answer Alice's selection.
    selection = start(idp, app)
    assert error_of(respond, idp=idp, app=app, name="SELECT_CHALLENGE",
                    session=selection["Session"], username="bob", ANSWER="PASSWORD",
                    PASSWORD=PASSWORD) == ("NotAuthorizedException",
                                           "Invalid session for the user.")


def test_the_client_must_allow_user_auth(idp: Any, pool: UserPool, make_client: Any,
                                         alice: PoolUser) -> None:
    other = make_client(pool, name="srp-only", explicit_auth_flows=["ALLOW_USER_SRP_AUTH"])
    assert error_of(start, idp=idp, app=other) == (
        "InvalidParameterException", "USER_AUTH flow not enabled for this client")


def test_a_code_proves_the_first_factor_only_for_a_confirmed_user(
        idp: Any, pool: UserPool, app: Any) -> None:
    carol = make_user(pool, "carol", temporary_password=None)
    PoolUser.objects.filter(pk=carol.pk).update(status="UNCONFIRMED")
    challenge = start(idp, app, "carol", PREFERRED_CHALLENGE="EMAIL_OTP")
    assert error_of(respond, idp=idp, app=app, name="EMAIL_OTP", session=challenge["Session"],
                    username="carol", EMAIL_OTP_CODE=last_code(mail.outbox[-1].body)) == (
        "UserNotConfirmedException", "User is not confirmed.")
    assert not RefreshToken.objects.exists()


def test_unknown_and_disabled_users_under_prevent_user_existence_errors(
        idp: Any, pool: UserPool, make_client: Any, alice: PoolUser) -> None:
    legacy = make_client(pool, name="legacy", explicit_auth_flows=["ALLOW_USER_AUTH"])
    assert error_of(start, idp=idp, app=legacy, username="ghost") == (
        "UserNotFoundException", "User does not exist.")
    hiding = make_client(pool, name="hiding", explicit_auth_flows=["ALLOW_USER_AUTH"],
                         prevent_user_existence_errors="ENABLED")
    admin_users.set_enabled(make_user(pool, "dora"), False)
    for username in ("ghost", "dora"):
        selection = start(idp, hiding, username)
        assert selection["ChallengeName"] == "SELECT_CHALLENGE"
        assert selection["AvailableChallenges"] == ["PASSWORD", "PASSWORD_SRP", "EMAIL_OTP",
                                                    "SMS_OTP"]
        challenge = respond(idp, hiding, "SELECT_CHALLENGE", selection["Session"], username,
                            ANSWER="EMAIL_OTP")
        assert challenge["ChallengeName"] == "EMAIL_OTP"
        destination = challenge["ChallengeParameters"]["CODE_DELIVERY_DESTINATION"]
        assert re.fullmatch(rf"{username[0]}\*\*\*@[a-z]\*\*\*", destination)
        again = start(idp, hiding, username, PREFERRED_CHALLENGE="EMAIL_OTP")
        assert again["ChallengeParameters"]["CODE_DELIVERY_DESTINATION"] == destination
        for _ in range(3):
            assert error_of(respond, idp=idp, app=hiding, name="EMAIL_OTP",
                            session=challenge["Session"], username=username,
                            EMAIL_OTP_CODE="123456") == WRONG_CODE
        assert error_of(respond, idp=idp, app=hiding, name="EMAIL_OTP",
                        session=challenge["Session"], username=username,
                        EMAIL_OTP_CODE="123456") == ("NotAuthorizedException",
                                                     "Invalid session for the user.")
        assert error_of(start, idp=idp, app=hiding, username=username,
                        PREFERRED_CHALLENGE="PASSWORD", PASSWORD=PASSWORD) == (
            "NotAuthorizedException", "Incorrect username or password."
            if username == "ghost" else "User is disabled.")
    assert mail.outbox == [] and delivery.outbox == []
    assert not AuthChallenge.objects.exists() and not RefreshToken.objects.exists()


def test_sign_up_confirm_then_sign_in_with_the_session(idp: Any, api_url: str, pool: UserPool,
                                                        app: Any, make_client: Any) -> None:
    """SignUp's Session, passed to ConfirmSignUp, gives a Session that InitiateAuth(USER_AUTH)
    takes in place of a factor, once (Amplify's autoSignIn)."""
    signed_up = idp.sign_up(ClientId=app.id, Username="erin", Password=PASSWORD,
                            UserAttributes=[{"Name": "email", "Value": "erin@example.com"}])
    assert signed_up["UserConfirmed"] is False and signed_up["Session"]
    code = last_code(mail.outbox[-1].body)
    other = idp.sign_up(ClientId=app.id, Username="fred", Password=PASSWORD,
                        UserAttributes=[{"Name": "email", "Value": "fred@example.com"}])
    # Another user's SignUp Session confirms nothing.
    assert error_of(idp.confirm_sign_up, ClientId=app.id, Username="erin",
                    ConfirmationCode=code, Session=other["Session"]) == (
        "NotAuthorizedException", "Invalid session for the user.")
    assert PoolUser.objects.get(username="erin").status == "UNCONFIRMED"
    confirmed = idp.confirm_sign_up(ClientId=app.id, Username="erin", ConfirmationCode=code,
                                    Session=signed_up["Session"])
    assert confirmed["Session"]
    assert error_of(idp.initiate_auth, ClientId=app.id, AuthFlow="USER_AUTH",
                    AuthParameters={"USERNAME": "fred"}, Session=confirmed["Session"]) == (
        "NotAuthorizedException", "Invalid session for the user.")
    result = idp.initiate_auth(ClientId=app.id, AuthFlow="USER_AUTH",
                               AuthParameters={"USERNAME": "erin"},
                               Session=confirmed["Session"])["AuthenticationResult"]
    erin = PoolUser.objects.get(username="erin")
    assert verify_with_pyjwt(api_url, pool, app, result["IdToken"], "id")["sub"] == \
        str(erin.sub)
    assert error_of(idp.initiate_auth, ClientId=app.id, AuthFlow="USER_AUTH",
                    AuthParameters={"USERNAME": "erin"}, Session=confirmed["Session"]) == (
        "NotAuthorizedException", "Invalid session for the user.")
    # SignUp's Session is optional (Amplify sends none); the confirmation code is what counts.
    idp.sign_up(ClientId=app.id, Username="hank", Password=PASSWORD,
                UserAttributes=[{"Name": "email", "Value": "hank@example.com"}])
    session = idp.confirm_sign_up(ClientId=app.id, Username="hank",
                                  ConfirmationCode=last_code(mail.outbox[-1].body))["Session"]
    assert idp.initiate_auth(ClientId=app.id, AuthFlow="USER_AUTH",
                             AuthParameters={"USERNAME": "hank"},
                             Session=session)["AuthenticationResult"]["AccessToken"]
    # A client without USER_AUTH hands out no Session.
    plain = make_client(pool, name="plain", explicit_auth_flows=["ALLOW_USER_SRP_AUTH"])
    assert "Session" not in idp.sign_up(ClientId=plain.id, Username="gail", Password=PASSWORD,
                                        UserAttributes=[{"Name": "email",
                                                         "Value": "gail@example.com"}])
    confirmed = idp.confirm_sign_up(ClientId=plain.id, Username="gail",
                                    ConfirmationCode=last_code(mail.outbox[-1].body))
    assert "Session" not in confirmed


def test_hiding_users_offers_everyone_the_same_choices_once(
        idp: Any, pool: UserPool, make_client: Any) -> None:
    hiding = make_client(pool, name="hiding", explicit_auth_flows=["ALLOW_USER_AUTH"],
                         prevent_user_existence_errors="ENABLED")
    make_user(pool, "bob")  # a verified email, no phone
    real, unknown = start(idp, hiding, "bob"), start(idp, hiding, "ghost")
    assert real["AvailableChallenges"] == unknown["AvailableChallenges"] == [
        "PASSWORD", "PASSWORD_SRP", "EMAIL_OTP", "SMS_OTP"]
    # Bob has no phone: his SMS code goes nowhere, as an unknown user's does.
    sms = respond(idp, hiding, "SELECT_CHALLENGE", real["Session"], "bob", ANSWER="SMS_OTP")
    assert sms["ChallengeName"] == "SMS_OTP" and delivery.outbox == []
    assert re.fullmatch(r"\+\*{7}\d{4}", sms["ChallengeParameters"]["CODE_DELIVERY_DESTINATION"])
    assert respond(idp, hiding, "SELECT_CHALLENGE", unknown["Session"], "ghost",
                   ANSWER="EMAIL_OTP")["ChallengeName"] == "EMAIL_OTP"
    # Both selections are single use, and a code session names its user.
    for username, selection in (("bob", real), ("ghost", unknown)):
        assert error_of(respond, idp=idp, app=hiding, name="SELECT_CHALLENGE",
                        session=selection["Session"], username=username,
                        ANSWER="EMAIL_OTP") == ("NotAuthorizedException",
                                                "Invalid session for the user.")
    code = start(idp, hiding, "ghost", PREFERRED_CHALLENGE="EMAIL_OTP")
    assert error_of(respond, idp=idp, app=hiding, name="EMAIL_OTP", session=code["Session"],
                    username="someone", EMAIL_OTP_CODE="123456") == (
        "NotAuthorizedException", "Invalid session for the user.")


def test_a_pool_that_requires_mfa_offers_no_passwordless_factor(
        idp: Any, pool: UserPool, app: Any, alice: PoolUser) -> None:
    pool_config.set_mfa_config(pool, "ON", {"SmsMfaConfiguration": {}})
    assert start(idp, app)["AvailableChallenges"] == ["PASSWORD", "PASSWORD_SRP"]
    assert start(idp, app, PREFERRED_CHALLENGE="EMAIL_OTP")["ChallengeName"] == \
        "SELECT_CHALLENGE"
    assert mail.outbox == []
    # The first sign-in with ConfirmSignUp's Session: the confirmation code was the second
    # factor, as Cognito counts it.
    idp.sign_up(ClientId=app.id, Username="erin", Password=PASSWORD,
                UserAttributes=[{"Name": "email", "Value": "erin@example.com"},
                                {"Name": "phone_number", "Value": "+15555550177"}])
    session = idp.confirm_sign_up(ClientId=app.id, Username="erin",
                                  ConfirmationCode=last_code(mail.outbox[-1].body))["Session"]
    answer = idp.initiate_auth(ClientId=app.id, AuthFlow="USER_AUTH",
                               AuthParameters={"USERNAME": "erin"}, Session=session)
    assert answer["AuthenticationResult"]["AccessToken"]
    # Later sign-ins by password meet the MFA the pool requires.
    assert start(idp, app, "erin", PREFERRED_CHALLENGE="PASSWORD",
                 PASSWORD=PASSWORD)["ChallengeName"] == "SMS_MFA"


def test_no_passwordless_factor_for_a_user_who_set_mfa_up(
        idp: Any, pool: UserPool, app: Any, make_client: Any, alice: PoolUser) -> None:
    pool_config.set_mfa_config(pool, "OPTIONAL", {"SoftwareTokenMfaConfiguration":
                                                  {"Enabled": True}})
    MfaPreference.objects.create(user=alice, software_token_enabled=True)
    assert start(idp, app)["AvailableChallenges"] == ["PASSWORD", "PASSWORD_SRP"]
    # Hiding who exists, the choice is still offered, and the code goes nowhere.
    hiding = make_client(pool, name="hiding", explicit_auth_flows=["ALLOW_USER_AUTH"],
                         prevent_user_existence_errors="ENABLED")
    challenge = start(idp, hiding, PREFERRED_CHALLENGE="EMAIL_OTP")
    assert challenge["ChallengeName"] == "EMAIL_OTP" and mail.outbox == []
    assert error_of(respond, idp=idp, app=hiding, name="EMAIL_OTP",
                    session=challenge["Session"], EMAIL_OTP_CODE="123456") == WRONG_CODE


def same_shape(first: str, second: str) -> bool:
    """Two Sessions carry the same fields of the same sizes (padding can hide a few bytes
    of difference in the ciphertext's length, so the plaintexts are compared)."""
    from django_cognito.crypto.fields import fernet

    def opened(session: str) -> tuple[int, list[str], list[tuple[str, int]]]:
        plain = fernet("session").decrypt(session.encode())
        payload = json.loads(plain)
        data = payload["d"]
        return (len(plain.rstrip()), sorted(payload),
                sorted((key, len(json.dumps(value))) for key, value in data.items()))
    return opened(first) == opened(second)


def test_hidden_and_real_sessions_look_alike(idp: Any, make_pool: Any,
                                             make_client: Any) -> None:
    pool = make_pool(name="insensitive", case_sensitive=False)
    sign_in_policy(pool, EVERY_FACTOR)
    hiding = make_client(pool, explicit_auth_flows=["ALLOW_USER_AUTH"],
                         prevent_user_existence_errors="ENABLED")
    make_user(pool, "carl")  # four letters, as "gary"
    real, hidden = start(idp, hiding, "carl"), start(idp, hiding, "gary")
    assert len(real["Session"]) == len(hidden["Session"])
    assert same_shape(real["Session"], hidden["Session"])
    real_code = respond(idp, hiding, "SELECT_CHALLENGE", real["Session"], "CARL",
                        ANSWER="EMAIL_OTP")
    hidden_code = respond(idp, hiding, "SELECT_CHALLENGE", hidden["Session"], "GARY",
                          ANSWER="EMAIL_OTP")
    assert len(real_code["Session"]) == len(hidden_code["Session"])
    assert same_shape(real_code["Session"], hidden_code["Session"])
    # Either answer names the user in any case the pool accepts.
    for username, code in (("Carl", real_code), ("Gary", hidden_code)):
        assert error_of(respond, idp=idp, app=hiding, name="EMAIL_OTP",
                        session=code["Session"], username=username,
                        EMAIL_OTP_CODE="000000" if username == "Gary" or
                        last_code(mail.outbox[-1].body) != "000000" else "111111") == WRONG_CODE


def test_codes_are_guarded_like_passwords(idp: Any, app: Any, alice: PoolUser) -> None:
    second = start(idp, app, PREFERRED_CHALLENGE="EMAIL_OTP")
    # Wrong codes count toward the sign-in lockout: five of them lock the user.
    for _ in range(3):
        error_of(respond, idp=idp, app=app, name="EMAIL_OTP", session=second["Session"],
                 EMAIL_OTP_CODE="000000" if last_code(mail.outbox[-1].body) != "000000"
                 else "111111")
    third = start(idp, app, PREFERRED_CHALLENGE="EMAIL_OTP")
    for _ in range(2):
        error_of(respond, idp=idp, app=app, name="EMAIL_OTP", session=third["Session"],
                 EMAIL_OTP_CODE="000000" if last_code(mail.outbox[-1].body) != "000000"
                 else "111111")
    sent = len(mail.outbox)
    assert error_of(start, idp=idp, app=app, PREFERRED_CHALLENGE="EMAIL_OTP") == (
        "NotAuthorizedException", "Password attempts exceeded")
    assert error_of(start, idp=idp, app=app, PREFERRED_CHALLENGE="PASSWORD",
                    PASSWORD=PASSWORD) == ("NotAuthorizedException", "Password attempts exceeded")
    assert len(mail.outbox) == sent


def test_pre_authentication_can_refuse_a_code_sign_in(idp: Any, app: Any, alice: PoolUser,
                                                       connect: Any) -> None:
    from django_cognito import signals
    from django_cognito.exceptions import TriggerRejected

    def refuse(sender: Any, event: dict[str, Any], **kwargs: Any) -> None:
        raise TriggerRejected("not today")
    connect(signals.pre_authentication, refuse)
    code, message = error_of(start, idp=idp, app=app, PREFERRED_CHALLENGE="EMAIL_OTP")
    assert code == "UserLambdaValidationException" and "not today" in message
    assert mail.outbox == [] and not RefreshToken.objects.exists()


def test_the_sign_in_policy_must_allow_passwords_and_known_factors(admin_idp: Any) -> None:
    for factors in (["EMAIL_OTP"], ["PASSWORD", "WEB_AUTHN"]):
        assert error_of(admin_idp.create_user_pool, PoolName="policy", Policies={
            "SignInPolicy": {"AllowedFirstAuthFactors": factors}})[0] == \
            "InvalidParameterException"
    assert not UserPool.objects.exists()
    created = admin_idp.create_user_pool(PoolName="policy", Policies={
        "SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD", "SMS_OTP"]}})["UserPool"]
    assert created["Policies"]["SignInPolicy"] == {
        "AllowedFirstAuthFactors": ["PASSWORD", "SMS_OTP"]}


def test_a_disabled_user_locks_at_the_same_step_as_an_unknown_one(
        idp: Any, pool: UserPool, make_client: Any) -> None:
    hiding = make_client(pool, name="hiding", explicit_auth_flows=["ALLOW_USER_AUTH"],
                         prevent_user_existence_errors="ENABLED")
    admin_users.set_enabled(make_user(pool, "dave"), False)
    steps = {}
    for username in ("dave", "ghost"):
        for _ in range(5):
            code = start(idp, hiding, username, PREFERRED_CHALLENGE="EMAIL_OTP")
            assert error_of(respond, idp=idp, app=hiding, name="EMAIL_OTP",
                            session=code["Session"], username=username,
                            EMAIL_OTP_CODE="123456") == WRONG_CODE
        steps[username] = error_of(start, idp=idp, app=hiding, username=username,
                                   PREFERRED_CHALLENGE="EMAIL_OTP")
    assert steps["dave"] == steps["ghost"] == ("NotAuthorizedException",
                                               "Password attempts exceeded")
