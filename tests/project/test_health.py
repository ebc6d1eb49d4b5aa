"""``GET /health``: the databases and the shared cache, each reached for real."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client, override_settings

from bench.processes import free_port

ROOT = Path(__file__).resolve().parents[2]
LOCMEM = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
REDIS = "django.core.cache.backends.redis.RedisCache"
# What a client may see: no host, path, version or error text of any part.
ALLOWED_KEYS = {"status", "database", "cache", "databases"}


def get_health(client: Client) -> tuple[int, dict[str, object], str]:
    response = client.get("/health")
    return response.status_code, json.loads(response.content), response["Cache-Control"]


@pytest.mark.django_db
def test_healthy_with_a_real_redis(redis_socket: Path) -> None:
    caches = {"default": LOCMEM, "shared": {"BACKEND": REDIS,
                                            "LOCATION": f"unix://{redis_socket}"}}
    with override_settings(CACHES=caches, COGNITO={"PUBLIC_BASE_URL": "http://testserver",
                                                   "CACHE_ALIAS": "shared"}):
        status, body, cache_control = get_health(Client())
    assert (status, body) == (200, {"status": "ok", "database": "ok", "cache": "ok"})
    assert "no-store" in cache_control


@pytest.mark.django_db
def test_a_redis_that_refuses_connections_is_named(caplog: pytest.LogCaptureFixture) -> None:
    closed = f"redis://127.0.0.1:{free_port()}/0"
    caches = {"default": LOCMEM, "shared": {"BACKEND": REDIS, "LOCATION": closed,
                                            "OPTIONS": {"socket_connect_timeout": 1}}}
    with override_settings(CACHES=caches, COGNITO={"PUBLIC_BASE_URL": "http://testserver",
                                                   "CACHE_ALIAS": "shared"}):
        status, body, cache_control = get_health(Client())
    assert (status, body) == (503, {"status": "unavailable", "database": "ok",
                                    "cache": "unavailable"})
    assert "no-store" in cache_control
    # The reason goes to the log, for operators; the body says only which part failed.
    assert "Health check: cache 'shared' is unavailable: ConnectionError" in caplog.text


@pytest.mark.django_db
def test_a_cache_that_keeps_nothing_is_unavailable(caplog: pytest.LogCaptureFixture) -> None:
    caches = {"default": LOCMEM,
              "shared": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    with override_settings(CACHES=caches, COGNITO={"PUBLIC_BASE_URL": "http://testserver",
                                                   "CACHE_ALIAS": "shared"}):
        status, body, _ = get_health(Client())
    assert (status, body["cache"]) == (503, "unavailable")
    assert "Health check: cache 'shared' did not keep a value" in caplog.text


@pytest.mark.django_db
def test_only_get_and_head() -> None:
    client = Client()
    assert client.head("/health").status_code == 200
    assert client.post("/health").status_code == 405


# A process whose default database cannot be opened: SQLite at a path under a regular file
# (no directory can be made there), or PostgreSQL at a port nothing listens on.
DOWN_SCRIPT = """
import json, sys
import django
django.setup()
from django.test import Client
response = Client().get("/health")
print(json.dumps({"status": response.status_code, "body": json.loads(response.content),
                  "cache_control": response["Cache-Control"]}))
"""


def run_with_databases(tmp_path: Path, databases: str) -> dict[str, object]:
    """GET /health in a process whose DATABASES is the Python expression ``databases``."""
    settings = tmp_path / "health_down_settings.py"
    settings.write_text("from tests.settings import *  # noqa: F403\n"
                        f"DATABASES = {databases}\n")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "health_down_settings",
           "PYTHONPATH": os.pathsep.join([str(tmp_path), str(ROOT)])}
    env.pop("COGNITO_TEST_DATABASE_URL", None)
    done = subprocess.run([sys.executable, "-c", DOWN_SCRIPT], cwd=ROOT, env=env,  # noqa: S603
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def sqlite(path: Path) -> str:
    return f"{{'ENGINE': 'django.db.backends.sqlite3', 'NAME': {str(path)!r}}}"


def unopenable(tmp_path: Path) -> str:
    """An SQLite database under a regular file: no directory can be made there."""
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    return sqlite(blocker / "db.sqlite3")


def test_an_unopenable_database_is_named(tmp_path: Path) -> None:
    answer = run_with_databases(tmp_path, f"{{'default': {unopenable(tmp_path)}}}")
    assert answer["status"] == 503
    assert answer["body"] == {"status": "unavailable", "database": "unavailable", "cache": "ok"}
    assert "no-store" in str(answer["cache_control"])


def test_a_postgresql_that_refuses_connections_is_named(tmp_path: Path) -> None:
    url = f"postgres://cognito:secret@127.0.0.1:{free_port()}/cognito?connect_timeout=2"
    answer = run_with_databases(tmp_path, f"{{'default': database_from_url({url!r})}}")
    assert answer["status"] == 503
    assert answer["body"] == {"status": "unavailable", "database": "unavailable", "cache": "ok"}
    assert "secret" not in json.dumps(answer) and "127.0.0.1" not in json.dumps(answer)


def test_with_several_databases_the_failing_one_is_named(tmp_path: Path) -> None:
    databases = (f"{{'default': {sqlite(tmp_path / 'db.sqlite3')}, "
                 f"'replica': {unopenable(tmp_path)}}}")
    answer = run_with_databases(tmp_path, databases)
    assert answer["status"] == 503
    assert answer["body"] == {"status": "unavailable", "database": "unavailable", "cache": "ok",
                              "databases": {"default": "ok", "replica": "unavailable"}}
    assert set(answer["body"]) <= ALLOWED_KEYS  # type: ignore[arg-type]
