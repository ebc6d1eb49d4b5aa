"""SignUp, ConfirmSignUp, ResendConfirmationCode and AdminConfirmSignUp (reference §1.8, §2.1)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.core import mail
from django.test import override_settings

from django_cognito import clock
from django_cognito.crypto.secrets import secret_hash
from django_cognito.exceptions import (
    AliasExistsException,
    CodeMismatchException,
    ExpiredCodeException,
    InvalidParameterException,
    InvalidPasswordException,
    LimitExceededException,
    NotAuthorizedException,
    UsernameExistsException,
    UserNotFoundException,
)
from django_cognito.models import (
    CodePurpose,
    PoolUser,
    UserPool,
    UserStatus,
    VerificationCode,
)
from django_cognito.services import delivery, passwords, signup
from django_cognito.services.users import find_user
from tests.effects import counts, last_code, outboxes
from tests.factories import PASSWORD

EMAIL = "alice@example.com"
PHONE = "+15555550123"


@pytest.fixture
def fixed_codes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Make issued codes predictable, in the order of the returned list."""
    queue = ["111111", "222222", "333333", "444444"]
    issued = list(queue)
    iterator: Iterator[str] = iter(queue)
    monkeypatch.setattr("django_cognito.crypto.secrets.new_code", lambda digits=6: next(iterator))
    return issued


def register(client: Any, username: str = "alice", email: str | None = EMAIL,
             **extra: str) -> signup.SignUpResult:
    attributes = {"email": email, **extra} if email else dict(extra)
    return signup.sign_up(client, username, PASSWORD,
                          [{"Name": k, "Value": v} for k, v in attributes.items()])


def reload(user: PoolUser) -> PoolUser:
    return PoolUser.objects.get(pk=user.pk)


# SignUp ------------------------------------------------------------------------------------

def test_sign_up_creates_unconfirmed_user_and_emails_a_code(client_app: Any) -> None:
    before = clock.now()
    result = register(client_app)
    after = clock.now()

    user = reload(result.user)
    assert result.confirmed is False
    assert user.status == UserStatus.UNCONFIRMED
    assert user.enabled is True
    assert user.username == "alice"
    assert user.attributes == {"email": EMAIL}
    assert user.password != PASSWORD and passwords.verify(user, PASSWORD)
    assert result.code_delivery == {"Destination": "a***@e***", "DeliveryMedium": "EMAIL",
                                    "AttributeName": "email"}
    assert len(mail.outbox) == 1 and delivery.outbox == []
    message = mail.outbox[0]
    code = last_code(EMAIL)
    assert message.to == [EMAIL]
    assert message.subject == "Your verification code"
    assert message.body == f"Your verification code is {code}. "
    record = VerificationCode.objects.get(user=user)
    assert record.purpose == CodePurpose.SIGN_UP and record.attribute == "email"
    assert record.attempts == 0
    assert before + dt.timedelta(hours=24) <= record.expires_at <= after + dt.timedelta(hours=24)


def test_codes_are_stored_hashed(client_app: Any) -> None:
    register(client_app)
    code = last_code()
    record = VerificationCode.objects.get()
    stored = [record.code_hash, record.salt, record.pending_value, record.attribute]
    assert all(code not in value for value in stored)
    assert len(record.code_hash) == 44  # base64 of an HMAC-SHA256


def test_sign_up_links_a_django_user_named_by_sub(client_app: Any) -> None:
    user = register(client_app, given_name="Alice", family_name="Liddell").user
    django_user = reload(user).user
    assert django_user is not None
    assert django_user.username == str(user.sub)
    assert django_user.email == EMAIL
    assert (django_user.first_name, django_user.last_name) == ("Alice", "Liddell")
    assert django_user.is_active is True
    assert not django_user.has_usable_password()


def test_sms_wins_when_email_and_phone_are_auto_verified(make_pool: Any,
                                                         make_client: Any) -> None:
    pool = make_pool(auto_verified_attributes=["email", "phone_number"])
    result = register(make_client(pool), phone_number=PHONE)
    assert result.code_delivery == {"Destination": "+*******0123", "DeliveryMedium": "SMS",
                                    "AttributeName": "phone_number"}
    assert mail.outbox == []
    assert len(delivery.outbox) == 1
    sms = delivery.outbox[0]
    assert sms["phone_number"] == PHONE and sms["pool"] == pool.id
    assert sms["purpose"] == "CustomMessage_SignUp"
    assert sms["message"] == f"Your verification code is {last_code(PHONE)}. "
    assert VerificationCode.objects.get().attribute == "phone_number"


