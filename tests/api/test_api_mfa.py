"""MFA over real HTTP with boto3: software-token enrolment, MFA preferences, and the SMS_MFA,
EMAIL_OTP, SOFTWARE_TOKEN_MFA, SELECT_MFA_TYPE and MFA_SETUP challenges.

Every response is checked against botocore's output shape by the clients of ``live_api``.
SMS codes are read from ``delivery.outbox``, email codes from ``mail.outbox``.
"""

from __future__ import annotations

import base64
import copy
import datetime as dt
import json
import re
from typing import Any

import pytest

pytest.register_assert_rewrite("tests.api_fixtures", "tests.live_api")

import pyotp  # noqa: E402
from django.core import mail  # noqa: E402
from django.db import connection  # noqa: E402

from django_cognito import clock, signals  # noqa: E402
from django_cognito.models import (  # noqa: E402
    AuthChallenge,
    MfaPreference,
    PoolUser,
    RefreshToken,
    SoftwareToken,
    UserPool,
)
from django_cognito.services import delivery, pool_config  # noqa: E402
from django_cognito.services.users import save_user  # noqa: E402
from tests.api_fixtures import error_of  # noqa: E402
from tests.effects import last_code  # noqa: E402
from tests.factories import PASSWORD  # noqa: E402
from tests.factories import create_user as make_user  # noqa: E402
from tests.live_api import ALL_FLOWS, respond, sign_in, verify_with_pyjwt  # noqa: E402

pytest_plugins = ["tests.api_fixtures", "tests.live_api"]

PHONE = "+15555550100"
WRONG_CODE = "Invalid code or auth state for the user."
TOTP_ONLY = {"SoftwareTokenMfaConfiguration": {"Enabled": True}}
SMS_AND_TOTP = {"SmsMfaConfiguration": {}, **TOTP_ONLY}



def configure(pool: UserPool, mode: str, factors: dict[str, Any]) -> None:
    pool_config.set_mfa_config(pool, mode, factors)
    pool.refresh_from_db()


def give_phone(user: PoolUser, phone: str = PHONE) -> PoolUser:
    user.attributes["phone_number"] = phone
    save_user(user)
    return user


