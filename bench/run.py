"""Run the bench on one database: seed (or reuse) N users, time the reads and sign-ups.

    python -m bench.run --backend sqlite --database /tmp/bench.sqlite3 --users 20000
    python -m bench.run --backend postgresql --database postgres://app:app@host:port/app

On PostgreSQL the run uses its own database per user count on the given server
(``cognito_bench_<N>``), so a seed can be reused by later runs against the same server.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import django

RESULTS = Path(__file__).resolve().parent / "results"
EMAIL_PREFIXES = ["ja", "ma", "jo", "ro", "je", "pa"]
GIVEN_PREFIXES = ["Ja", "Ma", "Jo", "Je", "Pa", "Ro"]
DEEP_PREFIXES = ["ja", "ma", "jo"]  # common enough for LATER_PAGE full pages at 20,000 users
LATER_PAGE = 10
PAGE = 60


def say(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


def positive(text: str) -> int:
    value = int(text.replace("_", ""))
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text} is not a positive number")
    return value


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    return int(value.replace("_", "")) if value.strip() else default


# Databases -------------------------------------------------------------------------------
def _pg_url(server_url: str, name: str) -> str:
    parts = urlsplit(server_url)
    return urlunsplit(parts._replace(path="/" + name))


def _pg_admin(server_url: str, *statements: str) -> None:
    import psycopg

    with psycopg.connect(server_url, autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)


def prepare_database(backend: str, database: str, users: int) -> str:
    """The BENCH_DATABASE value: the SQLite path, or a per-size database on the server."""
    if backend == "sqlite":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
        return database
    import psycopg

    name = f"cognito_bench_{users}"
    with psycopg.connect(database, autocommit=True) as conn:
        found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if found is None:
            conn.execute(f'CREATE DATABASE "{name}"')
    return _pg_url(database, name)


def reset_database(backend: str, server: str, database: str, users: int) -> None:
    """Throw away a database that holds anything but a complete seed of this size."""
    from django.db import connection

    connection.close()
    if backend == "sqlite":
        for suffix in ("", "-journal", "-wal", "-shm"):
            Path(database + suffix).unlink(missing_ok=True)
    else:
        name = f"cognito_bench_{users}"
        _pg_admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)',
                  f'CREATE DATABASE "{name}"')


def database_version() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
        else:
            cursor.execute("SELECT sqlite_version()")
        return str(cursor.fetchone()[0])


# Measurements ----------------------------------------------------------------------------
def sample_users(pool: Any, count: int = 256) -> list[dict[str, Any]]:
    """Users spread evenly over the id range, read once so lookups hit varied rows."""
    from django_cognito.models import PoolUser

    ids = PoolUser.objects.filter(pool=pool).order_by("id").values_list("id", flat=True)
    first, last = ids.first(), ids.last()
    assert first is not None and last is not None, "the bench pool is empty"
    step = max((last - first) // count, 1)
    rows = PoolUser.objects.filter(pool=pool, id__in=range(first, last + 1, step)).values(
        "id", "username", "attributes", "alias_email")
    return [dict(row) for row in rows]


def read_measurements(pool: Any, samples: list[dict[str, Any]]) -> list[Any]:
    """The baseline and every read the issue names, each checking what it got back."""
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse

    from django_cognito.models import PoolUser
    from django_cognito.services.listing import list_users
    from django_cognito.services.users import find_user

    from .measure import Measurement

    verified = [s for s in samples if s["alias_email"]]

    def pk_fetch(i: int) -> None:
        sample = samples[i % len(samples)]
        assert PoolUser.objects.get(pk=sample["id"]).pk == sample["id"]

    def by_username(i: int) -> None:
        sample = samples[i % len(samples)]
        user = find_user(pool, sample["username"].upper())
        assert user is not None and user.pk == sample["id"]

    def by_alias(i: int) -> None:
        sample = verified[i % len(verified)]
        user = find_user(pool, sample["attributes"]["email"])
        assert user is not None and user.pk == sample["id"]

    def listing(attribute: str, prefixes: list[str], column: str) -> Any:
        def page(i: int) -> None:
            prefix = prefixes[i % len(prefixes)]
            result = list_users(pool, filter=f'{attribute} ^= "{prefix}"', limit=PAGE)
            keys = [getattr(u, column) for u in result.items]
            assert len(keys) == PAGE and result.next_token
            assert all(k.startswith(prefix.lower()) for k in keys) and keys == sorted(keys)
        return page

    tokens: dict[str, tuple[str, str]] = {}
    for prefix in DEEP_PREFIXES:
        text, token, last = f'email ^= "{prefix}"', None, ""
        for _ in range(LATER_PAGE):
            result = list_users(pool, filter=text, limit=PAGE, token=token)
            token, last = result.next_token, result.items[-1].email_key or ""
            assert token, f"fewer than {LATER_PAGE} pages of {text}"
        tokens[prefix] = (str(token), last)

    def later_page(i: int) -> None:
        prefix = DEEP_PREFIXES[i % len(DEEP_PREFIXES)]
        token, previous = tokens[prefix]
        result = list_users(pool, filter=f'email ^= "{prefix}"', limit=PAGE, token=token)
        keys = [u.email_key or "" for u in result.items]
        assert len(keys) == PAGE and keys[0] >= previous and all(k.startswith(prefix)
                                                                 for k in keys)

    def unfiltered(i: int) -> None:
        assert len(list_users(pool, limit=PAGE).items) == PAGE

    Django = get_user_model()
    admin = Django._default_manager.filter(username="bench-admin").first()
    if admin is None:
        admin = Django._default_manager.create_superuser("bench-admin", "admin@bench.example",
                                                         None)
    browser = Client()
    browser.force_login(admin)
    searches = [s["attributes"]["email"].split("@")[0][:6] for s in samples]

    def admin_page(query: Any) -> Any:
        def get(i: int) -> None:
            url = reverse("admin:django_cognito_pooluser_changelist")
            response = browser.get(url, query(i) if query else None)
            assert response.status_code == 200, f"HTTP {response.status_code} {url}"
            assert b"result_list" in response.content or b"0 pool users" in response.content
        return get

    return [
        Measurement("pk fetch (baseline)", pk_fetch),
        Measurement("find_user by username", by_username),
        Measurement("find_user by email alias", by_alias),
        Measurement('ListUsers email ^= "..." first page', listing("email", EMAIL_PREFIXES,
                                                                   "email_key")),
        Measurement(f'ListUsers email ^= "..." page {LATER_PAGE + 1} (token)', later_page),
        Measurement('ListUsers given_name ^= "..." first page',
                    listing("given_name", GIVEN_PREFIXES, "given_name_key")),
        Measurement("ListUsers no filter first page", unfiltered),
        Measurement("admin changelist", admin_page(None)),
        Measurement("admin changelist ?q=<email prefix>",
                    admin_page(lambda i: {"q": searches[i % len(searches)]})),
        Measurement("admin changelist ?pool__id__exact=",
                    admin_page(lambda i: {"pool__id__exact": pool.pk})),
    ]


def signups(pool: Any, rounds: int) -> dict[str, Any]:
    """Sign-up + confirm through the services, with one bare hash timed after each round."""
    import statistics

    from django.contrib.auth.hashers import get_hasher, make_password
    from django.core import mail

    from django_cognito.models import AppClient, UserStatus
    from django_cognito.services.signup import confirm_sign_up, sign_up

    from .seed import PASSWORD, SIGNUP_PREFIX, remove_signups

    client = AppClient.objects.select_related("pool").get(pool=pool, name="bench")
    run = f"{int(time.time()):x}"

    def one(i: int) -> None:
        username = f"{SIGNUP_PREFIX}{run}-{i}"
        email = f"{username}@bench.example"
        mail.outbox = []
        sign_up(client, username, PASSWORD, [{"Name": "email", "Value": email},
                                             {"Name": "given_name", "Value": "Bench"}])
        body = str(mail.outbox[-1].body)
        match = re.search(r"\b(\d{6})\b", body)
        assert match, body
        user = confirm_sign_up(client, username, match.group(1))
        assert user.status == UserStatus.CONFIRMED and user.alias_email == email

    round_ms: list[float] = []
    hash_ms: list[float] = []
    try:
        one(-1)
        make_password(PASSWORD)
        for i in range(rounds):
            started = time.perf_counter_ns()
            one(i)
            round_ms.append((time.perf_counter_ns() - started) / 1e6)
            started = time.perf_counter_ns()
            make_password(PASSWORD)
            hash_ms.append((time.perf_counter_ns() - started) / 1e6)
    except Exception as exc:
        return {"error": f"{type(exc).__name__}: {exc}", "rounds": len(round_ms)}
    finally:
        remove_signups(pool)
    per_second = len(round_ms) / (sum(round_ms) / 1000)
    hashes = len(hash_ms) / (sum(hash_ms) / 1000)
    return {"rounds": rounds, "per_second": round(per_second, 3),
            "median_ms": round(statistics.median(round_ms), 2),
            "hasher": get_hasher().algorithm, "hashes_per_second": round(hashes, 3),
            "hash_median_ms": round(statistics.median(hash_ms), 2),
            "ratio": round(per_second / hashes, 3),
            "overhead_ms": round((sum(round_ms) - sum(hash_ms)) / len(round_ms), 2)}


# Main ------------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], required=True)
    parser.add_argument("--database", required=True,
                        help="SQLite file path, or a postgres:// URL of the server")
    parser.add_argument("--users", type=positive, default=env_int("BENCH_USERS", 1_000_000))
    parser.add_argument("--rounds", type=positive, default=env_int("BENCH_ROUNDS", 100))
    parser.add_argument("--signups", type=positive, default=env_int("BENCH_SIGNUPS", 100))
    parser.add_argument("--output", type=Path)
    parser.add_argument("--seed-only", action="store_true",
                        help="seed (or check) the database and stop")
    parser.add_argument("--only", metavar="TEXT",
                        help="time only the reads whose name contains TEXT (the baseline "
                             "always runs) and skip the sign-ups")
    args = parser.parse_args(argv)

    database = prepare_database(args.backend, args.database, args.users)
    os.environ["BENCH_DATABASE"] = database
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    django.setup()
    from django.core.management import call_command

    from . import seed
    from .measure import capture_plans, run_rounds

    if seed.foreign_data(args.users):
        say(f"{args.backend}: the database holds another seed; recreating it")
        reset_database(args.backend, args.database, database, args.users)
    say(f"{args.backend}: migrate")
    call_command("migrate", verbosity=0, skip_checks=True)
    info = seed.ensure_seeded(args.users, say)
    if info is None:
        say(f"{args.backend}: the database holds something else; recreating it")
        reset_database(args.backend, args.database, database, args.users)
        call_command("migrate", verbosity=0, skip_checks=True)
        info = seed.ensure_seeded(args.users, say)
        assert info is not None
    if info.reused:
        say(f"{args.backend}: reusing the seed of {args.users:,} users")
    if args.seed_only:
        return 0

    load_before = os.getloadavg()
    measurements = read_measurements(info.pool, sample_users(info.pool))
    if args.only:
        measurements = [m for i, m in enumerate(measurements)
                        if i == 0 or args.only.lower() in m.name.lower()]
    say(f"{args.backend}: timing {len(measurements)} reads x {args.rounds} rounds")
    run_rounds(measurements, args.rounds, progress=say)
    for m in measurements:
        capture_plans(m)
    baseline = measurements[0]
    baseline_ms = baseline.summary(None).get("median_ms")
    rows = [m.summary(baseline_ms) for m in measurements]
    rows[0]["baseline"] = True
    signup: dict[str, Any] = {"skipped": f"--only {args.only}"}
    if not args.only:
        say(f"{args.backend}: {args.signups} sign-up + confirm rounds")
        signup = signups(info.pool, args.signups)

    from django.conf import settings

    result = {
        "backend": args.backend, "database_version": database_version(), "users": args.users,
        "rounds": args.rounds, "target_ms": 50,
        "seed": {"reused": info.reused, "seconds": round(info.seconds, 1),
                 "stale_signups_removed": info.stale_signups_removed},
        "measurements": rows, "signup": signup,
        "environment": {"python": platform.python_version(), "django": django.__version__,
                        "machine": platform.machine(), "cpus": os.cpu_count(),
                        "password_hashers": settings.PASSWORD_HASHERS[:1],
                        "load_average_before": [round(x, 2) for x in load_before],
                        "load_average_after": [round(x, 2) for x in os.getloadavg()]},
        "finished_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    output = args.output or RESULTS / f"{args.backend}.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(result, indent=2, default=str) + "\n")
    from .report import table

    print(table(result), flush=True)
    say(f"{args.backend}: wrote {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