def test_messages_render_the_pools_verification_template(make_pool: Any,
                                                         make_client: Any) -> None:
    template = {"EmailMessage": "Welcome aboard! Your code: {####}",
                "EmailSubject": "Confirm your Example account",
                "SmsMessage": "Example code {####}"}
    email_pool = make_pool(verification_message_template=template)
    register(make_client(email_pool))
    code = last_code()
    assert mail.outbox[-1].subject == "Confirm your Example account"
    assert mail.outbox[-1].body == f"Welcome aboard! Your code: {code}"

    sms_pool = make_pool(verification_message_template=template,
                         auto_verified_attributes=["phone_number"])
    register(make_client(sms_pool), email=None, phone_number=PHONE)
    assert delivery.outbox[-1]["message"] == f"Example code {last_code(PHONE)}"


def test_without_auto_verification_nothing_is_sent(make_pool: Any, make_client: Any) -> None:
    pool = make_pool(auto_verified_attributes=[])
    client = make_client(pool)
    result = register(client)
    assert result.code_delivery is None and result.confirmed is False
    assert outboxes() == (0, 0)
    assert VerificationCode.objects.count() == 0
    with pytest.raises(ExpiredCodeException) as error:
        signup.confirm_sign_up(client, "alice", "123456")
    assert error.value.message == "Invalid code provided, please request a code again."
    with pytest.raises(InvalidParameterException) as error:
        signup.resend_confirmation_code(client, "alice")
    assert error.value.message == "Cannot resend codes. Auto verification not turned on."
    # Under PreventUserExistenceErrors an unknown user gets the same answer.
    enabled = make_client(pool, prevent_user_existence_errors="ENABLED")
    for username in ("alice", "ghost"):
        with pytest.raises(InvalidParameterException) as error:
            signup.resend_confirmation_code(enabled, username)
        assert error.value.message == "Cannot resend codes. Auto verification not turned on."
    assert reload(result.user).status == UserStatus.UNCONFIRMED


def test_duplicate_username_is_refused_and_writes_nothing(client_app: Any) -> None:
    register(client_app)
    before, sent = counts(), outboxes()
    with pytest.raises(UsernameExistsException) as error:
        register(client_app, email="other@example.com")
    assert error.value.message == "User already exists"
    assert counts() == before and outboxes() == sent


def test_usernames_are_case_sensitive_by_default(client_app: Any) -> None:
    register(client_app, "Alice")
    register(client_app, "alice", email="other@example.com")
    assert PoolUser.objects.count() == 2


def test_case_insensitive_pool_refuses_a_differently_cased_duplicate(
        make_pool: Any, make_client: Any) -> None:
    client = make_client(make_pool(case_sensitive=False))
    register(client, "Alice")
    before = counts()
    with pytest.raises(UsernameExistsException):
        register(client, "aLICE", email="other@example.com")
    assert counts() == before


def test_sign_up_under_prevent_user_existence_errors_still_reports_duplicates(
        pool: UserPool, make_client: Any) -> None:
    client = make_client(pool, prevent_user_existence_errors="ENABLED")
    register(client)
    with pytest.raises(UsernameExistsException):
        register(client)


def test_email_username_pool_uses_sub_as_username(make_pool: Any, make_client: Any) -> None:
    client = make_client(make_pool(username_attributes=["email"]))
    result = signup.sign_up(client, "carol@example.com", PASSWORD)
    user = reload(result.user)
    assert user.username == str(user.sub)
    assert user.attributes == {"email": "carol@example.com"}
    assert result.code_delivery == {"Destination": "c***@e***", "DeliveryMedium": "EMAIL",
                                    "AttributeName": "email"}
    signup.confirm_sign_up(client, "carol@example.com", last_code())
    assert reload(user).status == UserStatus.CONFIRMED

    before = counts()
    with pytest.raises(UsernameExistsException) as error:
        signup.sign_up(client, "Carol@Example.com", PASSWORD)
    assert error.value.message == "An account with the given email already exists."
    with pytest.raises(InvalidParameterException) as error:
        signup.sign_up(client, "carol", PASSWORD)
    assert error.value.message == "Username should be an email."
    assert counts() == before


