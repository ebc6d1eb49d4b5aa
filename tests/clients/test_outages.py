"""Redis or PostgreSQL down under a real server (issue 16, item 4): requests fail closed.

A gunicorn server runs on a private PostgreSQL cluster and a private ``redis-server`` (with
the append-only file, as docs/deploy.md recommends), both stopped and started again under
it. While either is down the JSON API answers Cognito's ``InternalErrorException`` (500,
which botocore retries), the managed login and the OAuth endpoints 503 with ``Retry-After``;
no password is checked while the lockout cannot be read; once the dependency is back the
server answers again within seconds, on its own.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from bench.processes import answers_http, stop
from bench.servers import Postgres, Redis
from tests.clients.test_shared_cache import _start, _wait_for
from tests.redis_server import die_with_the_tests

ROOT = Path(__file__).resolve().parents[2]
WRONG = "Wr0ng-Passw0rd!"  # noqa: S105
LISTENING = re.compile(r"Listening at: http://127\.0\.0\.1:(\d+)")
BACK_WITHIN = 10  # seconds after the dependency returns
pytestmark = pytest.mark.xdist_group("outages")


@dataclass
class Stack:
    url: str
    seed: dict[str, Any]
    postgres: Postgres
    redis: Redis
    log: Path

    def idp(self, retries: int = 0) -> Any:
        """boto3 on the server, retrying as botocore's standard mode does ``retries`` times."""
        return boto3.client("cognito-idp", endpoint_url=self.url, region_name="us-east-1",
                            aws_access_key_id=self.seed["access_key_id"],
                            aws_secret_access_key=self.seed["secret_access_key"],
                            config=Config(retries={"total_max_attempts": retries + 1,
                                                   "mode": "standard"},
                                          connect_timeout=5, read_timeout=30))

    def sign_in(self, username: str, password: str, retries: int = 0) -> Any:
        return self.idp(retries).initiate_auth(
            ClientId=self.seed["client_id"], AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": username, "PASSWORD": password})

    def login_page(self) -> str:
        query = urllib.parse.urlencode({"client_id": self.seed["client_id"],
                                        "response_type": "code",
                                        "redirect_uri": self.seed["callback"]})
        return f"{self.url}/domains/{self.seed['domain']}/login?{query}"

    def lockout_count(self, username: str) -> int:
        """The failed-password count the shared cache holds for ``username``."""
        return self.redis.lockout_count(self.seed["pks"][username])


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    workdir = tmp_path_factory.mktemp("outages")
    (workdir / "redis").mkdir()
    postgres = Postgres()
    cache = Redis(workdir / "redis", persistent=True)
    gunicorn = None
    try:
        url = postgres.create()
        cache.start(die_with_the_tests)
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.load_project.settings",
               "BENCH_LOAD_DATABASE": url, "BENCH_LOAD_REDIS": cache.url,
               "BENCH_LOAD_HASHER": "md5", "BENCH_LOAD_USERS": "0",
               "BENCH_LOAD_NAMES": "reader,guessed,locked,leaver"}
        env.pop("COGNITO_TEST_DATABASE_URL", None)
        seeded = subprocess.run(  # noqa: S603
            [sys.executable, "-m", "bench.load_project.seed"], cwd=ROOT, env=env,
            capture_output=True, text=True, timeout=300, check=False)
        assert seeded.returncode == 0, seeded.stderr[-3000:]
        seed = json.loads(seeded.stdout.strip().splitlines()[-1])
        log = workdir / "gunicorn.log"
        gunicorn = _start([sys.executable, "-m", "gunicorn",
                           "django.core.wsgi:get_wsgi_application()", "--bind",
                           "127.0.0.1:0", "--workers", "1", "--timeout", "60",
                           "--graceful-timeout", "5"], log, env)

        def port() -> str | None:
            found = LISTENING.search(log.read_text(errors="replace"))
            return found.group(1) if found else None
        base = f"http://127.0.0.1:{_wait_for(port, 'gunicorn', gunicorn, log)}"
        _wait_for(lambda: answers_http(base), "gunicorn", gunicorn, log)
        yield Stack(url=base, seed=seed, postgres=postgres, redis=cache, log=log)
    finally:
        if gunicorn is not None:
            stop(gunicorn)
        cache.stop()
        postgres.destroy()


