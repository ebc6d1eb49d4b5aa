"""ForgotPassword, ConfirmForgotPassword, ChangePassword, AdminResetUserPassword and history."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.core import mail

from django_cognito import clock
from django_cognito.crypto.secrets import secret_hash
from django_cognito.exceptions import (
    CodeMismatchException,
    ExpiredCodeException,
    InvalidParameterException,
    InvalidPasswordException,
    LimitExceededException,
    NotAuthorizedException,
    PasswordHistoryPolicyViolationException,
    UserNotFoundException,
)
from django_cognito.models import (
    AppClient,
    CodePurpose,
    MfaPreference,
    PasswordHistoryEntry,
    PoolUser,
    UserPool,
    UserStatus,
    VerificationCode,
)
from django_cognito.services import admin_users, delivery, passwords, recovery, signup
from tests.effects import counts, last_code
from tests.factories import PASSWORD, create_user

EMAIL = "alice@example.com"
PHONE = "+15555550123"
NEW_PASSWORD = "N3w-Passw0rd"
OTHER_PASSWORD = "0ther-Passw0rd"
NO_CONTACT = ("Cannot reset password for the user as there is no registered/verified email "
              "or phone_number")


def reload(user: PoolUser) -> PoolUser:
    return PoolUser.objects.get(pk=user.pk)


def confirmed_user(client: AppClient, username: str = "alice", email: str = EMAIL) -> PoolUser:
    """A CONFIRMED user whose email was verified by answering the sign-up code."""
    user = signup.sign_up(client, username, PASSWORD, {"email": email}).user
    signup.confirm_sign_up(client, username, last_code(email))
    mail.outbox.clear()
    return reload(user)


def admin_user(pool: UserPool, username: str = "alice", **attributes: str) -> PoolUser:
    """A CONFIRMED user created by an administrator with the given (verified) attributes."""
    return create_user(pool, username, attributes=attributes, temporary_password=None)


def _wrong(code: str) -> str:
    return "000000" if code != "000000" else "999999"


@pytest.fixture
def enabled_client(pool: UserPool, make_client: Any) -> AppClient:
    return make_client(pool, prevent_user_existence_errors="ENABLED")


# ForgotPassword -------------------------------------------------------------------------------

def test_forgot_password_emails_a_one_hour_code(client_app: Any) -> None:
    user = confirmed_user(client_app)
    before = clock.now()
    details = recovery.forgot_password(client_app, "alice")
    after = clock.now()
    assert details == {"Destination": "a***@e***", "DeliveryMedium": "EMAIL",
                       "AttributeName": "email"}
    assert len(mail.outbox) == 1
    code = last_code(EMAIL)
    assert mail.outbox[0].to == [EMAIL]
    assert mail.outbox[0].subject == "Your verification code"
    assert mail.outbox[0].body == f"Your verification code is {code}. "
    record = VerificationCode.objects.get(user=user)
    assert record.purpose == CodePurpose.FORGOT_PASSWORD and record.attribute == "email"
    assert before + dt.timedelta(hours=1) <= record.expires_at <= after + dt.timedelta(hours=1)
    assert code not in record.code_hash and code not in record.salt
    assert reload(user).status == UserStatus.CONFIRMED


def test_forgot_password_renders_the_pool_template(make_pool: Any, make_client: Any) -> None:
    pool = make_pool(verification_message_template={
        "EmailMessage": "Reset with {####} please", "EmailSubject": "Reset your password"})
    client = make_client(pool)
    confirmed_user(client)
    recovery.forgot_password(client, "alice")
    assert mail.outbox[-1].subject == "Reset your password"
    assert mail.outbox[-1].body == f"Reset with {last_code()} please"


def test_legacy_recovery_prefers_a_verified_phone(pool: UserPool, client_app: Any) -> None:
    client = client_app
    admin_user(pool, email=EMAIL, email_verified="true", phone_number=PHONE,
               phone_number_verified="true")
    details = recovery.forgot_password(client, "alice")
    assert details == {"Destination": "+*******0123", "DeliveryMedium": "SMS",
                       "AttributeName": "phone_number"}
    assert mail.outbox == []
    assert delivery.outbox[-1]["phone_number"] == PHONE
    assert delivery.outbox[-1]["purpose"] == "CustomMessage_ForgotPassword"
    assert delivery.outbox[-1]["message"] == f"Your verification code is {last_code(PHONE)}. "


def test_account_recovery_setting_orders_the_channels(make_pool: Any, make_client: Any) -> None:
    pool = make_pool(account_recovery_setting={"RecoveryMechanisms": [
        {"Name": "verified_phone_number", "Priority": 2},
        {"Name": "verified_email", "Priority": 1}]})
    client = make_client(pool)
    admin_user(pool, email=EMAIL, email_verified="true", phone_number=PHONE,
               phone_number_verified="true")
    assert recovery.forgot_password(client, "alice")["DeliveryMedium"] == "EMAIL"
    admin_user(pool, "bob", email="bob@example.com", phone_number="+15555550199",
               phone_number_verified="true")  # email present but unverified
    assert recovery.forgot_password(client, "bob")["DeliveryMedium"] == "SMS"


def test_admin_only_recovery_refuses_self_service(make_pool: Any, make_client: Any) -> None:
    pool = make_pool(account_recovery_setting={"RecoveryMechanisms": [
        {"Name": "admin_only", "Priority": 1}]})
    client = make_client(pool)
    admin_user(pool, email=EMAIL, email_verified="true")
    with pytest.raises(InvalidParameterException) as raised:
        recovery.forgot_password(client, "alice")
    assert raised.value.message == NO_CONTACT
    assert VerificationCode.objects.count() == 0 and mail.outbox == []


def test_forgot_password_needs_a_verified_contact(client_app: Any,
                                                  enabled_client: AppClient) -> None:
    signup.sign_up(client_app, "alice", PASSWORD, {"email": EMAIL})  # email unverified
    mail.outbox.clear()
    with pytest.raises(InvalidParameterException) as raised:
        recovery.forgot_password(client_app, "alice")
    assert raised.value.message == NO_CONTACT
    details = recovery.forgot_password(enabled_client, "alice")
    assert re.fullmatch(r"a\*\*\*@[a-z]\*\*\*", details["Destination"])
    assert details == {**details, "DeliveryMedium": "EMAIL", "AttributeName": "email"}
    assert recovery.forgot_password(enabled_client, "alice") == details
    assert mail.outbox == [] and VerificationCode.objects.filter(
        purpose=CodePurpose.FORGOT_PASSWORD).count() == 0


def test_forgot_password_for_unknown_user(client_app: Any, enabled_client: AppClient) -> None:
    with pytest.raises(UserNotFoundException) as raised:
        recovery.forgot_password(client_app, "ghost")
    assert raised.value.message == "User does not exist."
    details = recovery.forgot_password(enabled_client, "ghost")
    assert re.fullmatch(r"g\*\*\*@[a-z]\*\*\*", details["Destination"])
    assert details == {**details, "DeliveryMedium": "EMAIL", "AttributeName": "email"}
    assert mail.outbox == [] and delivery.outbox == [] and counts() == (0, 0, 0, 0)


def test_simulated_delivery_details_look_like_real_ones(make_pool: Any,
                                                        make_client: Any) -> None:
    """A constant fake destination would tell every unknown user from a real one."""
    pool = make_pool(account_recovery_setting={"RecoveryMechanisms": [
        {"Name": "verified_email", "Priority": 1}]})
    client = make_client(pool, prevent_user_existence_errors="ENABLED")
    admin_user(pool, email="alice@example.com", email_verified="true")
    assert recovery.forgot_password(client, "alice")["Destination"] == "a***@e***"
    fake = recovery.forgot_password(client, "mallory")
    assert re.fullmatch(r"m\*\*\*@[a-z]\*\*\*", fake["Destination"])
    assert [recovery.forgot_password(client, "mallory") for _ in range(3)] == [fake] * 3
    assert recovery.forgot_password(client, "Eve@Example.org")["Destination"] == "E***@E***"
    phones = make_pool(name="phones", account_recovery_setting={"RecoveryMechanisms": [
        {"Name": "verified_phone_number", "Priority": 1},
        {"Name": "verified_email", "Priority": 2}]})
    by_phone = make_client(phones, prevent_user_existence_errors="ENABLED")
    fake = recovery.forgot_password(by_phone, "mallory")
    assert fake["DeliveryMedium"] == "SMS" and fake["AttributeName"] == "phone_number"
    assert re.fullmatch(r"\+\*{7}\d{4}", fake["Destination"])
    assert recovery.forgot_password(by_phone, "mallory") == fake
    assert recovery.forgot_password(by_phone, "+15555550199")["Destination"] == "+*******0199"
    # Only the real user got a code.
    assert [m.to for m in mail.outbox] == [["alice@example.com"]] and delivery.outbox == []


def test_forgot_password_for_disabled_user(client_app: Any, enabled_client: AppClient) -> None:
    user = confirmed_user(client_app)
    admin_users.set_enabled(user, False)
    with pytest.raises(NotAuthorizedException) as raised:
        recovery.forgot_password(client_app, "alice")
    assert raised.value.message == "User is disabled."
    assert recovery.forgot_password(enabled_client, "alice")["Destination"].startswith("a***@")
    assert mail.outbox == [] and VerificationCode.objects.count() == 0


def test_forgot_password_refused_while_a_temporary_password_is_pending(
        pool: UserPool, client_app: Any) -> None:
    admin_users.admin_create_user(pool, "alice", message_action="SUPPRESS",
                                  attributes={"email": EMAIL, "email_verified": "true"})
    with pytest.raises(NotAuthorizedException) as raised:
        recovery.forgot_password(client_app, "alice")
    assert raised.value.message == "User password cannot be reset in the current state."
    assert VerificationCode.objects.count() == 0 and mail.outbox == []


def test_forgot_password_is_capped_per_hour(client_app: Any) -> None:
    clock.freeze()  # the attempts must fall in one hourly window
    confirmed_user(client_app)
    for _ in range(10):
        recovery.forgot_password(client_app, "alice")
    with pytest.raises(LimitExceededException):
        recovery.forgot_password(client_app, "alice")
    assert len(mail.outbox) == 10
    clock.advance(dt.timedelta(hours=1))
    recovery.forgot_password(client_app, "alice")
    assert len(mail.outbox) == 11


def test_forgot_password_checks_the_secret_hash(pool: UserPool, make_client: Any) -> None:
    client = make_client(pool, generate_secret=True)
    good = secret_hash(client.secret, "alice", client.id)
    signup.sign_up(client, "alice", PASSWORD, {"email": EMAIL}, secret_hash=good)
    signup.confirm_sign_up(client, "alice", last_code(), secret_hash=good)
    mail.outbox.clear()
    with pytest.raises(NotAuthorizedException):
        recovery.forgot_password(client, "alice")
    with pytest.raises(NotAuthorizedException):
        recovery.forgot_password(client, "alice", secret_hash=good + "x")
    assert mail.outbox == []
    recovery.forgot_password(client, "alice", secret_hash=good)
    with pytest.raises(NotAuthorizedException):
        recovery.confirm_forgot_password(client, "alice", last_code(), NEW_PASSWORD)
    recovery.confirm_forgot_password(client, "alice", last_code(), NEW_PASSWORD,
                                     secret_hash=good)
    assert passwords.verify(PoolUser.objects.get(), NEW_PASSWORD)


# ConfirmForgotPassword ------------------------------------------------------------------------

def test_confirm_forgot_password_sets_the_password(client_app: Any) -> None:
    user = confirmed_user(client_app)
    recovery.forgot_password(client_app, "alice")
    result = recovery.confirm_forgot_password(client_app, "alice", last_code(), NEW_PASSWORD)
    user = reload(user)
    assert result.pk == user.pk
    assert user.status == UserStatus.CONFIRMED
    assert passwords.verify(user, NEW_PASSWORD) and not passwords.verify(user, PASSWORD)
    assert user.temporary_password_expires_at is None
    assert VerificationCode.objects.count() == 0


def test_confirm_forgot_password_wrong_code_is_counted(client_app: Any) -> None:
    user = confirmed_user(client_app)
    recovery.forgot_password(client_app, "alice")
    code = last_code()
    with pytest.raises(CodeMismatchException) as raised:
        recovery.confirm_forgot_password(client_app, "alice", _wrong(code), NEW_PASSWORD)
    assert raised.value.message == "Invalid verification code provided, please try again."
    assert VerificationCode.objects.get().attempts == 1
    assert passwords.verify(reload(user), PASSWORD)
    recovery.confirm_forgot_password(client_app, "alice", code, NEW_PASSWORD)
    assert passwords.verify(reload(user), NEW_PASSWORD)


def test_confirm_forgot_password_code_dies_at_the_attempt_limit(client_app: Any) -> None:
    user = confirmed_user(client_app)
    recovery.forgot_password(client_app, "alice")
    code = last_code()
    for _ in range(5):
        with pytest.raises(CodeMismatchException):
            recovery.confirm_forgot_password(client_app, "alice", _wrong(code), NEW_PASSWORD)
    with pytest.raises(ExpiredCodeException):
        recovery.confirm_forgot_password(client_app, "alice", code, NEW_PASSWORD)
    assert passwords.verify(reload(user), PASSWORD)


def test_forgot_password_code_lives_one_hour(client_app: Any) -> None:
    user = confirmed_user(client_app)
    recovery.forgot_password(client_app, "alice")
    code = last_code()
    with clock.shifted(dt.timedelta(hours=1, seconds=1)):
        with pytest.raises(ExpiredCodeException) as raised:
            recovery.confirm_forgot_password(client_app, "alice", code, NEW_PASSWORD)
    assert raised.value.message == "Invalid code provided, please request a code again."
    assert VerificationCode.objects.count() == 0
    recovery.forgot_password(client_app, "alice")
    code = last_code()
    with clock.shifted(dt.timedelta(minutes=59)):
        recovery.confirm_forgot_password(client_app, "alice", code, NEW_PASSWORD)
    assert passwords.verify(reload(user), NEW_PASSWORD)


def test_confirm_forgot_password_without_outstanding_code(client_app: Any,
                                                          enabled_client: AppClient) -> None:
    confirmed_user(client_app)
    for client in (client_app, enabled_client):
        with pytest.raises(ExpiredCodeException):
            recovery.confirm_forgot_password(client, "alice", "123456", NEW_PASSWORD)


def test_confirm_forgot_password_for_unknown_user(client_app: Any,
                                                  enabled_client: AppClient) -> None:
    with pytest.raises(UserNotFoundException):
        recovery.confirm_forgot_password(client_app, "ghost", "123456", NEW_PASSWORD)
    # Hiding who exists, "ghost" is answered as a real user is (§2.6): no code outstanding,
    # expired; once ForgotPassword "sent" one, a mismatch.
    with pytest.raises(ExpiredCodeException):
        recovery.confirm_forgot_password(enabled_client, "ghost", "123456", NEW_PASSWORD)
    recovery.forgot_password(enabled_client, "ghost")
    with pytest.raises(CodeMismatchException):
        recovery.confirm_forgot_password(enabled_client, "ghost", "123456", NEW_PASSWORD)


def test_confirm_forgot_password_for_disabled_user(client_app: Any,
                                                   enabled_client: AppClient) -> None:
    user = confirmed_user(client_app)
    recovery.forgot_password(client_app, "alice")
    code = last_code()
    admin_users.set_enabled(user, False)
    with pytest.raises(NotAuthorizedException) as raised:
        recovery.confirm_forgot_password(client_app, "alice", code, NEW_PASSWORD)
    assert raised.value.message == "User is disabled."
    # Hiding who exists, a disabled user is answered as someone who is not there: no code
    # "sent" through this client, expired; after ForgotPassword, a mismatch, even for the
    # code the user really holds.
    with pytest.raises(ExpiredCodeException):
        recovery.confirm_forgot_password(enabled_client, "alice", code, NEW_PASSWORD)
    recovery.forgot_password(enabled_client, "alice")
    with pytest.raises(CodeMismatchException):
        recovery.confirm_forgot_password(enabled_client, "alice", code, NEW_PASSWORD)
    assert passwords.verify(reload(user), PASSWORD)
    assert VerificationCode.objects.get().attempts == 0


@pytest.mark.parametrize(("password", "reason"), [
    ("short1!", "Password not long enough"),
    ("n0-uppercase", "Password must have uppercase characters"),
    (12345678, "Password not long enough"),
])
def test_confirm_forgot_password_policy_failure_keeps_the_code(client_app: Any, password: Any,
                                                               reason: str) -> None:
    user = confirmed_user(client_app)
    recovery.forgot_password(client_app, "alice")
    code = last_code()
    with pytest.raises(InvalidPasswordException) as raised:
        recovery.confirm_forgot_password(client_app, "alice", code, password)
    assert raised.value.message == f"Password did not conform with policy: {reason}"
    assert VerificationCode.objects.get().attempts == 0
    assert passwords.verify(reload(user), PASSWORD)
    recovery.confirm_forgot_password(client_app, "alice", code, NEW_PASSWORD)


def test_confirm_forgot_password_is_capped_per_hour(client_app: Any) -> None:
    clock.freeze()  # the attempts must fall in one hourly window
    user = confirmed_user(client_app)
    recovery.forgot_password(client_app, "alice")
    code = last_code()
    for _ in range(10):
        with pytest.raises((CodeMismatchException, ExpiredCodeException)):
            recovery.confirm_forgot_password(client_app, "alice", _wrong(code), NEW_PASSWORD)
    recovery.forgot_password(client_app, "alice")
    fresh = last_code()
    with pytest.raises(LimitExceededException):
        recovery.confirm_forgot_password(client_app, "alice", fresh, NEW_PASSWORD)
    assert passwords.verify(reload(user), PASSWORD)
    clock.advance(dt.timedelta(hours=1))
    recovery.forgot_password(client_app, "alice")
    recovery.confirm_forgot_password(client_app, "alice", last_code(), NEW_PASSWORD)
    assert passwords.verify(reload(user), NEW_PASSWORD)


# ChangePassword -------------------------------------------------------------------------------

def test_change_password(client_app: Any) -> None:
    user = confirmed_user(client_app)
    recovery.change_password(user, PASSWORD, NEW_PASSWORD)
    stored = reload(user)
    assert passwords.verify(stored, NEW_PASSWORD) and not passwords.verify(stored, PASSWORD)
    assert stored.status == UserStatus.CONFIRMED


@pytest.mark.parametrize("previous", ["Wr0ng-password", None, 12345, "", "Passw0rd!\ud800"])
def test_change_password_needs_the_previous_password(client_app: Any, previous: Any) -> None:
    user = confirmed_user(client_app)
    with pytest.raises(NotAuthorizedException) as raised:
        recovery.change_password(user, previous, NEW_PASSWORD)
    assert raised.value.message == "Incorrect username or password."
    assert passwords.verify(reload(user), PASSWORD)


@pytest.mark.parametrize(("proposed", "reason"), [
    ("Sh0rt!", "Password not long enough"),
    ("NOLOWER0!", "Password must have lowercase characters"),
    ("NoNumbers!", "Password must have numeric characters"),
    ("NoSymbols0", "Password must have symbol characters"),
    (None, "Password not long enough"),
])
def test_change_password_enforces_the_policy(client_app: Any, proposed: Any,
                                             reason: str) -> None:
    user = confirmed_user(client_app)
    with pytest.raises(InvalidPasswordException) as raised:
        recovery.change_password(user, PASSWORD, proposed)
    assert raised.value.message == f"Password did not conform with policy: {reason}"
    assert passwords.verify(reload(user), PASSWORD)


def test_change_password_refused_for_disabled_user(client_app: Any) -> None:
    user = confirmed_user(client_app)
    admin_users.set_enabled(user, False)
    with pytest.raises(NotAuthorizedException) as raised:
        recovery.change_password(reload(user), PASSWORD, NEW_PASSWORD)
    assert raised.value.message == "User is disabled."
    assert passwords.verify(reload(user), PASSWORD)


def test_change_password_is_capped_per_hour(client_app: Any) -> None:
    clock.freeze()  # the attempts must fall in one hourly window
    user = confirmed_user(client_app)
    for _ in range(5):
        with pytest.raises(NotAuthorizedException):
            recovery.change_password(user, "Wr0ng-password", NEW_PASSWORD)
    with pytest.raises(LimitExceededException):
        recovery.change_password(user, PASSWORD, NEW_PASSWORD)
    assert passwords.verify(reload(user), PASSWORD)
    clock.advance(dt.timedelta(hours=1))
    recovery.change_password(user, PASSWORD, NEW_PASSWORD)
    assert passwords.verify(reload(user), NEW_PASSWORD)


# Password history (PasswordHistorySize) -------------------------------------------------------

@pytest.fixture
def history_client(make_pool: Any, make_client: Any) -> AppClient:
    return make_client(make_pool(password_policy={"PasswordHistorySize": 2}))


def test_password_history_refuses_recent_passwords(history_client: AppClient) -> None:
    user = confirmed_user(history_client)
    assert PasswordHistoryEntry.objects.filter(user=user).count() == 1
    with pytest.raises(PasswordHistoryPolicyViolationException) as raised:
        recovery.change_password(user, PASSWORD, PASSWORD)  # the current one counts
    assert raised.value.message == ("The password you entered has previously been used. "
                                    "Please choose a different password.")
    recovery.change_password(user, PASSWORD, NEW_PASSWORD)
    with pytest.raises(PasswordHistoryPolicyViolationException):
        recovery.change_password(user, NEW_PASSWORD, PASSWORD)
    assert passwords.verify(reload(user), NEW_PASSWORD)
    assert PasswordHistoryEntry.objects.filter(user=user).count() == 2

    recovery.change_password(user, NEW_PASSWORD, OTHER_PASSWORD)
    assert PasswordHistoryEntry.objects.filter(user=user).count() == 2  # trimmed to the size
    recovery.change_password(user, OTHER_PASSWORD, PASSWORD)  # fell out of the history
    assert passwords.verify(reload(user), PASSWORD)


def test_history_entries_are_hashes(history_client: AppClient) -> None:
    user = confirmed_user(history_client)
    entry = PasswordHistoryEntry.objects.get(user=user)
    assert entry.password == reload(user).password and PASSWORD not in entry.password


def test_password_history_applies_to_confirm_forgot_password(history_client: AppClient) -> None:
    user = confirmed_user(history_client)
    recovery.forgot_password(history_client, "alice")
    code = last_code()
    with pytest.raises(PasswordHistoryPolicyViolationException):
        recovery.confirm_forgot_password(history_client, "alice", code, PASSWORD)
    assert VerificationCode.objects.get().attempts == 0
    recovery.confirm_forgot_password(history_client, "alice", code, NEW_PASSWORD)
    assert PasswordHistoryEntry.objects.filter(user=user).count() == 2


def test_confirm_forgot_password_checks_the_code_before_the_password(
        make_pool: Any, make_client: Any) -> None:
    """Without the code, no answer may depend on the password: the history holds the current
    one, so a history error would confirm a guessed password, and a policy error would tell a
    real user from an unknown one under PreventUserExistenceErrors."""
    pool = make_pool(password_policy={"PasswordHistorySize": 1})
    client = make_client(pool, prevent_user_existence_errors="ENABLED")
    user = confirmed_user(client)
    for guess in (PASSWORD, "Wr0ng-Guess!", "weak"):
        for name in ("alice", "ghost"):
            with pytest.raises(ExpiredCodeException):  # no code outstanding
                recovery.confirm_forgot_password(client, name, "000000", guess)
    recovery.forgot_password(client, "ghost")
    recovery.forgot_password(client, "alice")
    code = last_code()
    for guess in (PASSWORD, "weak"):
        with pytest.raises(CodeMismatchException):
            recovery.confirm_forgot_password(client, "alice", _wrong(code), guess)
        with pytest.raises(CodeMismatchException):
            recovery.confirm_forgot_password(client, "ghost", _wrong(code), guess)
    assert VerificationCode.objects.get().attempts == 2
    with pytest.raises(PasswordHistoryPolicyViolationException):  # the code proven first
        recovery.confirm_forgot_password(client, "alice", code, PASSWORD)
    recovery.confirm_forgot_password(client, "alice", code, NEW_PASSWORD)
    assert passwords.verify(reload(user), NEW_PASSWORD)


def test_recovery_skips_a_contact_that_is_the_users_mfa_factor(make_pool: Any,
                                                              make_client: Any) -> None:
    pool = make_pool(account_recovery_setting={"RecoveryMechanisms": [
        {"Name": "verified_phone_number", "Priority": 1},
        {"Name": "verified_email", "Priority": 2}]})
    client = make_client(pool)
    user = admin_user(pool, email=EMAIL, email_verified="true", phone_number=PHONE,
                      phone_number_verified="true")
    assert recovery.forgot_password(client, "alice")["DeliveryMedium"] == "SMS"
    MfaPreference.objects.create(user=user, sms_enabled=True, preferred="SMS_MFA")
    assert recovery.forgot_password(client, "alice") == {
        "Destination": "a***@e***", "DeliveryMedium": "EMAIL", "AttributeName": "email"}
    assert mail.outbox[-1].to == [EMAIL]
    MfaPreference.objects.filter(user=user).update(email_enabled=True)
    with pytest.raises(InvalidParameterException) as raised:  # both carry MFA
        recovery.forgot_password(client, "alice")
    assert raised.value.message == NO_CONTACT
    # Without AccountRecoverySetting the legacy rule applies: the phone, MFA or not.
    legacy = make_pool(name="legacy")
    admin_user(legacy, "bob", email=EMAIL, email_verified="true", phone_number=PHONE,
               phone_number_verified="true")
    MfaPreference.objects.create(user=PoolUser.objects.get(pool=legacy), sms_enabled=True)
    assert recovery.forgot_password(make_client(legacy), "bob")["DeliveryMedium"] == "SMS"


def test_password_history_applies_to_admin_set_user_password(history_client: AppClient) -> None:
    user = confirmed_user(history_client)
    with pytest.raises(PasswordHistoryPolicyViolationException):
        admin_users.admin_set_user_password(user, PASSWORD, permanent=True)
    admin_users.admin_set_user_password(reload(user), NEW_PASSWORD, permanent=True)
    assert passwords.verify(reload(user), NEW_PASSWORD)


def test_without_history_size_reuse_is_allowed(client_app: Any) -> None:
    user = confirmed_user(client_app)
    recovery.change_password(user, PASSWORD, PASSWORD)
    assert PasswordHistoryEntry.objects.count() == 0


# AdminResetUserPassword -----------------------------------------------------------------------

def test_admin_reset_then_confirm_forgot_password(client_app: Any) -> None:
    user = confirmed_user(client_app)
    recovery.admin_reset_user_password(user)
    user = reload(user)
    assert user.status == UserStatus.RESET_REQUIRED
    code = last_code(EMAIL)
    assert mail.outbox[-1].body == f"Your verification code is {code}. "
    record = VerificationCode.objects.get()
    assert record.purpose == CodePurpose.FORGOT_PASSWORD

    recovery.confirm_forgot_password(client_app, "alice", code, NEW_PASSWORD)
    user = reload(user)
    assert user.status == UserStatus.CONFIRMED
    assert passwords.verify(user, NEW_PASSWORD)


def test_reset_required_user_may_request_a_fresh_code(client_app: Any) -> None:
    user = confirmed_user(client_app)
    recovery.admin_reset_user_password(user)
    recovery.forgot_password(client_app, "alice")
    assert len(mail.outbox) == 2 and VerificationCode.objects.count() == 1
    recovery.confirm_forgot_password(client_app, "alice", last_code(), NEW_PASSWORD)
    assert reload(user).status == UserStatus.CONFIRMED


def test_admin_reset_needs_a_verified_contact(client_app: Any) -> None:
    user = signup.sign_up(client_app, "alice", PASSWORD, {"email": EMAIL}).user
    signup.admin_confirm_sign_up(user)
    mail.outbox.clear()
    with pytest.raises(InvalidParameterException) as raised:
        recovery.admin_reset_user_password(reload(user))
    assert raised.value.message == NO_CONTACT
    assert reload(user).status == UserStatus.CONFIRMED
    assert not VerificationCode.objects.filter(purpose=CodePurpose.FORGOT_PASSWORD).exists()
    assert mail.outbox == []


def test_admin_reset_refuses_federated_users(client_app: Any) -> None:
    user = confirmed_user(client_app)
    PoolUser.objects.filter(pk=user.pk).update(status=UserStatus.EXTERNAL_PROVIDER)
    with pytest.raises(NotAuthorizedException):
        recovery.admin_reset_user_password(reload(user))
    assert reload(user).status == UserStatus.EXTERNAL_PROVIDER
    assert mail.outbox == []