def test_sign_up_refused_when_only_admins_create_users(make_pool: Any, make_client: Any) -> None:
    pool = make_pool(admin_create_user_config={"AllowAdminCreateUserOnly": True})
    with pytest.raises(NotAuthorizedException) as error:
        register(make_client(pool))
    assert error.value.message == "SignUp is not permitted for this user pool"
    assert counts() == (0, 0, 0, 0)


# Bad input: a typed error and nothing written ------------------------------------------------

SCHEMA_PREFIX = "Attributes did not conform to the schema: "


@pytest.mark.parametrize(("username", "password", "attributes", "error", "message"), [
    ("alice", 123456789, [], InvalidPasswordException,
     "Password did not conform with policy: Password not long enough"),
    ("alice", None, [], InvalidPasswordException,
     "Password did not conform with policy: Password not long enough"),
    ("alice", ["Passw0rd!"], [], InvalidPasswordException,
     "Password did not conform with policy: Password not long enough"),
    ("alice", PASSWORD, "email=alice@example.com", InvalidParameterException,
     "UserAttributes must be a list of Name/Value pairs."),
    ("alice", PASSWORD, ["email"], InvalidParameterException,
     "Each attribute needs a string Name and Value."),
    ("alice", PASSWORD, [{"Name": 5, "Value": "x"}], InvalidParameterException,
     "Each attribute needs a string Name and Value."),
    ("alice", PASSWORD, [{"Name": "email", "Value": 5}], InvalidParameterException,
     "Each attribute needs a string Name and Value."),
    ("alice", PASSWORD, [{"Name": "email", "Value": ["a@b.c"]}], InvalidParameterException,
     "Each attribute needs a string Name and Value."),
    ("alice", PASSWORD, [{"Name": "x" * 33, "Value": "v"}], InvalidParameterException,
     f"Invalid attribute name: {'x' * 33!r}"),
    ("alice", PASSWORD, [{"Name": "custom:nope", "Value": "v"}], InvalidParameterException,
     SCHEMA_PREFIX + "custom:nope: Attribute does not exist in the schema."),
    ("alice", PASSWORD, [{"Name": "shoe_size", "Value": "9"}], InvalidParameterException,
     SCHEMA_PREFIX + "shoe_size: Attribute does not exist in the schema."),
    ("alice", PASSWORD, [{"Name": "given_name", "Value": "x" * 2049}],
     InvalidParameterException,
     SCHEMA_PREFIX + "given_name: String must be no longer than 2048 characters"),
    ("alice", PASSWORD, [{"Name": "email", "Value": "not-an-email"}], InvalidParameterException,
     "Invalid email address format."),
    ("alice", PASSWORD, [{"Name": "phone_number", "Value": "555-0123"}],
     InvalidParameterException, "Invalid phone number format."),
    ("alice", PASSWORD, [{"Name": "birthdate", "Value": "1 April 1990"}],
     InvalidParameterException,
     SCHEMA_PREFIX + "birthdate: Birthdate must be in the format YYYY-MM-DD."),
    ("alice", PASSWORD, [{"Name": "updated_at", "Value": "yesterday"}],
     InvalidParameterException,
     SCHEMA_PREFIX + "updated_at: Number attribute value must be a number."),
    ("alice", PASSWORD, [{"Name": "sub", "Value": "0000"}], InvalidParameterException,
     SCHEMA_PREFIX + "sub: Attribute cannot be updated. (changing an immutable attribute)"),
    ("alice", PASSWORD, [{"Name": "email", "Value": EMAIL},
                         {"Name": "email_verified", "Value": "true"}],
     NotAuthorizedException, "A client attempted to write unauthorized attribute"),
    ("alice", PASSWORD, [{"Name": "identities", "Value": "[]"}], NotAuthorizedException,
     "A client attempted to write unauthorized attribute"),
    ("", PASSWORD, [], InvalidParameterException, "Username must not be empty."),
    (None, PASSWORD, [], InvalidParameterException, "Username must not be empty."),
    (42, PASSWORD, [], InvalidParameterException, "Username must not be empty."),
])
def test_bad_sign_up_input_raises_and_writes_nothing(client_app: Any, username: Any,
                                                     password: Any, attributes: Any,
                                                     error: type[Exception],
                                                     message: str) -> None:
    register(client_app, "existing", email="existing@example.com")
    before, sent = counts(), outboxes()
    with pytest.raises(error) as raised:
        signup.sign_up(client_app, username, password, attributes)
    assert raised.value.message == message  # type: ignore[attr-defined]
    assert counts() == before and outboxes() == sent