def raw_post(url: str, target: str, body: dict[str, Any]) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(  # noqa: S310 (a loopback URL)
        url, data=json.dumps(body).encode(), method="POST", headers={
            "Content-Type": "application/x-amz-json-1.1",
            "X-Amz-Target": f"AWSCognitoIdentityProviderService.{target}"})
    return fetch(request)


def fetch(request: urllib.request.Request | str) -> tuple[int, dict[str, str], bytes]:
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310 (loopback)
            return answer.status, dict(answer.headers), answer.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def code_of(call: Any) -> tuple[str, int, int]:
    """The error code, HTTP status and botocore's retry count of a refused call."""
    with pytest.raises(ClientError) as caught:
        call()
    response = caught.value.response
    return (response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"],
            response["ResponseMetadata"]["RetryAttempts"])


def back_within(stack: Stack, seconds: float) -> float:
    """Seconds until a password sign-in works again (fails the test after ``seconds``)."""
    began = time.monotonic()
    while True:
        try:
            stack.sign_in("reader", stack.seed["password"])
            return time.monotonic() - began
        except ClientError as error:
            assert error.response["Error"]["Code"] == "InternalErrorException"
            if time.monotonic() - began > seconds:
                raise
            time.sleep(0.1)


def assert_typed_api_error(stack: Stack) -> None:
    """InitiateAuth answers InternalErrorException, which botocore retries; the raw answer
    is Cognito's envelope and nothing else."""
    assert code_of(lambda: stack.sign_in("reader", stack.seed["password"], retries=2)) == (
        "InternalErrorException", 500, 2)
    status, headers, body = raw_post(stack.url, "InitiateAuth", {
        "ClientId": stack.seed["client_id"], "AuthFlow": "USER_PASSWORD_AUTH",
        "AuthParameters": {"USERNAME": "reader", "PASSWORD": stack.seed["password"]}})
    assert status == 500
    assert json.loads(body) == {"__type": "InternalErrorException", "message": "Internal error."}
    assert headers["x-amzn-ErrorType"] == "InternalErrorException"
    assert headers["Retry-After"] == "5"


