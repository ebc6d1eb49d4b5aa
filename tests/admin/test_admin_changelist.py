"""The pool-user changelist's fast paths: rows, search order, arm-by-arm pages, action menu."""

from __future__ import annotations

import datetime as dt
import pickle
import re
from typing import Any

import pytest
from django.contrib import admin
from django.contrib.admin.helpers import ActionForm
from django.contrib.admin.templatetags import admin_list
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from django_cognito import clock
from django_cognito.admin import PoolUserAdmin, paginator, rows
from django_cognito.admin.search import UserChangeList, search_users
from django_cognito.admin.user_actions import UserActionForm
from django_cognito.models import PoolUser, UserPool, UserStatus
from tests.factories import insert_user as make_user

pytestmark = pytest.mark.django_db


def changelist(client: Client, **params: Any) -> Any:
    response = client.get(reverse("admin:django_cognito_pooluser_changelist"), params)
    assert response.status_code == 200
    return response


def listed(response: Any) -> list[str]:
    return [user.username for user in response.context["cl"].result_list]


def django_rows(cl: UserChangeList) -> list[str]:
    """The rows as Django's own ``items_for_result`` writes them."""
    return ["".join(cells) for cells in admin_list.results(cl)]


# Rows ------------------------------------------------------------------------------------------

@pytest.fixture
def varied(make_pool: Any) -> list[PoolUser]:
    main = make_pool(name="main")
    other = make_pool(name="other pool", case_sensitive=False)
    made = [
        make_user(main, 'al<b>&"x', email="Al@Example.com"),
        make_user(main, "alfred", status=UserStatus.UNCONFIRMED, enabled=False),
        make_user(main, "alma", email="  "),
        make_user(other, "ana", email="ana@example.com", status=UserStatus.RESET_REQUIRED),
    ]
    with clock.shifted(dt.timedelta(days=-400, hours=-5, minutes=-7)):
        made.append(make_user(main, "old", email="old@example.com"))
    return made


@pytest.mark.parametrize("params", [{}, {"q": "al"}, {"status__exact": "CONFIRMED"},
                                    {"enabled__exact": "0", "q": "alf"}])
def test_rows_are_what_django_writes(admin_client: Client, varied: list[PoolUser],
                                     params: dict[str, str], settings: Any) -> None:
    settings.TIME_ZONE = "Asia/Kolkata"  # dates shift by 5:30 on the way to the page
    response = changelist(admin_client, **params)
    cl = response.context["cl"]
    written = rows.result_rows(cl)
    assert written and written == django_rows(cl)
    content = response.content.decode()
    for row in written:
        assert f"<tr>{row}</tr>" in content
    if params:  # the change links keep the changelist's filters
        assert "_changelist_filters=" in written[0]


@admin.display(boolean=True, description="Has email")
def has_email(user: PoolUser) -> bool:
    return "email" in user.attributes


def test_rows_of_any_list_display_are_what_django_writes(
        admin_client: Client, varied: list[PoolUser], monkeypatch: Any) -> None:
    def nothing(self: Any, user: PoolUser) -> None:
        return None

    monkeypatch.setattr(PoolUserAdmin, "nothing", admin.display(empty_value="???")(nothing),
                        raising=False)
    monkeypatch.setattr(PoolUserAdmin, "list_display", (
        "sub", "username", "pool", "user", "password_set_at", "modified_at", "enabled",
        "status", lambda user: user.created_at, has_email, "__str__", "nothing", "email"))
    monkeypatch.setattr(PoolUserAdmin, "list_display_links", ("username",))
    monkeypatch.setattr(PoolUserAdmin, "list_columns", ())
    cl = changelist(admin_client, q="a").context["cl"]
    written = rows.result_rows(cl)
    assert len(written) == 4 and written == django_rows(cl)
    assert '<td class="field-lambda9 nowrap">' in written[0]  # a computed date keeps nowrap
    assert '<td class="field-nothing">???</td>' in written[0]


def test_popups_keep_djangos_rendering(admin_client: Client, varied: list[PoolUser]) -> None:
    response = changelist(admin_client, _popup="1")
    cl = response.context["cl"]
    assert cl.result_table is None
    assert f'data-popup-opener="{varied[0].pk}"' in response.content.decode()