@pytest.mark.parametrize("username", ["a" * 129, "al ice", "tab\tname", "nul\x00name"])
def test_malformed_usernames_are_refused(client_app: Any, username: str) -> None:
    with pytest.raises(InvalidParameterException) as raised:
        signup.sign_up(client_app, username, PASSWORD)
    assert "Value at 'username' failed to satisfy constraint" in raised.value.message
    assert counts() == (0, 0, 0, 0) and outboxes() == (0, 0)


def test_missing_required_attribute_is_refused(make_pool: Any, make_client: Any) -> None:
    pool = make_pool(schema=[{"Name": "name", "AttributeDataType": "String",
                              "Required": True}])
    client = make_client(pool)
    with pytest.raises(InvalidParameterException) as raised:
        register(client)
    assert raised.value.message == SCHEMA_PREFIX + "name: The attribute is required"
    with pytest.raises(InvalidParameterException):
        register(client, name="")
    assert counts() == (0, 0, 0, 0) and outboxes() == (0, 0)
    register(client, name="Alice")
    assert PoolUser.objects.get().attributes["name"] == "Alice"


def test_client_write_attributes_limit_what_sign_up_may_set(pool: UserPool,
                                                            make_client: Any) -> None:
    client = make_client(pool, write_attributes=["email"])
    with pytest.raises(NotAuthorizedException) as raised:
        register(client, given_name="Alice")
    assert raised.value.message == "A client attempted to write unauthorized attribute"
    assert counts() == (0, 0, 0, 0)
    register(client)
    assert PoolUser.objects.count() == 1


# Password policy (reference §2.4) ------------------------------------------------------------

POLICY = "Password did not conform with policy: "


@pytest.mark.parametrize(("password", "reason"), [
    ("", "Password not long enough"),
    ("Pa0!abc", "Password not long enough"),
    ("password0!", "Password must have uppercase characters"),
    ("ÀÉÎÕ0!abcd", "Password must have uppercase characters"),
    ("PASSWORD0!", "Password must have lowercase characters"),
    ("ABCD0!éèàõ", "Password must have lowercase characters"),
    ("Password!!", "Password must have numeric characters"),
    ("Password00", "Password must have symbol characters"),
    ("P" + "a" * 254 + "0!", "Password is too long"),
    (" Passw0rd!", "Password must not start or end with whitespace"),
    ("Passw0rd! ", "Password must not start or end with whitespace"),
    ("Passw0rd!\n", "Password must not start or end with whitespace"),
    ("Passw0rd!\ud800", "Password contains invalid characters"),
])
def test_each_policy_rule_is_enforced_at_sign_up(client_app: Any, password: str,
                                                 reason: str) -> None:
    with pytest.raises(InvalidPasswordException) as raised:
        signup.sign_up(client_app, "alice", password, {"email": EMAIL})
    assert raised.value.message == POLICY + reason
    assert counts() == (0, 0, 0, 0) and outboxes() == (0, 0)


def test_longest_allowed_password_is_accepted(client_app: Any) -> None:
    password = "P" + "a" * 253 + "0!"
    assert len(password) == 256
    user = signup.sign_up(client_app, "alice", password, {"email": EMAIL}).user
    assert passwords.verify(user, password)


@pytest.mark.parametrize("symbol", list("^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+- "))
def test_every_documented_symbol_satisfies_the_symbol_rule(symbol: str) -> None:
    pool = UserPool(require_uppercase=False, require_lowercase=False, require_numbers=False,
                    minimum_length=6)
    password = f"abc{symbol}def"
    assert passwords.check_policy(pool, password) == password


def test_pool_policy_settings_are_honoured(make_pool: Any, make_client: Any) -> None:
    relaxed = make_client(make_pool(password_policy={
        "MinimumLength": 6, "RequireUppercase": False, "RequireLowercase": False,
        "RequireNumbers": False, "RequireSymbols": False}))
    with pytest.raises(InvalidPasswordException):
        signup.sign_up(relaxed, "short", "abcde")
    assert signup.sign_up(relaxed, "plain", "abcdef").user.pk is not None

    strict = make_client(make_pool(password_policy={"MinimumLength": 12}))
    with pytest.raises(InvalidPasswordException) as raised:
        signup.sign_up(strict, "eleven", "Passw0rd!xy")
    assert raised.value.message == POLICY + "Password not long enough"
    assert signup.sign_up(strict, "twelve", "Passw0rd!xyz").user.pk is not None