def assert_pages_unavailable(stack: Stack) -> None:
    """The managed login, the token endpoint and the health check answer 503."""
    assert fetch(f"{stack.url}/health")[0] == 503
    status, headers, body = fetch(stack.login_page())
    assert (status, headers["Retry-After"]) == (503, "5"), body[:500]
    assert b"Temporarily unavailable" in body and b"Traceback" not in body
    token = urllib.request.Request(  # noqa: S310 (a loopback URL)
        f"{stack.url}/domains/{stack.seed['domain']}/oauth2/token", method="POST",
        data=urllib.parse.urlencode({"grant_type": "authorization_code", "code": "x",
                                     "client_id": stack.seed["client_id"]}).encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"})
    status, headers, body = fetch(token)
    assert (status, json.loads(body), headers["Retry-After"]) == (
        503, {"error": "temporarily_unavailable"}, "5")


def test_redis_down_fails_closed_and_recovers(stack: Stack) -> None:
    password = stack.seed["password"]
    access = stack.sign_in("reader", password)["AuthenticationResult"]["AccessToken"]
    drf = urllib.request.Request(f"{stack.url}/drf/",  # noqa: S310 (a loopback URL)
                                 headers={"Authorization": f"Bearer {access}"})
    assert fetch(drf)[0] == 200
    assert fetch(stack.login_page())[0] == 200
    for _ in range(3):
        assert code_of(lambda: stack.sign_in("guessed", WRONG))[0] == "NotAuthorizedException"
    assert stack.lockout_count("guessed") == 3
    for _ in range(5):  # five failures: Redis holds their count and the time of the last
        assert code_of(lambda: stack.sign_in("locked", WRONG))[0] == "NotAuthorizedException"
    # A long lock, so no wall-clock time of this test lets it run out: the count of the
    # 15-minute cap (lockout.lock_seconds), its expiry kept.
    redis = stack.redis.client()
    count_key = next(redis.scan_iter(
        f"*django_cognito:lockout:*:{stack.seed['pks']['locked']}:count"))
    redis.set(count_key, 15, keepttl=True)
    assert code_of(lambda: stack.sign_in("locked", password))[0] == "NotAuthorizedException"

    stack.redis.kill()  # a crash: only the append-only file survives
    assert_typed_api_error(stack)
    assert_pages_unavailable(stack)
    # A DRF view cannot check the token's revocation: 503, never let through.
    status, headers, _ = fetch(drf)
    assert (status, headers["Retry-After"]) == (503, "5")
    # A guesser during the outage: every try refused before the password check.
    for _ in range(10):
        assert code_of(lambda: stack.sign_in("guessed", WRONG))[:2] == (
            "InternalErrorException", 500)
    assert b"Traceback" not in stack.log.read_bytes()

    stack.redis.start(die_with_the_tests)
    assert back_within(stack, BACK_WITHIN) < BACK_WITHIN
    # The guesses of the outage reached no password check; those before it are still counted.
    assert stack.lockout_count("guessed") == 3
    # The lock in force when Redis died survives its restart (append-only file).
    assert code_of(lambda: stack.sign_in("locked", password))[0] == "NotAuthorizedException"
    assert fetch(stack.login_page())[0] == 200
    assert fetch(drf)[0] == 200


def test_postgres_down_fails_closed_and_recovers(stack: Stack) -> None:
    password = stack.seed["password"]
    tokens = stack.sign_in("reader", password)["AuthenticationResult"]
    stack.postgres.stop()
    try:
        assert_typed_api_error(stack)
        assert_pages_unavailable(stack)
        # The keys live in the database (without Redis they are still served).
        status, _, body = fetch(f"{stack.url}/{stack.seed['pool_id']}/.well-known/jwks.json")
        assert (status, json.loads(body)) == (503, {"error": "temporarily_unavailable"})
        assert code_of(lambda: stack.idp().global_sign_out(
            AccessToken=tokens["AccessToken"]))[:2] == ("InternalErrorException", 500)
    finally:
        stack.postgres.start()
    assert back_within(stack, BACK_WITHIN) < BACK_WITHIN
    assert fetch(stack.login_page())[0] == 200
    assert fetch(f"{stack.url}/health")[0] == 200
    assert stack.idp().get_user(AccessToken=tokens["AccessToken"])["Username"] == "reader"


def test_a_sign_out_refused_during_an_outage_revoked_nothing(stack: Stack) -> None:
    """GlobalSignOut during a Redis outage answers a retryable error and changes nothing:
    revoking the database's families while the cached "live" answer stays (restored from
    the append-only file) would keep accepting the signed-out tokens after the outage."""
    idp = stack.idp()
    tokens = stack.sign_in("leaver", stack.seed["password"])["AuthenticationResult"]
    assert idp.get_user(AccessToken=tokens["AccessToken"])["Username"] == "leaver"  # cached
    stack.redis.kill()
    assert code_of(lambda: idp.global_sign_out(AccessToken=tokens["AccessToken"]))[:2] == (
        "InternalErrorException", 500)
    stack.redis.start(die_with_the_tests)
    back_within(stack, BACK_WITHIN)
    refresh = {"REFRESH_TOKEN": tokens["RefreshToken"]}
    assert idp.initiate_auth(ClientId=stack.seed["client_id"], AuthFlow="REFRESH_TOKEN_AUTH",
                             AuthParameters=refresh)["AuthenticationResult"]
    idp.global_sign_out(AccessToken=tokens["AccessToken"])  # the client's retry
    assert code_of(lambda: idp.get_user(AccessToken=tokens["AccessToken"]))[0] == \
        "NotAuthorizedException"
    assert code_of(lambda: idp.initiate_auth(ClientId=stack.seed["client_id"],
                                             AuthFlow="REFRESH_TOKEN_AUTH",
                                             AuthParameters=refresh))[0] == \
        "NotAuthorizedException"
