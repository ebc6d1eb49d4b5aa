"""example_project.settings_production, as docs/deploy.md describes it, booted for real.

Each case runs ``manage.py`` in a fresh process with nothing but the variables given (no
inherited DJANGO_* or COGNITO_* variable can complete an environment the test leaves
incomplete).
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from bench.processes import free_port

ROOT = Path(__file__).resolve().parents[2]
# A PostgreSQL that `check --deploy` never connects to, unless the PostgreSQL pass gives one.
UNUSED_DATABASE = "postgres://cognito:secret@127.0.0.1:1/cognito"
# The variables docs/deploy.md calls required (the settings cannot be imported here to read
# their own list: importing them without these variables is what fails).
REQUIRED = ("DJANGO_SECRET_KEY", "COGNITO_ENCRYPTION_KEYS", "COGNITO_PUBLIC_BASE_URL",
            "DJANGO_ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL", "DJANGO_EMAIL_HOST",
            "DJANGO_DEFAULT_FROM_EMAIL")


def complete_environment() -> dict[str, str]:
    return {
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "COGNITO_ENCRYPTION_KEYS": f"{Fernet.generate_key().decode()},"
                                   f"{Fernet.generate_key().decode()}",
        "COGNITO_PUBLIC_BASE_URL": "https://auth.example.com",
        "DJANGO_ALLOWED_HOSTS": "auth.example.com,testserver",
        "DATABASE_URL": os.environ.get("COGNITO_TEST_DATABASE_URL") or UNUSED_DATABASE,
        "REDIS_URL": "redis://127.0.0.1:1/0",
        "DJANGO_EMAIL_HOST": "smtp.example.com",
        "DJANGO_DEFAULT_FROM_EMAIL": "no-reply@example.com",
    }


def run(args: list[str], environment: dict[str, str]) -> subprocess.CompletedProcess[str]:
    env = {"PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", ""),
           "DJANGO_SETTINGS_MODULE": "example_project.settings_production", **environment}
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env,  # noqa: S603
                          capture_output=True, text=True, timeout=180, check=False)


def test_a_complete_environment_passes_check_deploy() -> None:
    args = ["manage.py", "check", "--deploy", "--fail-level", "DEBUG"]
    if os.environ.get("COGNITO_TEST_DATABASE_URL"):
        args += ["--database", "default"]  # the database checks too, on a real PostgreSQL
    done = run(args, complete_environment())
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.strip() == "System check identified no issues (0 silenced)."


@pytest.mark.parametrize("name", REQUIRED)
def test_each_missing_variable_stops_the_start_and_is_named(name: str) -> None:
    environment = complete_environment()
    del environment[name]
    done = run(["manage.py", "check", "--deploy"], environment)
    assert done.returncode != 0
    assert "ImproperlyConfigured" in done.stderr
    assert f"{name} is not set" in done.stderr
    # Only the missing one: the message points at what to fix.
    assert all(f"{other} is not set" not in done.stderr for other in REQUIRED if other != name)


def test_every_missing_variable_is_named_at_once() -> None:
    done = run(["manage.py", "check", "--deploy"], {})
    assert done.returncode != 0
    assert all(f"{name} is not set" in done.stderr for name in REQUIRED)


@pytest.mark.parametrize(("name", "value", "problem"), [
    ("COGNITO_PUBLIC_BASE_URL", "http://auth.example.com",
     "COGNITO_PUBLIC_BASE_URL must be an https:// URL"),
    ("COGNITO_ENCRYPTION_KEYS", "not-a-fernet-key",
     "COGNITO_ENCRYPTION_KEYS must be comma-separated Fernet keys"),
    ("DATABASE_URL", "sqlite:///db.sqlite3", "DATABASE_URL must be a postgres:// URL"),
    ("REDIS_URL", "memcached://127.0.0.1", "REDIS_URL must be a redis://"),
])
def test_a_malformed_variable_stops_the_start(name: str, value: str, problem: str) -> None:
    done = run(["manage.py", "check", "--deploy"], {**complete_environment(), name: value})
    assert done.returncode != 0
    assert problem in done.stderr


def test_the_key_does_not_leak_into_the_error() -> None:
    environment = complete_environment()
    del environment["REDIS_URL"]
    done = run(["manage.py", "check", "--deploy"], environment)
    assert done.returncode != 0 and "REDIS_URL" in done.stderr
    assert environment["DJANGO_SECRET_KEY"] not in done.stderr
    assert environment["COGNITO_ENCRYPTION_KEYS"].split(",")[0] not in done.stderr


# GET /health in a process on the production settings, through Django's test client (over
# plain http, as a load balancer probes an instance).
HEALTH_SCRIPT = """
import json
import django
django.setup()
from django.test import Client
client = Client()
health = client.get("/health")
other = client.get("/api/me/")
print(json.dumps({"status": health.status_code, "body": json.loads(health.content),
                  "other": other.status_code, "location": other.get("Location")}))
"""


def health_answer(environment: dict[str, str]) -> dict[str, object]:
    done = run(["-c", HEALTH_SCRIPT], environment)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_health_on_the_production_settings(redis_socket: Path) -> None:
    environment = {**complete_environment(), "REDIS_URL": f"unix://{redis_socket}"}
    if not os.environ.get("COGNITO_TEST_DATABASE_URL"):
        # No PostgreSQL in this pass: one at a closed port is a database that is down.
        environment["DATABASE_URL"] = f"postgres://cognito:secret@127.0.0.1:{free_port()}/x"
    answer = health_answer(environment)
    database = "ok" if os.environ.get("COGNITO_TEST_DATABASE_URL") else "unavailable"
    assert answer["status"] == (200 if database == "ok" else 503)
    assert answer["body"] == {"status": database, "database": database, "cache": "ok"}
    # Anything but the health check is sent to https.
    assert (answer["other"], answer["location"]) == (301, "https://testserver/api/me/")


def test_health_names_a_redis_that_is_down() -> None:
    answer = health_answer({**complete_environment(),
                            "REDIS_URL": f"redis://127.0.0.1:{free_port()}/0"})
    assert answer["status"] == 503
    assert answer["body"]["cache"] == "unavailable"  # type: ignore[index]


def test_the_default_sms_sender_publishes_through_sns(monkeypatch: pytest.MonkeyPatch) -> None:
    from moto import mock_aws
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.sns.models import sns_backends

    from django_cognito.models import UserPool
    from example_project import sms

    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, "testing")
    monkeypatch.delenv("AWS_REGION", raising=False)
    pool = UserPool(id="eu-west-1_Abc123")  # never saved: the sender reads its id
    sms._sns.cache_clear()
    with mock_aws():
        sms.sns_sender("+15555550100", "Your code is 123456", pool=pool, purpose="test")
        sent = list(sns_backends[DEFAULT_ACCOUNT_ID]["eu-west-1"].sms_messages.values())
    sms._sns.cache_clear()
    assert sent == [("+15555550100", "Your code is 123456")]
