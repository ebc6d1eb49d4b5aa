"""What ``bench.load --faults`` checks after the faults: sign-ups whole or absent, no
password checked that the lockout did not count, sign-outs still holding, and what a Redis
restart does to a lock in force with and without the append-only file."""

from __future__ import annotations

import threading
import time
from collections import Counter
from typing import Any

from bench.load_client import LOCKED, WRONG, WRONG_PASSWORD, Api, Failure, SignUps
from bench.servers import Redis


def guess_during(api: Api, username: str, halt: threading.Event, tally: Counter[str]) -> None:
    """Wrong passwords for ``username`` until ``halt``; each answer counted by kind."""
    while not halt.is_set():
        try:
            api.password_sign_in(username, WRONG)
            tally["signed in (!)"] += 1
        except Failure as failure:
            if failure.message == WRONG_PASSWORD:
                tally["checked: wrong password"] += 1
            elif failure.message == LOCKED:
                tally["refused: locked"] += 1
            else:
                tally[f"refused: {failure.kind}"] += 1
        time.sleep(0.05)


def watch_health(api: Api, halt: threading.Event, began: float,
                 changes: list[tuple[float, int]]) -> None:
    """Ask ``/health`` every 100 ms until ``halt`` (as a load balancer would, more often);
    ``changes`` gets (seconds since ``began``, status) each time the status changes."""
    last = None
    while not halt.is_set():
        status = api.health()
        if status != last:
            changes.append((round(time.monotonic() - began, 2), status))
            last = status
        time.sleep(0.1)


def sign_out(api: Api, username: str) -> dict[str, str]:
    """Sign in, use the access token once (its family is now cached "live"), sign out."""
    tokens = api.password_sign_in(username, api.seed["password"])
    api.call("GetUser", {"AccessToken": tokens["AccessToken"]})
    api.call("GlobalSignOut", {"AccessToken": tokens["AccessToken"]})
    return tokens


def refused(call: Any) -> str:
    try:
        call()
    except Failure as failure:
        return failure.kind
    return "accepted"


def _sign_ups(api: Api, sign_ups: SignUps) -> dict[str, Any]:
    """Every sign-up that answered 200 exists and signs in; an unconfirmed one (SignUp 200,
    the confirmation an error) is whole and confirms; one that answered an error is absent
    or whole (its attributes, and it confirms and signs in), never half-made."""
    tally: Counter[str] = Counter()
    broken: list[str] = []
    for username, outcome in sorted(sign_ups.outcomes.items()):
        if outcome == "ok":
            try:
                api.password_sign_in(username, api.seed["password"])
                tally["answered 200: exists and signs in"] += 1
            except Failure as failure:
                broken.append(f"{username} (200): {failure.kind}")
            continue
        try:
            user = api.admin("AdminGetUser", Username=username)
        except Failure as failure:
            if failure.kind == "UserNotFoundException" and outcome != "unconfirmed":
                tally[f"answered {outcome}: absent"] += 1
            else:
                broken.append(f"{username} ({outcome}): {failure.kind}")
            continue
        emails = [a["Value"] for a in user.get("UserAttributes", []) if a["Name"] == "email"]
        try:
            if user["UserStatus"] == "UNCONFIRMED":
                api.admin("AdminConfirmSignUp", Username=username)
            api.password_sign_in(username, api.seed["password"])
        except Failure as failure:
            broken.append(f"{username} ({outcome}): exists, {failure.kind}")
            continue
        if emails != [f"{username}@example.com"]:
            broken.append(f"{username} ({outcome}): attributes {emails}")
            continue
        tally[f"answered {outcome}: exists whole, confirms and signs in"] += 1
    return {"counts": dict(tally), "half_made_or_lost": broken}


def audit(api: Api, sign_ups: SignUps, signed_out: list[dict[str, str]],
          faults: list[dict[str, Any]], redis: Redis) -> dict[str, Any]:
    """The checks after the run (``faults``: ``bench.load.windows`` rows)."""
    guessers = {}
    for row in faults:
        if "guesser" not in row:
            continue
        answers = row["answers"]
        counted = redis.lockout_count(api.seed["pks"][row["guesser"]])
        checked = answers.get("checked: wrong password", 0)
        guessers[row["fault"]] = {
            "answers": answers, "lockout_count_after": counted,
            # A check that answered "wrong password" but left no count would be a free try.
            "extra_tries": max(0, checked - counted)}
    sign_outs = {"checked": len(signed_out), "access_token": Counter(), "refresh_token": Counter()}
    for tokens in signed_out:
        sign_outs["access_token"][refused(lambda t=tokens: api.call(
            "GetUser", {"AccessToken": t["AccessToken"]}))] += 1
        sign_outs["refresh_token"][refused(lambda t=tokens: api.refresh(
            t["RefreshToken"]))] += 1
    return {"sign_ups": _sign_ups(api, sign_ups), "guessers": guessers,
            "sign_outs": {k: dict(v) if isinstance(v, Counter) else v
                          for k, v in sign_outs.items()}}


def lock_survives_restart(api: Api, redis: Redis, username: str, *,
                          persistent: bool) -> dict[str, Any]:
    """Lock ``username`` (7 failures: 4 s from the last), crash Redis (SIGKILL), start it
    again and try the right password: still locked, or signed in (the lock lost)."""
    client = redis.client()
    client.config_set("appendonly", "yes" if persistent else "no")
    redis.persistent = persistent
    pk = api.seed["pks"][username]
    deadline = time.monotonic() + 60
    while redis.lockout_count(pk) < 7 and time.monotonic() < deadline:
        try:
            api.password_sign_in(username, WRONG)
        except Failure as failure:
            if failure.message == LOCKED:  # attempts during a lock are not counted
                time.sleep(0.25)
    before = redis.lockout_count(pk)
    redis.kill()
    redis.start()
    began = time.monotonic()
    while True:  # until the server answers again (its first calls may find no connection)
        try:
            api.password_sign_in(username, api.seed["password"])
            outcome = "signed in (the lock was lost)"
            break
        except Failure as failure:
            outcome = f"refused: {failure.kind} ({failure.message})"
            if failure.kind != "InternalErrorException" or time.monotonic() - began > 30:
                break
        time.sleep(0.1)
    return {"count_before": before, "count_after": redis.lockout_count(pk),
            "right_password_after_restart": outcome}