def test_a_page_loads_only_the_columns_it_shows(admin_client: Client,
                                                varied: list[PoolUser]) -> None:
    with CaptureQueriesContext(connection) as queries:
        changelist(admin_client)
    page = [q["sql"] for q in queries.captured_queries
            if q["sql"].startswith('SELECT "django_cognito_pooluser"."id"')]
    assert len(page) == 1
    selected = page[0].split(" FROM ")[0]
    for column in ("username", "status", "enabled", "attributes", "created_at", "name"):
        assert f'."{column}"' in selected, column
    for column in ("password", "srp_salt", "srp_verifier", "email_key", "schema"):
        assert f'."{column}"' not in selected, column


# Search order and arm-by-arm pages -------------------------------------------------------------

@pytest.fixture
def searchable(make_pool: Any) -> dict[str, UserPool]:
    main = make_pool(name="main")  # case-sensitive
    other = make_pool(name="other", case_sensitive=False)
    make_user(main, "alice", email="zed@example.com")
    make_user(main, "al", email="al@example.com")  # both match: listed with the usernames
    make_user(main, "bob", email="alma@example.com")
    make_user(main, "carl", email="ALBERT@example.com")
    make_user(main, "Alan", email="nobody@example.com")
    make_user(main, "dan", email="dan@example.com")
    make_user(other, "Alf", email="x@example.com")  # stored lower-cased: "alf"
    make_user(other, "eve", email="alpha@example.com")
    return {"main": main, "other": other}


def by_pool(pools: dict[str, UserPool], *groups: tuple[str, list[str]]) -> list[str]:
    """Names listed pool by pool (in pool id order) within each group, groups in turn."""
    order = sorted(pools.values(), key=lambda pool: pool.pk)
    return [name for _label, names in groups for pool in order
            for name in names if PoolUser.objects.filter(pool=pool, username=name).exists()]


def test_search_lists_username_matches_then_email_matches(
        admin_client: Client, searchable: dict[str, UserPool]) -> None:
    response = changelist(admin_client, q="al")
    assert listed(response) == by_pool(
        searchable, ("usernames", ["al", "alice", "Alf"]), ("emails", ["carl", "bob", "eve"]))
    assert "6 results" in response.content.decode()
    assert listed(changelist(admin_client, q="Al")) == by_pool(
        searchable, ("as typed", ["Alan"]), ("lower-cased", ["al", "alice", "Alf"]),
        ("emails", ["carl", "bob", "eve"]))
    assert listed(changelist(admin_client, q="al@")) == ["al"]  # @: emails only
    assert listed(changelist(admin_client, q="ALBERT@EX")) == ["carl"]
    assert listed(changelist(admin_client, q="+1")) == []


@pytest.mark.parametrize("term", ["al", "Al", "a", "d", "e", "A"])
def test_pages_follow_the_search_order_without_gaps_or_repeats(
        admin_client: Client, searchable: dict[str, UserPool], monkeypatch: Any,
        term: str) -> None:
    monkeypatch.setattr(PoolUserAdmin, "list_per_page", 2)
    expected = [user.username for user in search_users(PoolUser.objects.all(), term)]
    first = changelist(admin_client, q=term)
    cl = first.context["cl"]
    assert cl.result_count == len(expected)
    seen: list[str] = []
    for page in range(1, cl.paginator.num_pages + 1):
        seen += listed(changelist(admin_client, q=term, p=str(page)))
    assert seen == expected
    assert len(set(seen)) == len(seen)
    assert listed(changelist(admin_client, q=term, all="")) == expected  # "Show all"


def test_arm_by_arm_pages_stop_at_the_count_bound(
        admin_client: Client, searchable: dict[str, UserPool], monkeypatch: Any) -> None:
    monkeypatch.setattr(PoolUserAdmin, "list_per_page", 2)
    monkeypatch.setattr(paginator.BoundedPaginator, "limit", 4)
    expected = [user.username for user in search_users(PoolUser.objects.all(), "al")][:4]
    response = changelist(admin_client, q="al")
    cl = response.context["cl"]
    assert cl.paginator.truncated and cl.result_count == 4
    assert "4+ results" in response.content.decode()
    assert listed(response) + listed(changelist(admin_client, q="al", p="2")) == expected