# SECRET_HASH (clients.py) ---------------------------------------------------------------------

def test_secret_hash_is_required_and_checked(pool: UserPool, make_client: Any) -> None:
    client = make_client(pool, generate_secret=True)
    attrs = {"email": EMAIL}
    with pytest.raises(NotAuthorizedException) as raised:
        signup.sign_up(client, "alice", PASSWORD, attrs)
    assert raised.value.message == (
        f"Client {client.id} is configured with secret but SECRET_HASH was not received")
    wrong = secret_hash(client.secret, "bob", client.id)
    for bad in (wrong, "not base64", 12345, "\ud800", ["x"]):
        with pytest.raises(NotAuthorizedException) as raised:
            signup.sign_up(client, "alice", PASSWORD, attrs, secret_hash=bad)
        assert raised.value.message == f"Unable to verify secret hash for client {client.id}"
    assert counts() == (0, 0, 0, 0) and outboxes() == (0, 0)

    with pytest.raises(NotAuthorizedException):
        signup.sign_up(client, "al\ud800ice", PASSWORD, attrs, secret_hash=wrong)
    assert counts() == (0, 0, 0, 0) and outboxes() == (0, 0)

    good = secret_hash(client.secret, "alice", client.id)
    signup.sign_up(client, "alice", PASSWORD, attrs, secret_hash=good)
    with pytest.raises(NotAuthorizedException):
        signup.resend_confirmation_code(client, "alice")
    with pytest.raises(NotAuthorizedException):
        signup.confirm_sign_up(client, "alice", last_code(), secret_hash=wrong)
    signup.resend_confirmation_code(client, "alice", secret_hash=good)
    signup.confirm_sign_up(client, "alice", last_code(), secret_hash=good)
    assert PoolUser.objects.get().status == UserStatus.CONFIRMED


def test_secret_hash_is_ignored_for_a_client_without_secret(client_app: Any) -> None:
    signup.sign_up(client_app, "alice", PASSWORD, {"email": EMAIL}, secret_hash="anything")
    assert PoolUser.objects.count() == 1


# ConfirmSignUp --------------------------------------------------------------------------------

def test_confirm_sign_up_by_code(client_app: Any) -> None:
    user = register(client_app).user
    confirmed = signup.confirm_sign_up(client_app, "alice", last_code())
    user = reload(user)
    assert confirmed.pk == user.pk
    assert user.status == UserStatus.CONFIRMED
    assert user.attributes["email_verified"] == "true"
    assert VerificationCode.objects.count() == 0
    assert user.user is not None and user.user.email == EMAIL


def test_confirming_a_confirmed_user_is_refused(client_app: Any) -> None:
    register(client_app)
    code = last_code()
    signup.confirm_sign_up(client_app, "alice", code)
    with pytest.raises(NotAuthorizedException) as raised:
        signup.confirm_sign_up(client_app, "alice", code)
    assert raised.value.message == "User cannot be confirmed. Current status is CONFIRMED"


def test_wrong_code_is_counted_even_though_the_call_raises(client_app: Any) -> None:
    user = register(client_app).user
    code = last_code()
    wrong = "000000" if code != "000000" else "999999"
    for expected in (1, 2):
        with pytest.raises(CodeMismatchException) as raised:
            signup.confirm_sign_up(client_app, "alice", wrong)
        assert raised.value.message == "Invalid verification code provided, please try again."
        assert VerificationCode.objects.get().attempts == expected
    with pytest.raises(CodeMismatchException):
        signup.confirm_sign_up(client_app, "alice", int(code))
    assert VerificationCode.objects.get().attempts == 3
    assert reload(user).status == UserStatus.UNCONFIRMED
    signup.confirm_sign_up(client_app, "alice", code)
    assert reload(user).status == UserStatus.CONFIRMED


