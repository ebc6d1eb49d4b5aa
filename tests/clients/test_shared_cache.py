"""Two server processes sharing one database and one Redis, driven by boto3 and pycognito.

What django_cognito keeps in its shared cache must hold across the processes of a deployment:
the per-pool stamps that invalidate each process's copy of app clients and pools, the failed
attempts that lock a user out, the marks of spent SRP answers. Two gunicorn servers run on
the same SQLite file (write-ahead log) with Django's Redis cache (a private ``redis-server``
on a Unix socket), and each test crosses from one to the other where a per-process cache
would give a different answer.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from pycognito.aws_srp import AWSSRP

from bench.processes import answers_http, stop
from tests.redis_server import die_with_the_tests, private_redis

ROOT = Path(__file__).resolve().parents[2]
REGION = "us-east-1"
WRONG = "Wr0ng-Passw0rd!"  # noqa: S105
LISTENING = re.compile(r"Listening at: http://127\.0\.0\.1:(\d+)")
# One cluster serves the module: its tests go to one xdist worker (--dist loadgroup).
pytestmark = pytest.mark.xdist_group("shared_cache")


@dataclass
class Cluster:
    urls: tuple[str, str]
    pool_id: str
    client_id: str
    password: str
    access_key_id: str
    secret_access_key: str

    def client(self, index: int) -> Any:
        """A boto3 client on server ``index``: it signs admin operations with the seeded
        access key and, as botocore does, leaves public ones unsigned."""
        return boto3.client("cognito-idp", endpoint_url=self.urls[index], region_name=REGION,
                            aws_access_key_id=self.access_key_id,
                            aws_secret_access_key=self.secret_access_key,
                            config=Config(retries={"max_attempts": 1, "mode": "standard"}))


def _wait_for(condition: Any, what: str, process: subprocess.Popen[bytes], log: Path) -> Any:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited: {log.read_text(errors='replace')[-3000:]}")
        time.sleep(0.05)
    raise RuntimeError(f"{what} did not start: {log.read_text(errors='replace')[-3000:]}")


def _start(command: list[str], log: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    with open(log, "wb") as output:
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=output,  # noqa: S603
                                stderr=subprocess.STDOUT, preexec_fn=die_with_the_tests)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    workdir = tmp_path_factory.mktemp("shared-cache")
    processes: list[subprocess.Popen[bytes]] = []
    with private_redis(workdir) as socket_path:
        try:
            env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.shared_cache.settings",
                   "COGNITO_SHARED_DATABASE": str(workdir / "db.sqlite3"),
                   "COGNITO_SHARED_REDIS": f"unix://{socket_path}"}
            env.pop("COGNITO_TEST_DATABASE_URL", None)
            seeded = subprocess.run([sys.executable, "-m", "tests.shared_cache.seed"],  # noqa: S603
                                    cwd=ROOT, env=env, capture_output=True, text=True,
                                    timeout=180, check=False)
            assert seeded.returncode == 0, seeded.stderr[-3000:]
            seed = json.loads(seeded.stdout.strip().splitlines()[-1])

            urls = []
            for name in ("a", "b"):
                log = workdir / f"gunicorn-{name}.log"
                # Port 0: the kernel picks a free port and gunicorn logs it.
                gunicorn = _start([sys.executable, "-m", "gunicorn",
                                   "django.core.wsgi:get_wsgi_application()",
                                   "--bind", "127.0.0.1:0", "--workers", "1",
                                   "--log-level", "info", "--timeout", "120",
                                   "--graceful-timeout", "5"], log, env)
                processes.append(gunicorn)

                def port(log: Path = log) -> str | None:
                    found = LISTENING.search(log.read_text(errors="replace"))
                    return found.group(1) if found else None
                url = f"http://127.0.0.1:{_wait_for(port, f'gunicorn {name}', gunicorn, log)}"
                # The arbiter logs the port before its worker has loaded Django.
                _wait_for(lambda url=url: answers_http(url), f"gunicorn {name}", gunicorn, log)
                urls.append(url)
            yield Cluster(urls=(urls[0], urls[1]), **seed)
        finally:
            for process in reversed(processes):
                stop(process)


def error_of(call: Any) -> tuple[str, str]:
    with pytest.raises(ClientError) as caught:
        call()
    error = caught.value.response["Error"]
    return error["Code"], error["Message"]


def password_sign_in(idp: Any, client_id: str, username: str, password: str) -> Any:
    return idp.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                             AuthParameters={"USERNAME": username, "PASSWORD": password})


def test_a_client_changed_through_one_process_is_changed_in_the_other(cluster: Cluster) -> None:
    admin_a, idp_b = cluster.client(0), cluster.client(1)
    created = admin_a.create_user_pool_client(
        UserPoolId=cluster.pool_id, ClientName="changing",
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])
    client_id = created["UserPoolClient"]["ClientId"]
    # B signs in with the client, so B's process now holds its own copy of it.
    assert password_sign_in(idp_b, client_id, "alice", cluster.password)["AuthenticationResult"]
    admin_a.update_user_pool_client(UserPoolId=cluster.pool_id, ClientId=client_id,
                                    ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH",
                                                       "ALLOW_REFRESH_TOKEN_AUTH"])
    code, message = error_of(lambda: password_sign_in(idp_b, client_id, "alice",
                                                      cluster.password))
    assert (code, message) == ("InvalidParameterException",
                               "USER_PASSWORD_AUTH flow not enabled for this client")
    admin_a.delete_user_pool_client(UserPoolId=cluster.pool_id, ClientId=client_id)
    assert error_of(lambda: password_sign_in(idp_b, client_id, "alice", cluster.password))[0] \
        == "ResourceNotFoundException"


def test_failed_passwords_count_in_every_process(cluster: Cluster) -> None:
    idps = (cluster.client(0), cluster.client(1))
    for attempt in range(5):  # alternately: no process sees more than three of them
        assert error_of(lambda i=attempt: password_sign_in(
            idps[i % 2], cluster.client_id, "bob", WRONG)) == (
            "NotAuthorizedException", "Incorrect username or password.")
    for idp in idps:
        assert error_of(lambda idp=idp: password_sign_in(
            idp, cluster.client_id, "bob", cluster.password)) == (
            "NotAuthorizedException", "Password attempts exceeded")


def test_an_srp_answer_is_spent_in_every_process(cluster: Cluster) -> None:
    idp_a, idp_b = cluster.client(0), cluster.client(1)
    srp = AWSSRP("carol", cluster.password, cluster.pool_id, cluster.client_id, client=idp_a)
    params = srp.get_auth_params()
    challenge = idp_a.initiate_auth(ClientId=cluster.client_id, AuthFlow="USER_SRP_AUTH",
                                    AuthParameters=params)
    answer = srp.process_challenge(challenge["ChallengeParameters"], params)
    # The SECRET_BLOCK carries the server's half, so another process can check the answer.
    tokens = idp_b.respond_to_auth_challenge(ClientId=cluster.client_id,
                                             ChallengeName="PASSWORD_VERIFIER",
                                             ChallengeResponses=answer)["AuthenticationResult"]
    assert tokens["AccessToken"] and tokens["RefreshToken"]
    assert error_of(lambda: idp_a.respond_to_auth_challenge(
        ClientId=cluster.client_id, ChallengeName="PASSWORD_VERIFIER",
        ChallengeResponses=answer)) == ("NotAuthorizedException",
                                        "Incorrect username or password.")


def test_a_global_sign_out_through_one_process_holds_in_the_other(cluster: Cluster) -> None:
    idp_a, idp_b = cluster.client(0), cluster.client(1)
    tokens = password_sign_in(idp_a, cluster.client_id, "alice",
                              cluster.password)["AuthenticationResult"]
    assert idp_b.get_user(AccessToken=tokens["AccessToken"])["Username"] == "alice"
    idp_a.global_sign_out(AccessToken=tokens["AccessToken"])
    assert error_of(lambda: idp_b.get_user(AccessToken=tokens["AccessToken"])) == (
        "NotAuthorizedException", "Access Token has been revoked")
    assert error_of(lambda: idp_b.initiate_auth(
        ClientId=cluster.client_id, AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]}))[0] == "NotAuthorizedException"