def test_a_small_result_is_read_arm_by_arm_too(admin_client: Client,
                                               searchable: dict[str, UserPool]) -> None:
    with CaptureQueriesContext(connection) as queries:
        response = changelist(admin_client, q="al")
    assert not response.context["cl"].multi_page
    user_queries = [q["sql"] for q in queries.captured_queries
                    if 'FROM "django_cognito_pooluser"' in q["sql"]]
    # Two counts and two reads: each one range of one index, never the two ORed together.
    assert len(user_queries) == 4
    for sql in user_queries:
        assert " OR " not in sql, sql
        assert " CASE " not in sql.upper(), sql
    assert re.search(r'ORDER BY "django_cognito_pooluser"."pool_id" ASC, '
                     r'"django_cognito_pooluser"."email_key" ASC, '
                     r'"django_cognito_pooluser"."id" ASC', user_queries[-1])


def test_arm_counts_read_only_the_indexed_pool_column(
        admin_client: Client, searchable: dict[str, UserPool]) -> None:
    with CaptureQueriesContext(connection) as queries:
        changelist(admin_client, q="al")
    counts = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT COUNT")]
    assert len(counts) == 2
    for sql in counts:
        assert re.match(r'SELECT COUNT\(\*\) FROM \(SELECT "django_cognito_pooluser"."pool_id" '
                        r'AS "pool_id" FROM', sql), sql


def test_a_listing_narrowed_after_the_search_keeps_its_conditions(
        searchable: dict[str, UserPool]) -> None:
    PoolUser.objects.filter(username__in=["alice", "bob", "dan"]).update(enabled=False)
    listing = search_users(PoolUser.objects.all(), "al").filter(enabled=False)
    pages = paginator.BoundedPaginator(listing, 1)
    assert pages.count == 2 and pages.arms is not None
    assert [user.username for number in pages.page_range
            for user in pages.page(number)] == ["alice", "bob"]


def test_a_searched_listing_pickles_without_reading_any_rows(
        searchable: dict[str, UserPool]) -> None:
    listing = search_users(PoolUser.objects.all(), "al")
    with CaptureQueriesContext(connection) as queries:
        restored = PoolUser.objects.all()
        restored.query = pickle.loads(pickle.dumps(listing.query))  # noqa: S301  (our own bytes)
    assert not queries.captured_queries
    assert [user.username for user in restored] == [user.username for user in listing]
    assert len(paginator.BoundedPaginator(restored, 2).page(1)) == 2


def test_actions_apply_to_searched_users(admin_client: Client,
                                         searchable: dict[str, UserPool]) -> None:
    """Select-all across a search reaches every match, username and email ones alike."""
    response = admin_client.post(reverse("admin:django_cognito_pooluser_changelist") + "?q=al",
                                 {"action": "disable_users", "select_across": "1", "index": "0",
                                  "_selected_action": ["0"]})
    assert response.status_code == 302
    disabled = set(PoolUser.objects.filter(enabled=False).values_list("username", flat=True))
    assert disabled == {"al", "alice", "Alf", "carl", "bob", "eve"}


# Action menu -----------------------------------------------------------------------------------

def test_action_menu_is_written_as_django_writes_it() -> None:
    def written(form_class: type[ActionForm]) -> str:
        form = form_class(auto_id=None)
        form.fields["action"].choices = [("", "---------"), ("a<b", 'Do <this> & "that"'),
                                         ("x", "X")]
        return "".join(str(field) for field in form)

    assert written(UserActionForm) == written(ActionForm)
    assert 'value="a&lt;b">Do &lt;this&gt; &amp; &quot;that&quot;</option>' in written(
        UserActionForm)


def test_changelist_offers_every_action(admin_client: Client,
                                        searchable: dict[str, UserPool]) -> None:
    content = changelist(admin_client).content.decode()
    for action in ("confirm_users", "enable_users", "disable_users", "global_sign_out_users",
                   "reset_passwords", "add_to_group", "delete_selected"):
        assert f'<option value="{action}">' in content
    assert '<input type="hidden" name="select_across" value="0" class="select-across">' in content