@pytest.mark.parametrize("answer", [None, 123456, ["123456"], "\ud800", "\x00", "1" * 5000])
def test_malformed_codes_count_as_wrong_answers(client_app: Any, answer: Any) -> None:
    user = register(client_app).user
    with pytest.raises(CodeMismatchException):
        signup.confirm_sign_up(client_app, "alice", answer)
    assert VerificationCode.objects.get().attempts == 1
    assert reload(user).status == UserStatus.UNCONFIRMED


def _wrong(code: str) -> str:
    return "000000" if code != "000000" else "999999"


def test_code_survives_one_less_than_the_attempt_limit(client_app: Any) -> None:
    user = register(client_app).user
    code = last_code()
    for _ in range(4):
        with pytest.raises(CodeMismatchException):
            signup.confirm_sign_up(client_app, "alice", _wrong(code))
    signup.confirm_sign_up(client_app, "alice", code)
    assert reload(user).status == UserStatus.CONFIRMED


def test_code_dies_at_the_attempt_limit(client_app: Any) -> None:
    user = register(client_app).user
    code = last_code()
    for _ in range(5):
        with pytest.raises(CodeMismatchException):
            signup.confirm_sign_up(client_app, "alice", _wrong(code))
    assert VerificationCode.objects.count() == 0
    with pytest.raises(ExpiredCodeException):
        signup.confirm_sign_up(client_app, "alice", code)
    assert reload(user).status == UserStatus.UNCONFIRMED
    signup.resend_confirmation_code(client_app, "alice")
    signup.confirm_sign_up(client_app, "alice", last_code())
    assert reload(user).status == UserStatus.CONFIRMED


@override_settings(COGNITO={"CODE_MAX_ATTEMPTS": 2})
def test_attempt_limit_follows_the_setting(client_app: Any) -> None:
    register(client_app)
    code = last_code()
    for _ in range(2):
        with pytest.raises(CodeMismatchException):
            signup.confirm_sign_up(client_app, "alice", _wrong(code))
    with pytest.raises(ExpiredCodeException):
        signup.confirm_sign_up(client_app, "alice", code)


def test_a_code_already_at_the_limit_is_refused_even_when_correct(client_app: Any) -> None:
    user = register(client_app).user
    code = last_code()
    for _ in range(2):
        with pytest.raises(CodeMismatchException):
            signup.confirm_sign_up(client_app, "alice", _wrong(code))
    with override_settings(COGNITO={"CODE_MAX_ATTEMPTS": 2}):
        with pytest.raises(ExpiredCodeException):
            signup.confirm_sign_up(client_app, "alice", code)
    assert reload(user).status == UserStatus.UNCONFIRMED
    assert VerificationCode.objects.count() == 0


def test_sign_up_code_lives_24_hours(client_app: Any) -> None:
    register(client_app, "early")
    early = last_code()
    register(client_app, "late", email="late@example.com")
    late = last_code()
    with clock.shifted(dt.timedelta(hours=23, minutes=59)):
        signup.confirm_sign_up(client_app, "early", early)
    clock.advance(dt.timedelta(hours=24, seconds=1))
    with pytest.raises(ExpiredCodeException) as raised:
        signup.confirm_sign_up(client_app, "late", late)
    assert raised.value.message == "Invalid code provided, please request a code again."
    assert not VerificationCode.objects.filter(user__username="late").exists()
    assert PoolUser.objects.get(username="late").status == UserStatus.UNCONFIRMED
    assert PoolUser.objects.get(username="early").status == UserStatus.CONFIRMED


def test_confirm_sign_up_of_unknown_user_depends_on_existence_errors(
        pool: UserPool, make_client: Any) -> None:
    with pytest.raises(UserNotFoundException) as raised:
        signup.confirm_sign_up(make_client(pool), "ghost", "123456")
    assert raised.value.message == "User does not exist."
    enabled = make_client(pool, prevent_user_existence_errors="ENABLED")
    with pytest.raises(CodeMismatchException) as mismatch:
        signup.confirm_sign_up(enabled, "ghost", "123456")
    assert mismatch.value.message == "Invalid verification code provided, please try again."
    for odd in (None, 7, "", "x" * 3000):
        with pytest.raises(CodeMismatchException):
            signup.confirm_sign_up(enabled, odd, "123456")


