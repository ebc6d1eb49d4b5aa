"""Identity-pool credentials per second: ``GetId`` + ``GetCredentialsForIdentity`` through boto3
against this server and against ``moto_server``'s own cognito-identity, in one run.

Issue 15's benchmark. One gunicorn sync worker on 127.0.0.1 serves the sign-in bench's project
(``bench/identity_project``: ``bench/auth_project`` with ``COGNITO["STS_ENDPOINT_URL"]`` set to
the ``moto_server`` started here): every ``GetCredentialsForIdentity`` signs the identity
pool's OpenID token and calls STS ``AssumeRoleWithWebIdentity`` on moto through boto3, as it
would call AWS. moto's own ``GetCredentialsForIdentity`` calls no STS (it makes up keys), so
the STS round trip is reported apart: the same ``AssumeRoleWithWebIdentity`` timed alone
against moto, with a real OpenID token of this server, and subtracted. Loops, one client
thread each (unsigned boto3 clients, as a device calls these public operations):

- ``ours-guest``: GetId without logins, then GetCredentialsForIdentity (the unauthenticated
  role);
- ``ours-login``: both with a user-pool ID token in ``Logins`` (verified on each call: its
  RS256 signature, issuer, audience, expiry, the sign-out check), the authenticated role;
- ``moto-guest`` and ``moto-login``: the same calls against moto's cognito-identity (which
  validates no token);
- ``sts``: ``AssumeRoleWithWebIdentity`` alone against moto.

Reported per pair: wall-clock median and pairs per second, this server's worker CPU (to the
nanosecond, ``/proc/<pid>/task/*/schedstat``; moto's STS work runs in moto and is not in it),
and ours less the median STS call beside moto. Every answer is checked: credentials that STS
issued for the right role (GetCallerIdentity with them), a forged login refused.

Run: ``python -m bench.identity_bench``. Environment: ``BENCH_IDENTITY_SECONDS`` (5 per loop
and round), ``BENCH_IDENTITY_ROUNDS`` (2, the order reversed every other round). Results: a
table on stdout and ``bench/results/identity.json``.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .auth_bench import (
    env_number,
    loadavg,
    median_ms,
    p95_ms,
    prepare_django,
    read_meters,
    refused,
    say,
    server,
)
from .processes import cpu_seconds, free_port, run_seconds

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
REGION = "us-east-1"
USERNAME = "bench-user"
PASSWORD = "Bench-Passw0rd!"  # noqa: S105 (the bench user's password)
KEYS = {"aws_access_key_id": "AKIAIDENTITYBENCH001",
        "aws_secret_access_key": "identity-bench-secret-0123456789abcdefghij"}
ROLES = {"authenticated": "arn:aws:iam::123456789012:role/bench-signed-in",
         "unauthenticated": "arn:aws:iam::123456789012:role/bench-guest"}


def seed() -> tuple[str, str]:
    """Migrate the SQLite file: a user pool, a client, the bench user and an access key that
    signs the identity pool's configuration. Returns (user pool id, client id)."""
    from django.core.management import call_command

    from django_cognito.services import access_keys, admin_users, pools

    call_command("migrate", verbosity=0, interactive=False)
    pool = pools.create_user_pool("identity-bench")
    client = pools.create_user_pool_client(pool, "bench", explicit_auth_flows=[
        "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])
    user = admin_users.admin_create_user(pool, USERNAME, temporary_password=PASSWORD,
                                         message_action="SUPPRESS")
    admin_users.admin_set_user_password(user, PASSWORD, permanent=True)
    access_keys.ensure_access_key(KEYS["aws_access_key_id"], KEYS["aws_secret_access_key"])
    return pool.id, client.id


def client(service: str, url: str, *, signed: bool = True) -> Any:
    import boto3
    from botocore import UNSIGNED
    from botocore.config import Config

    config = Config(retries={"max_attempts": 1, "mode": "standard"},
                    signature_version=None if signed else UNSIGNED)
    return boto3.client(service, endpoint_url=url, region_name=REGION, config=config, **KEYS)


@dataclass
class Side:
    """One server's identity pool: its unsigned client, pool id and Logins."""

    app: Any
    pool_id: str
    logins: dict[str, str]

    def pair(self, logins: bool) -> Callable[[], Any]:
        chosen = {"Logins": self.logins} if logins else {}

        def call() -> Any:
            identity = self.app.get_id(IdentityPoolId=self.pool_id, **chosen)["IdentityId"]
            answer = self.app.get_credentials_for_identity(IdentityId=identity, **chosen)
            assert answer["Credentials"]["SessionToken"], answer
            return answer["Credentials"]
        return call


def identity_pool(admin: Any, user_pool: str, client_id: str, roles: bool) -> str:
    """An identity pool (guests allowed, classic flow on) trusting the user pool's client."""
    pool_id: str = admin.create_identity_pool(
        IdentityPoolName="identity-bench", AllowUnauthenticatedIdentities=True,
        AllowClassicFlow=True, CognitoIdentityProviders=[{
            "ProviderName": f"cognito-idp.{REGION}.amazonaws.com/{user_pool}",
            "ClientId": client_id}])["IdentityPoolId"]
    if roles:
        admin.set_identity_pool_roles(IdentityPoolId=pool_id, Roles=ROLES)
    return pool_id


@dataclass
class Loop:
    key: str
    label: str
    call: Callable[[], Any]
    server_pid: int
    meter_port: int | None = None  # our server: its CPU meters
    latencies: list[float] = field(default_factory=list)
    server_cpu: float = 0.0
    elapsed: float = 0.0
    request_cpu: float = 0.0

    def run(self, seconds: float) -> None:
        self.call()  # a fresh connection and warm caches before the clock starts
        # Our single-threaded worker is read to the nanosecond; moto serves each request on
        # a thread of its own, which only the process's tick counts keep.
        clock = run_seconds if self.meter_port else cpu_seconds
        meters = read_meters(self.meter_port)
        cpu, start = clock(self.server_pid), time.perf_counter()
        until = start + seconds
        while (begin := time.perf_counter()) < until:
            self.call()
            self.latencies.append(time.perf_counter() - begin)
        self.elapsed += time.perf_counter() - start
        self.server_cpu += clock(self.server_pid) - cpu
        if self.meter_port:
            self.request_cpu += read_meters(self.meter_port)["request_cpu"] - \
                meters["request_cpu"]

    def summary(self) -> dict[str, Any]:
        count = len(self.latencies)
        return {"label": self.label, "calls": count, "per_s": count / self.elapsed,
                "median_ms": median_ms(self.latencies), "p95_ms": p95_ms(self.latencies),
                "server_cpu_ms": self.server_cpu / count * 1e3,
                "django_cpu_ms": self.request_cpu / count * 1e3 if self.meter_port else None}


def assumed_role(url: str, credentials: dict[str, Any]) -> str:
    """The role STS issued ``credentials`` for (GetCallerIdentity's ARN, on moto)."""
    import boto3

    sts = boto3.client("sts", endpoint_url=url, region_name=REGION,
                       aws_access_key_id=credentials["AccessKeyId"],
                       aws_secret_access_key=credentials["SecretKey"],
                       aws_session_token=credentials["SessionToken"])
    return str(sts.get_caller_identity()["Arn"]).split("/")[1]


def main() -> int:
    seconds = env_number("BENCH_IDENTITY_SECONDS", 5)
    rounds = int(env_number("BENCH_IDENTITY_ROUNDS", 2))
    workdir = Path(tempfile.mkdtemp(prefix="identity-bench-"))
    ours_port, moto_port = free_port(), free_port()
    base_url, moto_url = f"http://127.0.0.1:{ours_port}", f"http://127.0.0.1:{moto_port}"
    os.environ["BENCH_STS_URL"] = moto_url
    try:
        prepare_django(workdir / "identity-bench.sqlite3", base_url,
                       settings="bench.identity_project.settings")
        user_pool, client_id = seed()
        from django.db import connections

        connections.close_all()
        results = measure(workdir, ours_port, moto_port, user_pool, client_id, seconds,
                          rounds)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    report = summarize(results, seconds, rounds)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "identity.json").write_text(json.dumps(report, indent=2) + "\n")
    print_table(report)
    return 0


def measure(workdir: Path, ours_port: int, moto_port: int, user_pool: str, client_id: str,
            seconds: float, rounds: int) -> dict[str, Any]:
    gunicorn = [sys.executable, "-m", "gunicorn", "bench.auth_project.wsgi:application",
                "--bind", f"127.0.0.1:{ours_port}", "--workers", "1",
                "--worker-class", "sync", "--log-level", "warning", "--timeout", "120"]
    moto = [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(moto_port)]
    base_url, moto_url = f"http://127.0.0.1:{ours_port}", f"http://127.0.0.1:{moto_port}"
    with server("gunicorn", gunicorn, ours_port, ("GET", "/"), workdir / "gunicorn.log") \
            as ours_pid, \
            server("moto_server", moto, moto_port, ("GET", "/moto-api/"),
                   workdir / "moto.log") as moto_pid:
        admin, theirs_admin = client("cognito-identity", base_url), \
            client("cognito-identity", moto_url)
        id_token = client("cognito-idp", base_url, signed=False).initiate_auth(
            AuthFlow="USER_PASSWORD_AUTH", ClientId=client_id,
            AuthParameters={"USERNAME": USERNAME, "PASSWORD": PASSWORD}
        )["AuthenticationResult"]["IdToken"]
        provider = f"cognito-idp.{REGION}.amazonaws.com/{user_pool}"
        ours = Side(client("cognito-identity", base_url, signed=False),
                    identity_pool(admin, user_pool, client_id, roles=True),
                    {provider: id_token})
        # moto names its pools of its own; the same token stands under its key.
        moto_pool = identity_pool(theirs_admin, user_pool, client_id, roles=False)
        theirs = Side(client("cognito-identity", moto_url, signed=False), moto_pool,
                      {provider: id_token})
        guest = ours.app.get_id(IdentityPoolId=ours.pool_id)["IdentityId"]
        web_token = ours.app.get_open_id_token(IdentityId=guest)["Token"]
        sts = client("sts", moto_url, signed=False)

        def assume() -> Any:
            return sts.assume_role_with_web_identity(
                RoleArn=ROLES["unauthenticated"], RoleSessionName="bench",
                WebIdentityToken=web_token)["Credentials"]

        head, body, signature = id_token.split(".")
        checks = {
            "guest_role": assumed_role(moto_url, ours.pair(False)()),
            "login_role": assumed_role(moto_url, ours.pair(True)()),
            "forged_login": refused(lambda: ours.app.get_id(
                IdentityPoolId=ours.pool_id,
                Logins={provider: f"{head}.{body}.{signature[:-4]}AAAA"})),
        }
        assert checks["guest_role"] == ROLES["unauthenticated"].rsplit("/", 1)[1], checks
        assert checks["login_role"] == ROLES["authenticated"].rsplit("/", 1)[1], checks
        assert checks["forged_login"] == "NotAuthorizedException", checks
        loops = [
            Loop("ours-guest", "ours GetId + GetCredentialsForIdentity, guest",
                 ours.pair(False), ours_pid, ours_port),
            Loop("ours-login", "ours GetId + GetCredentialsForIdentity, ID token",
                 ours.pair(True), ours_pid, ours_port),
            Loop("moto-guest", "moto GetId + GetCredentialsForIdentity, guest",
                 theirs.pair(False), moto_pid),
            Loop("moto-login", "moto GetId + GetCredentialsForIdentity, ID token",
                 theirs.pair(True), moto_pid),
            Loop("sts", "moto STS AssumeRoleWithWebIdentity alone", assume, moto_pid),
        ]
        load_before = loadavg()
        for index in range(rounds):
            for loop in loops if index % 2 == 0 else loops[::-1]:
                say(f"round {index + 1}/{rounds}: {loop.key} for {seconds:g} s")
                loop.run(seconds)
        load_after = loadavg()
    return {"loops": {loop.key: loop.summary() for loop in loops}, "checks": checks,
            "load_before": load_before, "load_after": load_after}


def summarize(results: dict[str, Any], seconds: float, rounds: int) -> dict[str, Any]:
    loops = results["loops"]
    sts = loops["sts"]["median_ms"]
    derived: dict[str, Any] = {}
    for kind in ("guest", "login"):
        ours, moto = loops[f"ours-{kind}"], loops[f"moto-{kind}"]
        less_sts = ours["median_ms"] - sts
        derived[kind] = {
            "ours_over_moto_per_s": ours["per_s"] / moto["per_s"],
            "ours_less_sts_ms": less_sts,
            "ours_less_sts_per_s": 1e3 / less_sts,
            "ours_less_sts_over_moto": moto["median_ms"] / less_sts,
        }
    return {"benchmark": "identity", "seconds_per_loop": seconds, "rounds": rounds,
            "server": "gunicorn, 1 sync worker, SQLite (WAL), 127.0.0.1",
            "cpus": os.cpu_count(), "python": platform.python_version(),
            "loops": loops, "sts_median_ms": sts, "derived": derived,
            "checks": results["checks"], "load_before": results["load_before"],
            "load_after": results["load_after"]}


def print_table(report: dict[str, Any]) -> None:
    print(f"Identity pool benchmark: {report['seconds_per_loop']:g} s x {report['rounds']} "
          f"rounds per loop, one client thread; {report['server']}; {report['cpus']} CPUs, "
          f"load {report['load_before']} -> {report['load_after']}")
    print()
    header = (f"{'per pair (or per STS call), through boto3':54} {'n':>6} {'/s':>7} "
              f"{'median':>7} {'p95':>7} {'srv CPU':>8} {'Django':>7}")
    print(header)
    print("-" * len(header))
    for row in report["loops"].values():
        django = row["django_cpu_ms"]
        print(f"{row['label']:54} {row['calls']:6d} {row['per_s']:7.1f} "
              f"{row['median_ms']:7.2f} {row['p95_ms']:7.2f} {row['server_cpu_ms']:8.3f} "
              f"{'' if django is None else f'{django:7.3f}'}")
    print("(ms; /s = pairs per second of one client thread; srv CPU = the serving process's CPU "
          "per pair (ours: the worker, without moto's STS work), Django = its requests' part)")
    print()
    for kind, row in report["derived"].items():
        print(f"{kind}: ours / moto {row['ours_over_moto_per_s']:.2f} x pairs per second with "
              f"STS; less the STS call ({report['sts_median_ms']:.2f} ms): "
              f"{row['ours_less_sts_ms']:.2f} ms, {row['ours_less_sts_per_s']:.0f} pairs/s, "
              f"{row['ours_less_sts_over_moto']:.2f} x moto")
    checks = report["checks"]
    print(f"checks: guest role {checks['guest_role']}, login role {checks['login_role']}, "
          f"forged login -> {checks['forged_login']}")


if __name__ == "__main__":
    sys.exit(main())
