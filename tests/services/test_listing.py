"""ListUsers: the filter grammar, every searchable attribute, limits and keyset pagination."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import signing
from django.test import override_settings

from django_cognito import clock
from django_cognito.exceptions import InvalidParameterException
from django_cognito.models import PoolUser, UserPool, UserStatus
from django_cognito.services import admin_users, groups, listing
from tests.factories import insert_user as make_user

pytestmark = pytest.mark.django_db

PARSE_ERROR = "Error while parsing filter."
BAD_TOKEN = "Invalid pagination token."
BAD_LIMIT = "Limit must be between 0 and 60."


def names(pool: UserPool, filter: Any = None, **kwargs: Any) -> list[str]:
    """Usernames of the first page of ``list_users``."""
    return [u.username for u in listing.list_users(pool, filter=filter, **kwargs).items]


def matching(pool: UserPool, filter: str) -> set[str]:
    return set(names(pool, filter))


def list_fails(pool: UserPool, message: str, **kwargs: Any) -> None:
    with pytest.raises(InvalidParameterException) as info:
        listing.list_users(pool, **kwargs)
    assert info.value.message == message


def walk(pool: UserPool, filter: str | None, limit: int,
         between_pages: Any = None) -> list[list[str]]:
    """All pages of a listing, calling ``between_pages(page_number)`` after each page."""
    pages: list[list[str]] = []
    token = None
    while True:
        page = listing.list_users(pool, filter=filter, limit=limit, token=token)
        pages.append([u.username for u in page.items])
        if page.next_token is None:
            return pages
        if between_pages is not None:
            between_pages(len(pages))
        token = page.next_token


@pytest.fixture
def people(pool: UserPool) -> dict[str, PoolUser]:
    return {
        "alice": make_user(pool, "alice", email="alice@example.com", phone_number="+15555550100",
                           name="Alice Liddell", given_name="Alice", family_name="Liddell",
                           preferred_username="ally", nickname="Al"),
        "Alfred": make_user(pool, "Alfred", status=UserStatus.UNCONFIRMED, enabled=False,
                            email="Alfred@Example.org", phone_number="+15555550200",
                            name="Alfred Pennyworth", given_name="Alfred",
                            family_name="Pennyworth", preferred_username="alf"),
        "bob": make_user(pool, "bob", status=UserStatus.FORCE_CHANGE_PASSWORD,
                         email="bob@example.com", phone_number="+447700900000",
                         name='Bob "the builder"', given_name="Bob", family_name="O'Brien",
                         preferred_username="back\\slash"),
    }


# --- Each searchable attribute ---------------------------------------------------------------

def test_empty_filter_lists_everyone_in_the_pool(pool: UserPool, make_pool: Any,
                                                  people: dict[str, PoolUser]) -> None:
    make_user(make_pool(name="other"), "stranger", email="alice@example.com")
    assert names(pool) == ["alice", "Alfred", "bob"]
    assert names(pool, "") == ["alice", "Alfred", "bob"]
    page = listing.list_users(pool)
    assert page.next_token is None and all(u.pool_id == pool.pk for u in page.items)


def test_username_is_case_sensitive_in_case_sensitive_pools(
        pool: UserPool, people: dict[str, PoolUser]) -> None:
    assert matching(pool, 'username = "alice"') == {"alice"}
    assert matching(pool, 'username = "Alice"') == set()
    assert matching(pool, 'username = "alfred"') == set()
    assert matching(pool, 'username ^= "Al"') == {"Alfred"}
    assert matching(pool, 'username ^= "al"') == {"alice"}
    assert matching(pool, 'username ^= ""') == {"alice", "Alfred", "bob"}


def test_username_ignores_case_in_case_insensitive_pools(make_pool: Any) -> None:
    pool = make_pool(case_sensitive=False)
    make_user(pool, "Alice")
    make_user(pool, "alfred")
    make_user(pool, "bob")
    assert matching(pool, 'username = "ALICE"') == {"Alice"}
    assert matching(pool, 'username ^= "AL"') == {"Alice", "alfred"}
    assert matching(pool, 'username ^= "aL"') == {"Alice", "alfred"}


@pytest.mark.parametrize(("filter", "expected"), [
    ('email = "alice@example.com"', {"alice"}),
    ('email = "ALICE@EXAMPLE.COM"', {"alice"}),
    ('email = "alfred@example.org"', {"Alfred"}),
    ('email = "alice@example"', set()),
    ('email ^= "AL"', {"alice", "Alfred"}),
    ('email ^= "bob@"', {"bob"}),
    ('phone_number = "+15555550100"', {"alice"}),
    ('phone_number ^= "+1555555"', {"alice", "Alfred"}),
    ('phone_number ^= "+44"', {"bob"}),
    ('name = "alice liddell"', {"alice"}),
    ('name ^= "AL"', {"alice", "Alfred"}),
    ('given_name = "BOB"', {"bob"}),
    ('given_name ^= "alf"', {"Alfred"}),
    ('family_name = "liddell"', {"alice"}),
    ('family_name ^= "P"', {"Alfred"}),
    ('preferred_username = "ALLY"', {"alice"}),
    ('preferred_username ^= "al"', {"alice", "Alfred"}),
    ('cognito:user_status = "CONFIRMED"', {"alice"}),
    ('cognito:user_status = "confirmed"', {"alice"}),
    ('cognito:user_status = "Unconfirmed"', {"Alfred"}),
    ('cognito:user_status = "CONFIRM"', set()),
    ('cognito:user_status ^= "force"', {"bob"}),
    ('cognito:user_status ^= "UN"', {"Alfred"}),
    ('status = "Enabled"', {"alice", "bob"}),
    ('status = "Disabled"', {"Alfred"}),
    ('status = "enabled"', set()),
    ('status = "DISABLED"', set()),
    ('status ^= "En"', set()),
])
def test_filters(pool: UserPool, people: dict[str, PoolUser], filter: str,
                 expected: set[str]) -> None:
    assert matching(pool, filter) == expected


def test_sub_filter(pool: UserPool, people: dict[str, PoolUser]) -> None:
    sub = str(people["alice"].sub)
    assert matching(pool, f'sub = "{sub}"') == {"alice"}
    assert matching(pool, f'sub = "{sub.upper()}"') == {"alice"}
    assert matching(pool, f'sub ^= "{sub[:13]}"') == {"alice"}
    assert matching(pool, f'sub ^= "{sub[:13].upper()}"') == {"alice"}
    assert matching(pool, 'sub = "not-a-uuid"') == set()
    assert matching(pool, 'sub = ""') == set()
    assert matching(pool, 'sub ^= ""') == {"alice", "Alfred", "bob"}


def test_email_username_pool_is_searched_by_email(make_pool: Any) -> None:
    pool = make_pool(username_attributes=["email"])
    user = make_user(pool, "carol@example.com")
    assert matching(pool, 'email = "carol@example.com"') == {user.username}
    # The username is the UUID, not the email.
    assert matching(pool, 'username = "carol@example.com"') == set()
    assert matching(pool, f'username = "{user.sub}"') == {user.username}


def test_filters_follow_attribute_changes(pool: UserPool, people: dict[str, PoolUser]) -> None:
    from django_cognito.services import attributes

    attributes.update_user_attributes(people["bob"], [{"Name": "given_name", "Value": "Robert"}],
                                      admin=True)
    admin_users.set_enabled(people["alice"], False)
    assert matching(pool, 'given_name = "robert"') == {"bob"}
    assert matching(pool, 'given_name = "bob"') == set()
    assert matching(pool, 'status = "Disabled"') == {"alice", "Alfred"}


# --- Grammar ---------------------------------------------------------------------------------

def test_escaped_quotes_and_backslashes(pool: UserPool, people: dict[str, PoolUser]) -> None:
    assert matching(pool, 'name = "Bob \\"the builder\\""') == {"bob"}
    assert matching(pool, 'name ^= "bob \\"the"') == {"bob"}
    assert matching(pool, 'family_name = "O\'Brien"') == {"bob"}
    assert matching(pool, 'preferred_username = "back\\\\slash"') == {"bob"}
    assert matching(pool, 'preferred_username ^= "back\\\\"') == {"bob"}


@pytest.mark.parametrize("filter", [
    'email="alice@example.com"',
    '  email   =   "alice@example.com"  ',
    'email\t=\t"alice@example.com"',
    'email^="alice"',
])
def test_whitespace_around_tokens(pool: UserPool, people: dict[str, PoolUser],
                                  filter: str) -> None:
    assert matching(pool, filter) == {"alice"}


@pytest.mark.parametrize("filter", [
    "email = alice@example.com",
    'email = "alice@example.com',
    'email = alice@example.com"',
    "email = 'alice@example.com'",
    'email == "alice@example.com"',
    'email != "alice@example.com"',
    'email ~ "alice"',
    'email $= "alice"',
    'email = "alice@example.com" junk',
    'email = "a" and name = "b"',
    'email = "a"b"',
    'email = "a\\"',
    '= "alice"',
    "email",
    '"email" = "alice"',
    "email ^=",
    " ",
    'email = "nul\x00"',
    'email = "lone\ud800"',
    'email = "' + "a" * 247 + '"',
])
def test_malformed_filters(pool: UserPool, filter: str) -> None:
    list_fails(pool, PARSE_ERROR, filter=filter)


def test_filter_length_limit(pool: UserPool) -> None:
    make_user(pool, "long", email="x" * 240 + "@e.com")
    at_limit = 'email = "' + "x" * 240 + '@e.com"'
    assert len(at_limit) == 256
    assert matching(pool, at_limit) == {"long"}
    list_fails(pool, PARSE_ERROR, filter=at_limit + " ")


@pytest.mark.parametrize("filter", [5, 1.5, True, ["email"], {"email": "x"},
                                    b'email = "x"'])
def test_non_string_filters(pool: UserPool, filter: Any) -> None:
    list_fails(pool, PARSE_ERROR, filter=filter)


@pytest.mark.parametrize("attribute", ["nickname", "custom:tier", "custom:tier2", "Email",
                                       "email_verified", "locale", "cognito:username",
                                       "user-status"])
def test_unsearchable_attributes(make_pool: Any, attribute: str) -> None:
    pool = make_pool(schema=[{"Name": "tier"}, {"Name": "tier2"}])
    make_user(pool, "dave", nickname="x", **{"custom:tier": "x"})
    list_fails(pool, f"Invalid search attribute: {attribute}", filter=f'{attribute} = "x"')
    list_fails(pool, f"Invalid search attribute: {attribute}", filter=f'{attribute} ^= "x"')


def test_prefix_ranges_handle_extreme_characters(pool: UserPool) -> None:
    top = "\U0010ffff"
    make_user(pool, "edge", name=f"z{top}{top}")
    make_user(pool, "after", name="{")  # the character after "z"
    assert matching(pool, f'name ^= "z{top}"') == {"edge"}
    assert matching(pool, f'name ^= "{top}"') == set()
    # U+D7FF is followed by the surrogate block, which no database stores: the range ends
    # at U+E000, the next storable character.
    make_user(pool, "below", given_name="\ud7ff-tail")
    make_user(pool, "private", given_name="\ue000")
    assert matching(pool, 'given_name ^= "\ud7ff"') == {"below"}
    assert matching(pool, 'given_name ^= "\ue000"') == {"private"}


# --- Limit -----------------------------------------------------------------------------------

@pytest.mark.parametrize("limit", [-1, 61, "10", 1.5, True, False, [10]])
def test_bad_limits(pool: UserPool, limit: Any) -> None:
    list_fails(pool, BAD_LIMIT, limit=limit)


def test_limit_bounds(pool: UserPool) -> None:
    everyone = [make_user(pool, f"user{i:02d}").username for i in range(61)]
    first = listing.list_users(pool)
    assert [u.username for u in first.items] == everyone[:60] and first.next_token
    assert len(listing.list_users(pool, limit=0).items) == 60
    assert len(listing.list_users(pool, limit=60).items) == 60
    one = listing.list_users(pool, limit=1)
    assert [u.username for u in one.items] == ["user00"] and one.next_token
    rest = listing.list_users(pool, limit=60, token=first.next_token)
    assert [u.username for u in rest.items] == ["user60"] and rest.next_token is None


def test_exact_page_size_ends_without_a_token(pool: UserPool) -> None:
    for i in range(4):
        make_user(pool, f"u{i}")
    first = listing.list_users(pool, limit=2)
    second = listing.list_users(pool, limit=2, token=first.next_token)
    assert [u.username for u in second.items] == ["u2", "u3"]
    assert second.next_token is None


# --- Pagination under concurrent sign-ups ----------------------------------------------------

def test_pagination_without_filter_neither_skips_nor_repeats(pool: UserPool) -> None:
    initial = [make_user(pool, f"member{i}").username for i in range(7)]
    added: list[str] = []

    def add(page_number: int) -> None:
        added.append(make_user(pool, f"late{page_number}").username)
        added.append(make_user(pool, f"aaa{page_number}").username)

    pages = walk(pool, None, 3, add)
    seen = [name for page in pages for name in page]
    assert len(seen) == len(set(seen))
    assert set(initial) <= set(seen)
    # Users created while paging sort after the cursor (keyset on id) and are all reached.
    assert set(seen) == set(initial) | set(added)
    assert all(len(page) <= 3 for page in pages)


def test_prefix_pagination_with_users_added_around_the_cursor(pool: UserPool) -> None:
    for n in (3, 6, 9, 12):
        make_user(pool, f"id{n}", email=f"user{n:02d}@example.com")
    make_user(pool, "outsider", email="zed@example.com")
    filter = 'email ^= "user"'
    first = listing.list_users(pool, filter=filter, limit=2)
    assert [u.username for u in first.items] == ["id3", "id6"]
    make_user(pool, "id1", email="user01@example.com")  # before the cursor: not revisited
    make_user(pool, "id5", email="USER05@example.com")  # before the cursor as well
    make_user(pool, "id7", email="user07@example.com")  # after the cursor: reached
    make_user(pool, "id99", email="user99@example.com")  # after the end: reached
    second = listing.list_users(pool, filter=filter, limit=2, token=first.next_token)
    assert [u.username for u in second.items] == ["id7", "id9"]
    make_user(pool, "id8", email="user08@example.com")  # behind the cursor now
    make_user(pool, "id10", email="user10@example.com")  # ahead of the cursor
    third = listing.list_users(pool, filter=filter, limit=2, token=second.next_token)
    assert [u.username for u in third.items] == ["id10", "id12"]
    last = listing.list_users(pool, filter=filter, limit=2, token=third.next_token)
    assert [u.username for u in last.items] == ["id99"] and last.next_token is None


def test_prefix_pagination_with_equal_keys_uses_the_id(pool: UserPool) -> None:
    twins = [make_user(pool, f"twin{i}", family_name="Smith").username for i in range(5)]
    make_user(pool, "other", family_name="Smithers")
    pages = walk(pool, 'family_name ^= "smith"', 2,
                 lambda n: make_user(pool, f"late{n}", family_name="smith"))
    seen = [name for page in pages for name in page]
    assert len(seen) == len(set(seen))
    assert set(twins) | {"other"} <= set(seen)
    assert seen[-1] == "other"


def test_exact_filter_pagination(pool: UserPool) -> None:
    for i in range(5):
        make_user(pool, f"fan{i}", given_name="Fan")
        make_user(pool, f"foe{i}", given_name="Foe")
    pages = walk(pool, 'given_name = "fan"', 2,
                 lambda n: make_user(pool, f"fan-late{n}", given_name="FAN"))
    seen = [name for page in pages for name in page]
    assert len(seen) == len(set(seen))
    assert {f"fan{i}" for i in range(5)} <= set(seen)
    assert all(name.startswith("fan") for name in seen)
    assert len(seen) == 5 + len(pages) - 1


def test_status_filters_paginate(pool: UserPool) -> None:
    for i in range(3):
        make_user(pool, f"on{i}")
        make_user(pool, f"off{i}", enabled=False, status=UserStatus.UNCONFIRMED)
    assert [n for page in walk(pool, 'status = "Disabled"', 2) for n in page] == [
        "off0", "off1", "off2"]
    assert [n for page in walk(pool, 'cognito:user_status ^= "un"', 2) for n in page] == [
        "off0", "off1", "off2"]


# --- Pagination tokens -----------------------------------------------------------------------

@pytest.fixture
def paged(pool: UserPool) -> str:
    for i in range(5):
        make_user(pool, f"p{i}", email=f"p{i}@example.com")
    token = listing.list_users(pool, limit=2).next_token
    assert token
    return token


@pytest.mark.parametrize("token", ["", "abc", "x" * 4097, 5, ["token"], {"p": [0]},
                                   "eyJzIjoidXNlcnMifQ:1abc:forged"])
def test_forged_tokens(pool: UserPool, paged: str, token: Any) -> None:
    list_fails(pool, BAD_TOKEN, token=token, limit=2)


def test_tampered_tokens(pool: UserPool, paged: str) -> None:
    for i in (0, len(paged) // 2, len(paged) - 1):
        replacement = "A" if paged[i] != "A" else "B"
        list_fails(pool, BAD_TOKEN, token=paged[:i] + replacement + paged[i + 1:], limit=2)
    # A token signed with another key is refused as well.
    foreign = signing.dumps({"s": f"users:{pool.pk}:", "p": [0]}, key="another-secret",
                            salt="django_cognito.pagination", compress=True)
    list_fails(pool, BAD_TOKEN, token=foreign, limit=2)
    assert [u.username for u in listing.list_users(pool, token=paged, limit=2).items] == [
        "p2", "p3"]


def test_tokens_are_bound_to_pool_and_filter(pool: UserPool, make_pool: Any,
                                             paged: str) -> None:
    other = make_pool(name="other")
    for i in range(3):
        make_user(other, f"o{i}")
    list_fails(other, BAD_TOKEN, token=paged)
    list_fails(pool, BAD_TOKEN, token=paged, filter='email ^= "p"')
    prefix_token = listing.list_users(pool, filter='email ^= "p"', limit=2).next_token
    list_fails(pool, BAD_TOKEN, token=prefix_token)
    list_fails(pool, BAD_TOKEN, token=prefix_token, filter='email ^= "p1"')
    group = groups.create_group(pool, "g")
    for user in PoolUser.objects.filter(pool=pool):
        groups.add_user_to_group(user, group)
    group_token = groups.users_in_group(group, limit=2).next_token
    list_fails(pool, BAD_TOKEN, token=group_token)
    # The limit may change between pages.
    assert [u.username for u in listing.list_users(pool, token=paged, limit=1).items] == ["p2"]
    page = listing.list_users(pool, filter='email ^= "p"', token=prefix_token, limit=10)
    assert [u.username for u in page.items] == ["p2", "p3", "p4"]


def test_tokens_expire_on_the_movable_clock(pool: UserPool, paged: str) -> None:
    clock.advance(dt.timedelta(seconds=3599))
    assert listing.list_users(pool, token=paged, limit=2).items
    clock.advance(dt.timedelta(seconds=2))
    list_fails(pool, BAD_TOKEN, token=paged, limit=2)


def test_token_lifetime_is_a_setting(pool: UserPool, paged: str) -> None:
    with override_settings(COGNITO={"PAGINATION_TOKEN_TTL": 60}):
        with clock.shifted(dt.timedelta(seconds=59)):
            assert listing.list_users(pool, token=paged, limit=2).items
        with clock.shifted(dt.timedelta(seconds=61)):
            list_fails(pool, BAD_TOKEN, token=paged, limit=2)