def test_confirm_sign_up_alias_clash(make_pool: Any, make_client: Any) -> None:
    client = make_client(make_pool(alias_attributes=["email"]))
    shared = "shared@example.com"
    first = register(client, "alice", email=shared).user
    signup.confirm_sign_up(client, "alice", last_code())
    assert find_user(first.pool, shared) == first

    second = register(client, "bob", email=shared).user  # an unverified alias may repeat
    code = last_code(shared)
    with pytest.raises(AliasExistsException) as raised:
        signup.confirm_sign_up(client, "bob", code)
    assert raised.value.message == "An account with the email already exists."
    assert reload(second).status == UserStatus.UNCONFIRMED
    assert "email_verified" not in reload(second).attributes
    assert reload(first).attributes["email_verified"] == "true"
    assert VerificationCode.objects.filter(user=second).exists()

    signup.confirm_sign_up(client, "bob", code, force_alias_creation=True)
    second, first = reload(second), reload(first)
    assert second.status == UserStatus.CONFIRMED
    assert second.attributes["email_verified"] == "true"
    assert first.attributes["email_verified"] == "false"
    assert first.alias_email is None
    assert find_user(first.pool, shared) == second


def test_confirm_sign_up_by_verified_alias_is_not_possible_before_confirmation(
        make_pool: Any, make_client: Any) -> None:
    client = make_client(make_pool(alias_attributes=["email"]))
    register(client, "alice")
    with pytest.raises(UserNotFoundException):
        signup.confirm_sign_up(client, EMAIL, last_code())


def test_confirm_sign_up_attempts_are_capped_per_hour(client_app: Any) -> None:
    clock.freeze()  # the attempts must fall in one hourly window
    user = register(client_app).user
    code = last_code()
    for _ in range(15):
        with pytest.raises((CodeMismatchException, ExpiredCodeException)):
            signup.confirm_sign_up(client_app, "alice", _wrong(code))
    signup.resend_confirmation_code(client_app, "alice")
    fresh = last_code()
    with pytest.raises(LimitExceededException) as raised:
        signup.confirm_sign_up(client_app, "alice", fresh)
    assert raised.value.message == "Attempt limit exceeded, please try after some time."
    assert reload(user).status == UserStatus.UNCONFIRMED

    register(client_app, "bob", email="bob@example.com")
    signup.confirm_sign_up(client_app, "bob", last_code())  # another user's budget is separate

    clock.advance(dt.timedelta(hours=1))
    signup.confirm_sign_up(client_app, "alice", fresh)
    assert reload(user).status == UserStatus.CONFIRMED


# ResendConfirmationCode -----------------------------------------------------------------------

def test_resend_replaces_the_outstanding_code(client_app: Any, fixed_codes: list[str]) -> None:
    user = register(client_app).user
    assert last_code() == fixed_codes[0]
    details = signup.resend_confirmation_code(client_app, "alice", client_metadata={"k": "v"})
    assert details == {"Destination": "a***@e***", "DeliveryMedium": "EMAIL",
                       "AttributeName": "email"}
    assert len(mail.outbox) == 2
    assert mail.outbox[-1].body == f"Your verification code is {fixed_codes[1]}. "
    assert VerificationCode.objects.count() == 1
    with pytest.raises(CodeMismatchException):
        signup.confirm_sign_up(client_app, "alice", fixed_codes[0])
    signup.confirm_sign_up(client_app, "alice", fixed_codes[1])
    assert reload(user).status == UserStatus.CONFIRMED


def test_resend_restarts_the_expiry_and_the_attempt_count(client_app: Any) -> None:
    user = register(client_app).user
    code = last_code()
    for _ in range(3):
        with pytest.raises(CodeMismatchException):
            signup.confirm_sign_up(client_app, "alice", _wrong(code))
    clock.advance(dt.timedelta(hours=20))
    signup.resend_confirmation_code(client_app, "alice")
    assert VerificationCode.objects.get().attempts == 0
    clock.advance(dt.timedelta(hours=20))
    signup.confirm_sign_up(client_app, "alice", last_code())
    assert reload(user).status == UserStatus.CONFIRMED


def test_resend_to_a_confirmed_user_is_refused(client_app: Any) -> None:
    register(client_app)
    signup.confirm_sign_up(client_app, "alice", last_code())
    with pytest.raises(InvalidParameterException) as raised:
        signup.resend_confirmation_code(client_app, "alice")
    assert raised.value.message == "User is already confirmed."