def start(idp: Any, app: Any, username: str = "alice", password: str = PASSWORD
          ) -> dict[str, Any]:
    answer: dict[str, Any] = idp.initiate_auth(
        ClientId=app.id, AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": password})
    return answer



def totp_now(secret: str, steps: int = 0) -> str:
    """The code an authenticator shows at the server's (movable) time."""
    return pyotp.TOTP(secret).at(clock.now() + dt.timedelta(seconds=30 * steps))


def enrol_totp(idp: Any, access_token: str) -> str:
    """Associate and verify a software token; returns its secret."""
    secret: str = idp.associate_software_token(AccessToken=access_token)["SecretCode"]
    assert idp.verify_software_token(AccessToken=access_token, UserCode=totp_now(secret),
                                     FriendlyDeviceName="phone")["Status"] == "SUCCESS"
    return secret


def sms_code(phone: str = PHONE) -> str:
    return last_code(phone)


def other_code(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


# --- Software tokens with an access token ---------------------------------------------------

def test_totp_enrolment_preference_and_sign_in(idp: Any, admin_idp: Any, api_url: str,
                                               pool: UserPool, app: Any,
                                               alice: PoolUser) -> None:
    configure(pool, "OPTIONAL", TOTP_ONLY)
    access = sign_in(idp, app, "alice")["AccessToken"]
    answer = idp.associate_software_token(AccessToken=access)
    secret = answer["SecretCode"]
    assert "Session" not in answer
    assert len(base64.b32decode(secret + "=" * (-len(secret) % 8))) >= 20  # >= 160 bits
    assert error_of(idp.set_user_mfa_preference, AccessToken=access,
                    SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True}) == (
        "InvalidParameterException", "User has not verified software token mfa")
    assert error_of(idp.verify_software_token, AccessToken=access,
                    UserCode=other_code(totp_now(secret)))[0] == \
        "EnableSoftwareTokenMFAException"
    enrolment_code = totp_now(secret)
    verified = idp.verify_software_token(AccessToken=access, UserCode=enrolment_code,
                                         FriendlyDeviceName="phone")
    assert verified["Status"] == "SUCCESS" and "Session" not in verified
    token = SoftwareToken.objects.get(user=alice)
    assert (token.secret, token.pending_secret, token.friendly_name) == (secret, None, "phone")

    assert idp.set_user_mfa_preference(
        AccessToken=access,
        SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True})["ResponseMetadata"]
    me = idp.get_user(AccessToken=access)
    assert (me["UserMFASettingList"], me["PreferredMfaSetting"]) == (
        ["SOFTWARE_TOKEN_MFA"], "SOFTWARE_TOKEN_MFA")
    admin_view = admin_idp.admin_get_user(UserPoolId=pool.id, Username="alice")
    assert (admin_view["UserMFASettingList"], admin_view["PreferredMfaSetting"]) == (
        ["SOFTWARE_TOKEN_MFA"], "SOFTWARE_TOKEN_MFA")

    challenge = start(idp, app)
    assert challenge["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    assert challenge["ChallengeParameters"] == {"USER_ID_FOR_SRP": "alice"}
    assert "AuthenticationResult" not in challenge
    # The enrolment code's time step is spent: the same code cannot sign in.
    assert error_of(respond, idp, app, "SOFTWARE_TOKEN_MFA", challenge["Session"],
                    SOFTWARE_TOKEN_MFA_CODE=enrolment_code) == ("CodeMismatchException",
                                                                WRONG_CODE)
    clock.advance(dt.timedelta(seconds=30))
    code = totp_now(secret)
    result = respond(idp, app, "SOFTWARE_TOKEN_MFA", challenge["Session"],
                     SOFTWARE_TOKEN_MFA_CODE=code)["AuthenticationResult"]
    claims = verify_with_pyjwt(api_url, pool, app, result["AccessToken"], "access")
    assert claims["username"] == "alice"

    again = start(idp, app)
    assert error_of(respond, idp, app, "SOFTWARE_TOKEN_MFA", again["Session"],
                    SOFTWARE_TOKEN_MFA_CODE=code) == ("CodeMismatchException", WRONG_CODE)
    clock.advance(dt.timedelta(seconds=30))
    assert "AuthenticationResult" in respond(idp, app, "SOFTWARE_TOKEN_MFA", again["Session"],
                                             SOFTWARE_TOKEN_MFA_CODE=totp_now(secret))


def test_totp_secret_is_encrypted_at_rest(idp: Any, pool: UserPool, app: Any,
                                          alice: PoolUser) -> None:
    configure(pool, "OPTIONAL", TOTP_ONLY)
    secret = enrol_totp(idp, sign_in(idp, app, "alice")["AccessToken"])
    raw = SoftwareToken.objects.filter(user=alice).values_list("secret", flat=True)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT secret FROM {SoftwareToken._meta.db_table}")  # noqa: S608
        stored = cursor.fetchone()[0]
    assert list(raw) == [secret]
    assert secret not in stored and len(stored) > len(secret)


def test_software_token_refused_when_the_pool_has_no_totp(idp: Any, pool: UserPool, app: Any,
                                                          alice: PoolUser) -> None:
    configure(pool, "OPTIONAL", {"SmsMfaConfiguration": {}})
    access = sign_in(idp, app, "alice")["AccessToken"]
    assert error_of(idp.associate_software_token, AccessToken=access) == (
        "SoftwareTokenMFANotFoundException",
        "Software Token MFA has not been enabled by the userPool.")
    assert not SoftwareToken.objects.exists()


def test_associate_needs_exactly_one_of_token_and_session(idp: Any, pool: UserPool, app: Any,
                                                          alice: PoolUser) -> None:
    configure(pool, "OPTIONAL", TOTP_ONLY)
    assert error_of(idp.associate_software_token)[0] == "InvalidParameterException"
    assert error_of(idp.associate_software_token, Session="x" * 40) == (
        "NotAuthorizedException", "Invalid session for the user.")
    assert error_of(idp.verify_software_token, AccessToken="not-a-token",
                    UserCode="123456") == ("NotAuthorizedException", "Invalid Access Token")


# --- Preferences ----------------------------------------------------------------------------

def test_preference_needs_the_delivery_attribute(idp: Any, admin_idp: Any, pool: UserPool,
                                                 app: Any, alice: PoolUser) -> None:
    configure(pool, "OPTIONAL", SMS_AND_TOTP)
    access = sign_in(idp, app, "alice")["AccessToken"]
    assert error_of(idp.set_user_mfa_preference, AccessToken=access,
                    SMSMfaSettings={"Enabled": True}) == (
        "InvalidParameterException", "User does not have delivery config set to turn on SMS_MFA")
    assert error_of(admin_idp.admin_set_user_mfa_preference, UserPoolId=pool.id,
                    Username="alice", SMSMfaSettings={"Enabled": False, "PreferredMfa": True}
                    )[0] == "InvalidParameterException"
    assert not MfaPreference.objects.exists()
    give_phone(alice)
    admin_idp.admin_set_user_mfa_preference(
        UserPoolId=pool.id, Username="alice",
        SMSMfaSettings={"Enabled": True, "PreferredMfa": True},
        EmailMfaSettings={"Enabled": True})
    view = admin_idp.admin_get_user(UserPoolId=pool.id, Username="alice")
    assert (view["UserMFASettingList"], view["PreferredMfaSetting"]) == (
        ["SMS_MFA", "EMAIL_OTP"], "SMS_MFA")
    admin_idp.admin_set_user_mfa_preference(UserPoolId=pool.id, Username="alice",
                                            SMSMfaSettings={"Enabled": False})
    view = admin_idp.admin_get_user(UserPoolId=pool.id, Username="alice")
    assert view["UserMFASettingList"] == ["EMAIL_OTP"] and "PreferredMfaSetting" not in view
    me = idp.get_user(AccessToken=access)
    assert me["UserMFASettingList"] == ["EMAIL_OTP"] and "PreferredMfaSetting" not in me


def test_unsigned_admin_preference_is_refused(unsigned_idp: Any, pool: UserPool,
                                              alice: PoolUser) -> None:
    code, _ = error_of(unsigned_idp.admin_set_user_mfa_preference, UserPoolId=pool.id,
                       Username="alice", SMSMfaSettings={"Enabled": False})
    assert code in {"MissingAuthenticationTokenException", "NotAuthorizedException",
                    "UnrecognizedClientException", "AccessDeniedException"}
    assert not MfaPreference.objects.exists()


def test_mfa_off_ignores_enabled_factors(idp: Any, admin_idp: Any, pool: UserPool, app: Any,
                                         alice: PoolUser) -> None:
    configure(pool, "OPTIONAL", SMS_AND_TOTP)
    give_phone(alice)
    admin_idp.admin_set_user_mfa_preference(UserPoolId=pool.id, Username="alice",
                                            SMSMfaSettings={"Enabled": True})
    configure(pool, "OFF", {})
    assert "AuthenticationResult" in start(idp, app)
    assert delivery.outbox == []


# --- SMS_MFA and EMAIL_OTP ------------------------------------------------------------------

def test_sms_mfa_success_verifies_the_phone(idp: Any, admin_idp: Any, pool: UserPool, app: Any,
                                            alice: PoolUser) -> None:
    configure(pool, "OPTIONAL", {"SmsMfaConfiguration": {
        "SmsAuthenticationMessage": "Sign-in code {####}"}})
    give_phone(alice)
    admin_idp.admin_set_user_mfa_preference(UserPoolId=pool.id, Username="alice",
                                            SMSMfaSettings={"Enabled": True})
    challenge = start(idp, app)
    assert challenge["ChallengeName"] == "SMS_MFA"
    assert challenge["ChallengeParameters"] == {"CODE_DELIVERY_DELIVERY_MEDIUM": "SMS",
                                                "CODE_DELIVERY_DESTINATION": "+*******0100"}
    [sms] = delivery.outbox
    assert sms["purpose"] == "CustomMessage_Authentication"
    assert re.fullmatch(r"Sign-in code \d{6}", sms["message"])
    code = sms_code()
    assert AuthChallenge.objects.get().code_hash not in ("", code)
    assert error_of(respond, idp, app, "SMS_MFA", challenge["Session"],
                    SMS_MFA_CODE=other_code(code)) == ("CodeMismatchException", WRONG_CODE)
    assert not RefreshToken.objects.exists()
    result = respond(idp, app, "SMS_MFA", challenge["Session"], SMS_MFA_CODE=code)
    assert result["AuthenticationResult"]["AccessToken"]
    alice.refresh_from_db()
    assert alice.attributes["phone_number_verified"] == "true"
    # The challenge is used up: its Session cannot mint a second token family.
    assert error_of(respond, idp, app, "SMS_MFA", challenge["Session"], SMS_MFA_CODE=code) == (
        "NotAuthorizedException", "Invalid session for the user.")
    assert RefreshToken.objects.filter(user=alice).count() == 1


SMS_CONFIGURATION = {"SnsCallerArn": "arn:aws:iam::123456789012:role/sns", "ExternalId": "x"}


def test_sms_mfa_turned_on_by_create_user_pool(idp: Any, admin_idp: Any, fails: Any,
                                               make_client: Any) -> None:
    """CreateUserPool with MFA OPTIONAL and an SmsConfiguration turns SMS MFA on, as
    SetUserPoolMfaConfig would: a user who enabled it is challenged."""
    needs_sms = ("InvalidParameterException", "SMS configuration and Auto verification for "
                 "phone_number are required when MFA is required/optional")
    assert fails(admin_idp.create_user_pool, PoolName="no-factor",
                 MfaConfiguration="OPTIONAL") == needs_sms
    assert not UserPool.objects.exists()
    # Without phones verified automatically it is created all the same, as AWS creates it.
    lenient = admin_idp.create_user_pool(PoolName="unverified-phones", MfaConfiguration="ON",
                                         SmsConfiguration=SMS_CONFIGURATION)["UserPool"]
    assert admin_idp.get_user_pool_mfa_config(UserPoolId=lenient["Id"])[
        "SmsMfaConfiguration"]["SmsConfiguration"] == SMS_CONFIGURATION
    UserPool.objects.filter(pk=lenient["Id"]).delete()
    created = admin_idp.create_user_pool(
        PoolName="sms-mfa", MfaConfiguration="OPTIONAL", SmsConfiguration=SMS_CONFIGURATION,
        SmsAuthenticationMessage="Your code {####}",
        AutoVerifiedAttributes=["phone_number"])["UserPool"]
    assert admin_idp.get_user_pool_mfa_config(UserPoolId=created["Id"])[
        "SmsMfaConfiguration"] == {"SmsAuthenticationMessage": "Your code {####}",
                                   "SmsConfiguration": SMS_CONFIGURATION}
    pool = UserPool.objects.get(pk=created["Id"])
    app = make_client(pool, explicit_auth_flows=ALL_FLOWS)
    give_phone(make_user(pool, "alice"))
    admin_idp.admin_set_user_mfa_preference(UserPoolId=pool.id, Username="alice",
                                            SMSMfaSettings={"Enabled": True})
    challenge = start(idp, app)
    assert challenge["ChallengeName"] == "SMS_MFA"
    assert re.fullmatch(r"Your code \d{6}", delivery.outbox[-1]["message"])
    result = respond(idp, app, "SMS_MFA", challenge["Session"], SMS_MFA_CODE=sms_code())
    assert result["AuthenticationResult"]["AccessToken"]
    # UpdateUserPool replaces in full: without the SmsConfiguration SMS MFA cannot stay on,
    # and with TOTP also on, MFA may stay on without it.
    assert fails(admin_idp.update_user_pool, UserPoolId=pool.id, MfaConfiguration="ON",
                 AutoVerifiedAttributes=["phone_number"]) == needs_sms
    assert UserPool.objects.get(pk=pool.pk).mfa_configuration == "OPTIONAL"
    # An UpdateUserPool without its own message keeps the one SetUserPoolMfaConfig set.
    admin_idp.set_user_pool_mfa_config(UserPoolId=pool.id, MfaConfiguration="OPTIONAL",
                                       SmsMfaConfiguration={
                                           "SmsAuthenticationMessage": "Code: {####}",
                                           "SmsConfiguration": SMS_CONFIGURATION})
    admin_idp.update_user_pool(UserPoolId=pool.id, MfaConfiguration="OPTIONAL",
                               SmsConfiguration=SMS_CONFIGURATION,
                               AutoVerifiedAttributes=["phone_number"])
    assert admin_idp.get_user_pool_mfa_config(UserPoolId=pool.id)["SmsMfaConfiguration"][
        "SmsAuthenticationMessage"] == "Code: {####}"
    admin_idp.update_user_pool(UserPoolId=pool.id, MfaConfiguration="OFF")
    assert "AuthenticationResult" in start(idp, app)
    admin_idp.set_user_pool_mfa_config(UserPoolId=pool.id, MfaConfiguration="OFF",
                                       SoftwareTokenMfaConfiguration={"Enabled": True})
    admin_idp.update_user_pool(UserPoolId=pool.id, MfaConfiguration="OPTIONAL")
    assert UserPool.objects.get(pk=pool.pk).mfa_configuration == "OPTIONAL"


def test_sms_mfa_message_goes_through_the_custom_message_trigger(
        idp: Any, admin_idp: Any, connect: Any, pool: UserPool, app: Any,
        alice: PoolUser) -> None:
    configure(pool, "OPTIONAL", {"SmsMfaConfiguration": {}})
    give_phone(alice)
    admin_idp.admin_set_user_mfa_preference(UserPoolId=pool.id, Username="alice",
                                            SMSMfaSettings={"Enabled": True})
    events: list[dict[str, Any]] = []

    def receiver(sender: Any, event: dict[str, Any], **_: Any) -> None:
        events.append(copy.deepcopy(event))
        event["response"]["smsMessage"] = "Custom {####} for " + event["userName"]
    connect(signals.custom_message, receiver)
    challenge = start(idp, app)
    [event] = events
    assert event["triggerSource"] == "CustomMessage_Authentication"
    assert event["request"]["codeParameter"] == "{####}"
    assert re.fullmatch(r"Custom \d{6} for alice", delivery.outbox[-1]["message"])
    result = respond(idp, app, "SMS_MFA", challenge["Session"], SMS_MFA_CODE=sms_code())
    assert "AuthenticationResult" in result


def test_email_otp(idp: Any, pool: UserPool, app: Any, alice: PoolUser) -> None:
    configure(pool, "OPTIONAL", {"EmailMfaConfiguration": {
        "Message": "Your sign-in code: {####}", "Subject": "Sign-in code"}})
    access = sign_in(idp, app, "alice")["AccessToken"]
    idp.set_user_mfa_preference(AccessToken=access,
                                EmailMfaSettings={"Enabled": True, "PreferredMfa": True})
    mail.outbox.clear()
    challenge = start(idp, app)
    assert challenge["ChallengeName"] == "EMAIL_OTP"
    assert challenge["ChallengeParameters"] == {"CODE_DELIVERY_DELIVERY_MEDIUM": "EMAIL",
                                                "CODE_DELIVERY_DESTINATION": "a***@e***"}
    [message] = mail.outbox
    assert message.subject == "Sign-in code" and message.to == ["alice@example.com"]
    code = last_code("alice@example.com")
    assert message.body == f"Your sign-in code: {code}"
    assert error_of(respond, idp, app, "EMAIL_OTP", challenge["Session"],
                    EMAIL_OTP_CODE=other_code(code))[0] == "CodeMismatchException"
    assert error_of(respond, idp, app, "EMAIL_OTP", challenge["Session"],
                    SMS_MFA_CODE=code) == ("InvalidParameterException",
                                           "Missing required parameter EMAIL_OTP_CODE")
    result = respond(idp, app, "EMAIL_OTP", challenge["Session"], EMAIL_OTP_CODE=code)
    assert result["AuthenticationResult"]["IdToken"]


def test_a_wrong_code_three_times_ends_the_session(idp: Any, admin_idp: Any, pool: UserPool,
                                                   app: Any, alice: PoolUser) -> None:
    configure(pool, "OPTIONAL", {"SmsMfaConfiguration": {}})
    give_phone(alice)
    admin_idp.admin_set_user_mfa_preference(UserPoolId=pool.id, Username="alice",
                                            SMSMfaSettings={"Enabled": True})
    challenge = start(idp, app)
    code = sms_code()
    for _ in range(3):
        assert error_of(respond, idp, app, "SMS_MFA", challenge["Session"],
                        SMS_MFA_CODE=other_code(code)) == ("CodeMismatchException", WRONG_CODE)
    assert error_of(respond, idp, app, "SMS_MFA", challenge["Session"], SMS_MFA_CODE=code) == (
        "NotAuthorizedException", "Invalid session for the user.")
    assert not RefreshToken.objects.exists()
    alice.refresh_from_db()
    assert "phone_number_verified" not in alice.attributes


def test_an_expired_session_is_refused(idp: Any, admin_idp: Any, pool: UserPool, app: Any,
                                       alice: PoolUser) -> None:
    configure(pool, "OPTIONAL", {"SmsMfaConfiguration": {}})
    give_phone(alice)
    admin_idp.admin_set_user_mfa_preference(UserPoolId=pool.id, Username="alice",
                                            SMSMfaSettings={"Enabled": True})
    challenge = start(idp, app)
    clock.advance(dt.timedelta(minutes=app.auth_session_validity, seconds=1))
    assert error_of(respond, idp, app, "SMS_MFA", challenge["Session"],
                    SMS_MFA_CODE=sms_code()) == (
        "NotAuthorizedException", "Invalid session for the user, session is expired.")
    assert not RefreshToken.objects.exists()


def test_a_session_answers_only_its_own_challenge(idp: Any, admin_idp: Any, pool: UserPool,
                                                  app: Any, alice: PoolUser) -> None:
    configure(pool, "OPTIONAL", {"SmsMfaConfiguration": {}})
    give_phone(alice)
    make_user(pool, "bob")
    admin_idp.admin_set_user_mfa_preference(UserPoolId=pool.id, Username="alice",
                                            SMSMfaSettings={"Enabled": True})
    challenge = start(idp, app)
    assert error_of(respond, idp, app, "EMAIL_OTP", challenge["Session"],
                    EMAIL_OTP_CODE=sms_code())[0] == "NotAuthorizedException"
    assert error_of(idp.respond_to_auth_challenge, ClientId=app.id, ChallengeName="SMS_MFA",
                    Session=challenge["Session"],
                    ChallengeResponses={"USERNAME": "bob", "SMS_MFA_CODE": sms_code()}) == (
        "NotAuthorizedException", "Invalid session for the user.")
    assert not RefreshToken.objects.exists()


# --- SELECT_MFA_TYPE ------------------------------------------------------------------------

def test_select_mfa_type(idp: Any, admin_idp: Any, pool: UserPool, app: Any,
                         alice: PoolUser) -> None:
    configure(pool, "OPTIONAL", SMS_AND_TOTP)
    give_phone(alice)
    access = sign_in(idp, app, "alice")["AccessToken"]
    secret = enrol_totp(idp, access)
    idp.set_user_mfa_preference(AccessToken=access, SMSMfaSettings={"Enabled": True},
                                SoftwareTokenMfaSettings={"Enabled": True})
    challenge = start(idp, app)
    assert challenge["ChallengeName"] == "SELECT_MFA_TYPE"
    assert json.loads(challenge["ChallengeParameters"]["MFAS_CAN_CHOOSE"]) == [
        "SMS_MFA", "SOFTWARE_TOKEN_MFA"]
    assert error_of(respond, idp, app, "SELECT_MFA_TYPE", challenge["Session"],
                    ANSWER="EMAIL_OTP")[0] == "InvalidParameterException"
    assert delivery.outbox == []
    chosen = respond(idp, app, "SELECT_MFA_TYPE", challenge["Session"], ANSWER="SMS_MFA")
    assert chosen["ChallengeName"] == "SMS_MFA" and chosen["Session"] != challenge["Session"]
    assert "AuthenticationResult" in respond(idp, app, "SMS_MFA", chosen["Session"],
                                             SMS_MFA_CODE=sms_code())

    again = start(idp, app)
    totp_challenge = respond(idp, app, "SELECT_MFA_TYPE", again["Session"],
                             ANSWER="SOFTWARE_TOKEN_MFA")
    assert totp_challenge["ChallengeParameters"] == {"USER_ID_FOR_SRP": "alice"}
    clock.advance(dt.timedelta(seconds=30))
    assert "AuthenticationResult" in respond(idp, app, "SOFTWARE_TOKEN_MFA",
                                             totp_challenge["Session"],
                                             SOFTWARE_TOKEN_MFA_CODE=totp_now(secret))
    # A preferred factor skips the choice.
    idp.set_user_mfa_preference(AccessToken=access,
                                SMSMfaSettings={"Enabled": True, "PreferredMfa": True})
    assert start(idp, app)["ChallengeName"] == "SMS_MFA"


# --- MFA_SETUP ------------------------------------------------------------------------------

def test_mfa_on_without_a_factor_requires_setup(idp: Any, admin_idp: Any, api_url: str,
                                                pool: UserPool, app: Any,
                                                alice: PoolUser) -> None:
    configure(pool, "ON", SMS_AND_TOTP)
    challenge = start(idp, app)
    assert challenge["ChallengeName"] == "MFA_SETUP"
    assert json.loads(challenge["ChallengeParameters"]["MFAS_CAN_SETUP"]) == [
        "SMS_MFA", "SOFTWARE_TOKEN_MFA"]
    assert error_of(respond, idp, app, "MFA_SETUP", challenge["Session"])[0] == \
        "InvalidParameterException"
    associated = idp.associate_software_token(Session=challenge["Session"])
    secret, session = associated["SecretCode"], associated["Session"]
    assert error_of(idp.verify_software_token, Session=session,
                    UserCode=other_code(totp_now(secret)))[0] == \
        "EnableSoftwareTokenMFAException"
    verified = idp.verify_software_token(Session=session, UserCode=totp_now(secret),
                                         FriendlyDeviceName="laptop")
    assert verified["Status"] == "SUCCESS" and verified["Session"]
    result = respond(idp, app, "MFA_SETUP", verified["Session"])["AuthenticationResult"]
    claims = verify_with_pyjwt(api_url, pool, app, result["AccessToken"], "access")
    assert claims["username"] == "alice"
    assert error_of(respond, idp, app, "MFA_SETUP", verified["Session"]) == (
        "NotAuthorizedException", "Invalid session for the user.")
    view = admin_idp.admin_get_user(UserPoolId=pool.id, Username="alice")
    assert (view["UserMFASettingList"], view["PreferredMfaSetting"]) == (
        ["SOFTWARE_TOKEN_MFA"], "SOFTWARE_TOKEN_MFA")
    assert start(idp, app)["ChallengeName"] == "SOFTWARE_TOKEN_MFA"


def test_mfa_on_uses_the_phone_when_the_pool_sends_sms(idp: Any, pool: UserPool, app: Any,
                                                       alice: PoolUser) -> None:
    configure(pool, "ON", SMS_AND_TOTP)
    give_phone(alice)
    challenge = start(idp, app)
    assert challenge["ChallengeName"] == "SMS_MFA"
    assert "AuthenticationResult" in respond(idp, app, "SMS_MFA", challenge["Session"],
                                             SMS_MFA_CODE=sms_code())


def test_setup_session_expires(idp: Any, pool: UserPool, app: Any, alice: PoolUser) -> None:
    configure(pool, "ON", TOTP_ONLY)
    challenge = start(idp, app)
    clock.advance(dt.timedelta(minutes=app.auth_session_validity, seconds=1))
    assert error_of(idp.associate_software_token, Session=challenge["Session"]) == (
        "NotAuthorizedException", "Invalid session for the user, session is expired.")
    assert not SoftwareToken.objects.exists()


# --- Order after the password ---------------------------------------------------------------

def test_new_password_then_mfa(idp: Any, admin_idp: Any, connect: Any, pool: UserPool,
                               app: Any) -> None:
    configure(pool, "OPTIONAL", {"SmsMfaConfiguration": {}})
    alice = give_phone(make_user(pool, "alice", confirmed=False, temporary_password=PASSWORD))
    admin_idp.admin_set_user_mfa_preference(UserPoolId=pool.id, Username="alice",
                                            SMSMfaSettings={"Enabled": True})
    sources: list[str] = []
    connect(signals.pre_token_generation,
            lambda sender, event, **_: sources.append(event["triggerSource"]))
    first = start(idp, app)
    assert first["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    assert delivery.outbox == []
    second = respond(idp, app, "NEW_PASSWORD_REQUIRED", first["Session"],
                     NEW_PASSWORD="N3w-Passw0rd!")
    assert second["ChallengeName"] == "SMS_MFA"
    result = respond(idp, app, "SMS_MFA", second["Session"], SMS_MFA_CODE=sms_code())
    assert result["AuthenticationResult"]["AccessToken"]
    assert sources == ["TokenGeneration_NewPasswordChallenge"]
    alice.refresh_from_db()
    assert alice.status == "CONFIRMED"


def test_admin_flows_answer_mfa(admin_idp: Any, idp: Any, pool: UserPool, app: Any,
                                alice: PoolUser) -> None:
    configure(pool, "OPTIONAL", TOTP_ONLY)
    secret = enrol_totp(idp, sign_in(idp, app, "alice")["AccessToken"])
    admin_idp.admin_set_user_mfa_preference(
        UserPoolId=pool.id, Username="alice",
        SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True})
    challenge = admin_idp.admin_initiate_auth(
        UserPoolId=pool.id, ClientId=app.id, AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "alice", "PASSWORD": PASSWORD})
    assert challenge["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    clock.advance(dt.timedelta(seconds=30))
    result = admin_idp.admin_respond_to_auth_challenge(
        UserPoolId=pool.id, ClientId=app.id, ChallengeName="SOFTWARE_TOKEN_MFA",
        Session=challenge["Session"],
        ChallengeResponses={"USERNAME": "alice", "SOFTWARE_TOKEN_MFA_CODE": totp_now(secret)})
    assert result["AuthenticationResult"]["RefreshToken"]
