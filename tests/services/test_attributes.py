"""User attributes: updates, deletions, verification, permissions and schema constraints."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core import mail

from django_cognito import clock
from django_cognito.exceptions import (
    AliasExistsException,
    CodeMismatchException,
    ExpiredCodeException,
    InvalidParameterException,
    LimitExceededException,
    NotAuthorizedException,
)
from django_cognito.models import (
    AppClient,
    PoolUser,
    UserPool,
    VerificationCode,
)
from django_cognito.services import attributes, delivery, users
from tests.effects import last_code
from tests.factories import insert_user

pytestmark = pytest.mark.django_db

UNAUTHORIZED = "A client attempted to write unauthorized attribute"
CUSTOM_SCHEMA = [
    {"Name": "tier", "AttributeDataType": "String",
     "StringAttributeConstraints": {"MinLength": "2", "MaxLength": "5"}},
    {"Name": "age", "AttributeDataType": "Number",
     "NumberAttributeConstraints": {"MinValue": "0", "MaxValue": "150"}},
    {"Name": "badge", "AttributeDataType": "String", "Mutable": False},
    {"Name": "vip", "AttributeDataType": "Boolean"},
    {"Name": "internal", "AttributeDataType": "String", "DeveloperOnlyAttribute": True},
    {"Name": "birthdate", "AttributeDataType": "String", "Mutable": False},
]


def conform(name: str, reason: str) -> str:
    return f"Attributes did not conform to the schema: {name}: {reason}"


def make_user(pool: UserPool, username: str = "alice", **attrs: str) -> PoolUser:
    """A confirmed user with a verified email unless ``attrs`` say otherwise, inserted directly."""
    return insert_user(pool, username, **{"email": f"{username}@example.com",
                                          "email_verified": "true", **attrs})


def fresh(user: PoolUser) -> PoolUser:
    return PoolUser.objects.select_related("pool").get(pk=user.pk)


def snapshot(pool: UserPool) -> list[tuple[Any, ...]]:
    """Everything an attribute write may change, for asserting that nothing changed."""
    rows = PoolUser.objects.filter(pool=pool).order_by("pk")
    return [(u.pk, u.attributes, u.alias_email, u.alias_phone, u.alias_preferred_username,
             u.name_key, u.email_key) for u in rows] + [
        ("codes", VerificationCode.objects.count(), len(mail.outbox), len(delivery.outbox))]


def update_fails(user: PoolUser, changes: Any, exception: type[Exception], message: str,
                 **kwargs: Any) -> None:
    """The update raises ``exception`` with ``message`` and writes and sends nothing."""
    before = snapshot(user.pool)
    with pytest.raises(exception) as info:
        attributes.update_user_attributes(user, changes, **kwargs)
    assert info.value.message == message  # type: ignore[attr-defined]
    assert snapshot(user.pool) == before


def delete_fails(user: PoolUser, names: Any, exception: type[Exception], message: str,
                 **kwargs: Any) -> None:
    before = snapshot(user.pool)
    with pytest.raises(exception) as info:
        attributes.delete_user_attributes(user, names, **kwargs)
    assert info.value.message == message  # type: ignore[attr-defined]
    assert snapshot(user.pool) == before


def pairs(**values: str) -> list[dict[str, str]]:
    return [{"Name": name, "Value": value} for name, value in values.items()]


@pytest.fixture
def custom_pool(make_pool: Any) -> UserPool:
    return make_pool(schema=CUSTOM_SCHEMA)


# --- Plain updates ---------------------------------------------------------------------------

def test_self_update_changes_attributes_and_search_keys(pool: UserPool) -> None:
    user = make_user(pool)
    details = attributes.update_user_attributes(user, pairs(name="Alice Smith",
                                                            given_name="Alice"))
    assert details == []
    stored = fresh(user)
    assert stored.attributes["name"] == "Alice Smith"
    assert stored.attributes["given_name"] == "Alice"
    assert stored.name_key == "alice smith" and stored.given_name_key == "alice"
    assert stored.is_verified("email")
    assert mail.outbox == []


def test_mapping_input_is_accepted(pool: UserPool) -> None:
    user = make_user(pool)
    attributes.update_user_attributes(user, {"nickname": "Al"})
    assert fresh(user).attributes["nickname"] == "Al"


def test_changed_email_becomes_unverified_and_gets_a_code(pool: UserPool,
                                                          client_app: AppClient) -> None:
    user = make_user(pool)
    details = attributes.update_user_attributes(user, pairs(email="new@example.com"),
                                                client=client_app)
    assert details == [{"Destination": "n***@e***", "DeliveryMedium": "EMAIL",
                        "AttributeName": "email"}]
    stored = fresh(user)
    assert stored.attributes["email"] == "new@example.com"
    assert stored.attributes["email_verified"] == "false"
    assert stored.email_key == "new@example.com"
    assert get_user_model().objects.get(pk=user.user_id).email == "new@example.com"
    assert mail.outbox[-1].to == ["new@example.com"]
    attributes.verify_user_attribute(stored, "email", last_code("new@example.com"))
    assert fresh(user).attributes["email_verified"] == "true"
    assert not VerificationCode.objects.filter(user=user).exists()


def test_changed_phone_gets_an_sms_when_auto_verified(make_pool: Any) -> None:
    pool = make_pool(auto_verified_attributes=["phone_number"])
    user = make_user(pool, phone_number="+15555550100", phone_number_verified="true")
    details = attributes.update_user_attributes(user, pairs(phone_number="+15555550199"))
    assert details == [{"Destination": "+*******0199", "DeliveryMedium": "SMS",
                        "AttributeName": "phone_number"}]
    assert delivery.outbox[-1]["phone_number"] == "+15555550199"
    assert fresh(user).attributes["phone_number_verified"] == "false"
    attributes.verify_user_attribute(fresh(user), "phone_number", last_code("+15555550199"))
    assert fresh(user).is_verified("phone_number")


def test_changed_email_without_auto_verification_sends_nothing(make_pool: Any) -> None:
    pool = make_pool(auto_verified_attributes=[])
    user = make_user(pool)
    assert attributes.update_user_attributes(user, pairs(email="quiet@example.com")) == []
    stored = fresh(user)
    assert stored.attributes["email"] == "quiet@example.com"
    assert stored.attributes["email_verified"] == "false"
    assert mail.outbox == [] and not VerificationCode.objects.exists()


def test_same_email_is_not_a_change(pool: UserPool) -> None:
    user = make_user(pool)
    assert attributes.update_user_attributes(user, pairs(email="alice@example.com")) == []
    assert fresh(user).is_verified("email")
    assert mail.outbox == []


def test_changed_email_stops_signing_in_until_verified(make_pool: Any) -> None:
    pool = make_pool(alias_attributes=["email"])
    user = make_user(pool)
    assert users.find_user(pool, "alice@example.com") == user
    attributes.update_user_attributes(user, pairs(email="moved@example.com"))
    assert users.find_user(pool, "alice@example.com") is None
    assert users.find_user(pool, "moved@example.com") is None
    attributes.verify_user_attribute(fresh(user), "email", last_code("moved@example.com"))
    assert users.find_user(pool, "moved@example.com") == user


def test_email_username_change_moves_the_sign_in_name(make_pool: Any) -> None:
    pool = make_pool(username_attributes=["email"])
    user = users.insert_user(users.new_user(pool, "first@example.com", {}))
    other = users.insert_user(users.new_user(pool, "second@example.com", {}))
    attributes.update_user_attributes(user, pairs(email="renamed@example.com"))
    assert users.find_user(pool, "renamed@example.com") == user
    assert users.find_user(pool, "first@example.com") is None
    assert fresh(user).username == str(user.sub)
    update_fails(fresh(user), pairs(email="SECOND@example.com"), AliasExistsException,
                 "An account with the email already exists.")
    assert users.find_user(pool, "second@example.com") == other


# --- AttributesRequireVerificationBeforeUpdate ------------------------------------------------

@pytest.fixture
def guarded_pool(make_pool: Any) -> UserPool:
    return make_pool(alias_attributes=["email"], user_attribute_update_settings={
        "AttributesRequireVerificationBeforeUpdate": ["email"]})


def test_verification_before_update_keeps_the_old_value(guarded_pool: UserPool) -> None:
    pool = guarded_pool
    user = make_user(pool)
    details = attributes.update_user_attributes(user, pairs(email="pending@example.com",
                                                            nickname="Al"))
    assert details == [{"Destination": "p***@e***", "DeliveryMedium": "EMAIL",
                        "AttributeName": "email"}]
    stored = fresh(user)
    assert stored.attributes["email"] == "alice@example.com"
    assert stored.attributes["email_verified"] == "true"
    assert stored.attributes["nickname"] == "Al"
    assert mail.outbox[-1].to == ["pending@example.com"]
    assert users.find_user(pool, "alice@example.com") == user
    assert users.find_user(pool, "pending@example.com") is None
    # A re-sent code still goes to the pending address.
    resent = attributes.get_user_attribute_verification_code(stored, "email")
    assert resent["Destination"] == "p***@e***"
    assert mail.outbox[-1].to == ["pending@example.com"]
    attributes.verify_user_attribute(stored, "email", last_code("pending@example.com"))
    stored = fresh(user)
    assert stored.attributes["email"] == "pending@example.com"
    assert stored.attributes["email_verified"] == "true"
    assert users.find_user(pool, "pending@example.com") == user
    assert users.find_user(pool, "alice@example.com") is None


def test_admin_can_skip_verification_before_update(guarded_pool: UserPool) -> None:
    user = make_user(guarded_pool)
    details = attributes.update_user_attributes(
        user, pairs(email="direct@example.com", email_verified="true"), admin=True)
    assert details == []
    stored = fresh(user)
    assert stored.attributes["email"] == "direct@example.com"
    assert stored.is_verified("email")
    assert users.find_user(guarded_pool, "direct@example.com") == user


def test_pending_email_taken_meanwhile_is_refused(guarded_pool: UserPool) -> None:
    user = make_user(guarded_pool)
    attributes.update_user_attributes(user, pairs(email="race@example.com"))
    code = last_code("race@example.com")
    rival = make_user(guarded_pool, "bob", email="race@example.com")
    with pytest.raises(AliasExistsException):
        attributes.verify_user_attribute(fresh(user), "email", code)
    assert fresh(user).attributes["email"] == "alice@example.com"
    assert users.find_user(guarded_pool, "race@example.com") == rival


# --- Verified flags and aliases --------------------------------------------------------------

@pytest.mark.parametrize("flag", ["email_verified", "phone_number_verified"])
def test_verified_flags_are_admin_only(pool: UserPool, flag: str) -> None:
    user = make_user(pool, email_verified="false", phone_number="+15555550100")
    update_fails(user, [{"Name": flag, "Value": "true"}], NotAuthorizedException, UNAUTHORIZED)
    attributes.update_user_attributes(user, [{"Name": flag, "Value": "true"}], admin=True)
    assert fresh(user).attributes[flag] == "true"


def test_admin_verification_activates_the_alias(make_pool: Any) -> None:
    pool = make_pool(alias_attributes=["email", "phone_number"])
    user = make_user(pool, email_verified="false")
    assert users.find_user(pool, "alice@example.com") is None
    attributes.update_user_attributes(user, pairs(email_verified="true",
                                                  phone_number_verified="true"), admin=True)
    stored = fresh(user)
    assert users.find_user(pool, "alice@example.com") == user
    # Without a phone number there is nothing to mark verified.
    assert "phone_number_verified" not in stored.attributes
    attributes.update_user_attributes(stored, pairs(email_verified="false"), admin=True)
    assert users.find_user(pool, "alice@example.com") is None


def test_admin_verifying_another_users_alias_is_refused(make_pool: Any) -> None:
    pool = make_pool(alias_attributes=["email"])
    holder = make_user(pool, "holder", email="taken@example.com")
    user = make_user(pool, email_verified="false")
    update_fails(user, pairs(email="taken@example.com", email_verified="true"),
                 AliasExistsException, "An account with the email already exists.", admin=True)
    assert users.find_user(pool, "taken@example.com") == holder


def test_self_change_to_a_taken_alias_fails_at_verification(make_pool: Any) -> None:
    pool = make_pool(alias_attributes=["email"])
    holder = make_user(pool, "holder", email="taken@example.com")
    user = make_user(pool)
    attributes.update_user_attributes(user, pairs(email="taken@example.com"))
    assert fresh(user).attributes["email"] == "taken@example.com"
    with pytest.raises(AliasExistsException) as info:
        attributes.verify_user_attribute(fresh(user), "email", last_code("taken@example.com"))
    assert info.value.message == "An account with the email already exists."
    assert fresh(user).attributes["email_verified"] == "false"
    assert users.find_user(pool, "taken@example.com") == holder


def test_preferred_username_conflict_on_update(make_pool: Any) -> None:
    pool = make_pool(alias_attributes=["preferred_username"])
    make_user(pool, "holder", preferred_username="ace")
    user = make_user(pool, preferred_username="deuce")
    update_fails(user, pairs(preferred_username="ace", nickname="x"), AliasExistsException,
                 "An account with the preferred username already exists.")
    assert fresh(user).attributes["preferred_username"] == "deuce"


# --- Permissions and mutability --------------------------------------------------------------

def test_immutable_attributes_are_set_only_at_creation(custom_pool: UserPool) -> None:
    user = make_user(custom_pool, **{"custom:badge": "gold", "birthdate": "2000-01-31"})
    assert fresh(user).attributes["custom:badge"] == "gold"
    reason = "Attribute cannot be updated. (changing an immutable attribute)"
    for admin in (False, True):
        update_fails(user, pairs(**{"custom:badge": "silver"}), InvalidParameterException,
                     conform("custom:badge", reason), admin=admin)
        update_fails(user, pairs(birthdate="2001-01-01"), InvalidParameterException,
                     conform("birthdate", reason), admin=admin)
        update_fails(user, pairs(sub="00000000-0000-0000-0000-000000000000"),
                     InvalidParameterException, conform("sub", reason), admin=admin)


def test_client_write_attributes_limit_self_writes(pool: UserPool, make_client: Any) -> None:
    client = make_client(pool, write_attributes=["name", "email"])
    user = make_user(pool)
    attributes.update_user_attributes(user, pairs(name="Allowed"), client=client)
    update_fails(user, pairs(nickname="nope"), NotAuthorizedException, UNAUTHORIZED,
                 client=client)
    update_fails(user, pairs(name="Both", nickname="nope"), NotAuthorizedException, UNAUTHORIZED,
                 client=client)
    # Admin writes are not bound by the client's permissions.
    attributes.update_user_attributes(user, pairs(nickname="admin"), client=client, admin=True)
    stored = fresh(user)
    assert stored.attributes["name"] == "Allowed" and stored.attributes["nickname"] == "admin"


def test_identities_are_never_writable(pool: UserPool) -> None:
    user = make_user(pool)
    for admin in (False, True):
        update_fails(user, pairs(identities="[]"), NotAuthorizedException, UNAUTHORIZED,
                     admin=admin)


def test_developer_only_attributes_are_admin_only(custom_pool: UserPool) -> None:
    user = make_user(custom_pool)
    update_fails(user, pairs(**{"custom:internal": "x"}), NotAuthorizedException, UNAUTHORIZED)
    attributes.update_user_attributes(user, pairs(**{"custom:internal": "x"}), admin=True)
    assert fresh(user).attributes["custom:internal"] == "x"


def test_disabled_user_cannot_write_but_admin_can(pool: UserPool) -> None:
    user = make_user(pool)
    user.enabled = False
    users.save_user(user)
    update_fails(user, pairs(name="x"), NotAuthorizedException, "User is disabled.")
    delete_fails(user, ["email"], NotAuthorizedException, "User is disabled.")
    attributes.update_user_attributes(user, pairs(name="by admin"), admin=True)
    assert fresh(user).attributes["name"] == "by admin"


# --- Schema validation -----------------------------------------------------------------------

@pytest.mark.parametrize(("changes", "message"), [
    (pairs(shoe_size="44"), conform("shoe_size", "Attribute does not exist in the schema.")),
    (pairs(**{"custom:undefined": "x"}),
     conform("custom:undefined", "Attribute does not exist in the schema.")),
    (pairs(name="n" * 2049), conform("name", "String must be no longer than 2048 characters")),
    (pairs(**{"custom:tier": "a"}),
     conform("custom:tier", "String must be no shorter than 2 characters")),
    (pairs(**{"custom:tier": "abcdef"}),
     conform("custom:tier", "String must be no longer than 5 characters")),
    (pairs(**{"custom:age": "old"}), conform("custom:age", "Number attribute value must be a "
                                                          "number.")),
    (pairs(**{"custom:age": "-1"}), conform("custom:age", "Number must be no less than 0")),
    (pairs(**{"custom:age": "150.5"}), conform("custom:age", "Number must be no greater than 150")),
    (pairs(**{"custom:vip": "yes"}),
     conform("custom:vip", "Boolean attribute value must be true or false.")),
    (pairs(updated_at="yesterday"), conform("updated_at", "Number attribute value must be a "
                                                          "number.")),
    (pairs(updated_at="-5"), conform("updated_at", "Number must be no less than 0")),
    # float() reads these, and NaN compares false with any bound.
    *[(pairs(**{attribute: value}), conform(attribute, "Number attribute value must be a "
                                                       "number."))
      for attribute in ("custom:age", "updated_at")
      for value in ("NaN", "-nan", "inf", "Infinity", "1e400", "1e2", "1_0", "0x10", " 4",
                    "4 ", "١٢")],
    (pairs(name="é" * 1025), conform("name", "String must be no longer than 2048 bytes")),
    (pairs(email="not-an-email"), "Invalid email address format."),
    (pairs(phone_number="+1 555 0100"), "Invalid phone number format."),
    (pairs(phone_number="5555550100"), "Invalid phone number format."),
    (pairs(name="nul\x00"), conform("name", "Attribute value contains invalid characters.")),
    (pairs(name="lone\ud800"), conform("name", "Attribute value contains invalid characters.")),
    (pairs(name="fine", nickname="n" * 2049),
     conform("nickname", "String must be no longer than 2048 characters")),
    ("name=Alice", "UserAttributes must be a list of Name/Value pairs."),
    (42, "UserAttributes must be a list of Name/Value pairs."),
    ([{"Name": 5, "Value": "x"}], "Each attribute needs a string Name and Value."),
    ([{"Name": "name", "Value": 5}], "Each attribute needs a string Name and Value."),
    ([{"Name": "name", "Value": None}], "Each attribute needs a string Name and Value."),
    (["name"], "Each attribute needs a string Name and Value."),
    ([{"Value": "x"}], "Each attribute needs a string Name and Value."),
    ([{"Name": "", "Value": "x"}], "Invalid attribute name: ''"),
    ([{"Name": "n" * 33, "Value": "x"}], f"Invalid attribute name: {'n' * 33!r}"),
    (None, "UserAttributes is required."),
])
def test_bad_attribute_writes_change_nothing(custom_pool: UserPool, changes: Any,
                                             message: str) -> None:
    user = make_user(custom_pool, name="Original")
    for admin in (False, True):
        update_fails(user, changes, InvalidParameterException, message, admin=admin)


def test_values_within_constraints_are_accepted(custom_pool: UserPool) -> None:
    user = make_user(custom_pool)
    attributes.update_user_attributes(user, pairs(**{
        "custom:tier": "gold", "custom:age": "42.5", "custom:vip": "true",
        "name": "n" * 2048, "updated_at": "1700000000", "phone_number": "+445555550100"}))
    stored = fresh(user).attributes
    assert stored["custom:tier"] == "gold" and stored["custom:age"] == "42.5"
    assert stored["custom:vip"] == "true" and len(stored["name"]) == 2048
    assert stored["phone_number"] == "+445555550100"


def test_multibyte_values_fit_in_2048_bytes(custom_pool: UserPool) -> None:
    user = make_user(custom_pool)
    attributes.update_user_attributes(user, pairs(name="é" * 1024, **{"custom:age": ".5"}))
    stored = fresh(user).attributes
    assert stored["name"] == "é" * 1024 and stored["custom:age"] == ".5"


def test_empty_value_deletes_the_attribute(pool: UserPool) -> None:
    user = make_user(pool, name="Gone", phone_number="+15555550100",
                     phone_number_verified="true")
    attributes.update_user_attributes(user, pairs(name="", phone_number=""))
    stored = fresh(user).attributes
    assert "name" not in stored
    assert "phone_number" not in stored and "phone_number_verified" not in stored
    assert fresh(user).name_key is None


def test_required_attributes_cannot_be_emptied(make_pool: Any) -> None:
    pool = make_pool(schema=[{"Name": "name", "AttributeDataType": "String",
                              "Required": True}])
    user = make_user(pool, name="Needed")
    update_fails(user, pairs(name=""), InvalidParameterException,
                 conform("name", "The attribute is required"))
    delete_fails(user, ["name"], InvalidParameterException,
                 conform("name", "The attribute is required"))


# --- DeleteUserAttributes --------------------------------------------------------------------

def test_delete_user_attributes(make_pool: Any) -> None:
    pool = make_pool(alias_attributes=["email"], schema=CUSTOM_SCHEMA)
    user = make_user(pool, name="Name", **{"custom:tier": "gold"})
    assert users.find_user(pool, "alice@example.com") == user
    attributes.delete_user_attributes(user, ["name", "custom:tier", "email"])
    stored = fresh(user)
    assert stored.attributes == {}
    assert stored.alias_email is None and stored.email_key is None
    assert users.find_user(pool, "alice@example.com") is None
    # Deleting an attribute the user does not have is not an error.
    attributes.delete_user_attributes(stored, ["nickname"])


@pytest.mark.parametrize(("names", "exception", "message"), [
    ([5], InvalidParameterException, "UserAttributeNames must be a list of names."),
    (["name", None], InvalidParameterException, "UserAttributeNames must be a list of names."),
    (["name", "shoe_size"], InvalidParameterException,
     conform("shoe_size", "Attribute does not exist in the schema.")),
    (["custom:badge"], InvalidParameterException,
     conform("custom:badge", "Attribute cannot be updated. (changing an immutable attribute)")),
    (["sub"], InvalidParameterException,
     conform("sub", "Attribute cannot be updated. (changing an immutable attribute)")),
    (["email_verified"], NotAuthorizedException, UNAUTHORIZED),
    (["custom:internal"], NotAuthorizedException, UNAUTHORIZED),
])
def test_bad_deletions_change_nothing(custom_pool: UserPool, names: Any,
                                      exception: type[Exception], message: str) -> None:
    user = make_user(custom_pool, name="Kept", **{"custom:badge": "gold",
                                                 "custom:internal": "x"})
    delete_fails(user, names, exception, message)


def test_admin_may_delete_verified_flags(pool: UserPool) -> None:
    user = make_user(pool)
    attributes.delete_user_attributes(user, ["email_verified"], admin=True)
    assert fresh(user).attributes == {"email": "alice@example.com"}


def test_client_write_attributes_limit_deletions(pool: UserPool, make_client: Any) -> None:
    client = make_client(pool, write_attributes=["name"])
    user = make_user(pool, name="N", nickname="K")
    delete_fails(user, ["nickname"], NotAuthorizedException, UNAUTHORIZED, client=client)
    attributes.delete_user_attributes(user, ["name"], client=client)
    assert "name" not in fresh(user).attributes


def test_username_attribute_cannot_be_deleted(make_pool: Any) -> None:
    pool = make_pool(username_attributes=["email"])
    user = users.insert_user(users.new_user(pool, "carl@example.com", {}))
    for admin in (False, True):
        delete_fails(user, ["email"], InvalidParameterException,
                     "Cannot delete email: it is the username.", admin=admin)


# --- GetUserAttributeVerificationCode / VerifyUserAttribute ----------------------------------

def test_get_verification_code(make_pool: Any, client_app: AppClient) -> None:
    pool = client_app.pool
    user = make_user(pool, email_verified="false")
    details = attributes.get_user_attribute_verification_code(user, "email", client=client_app)
    assert details == {"Destination": "a***@e***", "DeliveryMedium": "EMAIL",
                       "AttributeName": "email"}
    assert mail.outbox[-1].to == ["alice@example.com"]
    record = VerificationCode.objects.get(user=user, attribute="email")
    assert last_code() not in record.code_hash
    attributes.verify_user_attribute(user, "email", last_code())
    assert fresh(user).is_verified("email")


@pytest.mark.parametrize("attribute", ["name", "email_verified", None, ["email"], 5])
def test_only_contacts_can_be_verified(pool: UserPool, attribute: Any) -> None:
    user = make_user(pool)
    message = "Invalid attribute name: only email and phone_number can be verified."
    with pytest.raises(InvalidParameterException) as info:
        attributes.get_user_attribute_verification_code(user, attribute)
    assert info.value.message == message
    with pytest.raises(InvalidParameterException) as info:
        attributes.verify_user_attribute(user, attribute, "123456")
    assert info.value.message == message
    assert mail.outbox == [] and not VerificationCode.objects.exists()


def test_verification_code_needs_a_value(pool: UserPool) -> None:
    user = make_user(pool)
    with pytest.raises(InvalidParameterException) as info:
        attributes.get_user_attribute_verification_code(user, "phone_number")
    assert info.value.message == "The user has no phone_number to verify."
    assert delivery.outbox == []


def test_verification_code_requests_are_rate_limited(pool: UserPool) -> None:
    clock.freeze()  # the six requests must fall in one hourly window
    user = make_user(pool)
    for _ in range(5):
        attributes.get_user_attribute_verification_code(user, "email")
    sent = len(mail.outbox)
    with pytest.raises(LimitExceededException):
        attributes.get_user_attribute_verification_code(user, "email")
    assert len(mail.outbox) == sent
    clock.advance(dt.timedelta(hours=2))
    attributes.get_user_attribute_verification_code(user, "email")
    assert len(mail.outbox) == sent + 1


def test_disabled_user_cannot_verify(pool: UserPool) -> None:
    user = make_user(pool, email_verified="false")
    attributes.get_user_attribute_verification_code(user, "email")
    code = last_code()
    user.enabled = False
    users.save_user(user)
    with pytest.raises(NotAuthorizedException):
        attributes.get_user_attribute_verification_code(user, "email")
    with pytest.raises(NotAuthorizedException):
        attributes.verify_user_attribute(user, "email", code)
    assert not fresh(user).is_verified("email")


def test_wrong_missing_and_expired_codes(pool: UserPool) -> None:
    user = make_user(pool, email_verified="false")
    with pytest.raises(ExpiredCodeException):
        attributes.verify_user_attribute(user, "email", "123456")
    attributes.get_user_attribute_verification_code(user, "email")
    code = last_code()
    wrong = "000000" if code != "000000" else "111111"
    with pytest.raises(CodeMismatchException):
        attributes.verify_user_attribute(user, "email", wrong)
    with pytest.raises(CodeMismatchException):
        attributes.verify_user_attribute(user, "email", 123456)
    with pytest.raises(ExpiredCodeException):
        attributes.verify_user_attribute(user, "phone_number", code)
    clock.advance(dt.timedelta(hours=24, seconds=1))
    with pytest.raises(ExpiredCodeException):
        attributes.verify_user_attribute(user, "email", code)
    assert not fresh(user).is_verified("email")