def test_resend_is_capped_per_hour(client_app: Any) -> None:
    clock.freeze()  # the attempts must fall in one hourly window
    register(client_app)
    register(client_app, "bob", email="bob@example.com")
    for _ in range(5):
        signup.resend_confirmation_code(client_app, "alice")
    sent = outboxes()
    with pytest.raises(LimitExceededException):
        signup.resend_confirmation_code(client_app, "alice")
    assert outboxes() == sent
    signup.resend_confirmation_code(client_app, "bob")
    clock.advance(dt.timedelta(hours=1))
    signup.resend_confirmation_code(client_app, "alice")
    assert mail.outbox[-1].to == [EMAIL]


@override_settings(COGNITO={"RATE_LIMITS": {"ResendConfirmationCode": 2}})
def test_resend_cap_follows_the_setting(client_app: Any) -> None:
    clock.freeze()  # the attempts must fall in one hourly window
    register(client_app)
    signup.resend_confirmation_code(client_app, "alice")
    signup.resend_confirmation_code(client_app, "alice")
    with pytest.raises(LimitExceededException):
        signup.resend_confirmation_code(client_app, "alice")


def test_resend_for_unknown_user_depends_on_existence_errors(pool: UserPool,
                                                             make_client: Any) -> None:
    with pytest.raises(UserNotFoundException):
        signup.resend_confirmation_code(make_client(pool), "ghost")
    enabled = make_client(pool, prevent_user_existence_errors="ENABLED")
    details = signup.resend_confirmation_code(enabled, "ghost")
    assert re.fullmatch(r"g\*\*\*@[a-z]\*\*\*", details["Destination"])
    assert details == {**details, "DeliveryMedium": "EMAIL", "AttributeName": "email"}
    assert signup.resend_confirmation_code(enabled, "ghost") == details
    assert outboxes() == (0, 0) and counts() == (0, 0, 0, 0)


def test_simulated_resend_uses_sms_in_a_phone_only_pool(make_pool: Any,
                                                        make_client: Any) -> None:
    pool = make_pool(auto_verified_attributes=["phone_number"])
    enabled = make_client(pool, prevent_user_existence_errors="ENABLED")
    details = signup.resend_confirmation_code(enabled, "ghost")
    assert details["DeliveryMedium"] == "SMS"
    assert details["AttributeName"] == "phone_number"
    assert details["Destination"].startswith("+") and details["Destination"].count("*") > 0


def test_resend_for_disabled_user(pool: UserPool, make_client: Any) -> None:
    from django_cognito.services.admin_users import set_enabled

    legacy = make_client(pool)
    enabled = make_client(pool, prevent_user_existence_errors="ENABLED")
    user = register(legacy).user
    set_enabled(user, False)
    sent = outboxes()
    with pytest.raises(NotAuthorizedException) as raised:
        signup.resend_confirmation_code(legacy, "alice")
    assert raised.value.message == "User is disabled."
    details = signup.resend_confirmation_code(enabled, "alice")
    assert details["DeliveryMedium"] == "EMAIL"
    assert outboxes() == sent


# AdminConfirmSignUp ---------------------------------------------------------------------------

def test_admin_confirm_sign_up(client_app: Any) -> None:
    user = register(client_app).user
    signup.admin_confirm_sign_up(reload(user))
    user = reload(user)
    assert user.status == UserStatus.CONFIRMED
    assert "email_verified" not in user.attributes  # no code was answered
    with pytest.raises(NotAuthorizedException) as raised:
        signup.admin_confirm_sign_up(user)
    assert raised.value.message == "User cannot be confirmed. Current status is CONFIRMED"
    with pytest.raises(NotAuthorizedException) as raised:
        signup.confirm_sign_up(client_app, "alice", last_code())
    assert raised.value.message == "User cannot be confirmed. Current status is CONFIRMED"


@pytest.mark.parametrize("metadata", ["abc", ["a"], {"k": 1}, {1: "v"}, {"k": "\x00"}])
def test_malformed_client_metadata_is_refused_before_any_write(
        client_app: Any, metadata: Any) -> None:
    before = counts()
    with pytest.raises(InvalidParameterException, match="ClientMetadata"):
        signup.sign_up(client_app, "alice", PASSWORD, [{"Name": "email", "Value": EMAIL}],
                       client_metadata=metadata)
    assert counts() == before
    assert mail.outbox == []
