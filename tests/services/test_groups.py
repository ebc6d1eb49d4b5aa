"""Groups: create, read, update, delete, validation, membership and paginated listings."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from django_cognito import clock
from django_cognito.api.shapes import group_type
from django_cognito.exceptions import (
    GroupExistsException,
    InvalidParameterException,
    LimitExceededException,
    ResourceNotFoundException,
)
from django_cognito.models import Group, GroupMembership, PoolUser, UserPool
from django_cognito.services import admin_users, groups
from django_cognito.tokens.claims import user_groups_sorted
from tests.factories import insert_user as make_user

pytestmark = pytest.mark.django_db

ROLE = "arn:aws:iam::123456789012:role/Admins"
OTHER_ROLE = "arn:aws:iam::123456789012:role/service-role/Readers"
NAME_ERROR = "GroupName must be 1 to 128 non-space characters."
ARN_ERROR = "RoleArn must be an IAM role ARN."
PRECEDENCE_ERROR = "Precedence must be an integer between 0 and 2147483647."
BAD_TOKEN = "Invalid pagination token."


def rows(pool: UserPool) -> list[tuple[Any, ...]]:
    return list(Group.objects.filter(pool=pool).order_by("pk").values_list(
        "name", "description", "role_arn", "precedence", "modified_at"))


def create_fails(pool: UserPool, exception: type[Exception], message: str, name: Any,
                 **kwargs: Any) -> None:
    before = rows(pool)
    with pytest.raises(exception) as info:
        groups.create_group(pool, name, **kwargs)
    assert info.value.message == message  # type: ignore[attr-defined]
    assert rows(pool) == before


def every(fetch: Any, limit: int, token: str | None = None) -> list[str]:
    """Walk a paginated group or member listing from ``token`` to the end; names in order."""
    found: list[str] = []
    while True:
        page = fetch(limit=limit, token=token)
        found += [getattr(item, "name", None) or item.username for item in page.items]
        if page.next_token is None:
            return found
        token = page.next_token


# --- CreateGroup / GetGroup ------------------------------------------------------------------

def test_create_group_and_its_shape(pool: UserPool) -> None:
    group = groups.create_group(pool, "admins", description="People in charge",
                                role_arn=ROLE, precedence=0)
    stored = groups.get_group(pool, "admins")
    assert stored.pk == group.pk
    assert (stored.description, stored.role_arn, stored.precedence) == (
        "People in charge", ROLE, 0)
    shape = group_type(stored)
    assert shape["GroupName"] == "admins" and shape["UserPoolId"] == pool.id
    assert shape["Description"] == "People in charge"
    assert shape["RoleArn"] == ROLE and shape["Precedence"] == 0
    assert shape["CreationDate"] == stored.created_at.timestamp()
    assert isinstance(shape["LastModifiedDate"], float)


def test_minimal_group_omits_optional_members(pool: UserPool) -> None:
    shape = group_type(groups.create_group(pool, "plain"))
    assert set(shape) == {"GroupName", "UserPoolId", "CreationDate", "LastModifiedDate"}


def test_duplicate_group_name(pool: UserPool, make_pool: Any) -> None:
    groups.create_group(pool, "staff", description="first")
    create_fails(pool, GroupExistsException, "A group with the name already exists.", "staff",
                 description="second")
    assert groups.get_group(pool, "staff").description == "first"
    # Names are per pool and case-sensitive.
    assert groups.create_group(make_pool(name="other"), "staff")
    assert groups.create_group(pool, "Staff")
    assert Group.objects.filter(pool=pool).count() == 2


@pytest.mark.parametrize("name", ["", "g" * 129, "has space", "tab\tname", "new\nline",
                                  "nul\x00", "lone\ud800", 5, None, ["staff"]])
def test_group_name_is_validated(pool: UserPool, name: Any) -> None:
    create_fails(pool, InvalidParameterException, NAME_ERROR, name)


def test_group_name_charset(pool: UserPool) -> None:
    for name in ("g" * 128, "Admins-ü_1.@+", "€uro", "日本語", "a/b:c"):
        assert groups.get_group(pool, groups.create_group(pool, name).name).name == name


def test_description_is_validated(pool: UserPool) -> None:
    assert groups.create_group(pool, "long", description="d" * 2048).description == "d" * 2048
    message = "Description must be at most 2048 characters."
    for bad in ("d" * 2049, 5, ["d"], "nul\x00"):
        create_fails(pool, InvalidParameterException, message, "g", description=bad)


@pytest.mark.parametrize("arn", [
    "arn:x", "not-an-arn-but-long-enough", "arn:aws:iam::account:role/x",
    "arn:aws:iam::123456789012:role/with space", "arn:aws:iam:123456789012:role/x",
    "arn:aws:iam::123456789012:role/" + "r" * 2020, 5, ["arn"],
])
def test_role_arn_is_validated(pool: UserPool, arn: Any) -> None:
    create_fails(pool, InvalidParameterException, ARN_ERROR, "g", role_arn=arn)


def test_valid_role_arns(pool: UserPool) -> None:
    assert groups.create_group(pool, "a", role_arn=ROLE).role_arn == ROLE
    assert groups.create_group(pool, "b", role_arn=OTHER_ROLE).role_arn == OTHER_ROLE
    gov = "arn:aws-us-gov:iam::123456789012:role/x"
    assert groups.create_group(pool, "c", role_arn=gov).role_arn == gov
    assert groups.create_group(pool, "d", role_arn="").role_arn == ""


@pytest.mark.parametrize("precedence", [-1, 2**31, 2**63, "1", 1.5, True, [1]])
def test_precedence_is_validated(pool: UserPool, precedence: Any) -> None:
    create_fails(pool, InvalidParameterException, PRECEDENCE_ERROR, "g", precedence=precedence)


def test_precedence_bounds(pool: UserPool) -> None:
    assert groups.create_group(pool, "top", precedence=0).precedence == 0
    groups.create_group(pool, "bottom", precedence=2**31 - 1)
    assert groups.get_group(pool, "bottom").precedence == 2**31 - 1
    assert groups.create_group(pool, "none").precedence is None


def test_pool_group_quota(pool: UserPool, monkeypatch: Any) -> None:
    monkeypatch.setattr(groups, "MAX_GROUPS_PER_POOL", 2)
    groups.create_group(pool, "one")
    groups.create_group(pool, "two")
    create_fails(pool, LimitExceededException, "The pool has reached its limit of groups.",
                 "three")


def test_get_group_not_found(pool: UserPool, make_pool: Any) -> None:
    groups.create_group(make_pool(name="other"), "elsewhere")
    for name in ("missing", "elsewhere", "", None, 5, "nul\x00", "g" * 129):
        with pytest.raises(ResourceNotFoundException) as info:
            groups.get_group(pool, name)
        assert info.value.message == "Group not found."


# --- UpdateGroup / DeleteGroup ---------------------------------------------------------------

def test_update_group(pool: UserPool) -> None:
    group = groups.create_group(pool, "team", description="old", role_arn=ROLE, precedence=5)
    created = group.modified_at
    clock.advance(dt.timedelta(minutes=5))
    groups.update_group(group, description="new", precedence=1)
    stored = groups.get_group(pool, "team")
    assert (stored.description, stored.role_arn, stored.precedence) == ("new", ROLE, 1)
    assert stored.modified_at >= created + dt.timedelta(minutes=5)
    assert stored.created_at == group.created_at
    groups.update_group(stored, role_arn=OTHER_ROLE)
    assert groups.get_group(pool, "team").role_arn == OTHER_ROLE
    groups.update_group(stored, role_arn="", description="")
    cleared = groups.get_group(pool, "team")
    assert (cleared.description, cleared.role_arn, cleared.precedence) == ("", "", 1)


@pytest.mark.parametrize(("changes", "message"), [
    ({"description": "d" * 2049}, "Description must be at most 2048 characters."),
    ({"role_arn": "arn:bad"}, ARN_ERROR),
    ({"precedence": -1}, PRECEDENCE_ERROR),
    ({"precedence": 2**31}, PRECEDENCE_ERROR),
    ({"description": "fine", "precedence": "2"}, PRECEDENCE_ERROR),
])
def test_bad_updates_change_nothing(pool: UserPool, changes: dict[str, Any],
                                    message: str) -> None:
    group = groups.create_group(pool, "team", description="old", role_arn=ROLE, precedence=5)
    before = rows(pool)
    with pytest.raises(InvalidParameterException) as info:
        groups.update_group(group, **changes)
    assert info.value.message == message
    assert rows(pool) == before


def test_update_rejects_unknown_fields(pool: UserPool) -> None:
    group = groups.create_group(pool, "team")
    with pytest.raises(TypeError):
        groups.update_group(group, name="renamed")
    assert groups.get_group(pool, "team")


def test_delete_group_keeps_its_users(pool: UserPool) -> None:
    group = groups.create_group(pool, "doomed")
    kept = groups.create_group(pool, "kept")
    user = make_user(pool, "alice")
    groups.add_user_to_group(user, group)
    groups.add_user_to_group(user, kept)
    groups.delete_group(group)
    with pytest.raises(ResourceNotFoundException):
        groups.get_group(pool, "doomed")
    assert PoolUser.objects.filter(pk=user.pk).exists()
    assert [g.name for g in groups.groups_for_user(user).items] == ["kept"]
    assert GroupMembership.objects.count() == 1


# --- Membership ------------------------------------------------------------------------------

def test_membership_is_idempotent(pool: UserPool) -> None:
    group = groups.create_group(pool, "club")
    user = make_user(pool, "alice")
    groups.add_user_to_group(user, group)
    groups.add_user_to_group(user, group)
    assert GroupMembership.objects.filter(user=user, group=group).count() == 1
    assert [u.username for u in groups.users_in_group(group).items] == ["alice"]
    groups.remove_user_from_group(user, group)
    groups.remove_user_from_group(user, group)
    assert not GroupMembership.objects.exists()
    assert groups.users_in_group(group).items == []
    assert groups.groups_for_user(user).items == []


def test_user_group_quota(pool: UserPool) -> None:
    user = make_user(pool, "joiner")
    for i in range(groups.MAX_GROUPS_PER_USER):
        groups.add_user_to_group(user, groups.create_group(pool, f"g{i:03d}"))
    extra = groups.create_group(pool, "extra")
    with pytest.raises(LimitExceededException) as info:
        groups.add_user_to_group(user, extra)
    assert info.value.message == "The user has reached its limit of groups."
    assert GroupMembership.objects.filter(user=user).count() == groups.MAX_GROUPS_PER_USER
    # Re-adding an existing membership is still a no-op, not a quota error.
    groups.add_user_to_group(user, groups.get_group(pool, "g000"))


def test_groups_of_a_user_and_users_of_a_group(pool: UserPool) -> None:
    alice, bob, carol = (make_user(pool, n) for n in ("alice", "bob", "carol"))
    staff = groups.create_group(pool, "staff", precedence=2)
    admins = groups.create_group(pool, "admins", precedence=1)
    readers = groups.create_group(pool, "readers")
    for user in (alice, bob):
        groups.add_user_to_group(user, staff)
    groups.add_user_to_group(alice, admins)
    groups.add_user_to_group(alice, readers)
    assert [g.name for g in groups.groups_for_user(alice).items] == [
        "admins", "readers", "staff"]
    assert [g.name for g in groups.groups_for_user(carol).items] == []
    assert [u.username for u in groups.users_in_group(staff).items] == ["alice", "bob"]
    assert [g.name for g in user_groups_sorted(alice)] == ["admins", "staff", "readers"]


def test_deleted_users_leave_their_groups(pool: UserPool) -> None:
    group = groups.create_group(pool, "club")
    alice, bob = make_user(pool, "alice"), make_user(pool, "bob")
    groups.add_user_to_group(alice, group)
    groups.add_user_to_group(bob, group)
    admin_users.admin_delete_user(alice)
    assert [u.username for u in groups.users_in_group(group).items] == ["bob"]


def test_preferred_order_breaks_ties_by_name(pool: UserPool) -> None:
    user = make_user(pool, "alice")
    for name, precedence in (("zeta", 1), ("alpha", 1), ("none-b", None), ("none-a", None),
                             ("top", 0)):
        groups.add_user_to_group(user, groups.create_group(pool, name, precedence=precedence))
    assert [g.name for g in user_groups_sorted(user)] == [
        "top", "alpha", "zeta", "none-a", "none-b"]


# --- Listings and pagination -----------------------------------------------------------------

def test_list_groups_paginates_by_name(pool: UserPool, make_pool: Any) -> None:
    for name in ("delta", "alpha", "echo", "charlie", "bravo"):
        groups.create_group(pool, name)
    groups.create_group(make_pool(name="other"), "aardvark")
    first = groups.list_groups(pool, limit=2)
    assert [g.name for g in first.items] == ["alpha", "bravo"]
    groups.create_group(pool, "abc")  # before the cursor: not revisited
    groups.create_group(pool, "foxtrot")  # after the cursor: reached
    second = groups.list_groups(pool, limit=2, token=first.next_token)
    assert [g.name for g in second.items] == ["charlie", "delta"]
    third = groups.list_groups(pool, limit=2, token=second.next_token)
    assert [g.name for g in third.items] == ["echo", "foxtrot"]
    assert third.next_token is None
    assert every(lambda **kw: groups.list_groups(pool, **kw), 60) == [
        "abc", "alpha", "bravo", "charlie", "delta", "echo", "foxtrot"]


def test_member_listings_paginate(pool: UserPool) -> None:
    group = groups.create_group(pool, "big")
    members = [make_user(pool, f"m{i}") for i in range(5)]
    for user in members:
        groups.add_user_to_group(user, group)
    first = groups.users_in_group(group, limit=2)
    assert [u.username for u in first.items] == ["m0", "m1"]
    late = make_user(pool, "late")
    groups.add_user_to_group(late, group)
    groups.remove_user_from_group(members[2], group)
    rest = every(lambda **kw: groups.users_in_group(group, **kw), 2, first.next_token)
    assert rest == ["m3", "m4", "late"]
    joiner = members[0]
    for name in ("c", "a", "b"):
        groups.add_user_to_group(joiner, groups.create_group(pool, name))
    assert every(lambda **kw: groups.groups_for_user(joiner, **kw), 1) == ["a", "b", "big", "c"]


@pytest.mark.parametrize("limit", [-1, 61, "5", 2.5, True])
def test_group_listing_limits(pool: UserPool, limit: Any) -> None:
    group = groups.create_group(pool, "g")
    user = make_user(pool, "alice")
    for fetch in (lambda: groups.list_groups(pool, limit=limit),
                  lambda: groups.groups_for_user(user, limit=limit),
                  lambda: groups.users_in_group(group, limit=limit)):
        with pytest.raises(InvalidParameterException) as info:
            fetch()
        assert info.value.message == "Limit must be between 0 and 60."


def test_group_tokens_are_bound_to_their_listing(pool: UserPool, make_pool: Any) -> None:
    other = make_pool(name="other")
    for name in ("a", "b", "c"):
        groups.create_group(pool, name)
        groups.create_group(other, name)
    alice, bob = make_user(pool, "alice"), make_user(pool, "bob")
    for name in ("a", "b", "c"):
        groups.add_user_to_group(alice, groups.get_group(pool, name))
        groups.add_user_to_group(bob, groups.get_group(pool, name))
    group_a = groups.get_group(pool, "a")
    pool_token = groups.list_groups(pool, limit=1).next_token
    user_token = groups.groups_for_user(alice, limit=1).next_token
    member_token = groups.users_in_group(group_a, limit=1).next_token
    attempts = [
        lambda: groups.list_groups(other, token=pool_token),
        lambda: groups.list_groups(pool, token=user_token),
        lambda: groups.groups_for_user(bob, token=user_token),
        lambda: groups.groups_for_user(alice, token=member_token),
        lambda: groups.users_in_group(groups.get_group(pool, "b"), token=member_token),
        lambda: groups.list_groups(pool, token="forged"),
        lambda: groups.list_groups(pool, token=pool_token[:-1] + (
            "A" if pool_token[-1] != "A" else "B")),
        lambda: groups.list_groups(pool, token=7),
    ]
    for attempt in attempts:
        with pytest.raises(InvalidParameterException) as info:
            attempt()
        assert info.value.message == BAD_TOKEN
    assert [g.name for g in groups.list_groups(pool, token=pool_token).items] == ["b", "c"]
    clock.advance(dt.timedelta(hours=1, seconds=1))
    with pytest.raises(InvalidParameterException):
        groups.list_groups(pool, token=pool_token)
