"""AdminCreateUser, AdminSetUserPassword, enable/disable and AdminDeleteUser (reference §1.8)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core import mail

from django_cognito import clock
from django_cognito.exceptions import (
    AliasExistsException,
    InvalidParameterException,
    InvalidPasswordException,
    UnsupportedUserStateException,
    UsernameExistsException,
    UserNotFoundException,
)
from django_cognito.models import (
    PasswordHistoryEntry,
    PoolUser,
    UserPool,
    UserStatus,
    VerificationCode,
)
from django_cognito.services import admin_users, delivery, passwords, recovery, signup
from django_cognito.services.users import find_user
from tests.effects import counts, last_code, outboxes
from tests.factories import PASSWORD

EMAIL = "alice@example.com"
PHONE = "+15555550123"
TEMPORARY = "Temp0rary!"
INVITE = re.compile(r"^Your username is (?P<username>\S+) and temporary password is "
                    r"(?P<password>.*)\. $", re.DOTALL)


def reload(user: PoolUser) -> PoolUser:
    return PoolUser.objects.get(pk=user.pk)


def create(pool: UserPool, username: str = "alice", **kwargs: Any) -> PoolUser:
    kwargs.setdefault("attributes", {"email": EMAIL})
    kwargs.setdefault("desired_delivery_mediums", ["EMAIL"])
    return admin_users.admin_create_user(pool, username, **kwargs)


def invite_password(body: str) -> str:
    match = INVITE.match(body)
    assert match, body
    return match.group("password")


def assert_expiry(user: PoolUser, before: dt.datetime, after: dt.datetime, days: int) -> None:
    expires = reload(user).temporary_password_expires_at
    assert expires is not None
    assert before + dt.timedelta(days=days) <= expires <= after + dt.timedelta(days=days)


# AdminCreateUser ------------------------------------------------------------------------------

def test_admin_create_user_with_a_temporary_password(pool: UserPool) -> None:
    before = clock.now()
    user = create(pool, temporary_password=TEMPORARY)
    after = clock.now()
    stored = reload(user)
    assert stored.status == UserStatus.FORCE_CHANGE_PASSWORD
    assert stored.enabled is True
    assert stored.attributes == {"email": EMAIL}
    assert passwords.verify(stored, TEMPORARY) and stored.password != TEMPORARY
    assert_expiry(user, before, after, 7)
    assert VerificationCode.objects.count() == 0
    assert len(mail.outbox) == 1 and delivery.outbox == []
    message = mail.outbox[0]
    assert message.to == [EMAIL]
    assert message.subject == "Your temporary password"
    assert message.body == f"Your username is alice and temporary password is {TEMPORARY}. "
    django_user = stored.user
    assert django_user is not None and django_user.username == str(stored.sub)
    assert django_user.email == EMAIL and not django_user.has_usable_password()


def test_temporary_password_validity_days_is_stored(make_pool: Any) -> None:
    pool = make_pool(password_policy={"TemporaryPasswordValidityDays": 3})
    before = clock.now()
    user = create(pool, temporary_password=TEMPORARY)
    assert_expiry(user, before, clock.now(), 3)

    pool = make_pool(name="zero", password_policy={"TemporaryPasswordValidityDays": 0})
    before = clock.now()
    user = create(pool, "bob", temporary_password=TEMPORARY)
    assert_expiry(user, before, clock.now(), 7)


def test_generated_password_meets_the_policy_and_is_sent(make_pool: Any) -> None:
    pool = make_pool(password_policy={"MinimumLength": 20})
    user = admin_users.admin_create_user(pool, "alice", attributes={"phone_number": PHONE})
    assert mail.outbox == [] and len(delivery.outbox) == 1  # SMS is the default medium
    sms = delivery.outbox[0]
    assert sms["phone_number"] == PHONE and sms["purpose"] == "CustomMessage_AdminCreateUser"
    password = invite_password(sms["message"])
    assert len(password) >= 20
    assert passwords.check_policy(pool, password) == password
    assert passwords.verify(reload(user), password)


def test_generated_passwords_differ_and_satisfy_a_default_policy(pool: UserPool) -> None:
    generated = {passwords.generate_temporary(pool) for _ in range(20)}
    assert len(generated) == 20
    for password in generated:
        assert len(password) == 12
        assert passwords.check_policy(pool, password) == password


def test_invite_renders_the_pools_invite_template_on_both_mediums(make_pool: Any) -> None:
    pool = make_pool(admin_create_user_config={"InviteMessageTemplate": {
        "EmailMessage": "Hello {username}, sign in with {####}",
        "EmailSubject": "Welcome to Example",
        "SMSMessage": "Example: {username} / {####}"}})
    create(pool, temporary_password=TEMPORARY, desired_delivery_mediums=["EMAIL", "SMS"],
           attributes={"email": EMAIL, "phone_number": PHONE})
    assert mail.outbox[0].subject == "Welcome to Example"
    assert mail.outbox[0].body == f"Hello alice, sign in with {TEMPORARY}"
    assert delivery.outbox[0]["message"] == f"Example: alice / {TEMPORARY}"


def test_default_medium_without_a_phone_is_refused_and_writes_nothing(pool: UserPool) -> None:
    with pytest.raises(InvalidParameterException) as raised:
        admin_users.admin_create_user(pool, "alice", attributes={"email": EMAIL})
    assert raised.value.message == "User has no attribute matching desired delivery mediums"
    assert counts() == (0, 0, 0, 0) and outboxes() == (0, 0)


def test_one_matching_medium_is_enough(pool: UserPool) -> None:
    create(pool, desired_delivery_mediums=["SMS", "EMAIL"])
    assert len(mail.outbox) == 1 and delivery.outbox == []


def test_suppress_sends_nothing(pool: UserPool) -> None:
    user = admin_users.admin_create_user(pool, "alice", message_action="SUPPRESS",
                                         temporary_password=TEMPORARY)
    assert outboxes() == (0, 0)
    assert reload(user).status == UserStatus.FORCE_CHANGE_PASSWORD
    assert passwords.verify(reload(user), TEMPORARY)


def test_resend_reissues_the_temporary_password(pool: UserPool) -> None:
    user = create(pool, temporary_password=TEMPORARY)
    clock.advance(dt.timedelta(days=5))
    before, rows = clock.now(), counts()
    again = create(pool, message_action="RESEND", temporary_password="Sec0nd-temp!",
                   attributes=None)
    assert again.pk == user.pk and counts() == rows
    stored = reload(user)
    assert stored.status == UserStatus.FORCE_CHANGE_PASSWORD
    assert passwords.verify(stored, "Sec0nd-temp!") and not passwords.verify(stored, TEMPORARY)
    assert_expiry(user, before, clock.now(), 7)
    assert len(mail.outbox) == 2
    assert invite_password(mail.outbox[-1].body) == "Sec0nd-temp!"

    create(pool, message_action="RESEND", attributes=None)
    generated = invite_password(mail.outbox[-1].body)
    assert generated != "Sec0nd-temp!" and passwords.verify(reload(user), generated)


def test_resend_needs_a_force_change_password_user(pool: UserPool) -> None:
    user = create(pool, temporary_password=TEMPORARY)
    admin_users.admin_set_user_password(user, PASSWORD, permanent=True)
    sent = outboxes()
    with pytest.raises(UnsupportedUserStateException) as raised:
        create(pool, message_action="RESEND")
    assert raised.value.message == (
        "Resend not possible. alice status is not FORCE_CHANGE_PASSWORD")
    assert passwords.verify(reload(user), PASSWORD) and outboxes() == sent
    with pytest.raises(UserNotFoundException):
        create(pool, "ghost", message_action="RESEND")


def test_resend_with_an_unmatched_medium_keeps_the_old_password(pool: UserPool) -> None:
    user = create(pool, temporary_password=TEMPORARY)
    with pytest.raises(InvalidParameterException):
        create(pool, message_action="RESEND", temporary_password="Sec0nd-temp!",
               desired_delivery_mediums=["SMS"])
    assert passwords.verify(reload(user), TEMPORARY)


def test_email_username_pool_invites_with_the_email(make_pool: Any) -> None:
    pool = make_pool(username_attributes=["email"])
    user = admin_users.admin_create_user(pool, "dave@example.com", temporary_password=TEMPORARY,
                                         desired_delivery_mediums=["EMAIL"])
    stored = reload(user)
    assert stored.username == str(stored.sub)
    assert stored.attributes == {"email": "dave@example.com"}
    assert mail.outbox[0].to == ["dave@example.com"]
    match = INVITE.match(mail.outbox[0].body)
    assert match and match.group("username") == "dave@example.com"
    assert find_user(pool, "dave@example.com") == stored
    with pytest.raises(InvalidParameterException) as raised:
        admin_users.admin_create_user(pool, "dave", desired_delivery_mediums=["EMAIL"])
    assert raised.value.message == "Username should be an email."
    with pytest.raises(UsernameExistsException) as exists:
        admin_users.admin_create_user(pool, "DAVE@example.com", message_action="SUPPRESS")
    assert exists.value.message == "An account with the given email already exists."
    assert PoolUser.objects.count() == 1


def test_admin_may_mark_contacts_verified(pool: UserPool) -> None:
    user = create(pool, attributes={"email": EMAIL, "email_verified": "true",
                                    "phone_number": PHONE, "phone_number_verified": "false"})
    stored = reload(user)
    assert stored.is_verified("email") and not stored.is_verified("phone_number")


def test_admin_create_user_alias_clash(make_pool: Any) -> None:
    pool = make_pool(alias_attributes=["email"])
    verified = {"email": EMAIL, "email_verified": "true"}
    first = create(pool, "alice", attributes=verified)
    rows, sent = counts(), outboxes()
    with pytest.raises(AliasExistsException) as raised:
        create(pool, "bob", attributes=verified)
    assert raised.value.message == "An account with the email already exists."
    assert counts() == rows and outboxes() == sent

    second = create(pool, "bob", attributes=verified, force_alias_creation=True)
    assert reload(first).attributes["email_verified"] == "false"
    assert reload(first).alias_email is None
    assert find_user(pool, EMAIL) == reload(second)


def test_admin_create_user_may_omit_required_attributes(make_pool: Any) -> None:
    pool = make_pool(schema=[{"Name": "name", "AttributeDataType": "String", "Required": True}])
    user = create(pool)
    assert "name" not in reload(user).attributes


def test_duplicate_username_is_refused_and_writes_nothing(pool: UserPool) -> None:
    create(pool)
    rows, sent = counts(), outboxes()
    with pytest.raises(UsernameExistsException) as raised:
        create(pool, attributes={"email": "other@example.com"})
    assert raised.value.message == "User already exists"
    assert counts() == rows and outboxes() == sent


SCHEMA_PREFIX = "Attributes did not conform to the schema: "


@pytest.mark.parametrize(("kwargs", "error", "message"), [
    ({"message_action": "NOPE"}, InvalidParameterException,
     "MessageAction must be RESEND or SUPPRESS."),
    ({"message_action": ["RESEND"]}, InvalidParameterException,
     "MessageAction must be RESEND or SUPPRESS."),
    ({"message_action": {"RESEND": 1}}, InvalidParameterException,
     "MessageAction must be RESEND or SUPPRESS."),
    ({"desired_delivery_mediums": ["FAX"]}, InvalidParameterException,
     "DesiredDeliveryMediums must be EMAIL and/or SMS."),
    ({"desired_delivery_mediums": [["EMAIL"]]}, InvalidParameterException,
     "DesiredDeliveryMediums must be EMAIL and/or SMS."),
    ({"desired_delivery_mediums": "EMAIL"}, InvalidParameterException,
     "DesiredDeliveryMediums must be EMAIL and/or SMS."),
    ({"temporary_password": "short"}, InvalidPasswordException,
     "Password did not conform with policy: Password not long enough"),
    ({"temporary_password": 12345678}, InvalidPasswordException,
     "Password did not conform with policy: Password not long enough"),
    ({"temporary_password": "nouppercase0!"}, InvalidPasswordException,
     "Password did not conform with policy: Password must have uppercase characters"),
    ({"attributes": "email"}, InvalidParameterException,
     "UserAttributes must be a list of Name/Value pairs."),
    ({"attributes": [{"Name": "email", "Value": None}]}, InvalidParameterException,
     "Each attribute needs a string Name and Value."),
    ({"attributes": {"custom:nope": "x"}}, InvalidParameterException,
     SCHEMA_PREFIX + "custom:nope: Attribute does not exist in the schema."),
    ({"attributes": {"email": EMAIL, "nickname": "n" * 2049}}, InvalidParameterException,
     SCHEMA_PREFIX + "nickname: String must be no longer than 2048 characters"),
    ({"attributes": {"email": EMAIL, "email_verified": "yes"}}, InvalidParameterException,
     SCHEMA_PREFIX + "email_verified: Boolean attribute value must be true or false."),
    ({"attributes": {"email": "alice at example"}}, InvalidParameterException,
     "Invalid email address format."),
])
def test_bad_admin_create_input_raises_and_writes_nothing(pool: UserPool, kwargs: dict[str, Any],
                                                          error: type[Exception],
                                                          message: str) -> None:
    create(pool, "existing", attributes={"email": "existing@example.com"})
    rows, sent = counts(), outboxes()
    with pytest.raises(error) as raised:
        create(pool, **kwargs)
    assert raised.value.message == message  # type: ignore[attr-defined]
    assert counts() == rows and outboxes() == sent


@pytest.mark.parametrize("username", ["", None, 7, "x" * 129, "white space"])
def test_bad_admin_create_username_raises_and_writes_nothing(pool: UserPool,
                                                             username: Any) -> None:
    with pytest.raises(InvalidParameterException):
        create(pool, username)
    assert counts() == (0, 0, 0, 0) and outboxes() == (0, 0)


# AdminSetUserPassword -------------------------------------------------------------------------

def test_permanent_password_confirms_a_force_change_password_user(pool: UserPool) -> None:
    user = create(pool, temporary_password=TEMPORARY)
    admin_users.admin_set_user_password(user, PASSWORD, permanent=True)
    stored = reload(user)
    assert stored.status == UserStatus.CONFIRMED
    assert stored.temporary_password_expires_at is None
    assert passwords.verify(stored, PASSWORD) and not passwords.verify(stored, TEMPORARY)


def test_temporary_password_forces_a_change(pool: UserPool, client_app: Any) -> None:
    user = signup.sign_up(client_app, "alice", PASSWORD, {"email": EMAIL}).user
    signup.confirm_sign_up(client_app, "alice", last_code())
    clock.advance(dt.timedelta(days=1))
    before = clock.now()
    admin_users.admin_set_user_password(reload(user), TEMPORARY, permanent=False)
    stored = reload(user)
    assert stored.status == UserStatus.FORCE_CHANGE_PASSWORD
    assert passwords.verify(stored, TEMPORARY)
    assert_expiry(user, before, clock.now(), 7)


def test_permanent_password_confirms_an_unconfirmed_user(client_app: Any) -> None:
    user = signup.sign_up(client_app, "alice", PASSWORD, {"email": EMAIL}).user
    admin_users.admin_set_user_password(user, "N3w-Passw0rd", permanent=True)
    assert reload(user).status == UserStatus.CONFIRMED


@pytest.mark.parametrize(("password", "reason"), [
    ("Sh0rt!", "Password not long enough"),
    ("alllowercase0!", "Password must have uppercase characters"),
    (None, "Password not long enough"),
    (["N3w-Passw0rd"], "Password not long enough"),
])
def test_admin_set_user_password_enforces_the_policy(pool: UserPool, password: Any,
                                                     reason: str) -> None:
    user = create(pool, temporary_password=TEMPORARY)
    with pytest.raises(InvalidPasswordException) as raised:
        admin_users.admin_set_user_password(user, password, permanent=True)
    assert raised.value.message == f"Password did not conform with policy: {reason}"
    stored = reload(user)
    assert stored.status == UserStatus.FORCE_CHANGE_PASSWORD
    assert passwords.verify(stored, TEMPORARY)


# AdminEnableUser / AdminDisableUser / AdminDeleteUser -----------------------------------------

def test_set_enabled_mirrors_into_the_django_user(pool: UserPool) -> None:
    user = create(pool)
    admin_users.set_enabled(user, False)
    stored = reload(user)
    assert stored.enabled is False and stored.user is not None
    assert stored.user.is_active is False
    assert stored.status == UserStatus.FORCE_CHANGE_PASSWORD
    admin_users.set_enabled(stored, True)
    stored = reload(user)
    assert stored.enabled is True and stored.user is not None and stored.user.is_active is True


def test_admin_delete_user_removes_everything_it_owns(client_app: Any) -> None:
    pool = client_app.pool
    victim = signup.sign_up(client_app, "alice", PASSWORD, {"email": EMAIL}).user
    bystander = create(pool, "bob", attributes={"email": "bob@example.com"})
    django_id = reload(victim).user_id
    assert VerificationCode.objects.filter(user=victim).exists()

    admin_users.admin_delete_user(victim)
    assert not PoolUser.objects.filter(pk=victim.pk).exists()
    assert not get_user_model()._default_manager.filter(pk=django_id).exists()
    assert VerificationCode.objects.count() == 0
    assert reload(bystander).user is not None
    assert get_user_model()._default_manager.count() == 1
    assert find_user(pool, "alice") is None

    again = signup.sign_up(client_app, "alice", PASSWORD, {"email": EMAIL}).user
    assert again.sub != victim.sub


def test_admin_delete_user_removes_password_history(make_pool: Any) -> None:
    pool = make_pool(password_policy={"PasswordHistorySize": 3})
    user = create(pool, temporary_password=TEMPORARY)
    admin_users.admin_set_user_password(user, PASSWORD, permanent=True)
    assert PasswordHistoryEntry.objects.filter(user=user).count() == 2
    admin_users.admin_delete_user(user)
    assert PasswordHistoryEntry.objects.count() == 0


# Every status transition of reference §2.1 reachable through these services -------------------

def test_status_transitions(pool: UserPool, client_app: Any) -> None:
    # SignUp → UNCONFIRMED → (ConfirmSignUp) CONFIRMED
    by_code = signup.sign_up(client_app, "coded", PASSWORD, {"email": "c@example.com"}).user
    assert reload(by_code).status == UserStatus.UNCONFIRMED
    signup.confirm_sign_up(client_app, "coded", last_code("c@example.com"))
    assert reload(by_code).status == UserStatus.CONFIRMED

    # SignUp → UNCONFIRMED → (AdminConfirmSignUp) CONFIRMED
    by_admin = signup.sign_up(client_app, "admin", PASSWORD, {"email": "a@example.com"}).user
    signup.admin_confirm_sign_up(reload(by_admin))
    assert reload(by_admin).status == UserStatus.CONFIRMED

    # AdminCreateUser → FORCE_CHANGE_PASSWORD → (AdminSetUserPassword permanent) CONFIRMED
    user = create(pool, "walker", attributes={"email": EMAIL, "email_verified": "true"})
    assert reload(user).status == UserStatus.FORCE_CHANGE_PASSWORD
    admin_users.admin_set_user_password(reload(user), PASSWORD, permanent=True)
    assert reload(user).status == UserStatus.CONFIRMED

    # CONFIRMED → (AdminSetUserPassword Permanent=false) FORCE_CHANGE_PASSWORD → CONFIRMED
    admin_users.admin_set_user_password(reload(user), TEMPORARY, permanent=False)
    assert reload(user).status == UserStatus.FORCE_CHANGE_PASSWORD
    admin_users.admin_set_user_password(reload(user), "N3w-Passw0rd", permanent=True)
    assert reload(user).status == UserStatus.CONFIRMED

    # CONFIRMED → (AdminResetUserPassword) RESET_REQUIRED → (ConfirmForgotPassword) CONFIRMED
    recovery.admin_reset_user_password(reload(user))
    assert reload(user).status == UserStatus.RESET_REQUIRED
    recovery.confirm_forgot_password(client_app, "walker", last_code(EMAIL), "L4st-Passw0rd")
    stored = reload(user)
    assert stored.status == UserStatus.CONFIRMED
    assert passwords.verify(stored, "L4st-Passw0rd")
