"""Username modes: plain usernames, sign-in aliases, email/phone usernames, case sensitivity."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from django_cognito.exceptions import (
    AliasExistsException,
    InvalidParameterException,
    UsernameExistsException,
)
from django_cognito.models import AppClient, PoolUser, UserPool, UserStatus
from django_cognito.services import admin_users, signup, users
from tests.effects import last_code
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

PATTERN_MESSAGE = (
    "1 validation error detected: Value at 'username' failed to satisfy constraint: "
    "Member must satisfy regular expression pattern: [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+")
EMAIL_ALIAS_MESSAGE = (
    "Username cannot be of email format, since user pool is configured for email alias.")
PHONE_ALIAS_MESSAGE = ("Username cannot be of phone number format, since user pool is "
                       "configured for phone number alias.")


def sign_up(client: AppClient, username: str, **attributes: str) -> PoolUser:
    attrs = [{"Name": name, "Value": value} for name, value in attributes.items()]
    return signup.sign_up(client, username, PASSWORD, attrs).user


def sign_up_fails(client: AppClient, exception: type[Exception], message: str,
                  username: Any, **attributes: str) -> None:
    """SignUp raises ``exception`` with ``message`` and creates no user."""
    before = PoolUser.objects.count()
    with pytest.raises(exception) as info:
        sign_up(client, username, **attributes)
    assert info.value.message == message  # type: ignore[attr-defined]
    assert PoolUser.objects.count() == before


def confirm(client: AppClient, username: str, destination: str, **kwargs: Any) -> PoolUser:
    return signup.confirm_sign_up(client, username, last_code(destination), **kwargs)


def fresh(user: PoolUser) -> PoolUser:
    return PoolUser.objects.select_related("pool").get(pk=user.pk)


# --- Plain usernames -------------------------------------------------------------------------

def test_plain_username_is_stored_and_found(client_app: AppClient) -> None:
    user = sign_up(client_app, "alice", email="alice@example.com")
    assert user.username == "alice"
    assert user.username != str(user.sub)
    assert users.find_user(client_app.pool, "alice") == user
    # Without aliases the email does not identify the user, and the pool is case-sensitive.
    assert users.find_user(client_app.pool, "alice@example.com") is None
    assert users.find_user(client_app.pool, "Alice") is None
    assert users.get_user(client_app.pool, "alice") == user


def test_plain_pool_accepts_email_and_phone_shaped_usernames(client_app: AppClient) -> None:
    assert sign_up(client_app, "bob@example.com").username == "bob@example.com"
    assert sign_up(client_app, "+15555550100").username == "+15555550100"
    assert users.find_user(client_app.pool, "bob@example.com").username == "bob@example.com"


def test_plain_username_limits(client_app: AppClient) -> None:
    long_name = "u" * 128
    assert sign_up(client_app, long_name).username == long_name
    assert sign_up(client_app, "ünïcødé.name_1+x").username == "ünïcødé.name_1+x"
    # Marks, symbols and punctuation of any script fit Cognito's pattern.
    for good in ("cafe\u0301", "user€", "a–b", "user©", "名前", "١٢٣", "x«y»"):
        assert sign_up(client_app, good).username == good
    for bad in ("u" * 129, "with space", "tab\there", "new\nline", "nul\x00",
                "no\u00a0break", "zero\u200bwidth", "ideographic\u3000space", "ctl\x7f"):
        sign_up_fails(client_app, InvalidParameterException, PATTERN_MESSAGE, bad)
    for bad in ("", None, 5, ["alice"]):
        sign_up_fails(client_app, InvalidParameterException, "Username must not be empty.", bad)


def test_duplicate_plain_username(client_app: AppClient) -> None:
    first = sign_up(client_app, "carol", email="carol@example.com")
    sign_up_fails(client_app, UsernameExistsException, "User already exists", "carol",
                  email="other@example.com")
    assert fresh(first).attributes["email"] == "carol@example.com"


def test_find_user_ignores_malformed_names(pool: UserPool) -> None:
    for bad in (None, "", 5, ["x"], "x" * 2049, "nul\x00", "lone\ud800"):
        assert users.find_user(pool, bad) is None


def test_same_username_in_two_pools(make_pool: Any, make_client: Any) -> None:
    first, second = make_pool(), make_pool(name="second")
    a = sign_up(make_client(first), "dave")
    b = sign_up(make_client(second), "dave")
    assert a.pk != b.pk and a.user_id != b.user_id
    assert users.find_user(first, "dave") == a
    assert users.find_user(second, "dave") == b


# --- Alias attributes ------------------------------------------------------------------------

def test_username_may_not_look_like_an_enabled_alias(make_pool: Any, make_client: Any) -> None:
    email = make_client(make_pool(alias_attributes=["email"]))
    phone = make_client(make_pool(alias_attributes=["phone_number"]))
    preferred = make_client(make_pool(alias_attributes=["preferred_username"]))
    sign_up_fails(email, InvalidParameterException, EMAIL_ALIAS_MESSAGE, "erin@example.com")
    sign_up_fails(phone, InvalidParameterException, PHONE_ALIAS_MESSAGE, "+15555550100")
    assert sign_up(email, "+15555550100").username == "+15555550100"
    assert sign_up(phone, "erin@example.com").username == "erin@example.com"
    assert sign_up(preferred, "erin@example.com").username == "erin@example.com"
    assert sign_up(preferred, "+15555550100").username == "+15555550100"


def test_email_alias_signs_in_only_once_verified(make_pool: Any, make_client: Any) -> None:
    client = make_client(make_pool(alias_attributes=["email"]))
    pool = client.pool
    user = sign_up(client, "frank", email="Frank@Example.com")
    assert users.find_user(pool, "Frank@Example.com") is None
    confirm(client, "frank", "Frank@Example.com")
    assert fresh(user).attributes["email_verified"] == "true"
    assert users.find_user(pool, "Frank@Example.com") == user
    assert users.find_user(pool, "frank@example.com") == user
    assert users.find_user(pool, "frank") == user
    assert users.find_user(pool, "Frank") is None


def test_phone_alias_signs_in_only_once_verified(make_pool: Any, make_client: Any) -> None:
    client = make_client(make_pool(alias_attributes=["phone_number"],
                                   auto_verified_attributes=["phone_number"]))
    pool = client.pool
    user = sign_up(client, "grace", phone_number="+15555550101")
    assert users.find_user(pool, "+15555550101") is None
    confirm(client, "grace", "+15555550101")
    assert fresh(user).attributes["phone_number_verified"] == "true"
    assert users.find_user(pool, "+15555550101") == user


def test_alias_of_an_unlisted_attribute_does_not_sign_in(make_pool: Any,
                                                         make_client: Any) -> None:
    client = make_client(make_pool(alias_attributes=["phone_number"]))
    user = sign_up(client, "heidi", email="heidi@example.com")
    confirm(client, "heidi", "heidi@example.com")
    assert fresh(user).is_verified("email")
    assert users.find_user(client.pool, "heidi@example.com") is None


def test_preferred_username_alias_needs_no_verification(make_pool: Any,
                                                        make_client: Any) -> None:
    client = make_client(make_pool(alias_attributes=["preferred_username"]))
    user = sign_up(client, "ivan", preferred_username="Ivy")
    assert user.status == UserStatus.UNCONFIRMED
    assert users.find_user(client.pool, "Ivy") == user
    # Case-sensitive pool: the alias is matched exactly.
    assert users.find_user(client.pool, "ivy") is None


def test_preferred_username_is_unique(make_pool: Any, make_client: Any) -> None:
    client = make_client(make_pool(alias_attributes=["preferred_username"]))
    first = sign_up(client, "judy", preferred_username="jj")
    sign_up_fails(client, AliasExistsException, "An account with the given alias already exists.",
                  "judith", preferred_username="jj")
    # Differing only in case is another alias in a case-sensitive pool.
    other = sign_up(client, "judith", preferred_username="JJ")
    assert users.find_user(client.pool, "jj") == first
    assert users.find_user(client.pool, "JJ") == other


def test_preferred_username_ignores_case_in_case_insensitive_pools(make_pool: Any,
                                                                   make_client: Any) -> None:
    client = make_client(make_pool(alias_attributes=["preferred_username"],
                                   case_sensitive=False))
    user = sign_up(client, "ken", preferred_username="KenDoll")
    assert users.find_user(client.pool, "kendoll") == user
    assert users.find_user(client.pool, "KENDOLL") == user
    sign_up_fails(client, AliasExistsException, "An account with the given alias already exists.",
                  "kenneth", preferred_username="kendoll")


def test_username_wins_over_another_users_alias(make_pool: Any, make_client: Any) -> None:
    client = make_client(make_pool(alias_attributes=["preferred_username"]))
    holder = sign_up(client, "leo", preferred_username="mallory")
    named = sign_up(client, "mallory")
    assert users.find_user(client.pool, "mallory") == named
    assert users.find_user(client.pool, "leo") == holder


def test_verified_email_alias_is_unique_among_verified_users(make_pool: Any,
                                                             make_client: Any) -> None:
    client = make_client(make_pool(alias_attributes=["email"]))
    pool = client.pool
    owner = sign_up(client, "nina", email="shared@example.com")
    confirm(client, "nina", "shared@example.com")
    # SignUp with an email that already signs another user in does not fail.
    newcomer = sign_up(client, "oscar", email="shared@example.com")
    assert newcomer.status == UserStatus.UNCONFIRMED
    assert users.find_user(pool, "shared@example.com") == owner
    code = last_code("shared@example.com")
    with pytest.raises(AliasExistsException) as info:
        signup.confirm_sign_up(client, "oscar", code)
    assert info.value.message == "An account with the email already exists."
    stored = fresh(newcomer)
    assert stored.status == UserStatus.UNCONFIRMED
    assert not stored.is_verified("email") and stored.alias_email is None
    assert users.find_user(pool, "shared@example.com") == owner
    # ForceAliasCreation moves the alias: the previous holder's email becomes unverified.
    signup.confirm_sign_up(client, "oscar", code, force_alias_creation=True)
    assert fresh(newcomer).status == UserStatus.CONFIRMED
    assert fresh(newcomer).is_verified("email")
    assert fresh(owner).attributes["email_verified"] == "false"
    assert users.find_user(pool, "shared@example.com") == newcomer
    assert users.find_user(pool, "nina") == owner


def test_email_alias_uniqueness_ignores_case(make_pool: Any, make_client: Any) -> None:
    client = make_client(make_pool(alias_attributes=["email"]))
    sign_up(client, "peggy", email="peggy@example.com")
    confirm(client, "peggy", "peggy@example.com")
    sign_up(client, "quentin", email="PEGGY@example.com")
    with pytest.raises(AliasExistsException):
        confirm(client, "quentin", "PEGGY@example.com")


# --- UsernameAttributes ----------------------------------------------------------------------

def test_email_username_is_a_uuid_equal_to_sub(make_pool: Any, make_client: Any) -> None:
    client = make_client(make_pool(username_attributes=["email"]))
    pool = client.pool
    user = sign_up(client, "rupert@example.com")
    stored = fresh(user)
    assert stored.username == str(stored.sub)
    assert uuid.UUID(stored.username).version == 4
    assert stored.attributes["email"] == "rupert@example.com"
    assert users.find_user(pool, "rupert@example.com") == user
    assert users.find_user(pool, "RUPERT@example.com") == user
    assert users.find_user(pool, stored.username) == user
    assert users.login_name(stored) == "rupert@example.com"
    # The email signs in before it is verified: it is the username.
    assert stored.status == UserStatus.UNCONFIRMED and not stored.is_verified("email")
    confirm(client, "rupert@example.com", "rupert@example.com")
    assert fresh(user).status == UserStatus.CONFIRMED


def test_phone_username(make_pool: Any, make_client: Any) -> None:
    client = make_client(make_pool(username_attributes=["phone_number"],
                                   auto_verified_attributes=["phone_number"]))
    user = sign_up(client, "+15555550102")
    assert user.username == str(user.sub)
    assert user.attributes["phone_number"] == "+15555550102"
    assert users.find_user(client.pool, "+15555550102") == user
    confirm(client, "+15555550102", "+15555550102")
    assert fresh(user).is_verified("phone_number")


def test_email_or_phone_username(make_pool: Any, make_client: Any) -> None:
    client = make_client(make_pool(username_attributes=["email", "phone_number"]))
    by_email = sign_up(client, "sybil@example.com", phone_number="+15555550103")
    by_phone = sign_up(client, "+15555550104", email="trent@example.com")
    assert by_email.attributes["email"] == "sybil@example.com"
    assert by_phone.attributes["phone_number"] == "+15555550104"
    assert users.find_user(client.pool, "+15555550103") == by_email
    assert users.find_user(client.pool, "trent@example.com") == by_phone


@pytest.mark.parametrize(("attributes", "message"), [
    (["email"], "Username should be an email."),
    (["phone_number"], "Username should be a phone number."),
    (["email", "phone_number"], "Username should be either an email or a phone number."),
])
def test_username_must_be_an_email_or_phone(make_pool: Any, make_client: Any,
                                            attributes: list[str], message: str) -> None:
    client = make_client(make_pool(username_attributes=attributes))
    for bad in ("victor", "victor@", "5555550100", "+1 555"):
        sign_up_fails(client, InvalidParameterException, message, bad)


def test_email_username_rejects_overlong_and_unstorable_values(make_pool: Any,
                                                               make_client: Any) -> None:
    client = make_client(make_pool(username_attributes=["email"]))
    sign_up_fails(client, InvalidParameterException, "Username is too long.",
                  "w" * 2040 + "@example.com")
    sign_up_fails(client, InvalidParameterException, "Username contains invalid characters.",
                  "wal\x00ter@example.com")


def test_email_attribute_must_match_the_username(make_pool: Any, make_client: Any) -> None:
    client = make_client(make_pool(username_attributes=["email"]))
    sign_up_fails(client, InvalidParameterException,
                  "Username and the email attribute must be the same value.",
                  "wendy@example.com", email="other@example.com")
    assert sign_up(client, "wendy@example.com", email="wendy@example.com")


def test_duplicate_email_username(make_pool: Any, make_client: Any) -> None:
    client = make_client(make_pool(username_attributes=["email"]))
    first = sign_up(client, "xavier@example.com")
    message = "An account with the given email already exists."
    sign_up_fails(client, UsernameExistsException, message, "xavier@example.com")
    sign_up_fails(client, UsernameExistsException, message, "Xavier@Example.com")
    assert users.find_user(client.pool, "xavier@example.com") == first


def test_duplicate_phone_username(make_pool: Any, make_client: Any) -> None:
    client = make_client(make_pool(username_attributes=["phone_number"],
                                   auto_verified_attributes=["phone_number"]))
    sign_up(client, "+15555550105")
    sign_up_fails(client, UsernameExistsException,
                  "An account with the given phone_number already exists.", "+15555550105")


def test_admin_created_email_user_gets_a_uuid_username(make_pool: Any) -> None:
    pool = make_pool(username_attributes=["email"])
    user = admin_users.admin_create_user(pool, "yvonne@example.com", message_action="SUPPRESS")
    assert user.username == str(user.sub)
    assert users.find_user(pool, "yvonne@example.com") == user
    with pytest.raises(InvalidParameterException) as info:
        admin_users.admin_create_user(pool, "yvonne", message_action="SUPPRESS")
    assert info.value.message == "Username should be an email."
    with pytest.raises(UsernameExistsException) as exists:
        admin_users.admin_create_user(pool, "yvonne@example.com", message_action="SUPPRESS")
    assert exists.value.message == "An account with the given email already exists."
    assert PoolUser.objects.filter(pool=pool).count() == 1


# --- Case sensitivity ------------------------------------------------------------------------

def test_case_insensitive_pool_ignores_username_case(make_pool: Any, make_client: Any) -> None:
    client = make_client(make_pool(case_sensitive=False))
    user = sign_up(client, "Zelda")
    assert fresh(user).username == "Zelda"
    for spelling in ("Zelda", "zelda", "ZELDA", "zElDa"):
        assert users.find_user(client.pool, spelling) == user
    sign_up_fails(client, UsernameExistsException, "User already exists", "zelda")
    sign_up_fails(client, UsernameExistsException, "User already exists", "ZELDA")


def test_case_sensitive_pool_keeps_usernames_apart(client_app: AppClient) -> None:
    upper = sign_up(client_app, "Zack")
    lower = sign_up(client_app, "zack")
    assert upper.pk != lower.pk
    assert users.find_user(client_app.pool, "Zack") == upper
    assert users.find_user(client_app.pool, "zack") == lower
    assert users.find_user(client_app.pool, "ZACK") is None


def test_case_insensitive_email_alias_and_email_username(make_pool: Any,
                                                         make_client: Any) -> None:
    alias = make_client(make_pool(alias_attributes=["email"], case_sensitive=False))
    user = sign_up(alias, "amy", email="Amy@Example.com")
    confirm(alias, "AMY", "Amy@Example.com")
    assert users.find_user(alias.pool, "amy@example.com") == user
    assert users.find_user(alias.pool, "AMY@EXAMPLE.COM") == user
    emails = make_client(make_pool(username_attributes=["email"], case_sensitive=False))
    other = sign_up(emails, "Ben@Example.com")
    assert users.find_user(emails.pool, "ben@example.com") == other
    sign_up_fails(emails, UsernameExistsException,
                  "An account with the given email already exists.", "BEN@example.com")


# Normalised usernames (a pool setting, off by default as in AWS) --------------------------

LOOK_ALIKES = {
    "full-width": "ａｌｉｃｅ",        # U+FF41…: NFKC makes it "alice"
    "decomposed": "alice\u0301",      # e + combining acute: NFKC composes "alicé"
    "cyrillic": "\u0430lice",         # Cyrillic а in a Latin name
    "greek": "\u03b1lice",            # Greek α in a Latin name
}


@pytest.mark.django_db
@pytest.mark.parametrize("form", list(LOOK_ALIKES))
def test_look_alikes_are_other_users_unless_the_pool_normalises(make_pool: Any,
                                                                 form: str) -> None:
    """AWS compares usernames as typed: each look-alike of "alice" is another user. A pool
    with normalize_usernames names one user by full-width and decomposed forms, and refuses
    new names mixing scripts into look-alikes."""
    name = LOOK_ALIKES[form]
    plain = make_pool(name="plain")
    admin_users.admin_create_user(plain, "alice", message_action="SUPPRESS")
    admin_users.admin_create_user(plain, name, message_action="SUPPRESS")
    assert plain.users.count() == 2
    strict = make_pool(name="strict", normalize_usernames=True)
    original = admin_users.admin_create_user(
        strict, "alicé" if form == "decomposed" else "alice", message_action="SUPPRESS")
    if form in ("full-width", "decomposed"):
        assert users.find_user(strict, name) == original  # the same user, by either form
        with pytest.raises(UsernameExistsException):
            admin_users.admin_create_user(strict, name, message_action="SUPPRESS")
    else:
        assert users.find_user(strict, name) is None
        with pytest.raises(InvalidParameterException, match="mixes scripts"):
            admin_users.admin_create_user(strict, name, message_action="SUPPRESS")
    assert strict.users.count() == 1


@pytest.mark.django_db
def test_a_case_insensitive_pool_folds_case_after_normalising(make_pool: Any) -> None:
    pool = make_pool(case_sensitive=False, normalize_usernames=True)
    user = admin_users.admin_create_user(pool, "Straße", message_action="SUPPRESS")
    for typed in ("STRASSE", "strasse", "ＳＴＲＡＳＳＥ", "straße"):
        assert users.find_user(pool, typed) == user
    assert users.same_username(pool, "Straße", "ＳＴＲＡＳＳＥ")
    # Scripts that are not mixed are names like any other.
    assert admin_users.admin_create_user(pool, "иван", message_action="SUPPRESS")
