"""Timing medians (issue 11, finding 4): under PreventUserExistenceErrors=ENABLED an operation
that takes a username must take as long for a real user as for a name that does not exist.

Each comparison sends 30 pairs of plain HTTP requests (after a few discarded to warm up),
real and missing interleaved with the order alternating, and compares the medians: within
20 % of each other. A loaded machine slows both alike; a measurement that still misses is
taken once more, with fresh names, before the test fails. Every pair must also get the same
answer, so a faster path cannot hide behind a different reply. The test settings' fast
hasher is used on both sides: the comparison is real against missing under the same cost.
Messages go out as they do by default, after the answer (see ``conftest``).

SignUp of an existing name is not compared (its answer already differs, as Cognito's does);
SignUp is timed where the answer is the same: a weak password for an existing or a missing
name, and an email that is (or is not) another user's alias.
"""

from __future__ import annotations

import re
import statistics
import time
from collections.abc import Callable
from typing import Any

import pytest

from django_cognito.models import AppClient, UserPool
from tests.factories import PASSWORD, create_user

pytest_plugins = ["tests.api_fixtures", "tests.live_api"]

TRIES = 30
WARM_UP = 5
TOLERANCE = 1.2
Send = Callable[[str, dict[str, Any]], tuple[int, dict[str, Any]]]
#: A pair's request, from the round and the index: (operation, body).
Request = Callable[[int, int], tuple[str, dict[str, Any]]]


def shape(answer: tuple[int, dict[str, Any]]) -> tuple[int, str]:
    """Status and body with names and addresses reduced to their shape."""
    status, body = answer
    return status, re.sub(r"[A-Za-z0-9]", "#", str({k: v for k, v in body.items()
                                                     if k not in ("Session", "UserSub")}))


def medians(post: Send, real: Request, missing: Request, round_: int) -> tuple[float, float]:
    """Median seconds of the real and of the missing requests of one measurement."""
    times: dict[bool, list[float]] = {True: [], False: []}
    for index in range(WARM_UP + TRIES):
        answers = {}
        for is_real in ((True, False) if index % 2 else (False, True)):
            operation, body = (real if is_real else missing)(round_, index)
            start = time.perf_counter()
            answers[is_real] = post(operation, body)
            elapsed = time.perf_counter() - start
            if index >= WARM_UP:
                times[is_real].append(elapsed)
        assert shape(answers[True]) == shape(answers[False]), answers
    return statistics.median(times[True]), statistics.median(times[False])


def assert_same_time(post: Send, real: Request, missing: Request) -> None:
    found = []
    for round_ in range(2):  # once more before failing: another test may have hogged a core
        real_median, missing_median = medians(post, real, missing, round_)
        found.append(f"real {real_median * 1000:.2f} ms, missing {missing_median * 1000:.2f} ms")
        if max(real_median, missing_median) <= TOLERANCE * min(real_median, missing_median):
            return
    pytest.fail("medians differ by more than 20 %: " + "; ".join(found))


def users(pool: UserPool, prefix: str = "user") -> None:
    """Real users for both rounds: each is asked once, so no limit or lockout interferes."""
    for round_ in range(2):
        for index in range(WARM_UP + TRIES):
            create_user(pool, f"{prefix}-{round_}-{index:02d}")


def test_forgot_password(post: Send, pool: UserPool, hiding_app: AppClient) -> None:
    users(pool)

    def ask(name: str) -> Request:
        return lambda r, i: ("ForgotPassword",
                             {"ClientId": hiding_app.id, "Username": f"{name}-{r}-{i:02d}"})
    assert_same_time(post, ask("user"), ask("nobe"))


def test_initiate_auth_with_a_wrong_password(post: Send, pool: UserPool,
                                             hiding_app: AppClient) -> None:
    users(pool)

    def ask(name: str) -> Request:
        return lambda r, i: ("InitiateAuth", {
            "ClientId": hiding_app.id, "AuthFlow": "USER_PASSWORD_AUTH",
            "AuthParameters": {"USERNAME": f"{name}-{r}-{i:02d}", "PASSWORD": "Wr0ng-pass!"}})
    assert_same_time(post, ask("user"), ask("nobe"))


def test_sign_up_with_a_weak_password(post: Send, pool: UserPool,
                                      hiding_app: AppClient) -> None:
    users(pool)

    def ask(name: str) -> Request:
        return lambda r, i: ("SignUp", {
            "ClientId": hiding_app.id, "Username": f"{name}-{r}-{i:02d}", "Password": "weak",
            "UserAttributes": [{"Name": "email", "Value": "someone@example.com"}]})
    assert_same_time(post, ask("user"), ask("nobe"))


def test_sign_up_with_another_users_email(post: Send, make_pool: Any,
                                          make_client: Any) -> None:
    """In a pool where email is an alias, signing up with an address that is already a
    user's (verified) alias answers as with a fresh one, and as fast."""
    pool = make_pool(name="aliases", alias_attributes=["email"])
    app = make_client(pool, prevent_user_existence_errors="ENABLED")
    users(pool)

    def ask(name: str, domain: str) -> Request:
        return lambda r, i: ("SignUp", {
            "ClientId": app.id, "Username": f"new-{name}-{r}-{i:02d}", "Password": PASSWORD,
            "UserAttributes": [{"Name": "email", "Value": f"user-{r}-{i:02d}@{domain}"}]})
    assert_same_time(post, ask("a", "example.com"), ask("b", "elsewhere.com"))


@pytest.mark.parametrize("preferred", [None, "EMAIL_OTP"])
def test_user_auth_first_factors(post: Send, pool: UserPool, hiding_app: AppClient,
                                 first_factors: Any, preferred: str | None) -> None:
    """USER_AUTH writes a challenge (SELECT_CHALLENGE) or sends a code (EMAIL_OTP) for a real
    user only: the answers are held to the same floor as the recovery operations."""
    first_factors(pool, ["PASSWORD", "EMAIL_OTP"])
    users(pool)

    def ask(name: str) -> Request:
        def request(r: int, i: int) -> tuple[str, dict[str, Any]]:
            parameters = {"USERNAME": f"{name}-{r}-{i:02d}"}
            if preferred:
                parameters["PREFERRED_CHALLENGE"] = preferred
            return "InitiateAuth", {"ClientId": hiding_app.id, "AuthFlow": "USER_AUTH",
                                    "AuthParameters": parameters}
        return request
    assert_same_time(post, ask("user"), ask("nobe"))
