"""The Django admin: pools, clients, users and groups, driven through the test client."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.admin.utils import quote
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from django_cognito import signals
from django_cognito.admin import PoolUserAdmin, paginator, user_actions
from django_cognito.exceptions import InvalidParameterException, TriggerRejected
from django_cognito.models import (
    AppClient,
    Group,
    GroupMembership,
    PoolUser,
    RefreshToken,
    UserPool,
    UserStatus,
)
from django_cognito.services import attributes, groups, passwords, pool_config, tokens
from django_cognito.services import pools as pools_service
from tests.effects import last_code
from tests.factories import PASSWORD
from tests.factories import insert_user as make_user

pytestmark = pytest.mark.django_db

CUSTOM_SCHEMA = [
    {"Name": "tier", "AttributeDataType": "String",
     "StringAttributeConstraints": {"MinLength": "2", "MaxLength": "5"}},
    {"Name": "badge", "AttributeDataType": "String", "Mutable": False},
]


def url(model: str, view: str, *args: Any) -> str:
    # The admin quotes primary keys in its URLs: a pool id such as "us-east-1_3C..." would
    # otherwise unquote to "us-east-1<...".
    return reverse(f"admin:django_cognito_{model}_{view}", args=[quote(a) for a in args])


def changelist(client: Client, **params: Any) -> Any:
    response = client.get(url("pooluser", "changelist"), params)
    assert response.status_code == 200
    return response


def listed(response: Any) -> list[str]:
    return [user.username for user in response.context["cl"].result_list]


def messages_of(response: Any) -> list[str]:
    return [str(m.message) for m in get_messages(response.wsgi_request)]


def act(client: Client, action: str, selected: list[PoolUser], **extra: Any) -> Any:
    data = {"action": action, "_selected_action": [u.pk for u in selected], "index": 0, **extra}
    return client.post(url("pooluser", "changelist"), data)


def reload(user: PoolUser) -> PoolUser:
    return PoolUser.objects.select_related("pool").get(pk=user.pk)


def staff(*codenames: str) -> Client:
    """A logged-in staff user holding only the given django_cognito permissions."""
    person = get_user_model()._default_manager.create_user(
        "staff", password="x", is_staff=True)  # type: ignore[attr-defined]
    person.user_permissions.set(Permission.objects.filter(
        content_type__app_label="django_cognito", codename__in=codenames))
    client = Client()
    client.force_login(person)
    return client


# Changelist, search and filters ---------------------------------------------------------------

@pytest.fixture
def people(make_pool: Any) -> dict[str, PoolUser]:
    main = make_pool(name="main")
    other = make_pool(name="other", case_sensitive=False)
    return {
        "alice": make_user(main, "alice", email="Alice@Example.com", phone_number="+15550001111"),
        "alfred": make_user(main, "alfred", email="fred@other.org", phone_number="+15550002222"),
        "bob": make_user(main, "bob", email="bob@example.com", phone_number="+442000000000",
                         status=UserStatus.UNCONFIRMED),
        "Carol": make_user(main, "Carol", enabled=False),
        "Dave": make_user(other, "Dave", email="dave@example.com"),
    }


def test_changelist_lists_users_newest_first(admin_client: Client,
                                             people: dict[str, PoolUser]) -> None:
    response = changelist(admin_client)
    assert listed(response) == ["Dave", "Carol", "bob", "alfred", "alice"]
    content = response.content.decode()
    assert "Alice@Example.com" in content and "fred@other.org" in content
    assert "5 pool users" in content
    assert "results (" not in content  # no search, no filter: no "N results" note
    for person in people.values():  # each row's action checkbox selects that user
        assert (f'<input type="checkbox" name="_selected_action" value="{person.pk}" '
                f'class="action-select"') in content
    assert 'id="action-toggle"' in content


@pytest.mark.parametrize(("term", "expected"), [
    ("al", {"alice", "alfred"}),           # username prefix
    ("ALI", {"alice"}),                    # lower-cased username prefix
    ("fred", {"alfred"}),                  # email prefix without @
    ("alice@exa", {"alice"}),              # @ → email prefix, case-insensitive
    ("bob@", {"bob"}),
    ("@example.com", set()),               # prefixes only: no suffix or substring scans
    ("lic", set()),
    ("+1555000", {"alice", "alfred"}),     # + → phone prefix
    ("+44", {"bob"}),
    ("Car", {"Carol"}),                    # case-sensitive pool keeps the case
    ("car", set()),
    ("DA", {"Dave"}),                      # case-insensitive pool: keys are lower-cased
    ("  bob  ", {"bob"}),
])
def test_search_modes(admin_client: Client, people: dict[str, PoolUser], term: str,
                      expected: set[str]) -> None:
    assert set(listed(changelist(admin_client, q=term))) == expected


def test_search_with_a_null_character_is_not_an_error(
        admin_client: Client, people: dict[str, PoolUser]) -> None:
    response = changelist(admin_client, q="al\x00")  # Django's search form drops it
    assert messages_of(response) == ["Null characters are not allowed."]


def test_search_by_sub_finds_exactly_that_user(admin_client: Client,
                                               people: dict[str, PoolUser]) -> None:
    sub = str(people["bob"].sub)
    assert listed(changelist(admin_client, q=sub)) == ["bob"]
    assert listed(changelist(admin_client, q=sub.upper())) == ["bob"]
    assert listed(changelist(admin_client, q=sub[:8])) == []


def test_search_uses_ranges_on_key_columns_not_pattern_matching(
        admin_client: Client, people: dict[str, PoolUser]) -> None:
    for term in ("al", "alice@ex", "+1555", str(people["bob"].sub)):
        with CaptureQueriesContext(connection) as queries:
            changelist(admin_client, q=term)
        user_queries = [q["sql"] for q in queries.captured_queries
                        if '"django_cognito_pooluser"' in q["sql"]]
        assert user_queries
        for sql in user_queries:
            assert " LIKE " not in sql.upper() and "LOWER(" not in sql.upper(), sql
            assert '"attributes"' not in sql.split(" FROM ")[-1], sql


@pytest.mark.parametrize(("params", "expected"), [
    ({"status__exact": "UNCONFIRMED"}, ["bob"]),
    ({"status__exact": "CONFIRMED"}, ["Dave", "Carol", "alfred", "alice"]),
    ({"enabled__exact": "0"}, ["Carol"]),
    ({"enabled__exact": "1", "status__exact": "CONFIRMED"}, ["Dave", "alfred", "alice"]),
])
def test_filters(admin_client: Client, people: dict[str, PoolUser], params: dict[str, str],
                 expected: list[str]) -> None:
    assert listed(changelist(admin_client, **params)) == expected


def test_pool_and_group_filters(admin_client: Client, people: dict[str, PoolUser]) -> None:
    other = people["Dave"].pool
    assert listed(changelist(admin_client, pool__id__exact=other.pk)) == ["Dave"]
    team = groups.create_group(people["alice"].pool, "team")
    groups.add_user_to_group(people["alice"], team)
    groups.add_user_to_group(people["bob"], team)
    response = changelist(admin_client, group=team.pk)
    assert listed(response) == ["bob", "alice"]
    assert "team (main)" in response.content.decode()
    assert listed(changelist(admin_client, group=team.pk, q="b")) == ["bob"]
    bad = admin_client.get(url("pooluser", "changelist"), {"group": "x1"})
    assert bad.status_code == 302 and "e=1" in bad["Location"]


# Changelist cost at scale ----------------------------------------------------------------------

COUNT_RE = re.compile(r"COUNT\(")
BOUNDED_COUNT_RE = re.compile(r"^SELECT COUNT\(\*\) FROM \(SELECT .* LIMIT \d+\) subquery$",
                              re.DOTALL)


def changelist_queries(client: Client, **params: Any) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        changelist(client, **params)
    return [q["sql"] for q in queries.captured_queries]


@pytest.mark.parametrize("params", [{}, {"q": "us"}, {"status__exact": "CONFIRMED"},
                                    {"enabled__exact": "1", "q": "user0"}])
def test_changelist_counts_are_bounded_and_queries_do_not_grow_with_rows(
        admin_client: Client, pool: UserPool, params: dict[str, str], monkeypatch: Any) -> None:
    monkeypatch.setattr(PoolUserAdmin, "list_per_page", 5)
    team = groups.create_group(pool, "team")
    for i in range(2):
        groups.add_user_to_group(make_user(pool, f"user0{i}"), team)
    few = changelist_queries(admin_client, **params)
    for i in range(2, 12):
        groups.add_user_to_group(make_user(pool, f"user0{i}"), team)
    many = changelist_queries(admin_client, **params)
    assert len(many) == len(few)
    counts = [sql for sql in many if COUNT_RE.search(sql)]
    assert counts, "the changelist should count matching rows, within a bound"
    for sql in counts:
        assert BOUNDED_COUNT_RE.match(sql), sql
        bound = re.search(r"LIMIT (\d+)\) subquery$", sql)
        assert bound and int(bound.group(1)) <= paginator.COUNT_LIMIT + 1, sql
    user_queries = [sql for sql in many if 'FROM "django_cognito_pooluser"' in sql]
    for sql in user_queries:
        # Naming the pools lets the (pool, ...) indexes serve every filter and search.
        assert '"django_cognito_pooluser"."pool_id" IN (' in sql, sql
    page = user_queries[-1]
    if "q" in params:
        # A username search: one count per arm (usernames, then emails), then the page in
        # the username index's order.
        assert len(user_queries) == 3
        assert f"LIMIT {paginator.COUNT_LIMIT + 1}" in user_queries[0]
        assert re.search(r'ORDER BY "django_cognito_pooluser"."pool_id" ASC, '
                         r'"django_cognito_pooluser"."username_key" ASC\s+LIMIT 5$', page), page
    else:
        assert len(user_queries) == 2  # the bounded count and the page
        assert f"LIMIT {paginator.COUNT_LIMIT + 1}" in user_queries[0]
        assert re.search(r'ORDER BY "django_cognito_pooluser"."id" DESC\s+LIMIT 5$', page), page


def test_changelist_past_the_count_bound_says_so(admin_client: Client, pool: UserPool,
                                                 monkeypatch: Any) -> None:
    monkeypatch.setattr(paginator.BoundedPaginator, "limit", 3)
    for i in range(5):
        make_user(pool, f"user{i}")
    response = changelist(admin_client, q="user")
    cl = response.context["cl"]
    assert cl.paginator.truncated and cl.result_count == 3
    content = response.content.decode()
    assert "3+ pool users" in content and "3+ results" in content
    make_user(pool, "zed")
    assert changelist(admin_client, q="zed").context["cl"].paginator.truncated is False


# Actions ---------------------------------------------------------------------------------------

def test_confirm_action_confirms_and_reports_refusals(admin_client: Client, pool: UserPool) -> None:
    new = make_user(pool, "new", status=UserStatus.UNCONFIRMED)
    done = make_user(pool, "done")
    response = act(admin_client, "confirm_users", [new, done])
    assert response.status_code == 302
    assert reload(new).status == UserStatus.CONFIRMED
    assert messages_of(response) == [
        "Confirmed sign-up: 1 pool user.",
        "done: User cannot be confirmed. Current status is CONFIRMED"]
    entry = LogEntry.objects.get(object_id=str(new.pk))
    assert entry.change_message == "Confirmed sign-up"


def test_enable_and_disable_actions(admin_client: Client, pool: UserPool) -> None:
    user = make_user(pool, "alice", email="alice@example.com")
    response = act(admin_client, "disable_users", [user])
    assert messages_of(response) == ["Disabled: 1 pool user."]
    changelist(admin_client)  # shows, and so consumes, the message
    assert reload(user).enabled is False
    assert reload(user).user.is_active is False  # the Django user follows
    response = act(admin_client, "enable_users", [user])
    assert reload(user).enabled is True and reload(user).user.is_active is True
    assert messages_of(response) == ["Enabled: 1 pool user."]


def test_global_sign_out_action_revokes_every_session(admin_client: Client,
                                                    pool: UserPool, make_client: Any) -> None:
    user, other = make_user(pool, "alice"), make_user(pool, "bob")
    app = make_client(pool)
    families = [tokens.sign_in(app, u, "TokenGeneration_Authentication") for u in
                (user, user, other)]
    origins = [str(RefreshToken.objects.get(token_hash=tokens.hash_refresh_token(
        f.refresh_token or "")).origin_jti) for f in families]
    assert all(tokens.family_is_live(origin) for origin in origins)
    response = act(admin_client, "global_sign_out_users", [user])
    assert messages_of(response) == ["Signed out: 1 pool user."]
    assert [tokens.family_is_live(origin) for origin in origins] == [False, False, True]


def test_reset_password_action(admin_client: Client, pool: UserPool) -> None:
    verified = make_user(pool, "alice", email="alice@example.com", email_verified="true")
    no_contact = make_user(pool, "bob")
    response = act(admin_client, "reset_passwords", [verified, no_contact])
    assert reload(verified).status == UserStatus.RESET_REQUIRED
    assert re.fullmatch(r"\d{6}", last_code("alice@example.com"))
    assert reload(no_contact).status == UserStatus.CONFIRMED
    assert messages_of(response) == [
        "Password reset required: 1 pool user.",
        "bob: Cannot reset password for the user as there is no registered/verified email "
        "or phone_number"]


def test_add_to_group_action(admin_client: Client, make_pool: Any) -> None:
    main, other = make_pool(name="main"), make_pool(name="other")
    team = groups.create_group(main, "team")
    alice, bob = make_user(main, "alice"), make_user(main, "bob")
    stranger = make_user(other, "stranger")
    page = act(admin_client, "add_to_group", [alice, bob, stranger])
    assert page.status_code == 200
    assert '<option value="team">' in page.content.decode()
    assert not GroupMembership.objects.exists()
    response = act(admin_client, "add_to_group", [alice, bob, stranger], group="team", apply="1")
    assert response.status_code == 302
    assert set(GroupMembership.objects.values_list("user__username", flat=True)) == {
        "alice", "bob"}
    assert all(m.group == team for m in GroupMembership.objects.all())
    assert messages_of(response) == ["Added to group team: 2 pool users.",
                                     "stranger: Group not found."]


def test_add_to_missing_group_changes_nothing(admin_client: Client, pool: UserPool) -> None:
    alice = make_user(pool, "alice")
    response = act(admin_client, "add_to_group", [alice], group="nope", apply="1")
    assert messages_of(response) == ["alice: Group not found."]
    assert not GroupMembership.objects.exists()


def test_delete_action_deletes_through_the_service(admin_client: Client, pool: UserPool) -> None:
    alice, bob, keep = (make_user(pool, n) for n in ("alice", "bob", "keep"))
    django_ids = [alice.user_id, bob.user_id]
    confirm = act(admin_client, "delete_selected", [alice, bob])
    assert confirm.status_code == 200
    assert "Pool user: alice" in confirm.content.decode()
    response = act(admin_client, "delete_selected", [alice, bob], post="yes")
    assert response.status_code == 302
    assert list(PoolUser.objects.values_list("username", flat=True)) == ["keep"]
    assert not get_user_model()._default_manager.filter(pk__in=django_ids).exists()
    assert get_user_model()._default_manager.filter(pk=keep.user_id).exists()


def test_actions_refuse_more_users_than_the_bound(admin_client: Client, pool: UserPool,
                                                  monkeypatch: Any) -> None:
    monkeypatch.setattr(user_actions, "MAX_ACTION_USERS", 1)
    a = make_user(pool, "a", status=UserStatus.UNCONFIRMED)
    b = make_user(pool, "b", status=UserStatus.UNCONFIRMED)
    response = act(admin_client, "confirm_users", [a, b])
    assert messages_of(response) == [
        "Select at most 1 users for one action; narrow the list with a search or a filter."]
    assert {reload(a).status, reload(b).status} == {UserStatus.UNCONFIRMED}


def test_actions_need_change_permission(pool: UserPool) -> None:
    user = make_user(pool, "alice", status=UserStatus.UNCONFIRMED)
    client = staff("view_pooluser")
    response = act(client, "confirm_users", [user])
    assert response.status_code == 200  # the action is not offered; nothing happens
    assert reload(user).status == UserStatus.UNCONFIRMED


# Change form: attributes and password ----------------------------------------------------------

def edit(client: Client, user: PoolUser, attrs: dict[str, Any]) -> Any:
    return client.post(url("pooluser", "change", user.pk),
                       {"attributes_json": json.dumps(attrs), "_save": "Save"})


@pytest.fixture
def custom_pool(make_pool: Any) -> UserPool:
    return make_pool(schema=CUSTOM_SCHEMA)


def test_change_form_shows_attributes_but_not_the_password_hash(
        admin_client: Client, custom_pool: UserPool) -> None:
    user = make_user(custom_pool, "alice", email="alice@example.com")
    passwords.set_password(user, PASSWORD)
    user.save()
    content = admin_client.get(url("pooluser", "change", user.pk)).content.decode()
    assert "alice@example.com" in content and str(user.sub) in content
    assert user.password not in content


@pytest.mark.parametrize(("attrs", "error"), [
    ({"favorite_color": "blue"},
     "Attributes did not conform to the schema: favorite_color: Attribute does not exist in "
     "the schema."),
    ({"given_name": "x" * 2049},
     "Attributes did not conform to the schema: given_name: String must be no longer than "
     "2048 characters"),
    ({"custom:tier": "platinum"},
     "Attributes did not conform to the schema: custom:tier: String must be no longer than 5 "
     "characters"),
    ({"custom:badge": "gold"},
     "Attributes did not conform to the schema: custom:badge: Attribute cannot be updated. "
     "(changing an immutable attribute)"),
    ({"email": "not-an-email"}, "Invalid email address format."),
    ({"given_name": 5}, "Attribute values must be strings."),
])
def test_attribute_editing_rejects_what_the_schema_refuses(
        admin_client: Client, custom_pool: UserPool, attrs: dict[str, Any], error: str) -> None:
    user = make_user(custom_pool, "alice", email="alice@example.com", **{"custom:badge": "x"})
    before = dict(reload(user).attributes)
    response = edit(admin_client, user, {**before, **attrs})
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["attributes_json"] == [error]
    assert reload(user).attributes == before


def test_attribute_editing_rejects_invalid_json(admin_client: Client, pool: UserPool) -> None:
    user = make_user(pool, "alice")
    response = admin_client.post(url("pooluser", "change", user.pk),
                                 {"attributes_json": "[1, 2", "_save": "Save"})
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["attributes_json"][0].startswith(
        "Enter valid JSON")


def test_attribute_editing_cannot_remove_the_username_attribute(admin_client: Client,
                                                                make_pool: Any) -> None:
    pool = make_pool(username_attributes=["email"])
    user = make_user(pool, "ann@example.com")
    response = edit(admin_client, user, {"given_name": "Ann"})
    assert response.context["adminform"].form.errors["attributes_json"] == [
        "Cannot delete email: it is the username."]
    assert reload(user).attributes == {"email": "ann@example.com"}
    # The service the form defers to enforces the same rule.
    with pytest.raises(InvalidParameterException, match="^Cannot delete email: it is the"):
        attributes.update_user_attributes(reload(user), {"email": ""}, admin=True)
    assert reload(user).attributes == {"email": "ann@example.com"}


def test_attribute_editing_saves_through_the_service(admin_client: Client,
                                                     custom_pool: UserPool) -> None:
    user = make_user(custom_pool, "alice", email="alice@example.com", email_verified="true",
                     nickname="al")
    response = edit(admin_client, user, {
        "email": "new@example.com", "email_verified": "false", "given_name": "Alice",
        "custom:tier": "gold"})
    assert response.status_code == 302
    fresh = reload(user)
    assert fresh.attributes == {"email": "new@example.com", "email_verified": "false",
                                "given_name": "Alice", "custom:tier": "gold"}
    assert fresh.email_key == "new@example.com"  # the indexed copies follow
    assert fresh.user.email == "new@example.com"
    entry = LogEntry.objects.get(object_id=str(user.pk))
    assert entry.get_change_message() == "Changed Attributes."


def test_changed_email_becomes_unverified_and_gets_a_code(admin_client: Client,
                                                          pool: UserPool) -> None:
    user = make_user(pool, "alice", email="alice@example.com", email_verified="true")
    edit(admin_client, user, {"email": "new@example.com", "email_verified": "true"})
    attrs = reload(user).attributes
    assert (attrs["email"], attrs["email_verified"]) == ("new@example.com", "false")
    assert re.fullmatch(r"\d{6}", last_code("new@example.com"))
    mail.outbox.clear()
    response = admin_client.post(url("pooluser", "change", user.pk), {
        "attributes_json": json.dumps({"email": "other@example.com", "email_verified": "false"}),
        "mark_email_verified": "on", "_save": "Save"})
    assert response.status_code == 302
    attrs = reload(user).attributes
    assert (attrs["email"], attrs["email_verified"]) == ("other@example.com", "true")
    assert not mail.outbox


def test_a_conflict_found_while_saving_is_a_message_not_a_500(admin_client: Client,
                                                             make_pool: Any) -> None:
    pool = make_pool(alias_attributes=["email"])
    make_user(pool, "holder", email="taken@example.com", email_verified="true")
    user = make_user(pool, "alice", email="alice@example.com")
    response = admin_client.post(url("pooluser", "change", user.pk), {
        "attributes_json": json.dumps({"email": "taken@example.com"}),
        "mark_email_verified": "on", "_save": "Save"})
    assert response.status_code == 302
    assert messages_of(response) == ["An account with the email already exists."]
    assert reload(user).attributes == {"email": "alice@example.com"}
    assert not LogEntry.objects.filter(object_id=str(user.pk)).exists()


def test_set_password_view(admin_client: Client, pool: UserPool) -> None:
    user = make_user(pool, "alice", status=UserStatus.FORCE_CHANGE_PASSWORD)
    page = url("pooluser", "password", user.pk)
    assert admin_client.get(page).status_code == 200
    weak = admin_client.post(page, {"password": "short"})
    assert weak.status_code == 200
    assert weak.context["form"].errors["password"] == [
        "Password did not conform with policy: Password not long enough"]
    response = admin_client.post(page, {"password": PASSWORD, "permanent": "on"})
    assert response.status_code == 302
    fresh = reload(user)
    assert fresh.status == UserStatus.CONFIRMED and passwords.verify(fresh, PASSWORD)


def test_set_password_needs_change_permission(pool: UserPool) -> None:
    user = make_user(pool, "alice")
    client = staff("view_pooluser")
    assert client.get(url("pooluser", "password", user.pk)).status_code == 403
    assert client.post(url("pooluser", "password", user.pk),
                       {"password": PASSWORD, "permanent": "on"}).status_code == 403


# Adding users, pools, clients and groups -------------------------------------------------------

def add_user(client: Client, pool: UserPool, **data: Any) -> Any:
    return client.post(url("pooluser", "add"), {"pool": pool.pk, "_save": "Save", **data})


def test_add_user_creates_through_admin_create_user(admin_client: Client,
                                                    pool: UserPool) -> None:
    response = add_user(admin_client, pool, username="alice", email="alice@example.com",
                        email_verified="on", temporary_password="Temp0rary!",
                        delivery_mediums=["EMAIL"], other_attributes='{"given_name": "Alice"}')
    assert response.status_code == 302
    user = PoolUser.objects.get(username="alice")
    assert user.status == UserStatus.FORCE_CHANGE_PASSWORD
    assert user.attributes == {"email": "alice@example.com", "email_verified": "true",
                               "given_name": "Alice"}
    assert passwords.verify(user, "Temp0rary!")
    assert len(mail.outbox) == 1 and "Temp0rary!" in mail.outbox[0].body
    assert response["Location"] == url("pooluser", "changelist")


def test_add_user_can_suppress_the_invitation(admin_client: Client, pool: UserPool) -> None:
    response = add_user(admin_client, pool, username="bob", suppress_invitation="on")
    assert response.status_code == 302
    assert PoolUser.objects.get(username="bob").status == UserStatus.FORCE_CHANGE_PASSWORD
    assert not mail.outbox


@pytest.mark.parametrize(("data", "field", "error"), [
    ({"username": "alice", "suppress_invitation": "on"}, "username", "User already exists"),
    ({"username": "new", "temporary_password": "weak", "suppress_invitation": "on"},
     "temporary_password", "Password did not conform with policy: Password not long enough"),
    ({"username": "new", "delivery_mediums": ["EMAIL"]}, "__all__",
     "The user has no attribute matching the delivery mediums: add one or suppress the "
     "invitation."),
    ({"username": "new", "email": "bad", "suppress_invitation": "on"}, "__all__",
     "Invalid email address format."),
    ({"username": "has space", "suppress_invitation": "on"}, "username",
     "1 validation error detected: Value at 'username' failed to satisfy constraint: Member "
     "must satisfy regular expression pattern: [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+"),
])
def test_add_user_form_errors(admin_client: Client, pool: UserPool, data: dict[str, Any],
                              field: str, error: str) -> None:
    make_user(pool, "alice")
    response = add_user(admin_client, pool, **data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors[field] == [error]
    assert PoolUser.objects.count() == 1 and not mail.outbox


def test_a_trigger_veto_while_creating_is_a_message_not_a_500(admin_client: Client,
                                                              pool: UserPool) -> None:
    def reject(**kwargs: Any) -> None:
        raise TriggerRejected("no new users today")

    signals.pre_sign_up.connect(reject, sender=UserPool, weak=False)
    try:
        response = add_user(admin_client, pool, username="alice", suppress_invitation="on")
    finally:
        signals.pre_sign_up.disconnect(reject, sender=UserPool)
    assert response.status_code == 302 and response["Location"] == url("pooluser", "add")
    assert messages_of(response) == ["PreSignUp failed with error no new users today."]
    assert not PoolUser.objects.exists() and not LogEntry.objects.exists()
    assert get_user_model()._default_manager.count() == 1  # only the admin


def test_add_user_in_an_email_username_pool(admin_client: Client, make_pool: Any) -> None:
    pool = make_pool(username_attributes=["email"])
    response = add_user(admin_client, pool, username="ann@example.com",
                        delivery_mediums=["EMAIL"])
    assert response.status_code == 302
    user = PoolUser.objects.get()
    assert user.username == str(user.sub) and user.attributes["email"] == "ann@example.com"
    assert mail.outbox[0].to == ["ann@example.com"]


def test_add_pool_goes_through_create_user_pool(admin_client: Client) -> None:
    response = admin_client.post(url("userpool", "add"), {
        "name": "shop", "username_attributes": ["email"], "auto_verified_attributes": ["email"],
        "minimum_length": 10, "require_uppercase": "on", "require_numbers": "on",
        "password_history_size": 2, "temporary_password_validity_days": 3,
        "mfa_configuration": "OFF", "allow_self_sign_up": "on",
        "custom_attributes": json.dumps([{"Name": "tenant", "AttributeDataType": "String"}]),
        "_save": "Save"})
    assert response.status_code == 302
    pool = UserPool.objects.get()
    assert re.fullmatch(r"us-east-1_[A-Za-z0-9]+", pool.id)
    assert pool.username_attributes == ["email"] and pool.minimum_length == 10
    assert (pool.require_uppercase, pool.require_lowercase, pool.require_symbols) == (
        True, False, False)
    schema = pool.schema_by_name()
    assert "sub" in schema and schema["custom:tenant"]["AttributeDataType"] == "String"
    assert pool.admin_create_user_config == {"AllowAdminCreateUserOnly": False}
    assert LogEntry.objects.get().object_id == pool.id


@pytest.mark.parametrize(("data", "field", "error"), [
    ({"username_attributes": ["email"], "alias_attributes": ["phone_number"]}, "__all__",
     "Only one of the alias attributes or username attributes can be set in a user pool."),
    ({"custom_attributes": '[{"Name": "bad name!"}]'}, "custom_attributes",
     "Invalid custom attribute name bad name!: 1 to 20 letters, marks, symbols, numbers or "
     "punctuation."),
    ({"custom_attributes": '{"Name": "x"}'}, "custom_attributes", "Enter a JSON list."),
    ({"minimum_length": 5}, "minimum_length", "Ensure this value is greater than or equal to 6."),
    ({"name": "semi;colon"}, "name", "Use letters, digits, spaces and + = , . @ - only."),
    ({"mfa_configuration": "ON"}, "__all__", "SMS configuration and Auto verification for "
     "phone_number are required when MFA is required/optional"),
])
def test_add_pool_form_errors(admin_client: Client, data: dict[str, Any], field: str,
                              error: str) -> None:
    form = {"name": "shop", "minimum_length": 8, "password_history_size": 0,
            "temporary_password_validity_days": 7, "mfa_configuration": "OFF", **data}
    response = admin_client.post(url("userpool", "add"), form)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors[field] == [error]
    assert not UserPool.objects.exists()


def test_pool_change_form_keeps_sign_in_configuration_fixed(admin_client: Client,
                                                            pool: UserPool) -> None:
    response = admin_client.post(url("userpool", "change", pool.pk), {
        "name": "renamed", "minimum_length": 12, "password_history_size": 0,
        "temporary_password_validity_days": 7, "mfa_configuration": "OFF",
        "username_attributes": '["email"]', "case_sensitive": "", "_save": "Save"})
    assert response.status_code == 302
    fresh = UserPool.objects.get(pk=pool.pk)
    assert (fresh.name, fresh.minimum_length) == ("renamed", 12)
    assert fresh.username_attributes == [] and fresh.case_sensitive is True
    page = admin_client.get(url("userpool", "change", pool.pk)).content.decode()
    assert f"pool__id__exact={pool.pk}" in page


def test_pool_change_form_turns_mfa_on_only_with_a_factor(admin_client: Client,
                                                          pool: UserPool) -> None:
    form = {"name": pool.name, "minimum_length": 8, "password_history_size": 0,
            "temporary_password_validity_days": 7, "mfa_configuration": "OPTIONAL",
            "_save": "Save"}
    response = admin_client.post(url("userpool", "change", pool.pk), form)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["mfa_configuration"] == [
        "Turn on an MFA factor first (SetUserPoolMfaConfig): MFA ON or OPTIONAL needs one."]
    assert UserPool.objects.get(pk=pool.pk).mfa_configuration == "OFF"
    pool_config.set_mfa_config(pool, "OFF", {"SoftwareTokenMfaConfiguration": {"Enabled": True}})
    response = admin_client.post(url("userpool", "change", pool.pk), form)
    assert response.status_code == 302
    assert UserPool.objects.get(pk=pool.pk).mfa_configuration == "OPTIONAL"


def test_pool_deletion_respects_deletion_protection(admin_client: Client,
                                                    make_pool: Any) -> None:
    protected = make_pool(name="protected", deletion_protection=True)
    response = admin_client.post(url("userpool", "delete", protected.pk), {"post": "yes"})
    assert response.status_code == 302
    assert response["Location"] == url("userpool", "change", protected.pk)
    assert messages_of(response) == [
        "The user pool cannot be deleted because deletion protection is activated."]
    assert UserPool.objects.filter(pk=protected.pk).exists()


def test_pool_deletion_summarizes_and_deletes_django_users(admin_client: Client,
                                                           pool: UserPool) -> None:
    user = make_user(pool, "alice")
    AppClient.objects.create(id="c" * 26, pool=pool, name="app")
    confirm = admin_client.get(url("userpool", "delete", pool.pk))
    assert confirm.status_code == 200
    assert dict(confirm.context["model_count"]) == {"user pools": "1", "pool users": "1",
                                              "app clients": "1"}
    response = admin_client.post(url("userpool", "delete", pool.pk), {"post": "yes"})
    assert response.status_code == 302
    assert not UserPool.objects.exists() and not PoolUser.objects.exists()
    assert not get_user_model()._default_manager.filter(pk=user.user_id).exists()


def test_add_client_with_a_generated_secret(admin_client: Client, pool: UserPool) -> None:
    response = admin_client.post(url("appclient", "add"), {
        "pool": pool.pk, "name": "server", "generate_secret": "on",
        "explicit_auth_flows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        "access_token_minutes": 30, "id_token_minutes": 45, "refresh_token_days": 7,
        "prevent_user_existence_errors": "ENABLED", "enable_token_revocation": "on",
        "_save": "Save"})
    assert response.status_code == 302
    client = AppClient.objects.get()
    assert re.fullmatch(r"[a-z0-9]{26}", client.id)
    assert client.secret and client.pool == pool
    assert client.explicit_auth_flows == ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
    assert (client.access_token_validity, client.id_token_validity,
            client.refresh_token_validity) == (30, 45, 7)
    assert client.token_validity_units == {"AccessToken": "minutes", "IdToken": "minutes",
                                           "RefreshToken": "days"}
    assert client.prevents_user_existence_errors


def test_add_client_without_a_secret(admin_client: Client, pool: UserPool) -> None:
    admin_client.post(url("appclient", "add"), {
        "pool": pool.pk, "name": "spa", "explicit_auth_flows": ["ALLOW_USER_SRP_AUTH"],
        "access_token_minutes": 60, "id_token_minutes": 60, "refresh_token_days": 30,
        "prevent_user_existence_errors": "LEGACY", "_save": "Save"})
    client = AppClient.objects.get()
    assert client.secret is None and client.enable_token_revocation is False


def test_client_change_form_rejects_mixed_flows(admin_client: Client,
                                                client_app: AppClient) -> None:
    response = admin_client.post(url("appclient", "change", client_app.pk), {
        "name": "app", "explicit_auth_flows": ["USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH"],
        "auth_session_validity": 3, "prevent_user_existence_errors": "LEGACY", "_save": "Save"})
    assert response.context["adminform"].form.errors["explicit_auth_flows"] == [
        "Legacy flows and ALLOW_ flows cannot be mixed."]


# Client secret ---------------------------------------------------------------------------------

@pytest.fixture
def confidential(pool: UserPool, make_client: Any) -> AppClient:
    return make_client(pool, name="server", generate_secret=True)


def test_secret_is_never_in_the_list_or_change_form(admin_client: Client,
                                                    confidential: AppClient) -> None:
    secret = AppClient.objects.get(pk=confidential.pk).secret
    assert secret
    for page in (url("appclient", "changelist"), url("appclient", "change", confidential.pk),
                 url("appclient", "secret", confidential.pk)):
        response = admin_client.get(page)
        assert response.status_code == 200
        assert secret not in response.content.decode()
    assert not LogEntry.objects.exists()


def test_secret_is_revealed_on_post_and_logged(admin_client: Client,
                                               confidential: AppClient) -> None:
    response = admin_client.post(url("appclient", "secret", confidential.pk))
    assert response.status_code == 200
    assert response.context["secret"] == AppClient.objects.get(pk=confidential.pk).secret
    assert f'<code id="revealed-secret">{response.context["secret"]}</code>' in (
        response.content.decode())
    assert "no-store" in response["Cache-Control"]
    entry = LogEntry.objects.get()
    assert (entry.object_id, entry.get_change_message()) == (
        confidential.pk, "Revealed the client secret.")


def test_secret_needs_change_permission(confidential: AppClient) -> None:
    client = staff("view_appclient")
    assert client.get(url("appclient", "change", confidential.pk)).status_code == 200
    for method in (client.get, client.post):
        response = method(url("appclient", "secret", confidential.pk))
        assert response.status_code == 403
    assert not LogEntry.objects.exists()
    anonymous = Client().post(url("appclient", "secret", confidential.pk))
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]


def test_secret_page_of_a_client_without_secret(admin_client: Client,
                                                client_app: AppClient) -> None:
    response = admin_client.post(url("appclient", "secret", client_app.pk))
    assert response.status_code == 200 and response.context.get("secret") is None
    assert "This client has no secret." in response.content.decode()
    assert admin_client.post(url("appclient", "secret", "missing")).status_code == 404


# Groups ----------------------------------------------------------------------------------------

def test_groups_list_member_counts_and_link_to_members(admin_client: Client,
                                                       pool: UserPool) -> None:
    team = groups.create_group(pool, "team")
    groups.create_group(pool, "empty")
    for name in ("alice", "bob"):
        groups.add_user_to_group(make_user(pool, name), team)
    response = admin_client.get(url("group", "changelist"))
    counts = {g.name: g.members_total for g in response.context["cl"].result_list}
    assert counts == {"team": 2, "empty": 0}
    page = admin_client.get(url("group", "change", team.pk)).content.decode()
    assert f"?group={team.pk}" in page and "2 members" in page


def test_add_and_change_group_through_the_services(admin_client: Client,
                                                   pool: UserPool) -> None:
    arn = "arn:aws:iam::123456789012:role/admins"
    response = admin_client.post(url("group", "add"), {
        "pool": pool.pk, "name": "admins", "description": "Admins", "role_arn": arn,
        "precedence": 1, "_save": "Save"})
    assert response.status_code == 302
    group = Group.objects.get()
    assert (group.name, group.role_arn, group.precedence) == ("admins", arn, 1)
    response = admin_client.post(url("group", "change", group.pk), {
        "description": "All admins", "role_arn": "", "precedence": 5, "_save": "Save"})
    assert response.status_code == 302
    group.refresh_from_db()
    assert (group.name, group.description, group.role_arn, group.precedence) == (
        "admins", "All admins", "", 5)


@pytest.mark.parametrize(("data", "field", "error"), [
    ({"name": "has space"}, "name", "A group name cannot contain whitespace."),
    ({"role_arn": "not-an-arn"}, "role_arn", "Enter an IAM role ARN (arn:aws:iam::…:role/…)."),
    ({"name": "taken"}, "__all__", "User pool group with this Pool and Name already exists."),
])
def test_group_form_errors(admin_client: Client, pool: UserPool, data: dict[str, Any],
                           field: str, error: str) -> None:
    groups.create_group(pool, "taken")
    response = admin_client.post(url("group", "add"), {"pool": pool.pk, "name": "ok", **data})
    assert response.status_code == 200
    assert response.context["adminform"].form.errors[field] == [error]
    assert Group.objects.count() == 1


def test_every_page_renders(admin_client: Client, pool: UserPool, confidential: AppClient) -> None:
    user = make_user(pool, "alice", email="alice@example.com")
    group = groups.create_group(pool, "team")
    groups.add_user_to_group(user, group)
    pages = [reverse("admin:index"), url("userpool", "add"), url("appclient", "add"),
             url("pooluser", "add") + f"?pool={pool.pk}", url("group", "add")]
    for model, obj in (("userpool", pool), ("appclient", confidential), ("pooluser", user),
                       ("group", group)):
        pages += [url(model, "changelist"), url(model, "change", obj.pk),
                  url(model, "delete", obj.pk), url(model, "history", obj.pk)]
    for page in pages:
        assert admin_client.get(page).status_code == 200, page
    assert admin_client.get(url("pooluser", "add") + f"?pool={pool.pk}").context[
        "adminform"].form.initial["pool"] == pool.pk
    group_delete = admin_client.get(url("group", "delete", group.pk))
    assert dict(group_delete.context["model_count"]) == {"user pool groups": "1",
                                                         "group memberships": "1"}


def test_pool_ids_that_look_quoted_open_from_the_changelist(admin_client: Client,
                                                            monkeypatch: Any) -> None:
    # "_3C" is how the admin quotes "<": the admin's links must quote the id so that
    # unquoting gives it back.
    monkeypatch.setattr(pools_service.cs, "new_pool_id", lambda region: f"{region}_3C2F5Fabc")
    pool = pools_service.create_user_pool("quoted")
    assert pool.pk == "us-east-1_3C2F5Fabc"
    listing = admin_client.get(url("userpool", "changelist")).content.decode()
    links = set(re.findall(r'href="(/admin/django_cognito/userpool/[^"]+/change/)', listing))
    assert links == {url("userpool", "change", pool.pk)}
    page = admin_client.get(links.pop())
    assert page.status_code == 200
    assert page.context["original"] == pool
