"""Grants per second at a pool domain's ``/oauth2/token``, beside a sign-in, in one run.

Issue 13's benchmark. One gunicorn sync worker on 127.0.0.1 serves the sign-in bench's project
(``bench/auth_project``: SQLite file in WAL mode, the local-memory cache, django_cognito at the
root, the CPU meters) with a password hasher that costs nothing (``bench/oauth_project``). Each
loop keeps that worker busy for a fixed time with ``BENCH_OAUTH_CONNECTIONS`` client threads
(raw ``http.client``, bodies built beforehand):

- ``sign-in``: the baseline, ``InitiateAuth`` USER_PASSWORD_AUTH on ``POST /`` for a user whose
  stored hash is ``plain`` (``bench.oauth_project.hashers``): a sign-in with the hasher
  removed, two signatures (ID and access token) and its refresh-token row;
- ``client-credentials``: ``grant_type=client_credentials`` at
  ``/domains/<domain>/oauth2/token`` for a confidential client (``client_secret_basic``) with
  a resource server's custom scope: no password, one signature;
- ``code-pkce`` and ``code-basic``: ``grant_type=authorization_code``, redeeming codes made
  beforehand through the core (``services.oauth.codes.issue``, untimed, just before each
  loop: a code lives five minutes): a public client with PKCE (S256), and a confidential
  client with ``client_secret_basic`` and no PKCE. Each answers ID, access and refresh tokens;
- ``floor``: a CORS preflight (``OPTIONS /``), the least any request costs this server.

Every figure is judged on the server's CPU per request (the worker and master's threads, to
the nanosecond, from ``/proc/<pid>/task/*/schedstat``), which the client threads and the
machine's other load do not inflate: one sync worker serves one request at a time on one
thread, so ``1000 / CPU ms`` is what one vCPU serves per second, reported beside Keycloak's
published sizing figure (``KEYCLOAK``). Requests per second of the saturated worker (wall
clock) are shown too. Target: client_credentials >= 1.5 x the baseline. The bench also times
each grant through Django's WSGI handler in this process (no sockets), counts its SQL
statements, times the pieces of a client_credentials request and profiles it (cProfile; and
pyinstrument when it is importable). Every answer is checked: status 200 and a token body in
the loops; before them, token claims and signatures against the pool's JWKS, a wrong secret,
a wrong PKCE verifier and a code redeemed twice all refused.

Run: ``python -m bench.oauth_bench``. Environment: ``BENCH_OAUTH_SECONDS`` (6 per loop and
round), ``BENCH_OAUTH_ROUNDS`` (2, the order reversed every other round),
``BENCH_OAUTH_CONNECTIONS`` (2 client threads), ``BENCH_STRICT=1`` (exit 1 when the target is
missed). Results: a table on stdout and ``bench/results/oauth.json``.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import platform
import secrets
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.client import HTTPConnection
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from .auth_bench import (
    env_number,
    loadavg,
    median_ms,
    p95_ms,
    prepare_django,
    profile,
    queries,
    read_meters,
    say,
    server,
)
from .processes import free_port, run_seconds

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
DOMAIN = "oauth-bench"
TOKEN_PATH = f"/domains/{DOMAIN}/oauth2/token"
CALLBACK = "https://app.example.com/callback"
USERNAME = "bench-user"
PASSWORD = "Bench-Passw0rd!"  # noqa: S105 (the bench user's password)
API = "bench-api"
CODE_SCOPES = ["openid", "email"]
TARGET = 1.5
# Keycloak's "Concepts for sizing CPU and memory resources" (High Availability guide,
# https://www.keycloak.org/high-availability/concepts-memory-and-cpu-sizing): one vCPU for
# each 120 client credential grants per second (tested up to 2000 per second); most of that
# CPU goes into new TLS connections, one request per client.
KEYCLOAK_GRANTS_PER_VCPU = 120.0
KEYCLOAK_DOC = ("Keycloak, \"Concepts for sizing CPU and memory resources\", "
                "https://www.keycloak.org/high-availability/concepts-memory-and-cpu-sizing")


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


# The Django side -----------------------------------------------------------------------------
@dataclass
class Seeded:
    pool_id: str
    issuer: str
    signin_client: str
    machine: tuple[str, str]  # (client id, secret)
    web: str  # public client: authorization code with PKCE
    backend: tuple[str, str]  # confidential client: authorization code, client_secret_basic


def seed() -> Seeded:
    """Migrate the SQLite file: a pool with a domain, a resource server, four clients, a user."""
    from django.contrib.auth.hashers import get_hasher
    from django.core.management import call_command

    from django_cognito.models import PoolUser
    from django_cognito.services import admin_users, pools, resources
    from django_cognito.tokens import issuer_for

    call_command("migrate", verbosity=0, interactive=False)
    pool = pools.create_user_pool("oauth-bench")
    resources.create_domain(pool, DOMAIN)
    resources.create_resource_server(pool, API, "Bench API", [
        {"ScopeName": "read", "ScopeDescription": "Read"},
        {"ScopeName": "write", "ScopeDescription": "Write"}])
    signin = pools.create_user_pool_client(pool, "sign-in", explicit_auth_flows=[
        "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])
    oauth: dict[str, Any] = {"allowed_oauth_flows_user_pool_client": True,
                             "supported_identity_providers": ["COGNITO"]}
    machine = pools.create_user_pool_client(
        pool, "machine", generate_secret=True, allowed_oauth_flows=["client_credentials"],
        allowed_oauth_scopes=[f"{API}/read", f"{API}/write"], **oauth)
    code = {"allowed_oauth_flows": ["code"], "allowed_oauth_scopes": CODE_SCOPES,
            "callback_urls": [CALLBACK], **oauth}
    web = pools.create_user_pool_client(pool, "web", **code)
    backend = pools.create_user_pool_client(pool, "backend", generate_secret=True, **code)
    user = admin_users.admin_create_user(
        pool, USERNAME, temporary_password=PASSWORD, message_action="SUPPRESS",
        attributes={"email": "bench@example.com", "email_verified": "true"})
    admin_users.admin_set_user_password(user, PASSWORD, permanent=True)
    assert get_hasher().algorithm == "plain", get_hasher().algorithm
    stored = PoolUser.objects.get(pk=user.pk).password
    assert stored.startswith("plain$"), stored[:10]
    assert machine.secret and backend.secret
    return Seeded(pool_id=pool.id, issuer=issuer_for(pool), signin_client=signin.id,
                  machine=(machine.id, machine.secret), web=web.id,
                  backend=(backend.id, backend.secret))


def issue_codes(client_id: str, count: int, *, pkce: bool) -> list[tuple[str, str]]:
    """``count`` authorization codes of the bench user through ``client_id``, made through the
    core as the managed login makes them: (code, PKCE verifier or "")."""
    from django.db import transaction

    from django_cognito.clock import now
    from django_cognito.models import AppClient, PoolUser
    from django_cognito.services.oauth import codes

    client = AppClient.objects.select_related("pool").get(pk=client_id)
    user = PoolUser.objects.get(pool=client.pool, username=USERNAME)
    made = []
    with transaction.atomic():
        for _ in range(count):
            verifier = secrets.token_urlsafe(48) if pkce else ""
            challenge = b64url(hashlib.sha256(verifier.encode()).digest()) if pkce else ""
            made.append((codes.issue(client, user, redirect_uri=CALLBACK, scopes=CODE_SCOPES,
                                     auth_time=now(), code_challenge=challenge), verifier))
    return made


# Requests ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Request:
    method: str
    path: str
    body: bytes
    headers: dict[str, str]


def basic(client_id: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()


FORM = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"}


def sign_in_request(seeded: Seeded, password: str = PASSWORD) -> Request:
    body = json.dumps({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": seeded.signin_client,
                       "AuthParameters": {"USERNAME": USERNAME, "PASSWORD": password}}).encode()
    return Request("POST", "/", body, {
        "Content-Type": "application/x-amz-json-1.1",
        "X-Amz-Target": "AWSCognitoIdentityProviderService.InitiateAuth"})


def client_credentials_request(seeded: Seeded, secret: str | None = None) -> Request:
    client_id, real = seeded.machine
    body = urlencode({"grant_type": "client_credentials", "scope": f"{API}/read"}).encode()
    return Request("POST", TOKEN_PATH, body,
                   {**FORM, "Authorization": basic(client_id, secret or real)})


def code_request(seeded: Seeded, code: str, verifier: str) -> Request:
    """A code exchange: the public client with its PKCE verifier, or the confidential client
    authenticating with client_secret_basic."""
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": CALLBACK}
    if verifier:
        form.update(client_id=seeded.web, code_verifier=verifier)
        return Request("POST", TOKEN_PATH, urlencode(form).encode(), dict(FORM))
    return Request("POST", TOKEN_PATH, urlencode(form).encode(),
                   {**FORM, "Authorization": basic(*seeded.backend)})


PREFLIGHT = Request("OPTIONS", "/", b"", {"Origin": "http://127.0.0.1"})


def send(port: int, request: Request, connection: HTTPConnection | None = None
         ) -> tuple[int, bytes]:
    own = connection is None
    connection = connection or HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(request.method, request.path, request.body, request.headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        if own:
            connection.close()


# The loops -----------------------------------------------------------------------------------
class Codes:
    """Codes for one loop, handed out once each to the client threads."""

    def __init__(self, seeded: Seeded, pkce: bool) -> None:
        self.seeded, self.pkce = seeded, pkce
        self.client = seeded.web if pkce else seeded.backend[0]
        self._left: Iterator[tuple[str, str]] = iter(())
        self._lock = threading.Lock()
        self.ran_out = False

    def fill(self, count: int) -> None:
        self._left = iter(issue_codes(self.client, count, pkce=self.pkce))
        self.ran_out = False

    def next(self) -> Request | None:
        with self._lock:
            taken = next(self._left, None)
        if taken is None:
            self.ran_out = True
            return None
        return code_request(self.seeded, *taken)


@dataclass
class Loop:
    key: str
    label: str
    make: Callable[[], Request | None]  # the next request; None: nothing left to send
    expect: bytes  # how every answer's body starts
    codes: Codes | None = None
    latencies: list[float] = field(default_factory=list)
    server_cpu: float = 0.0
    client_cpu: float = 0.0
    elapsed: float = 0.0
    meters: dict[str, float] = field(default_factory=dict)
    ran_out: int = 0

    def run(self, port: int, pid: int, seconds: float, connections: int) -> None:
        meters = read_meters(port)
        server_cpu, client_cpu = run_seconds(pid), time.process_time()
        start = time.perf_counter()
        until = start + seconds
        results: list[list[float]] = [[] for _ in range(connections)]
        errors: list[str] = []
        threads = [threading.Thread(target=self._drive, args=(port, until, out, errors))
                   for out in results]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.elapsed += time.perf_counter() - start
        self.client_cpu += time.process_time() - client_cpu
        self.server_cpu += run_seconds(pid) - server_cpu
        for name, value in read_meters(port).items():
            self.meters[name] = self.meters.get(name, 0.0) + value - meters[name]
        if errors:
            raise AssertionError(f"{self.key}: {errors[0]}")
        for out in results:
            self.latencies += out
        if self.codes is not None and self.codes.ran_out:
            self.ran_out += 1

    def _drive(self, port: int, until: float, out: list[float], errors: list[str]) -> None:
        # gunicorn's sync worker closes each connection; http.client opens the next one.
        connection = HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            while not errors:
                begin = time.perf_counter()
                request = self.make() if begin < until else None
                if request is None:
                    break
                status, body = send(port, request, connection)
                if status != 200 or not body.startswith(self.expect):
                    errors.append(f"HTTP {status}: {body[:300]!r}")
                    break
                out.append(time.perf_counter() - begin)
        except Exception as exc:  # reported by run(), not lost in a thread
            errors.append(f"{type(exc).__name__}: {exc}")
        finally:
            connection.close()

    def summary(self) -> dict[str, Any]:
        count = len(self.latencies)
        cpu_ms = self.server_cpu / count * 1e3
        row = {"label": self.label, "requests": count, "per_s_wall": count / self.elapsed,
               "median_ms": median_ms(self.latencies), "p95_ms": p95_ms(self.latencies),
               "server_cpu_ms": cpu_ms, "per_vcpu": 1000 / cpu_ms,
               "client_cpu_ms": self.client_cpu / count * 1e3,
               "codes_ran_out": self.ran_out}
        if self.meters:
            row["in_server"] = {
                "requests_per_call": self.meters["requests"] / count,
                **{f"{name[:-4]}_cpu_ms": self.meters[name] / count * 1e3
                   for name in ("request_cpu", "hasher_cpu", "signing_cpu")}}
        return row


def loops_for(seeded: Seeded) -> list[Loop]:
    sign_in, machine = sign_in_request(seeded), client_credentials_request(seeded)
    pkce, confidential = Codes(seeded, pkce=True), Codes(seeded, pkce=False)
    return [
        Loop("sign-in", "baseline: InitiateAuth USER_PASSWORD_AUTH, hasher removed",
             lambda: sign_in, b'{"AuthenticationResult"'),
        Loop("client-credentials", "client_credentials, client_secret_basic, custom scope",
             lambda: machine, b'{"access_token"'),
        Loop("code-pkce", "authorization_code, public client + PKCE S256", pkce.next,
             b'{"access_token"', codes=pkce),
        Loop("code-basic", "authorization_code, client_secret_basic, no PKCE",
             confidential.next, b'{"access_token"', codes=confidential),
        Loop("floor", "OPTIONS / (request floor)", lambda: PREFLIGHT, b""),
    ]


# Checks before timing ------------------------------------------------------------------------
def checks(seeded: Seeded, port: int) -> dict[str, Any]:
    """Right answers: claims and signatures of each grant's tokens; refusals."""
    import jwt

    jwks = jwt.PyJWKClient(f"http://127.0.0.1:{port}/{seeded.pool_id}/.well-known/jwks.json")

    def verified(token: str, **options: Any) -> dict[str, Any]:
        key = jwks.get_signing_key_from_jwt(token).key
        return dict(jwt.decode(token, key, algorithms=["RS256"], issuer=seeded.issuer,
                               **options))

    def ok(request: Request) -> dict[str, Any]:
        status, body = send(port, request)
        assert status == 200, (status, body[:300])
        return dict(json.loads(body))

    def refused(request: Request) -> str:
        status, body = send(port, request)
        assert status in (400, 401), (status, body[:300])
        answer = json.loads(body)
        return f"{status} {answer.get('error') or answer.get('__type')}"

    result = ok(sign_in_request(seeded))["AuthenticationResult"]
    assert verified(result["AccessToken"], options={"verify_aud": False})["username"] == USERNAME
    machine = ok(client_credentials_request(seeded))
    claims = verified(machine["access_token"], options={"verify_aud": False})
    assert claims["sub"] == seeded.machine[0] and claims["scope"] == f"{API}/read", claims
    assert claims["token_use"] == "access" and "username" not in claims, claims
    for client, pkce in ((seeded.web, True), (seeded.backend[0], False)):
        (code, verifier), = issue_codes(client, 1, pkce=pkce)
        tokens = ok(code_request(seeded, code, verifier))
        id_claims = verified(tokens["id_token"], audience=client)
        assert id_claims["cognito:username"] == USERNAME and tokens["refresh_token"], id_claims
        assert verified(tokens["access_token"], options={"verify_aud": False})["scope"] == \
            " ".join(CODE_SCOPES)
    (code, verifier), = issue_codes(seeded.web, 1, pkce=True)
    wrong_verifier = refused(code_request(seeded, code, secrets.token_urlsafe(48)))
    (code, _), = issue_codes(seeded.backend[0], 1, pkce=False)
    ok(code_request(seeded, code, ""))
    return {
        "issuer": seeded.issuer,
        "wrong_password": refused(sign_in_request(seeded, "Wrong-Passw0rd!")),
        "wrong_client_secret": refused(client_credentials_request(seeded, "wrong-secret")),
        "wrong_pkce_verifier": wrong_verifier,
        "code_redeemed_twice": refused(code_request(seeded, code, "")),
    }


# In this process -----------------------------------------------------------------------------
def wsgi_call(request: Request) -> Callable[[], None]:
    """``request`` through Django's WSGI handler, without sockets, as 127.0.0.1 receives it."""
    from django.core.handlers.wsgi import WSGIHandler
    from django.test import RequestFactory

    handler = WSGIHandler()
    headers = {"HTTP_" + name.upper().replace("-", "_"): value
               for name, value in request.headers.items() if name != "Content-Type"}
    template = RequestFactory().generic(
        request.method, request.path, data=request.body,
        content_type=request.headers.get("Content-Type", ""), SERVER_NAME="127.0.0.1",
        HTTP_HOST="127.0.0.1", **headers).environ

    def call() -> None:
        statuses: list[str] = []
        result = handler({**template, "wsgi.input": io.BytesIO(request.body)},
                         lambda status, headers: statuses.append(status))
        content = b"".join(result)
        result.close()
        assert statuses == ["200 OK"], (statuses, content[:300])
    return call


def codes_call(seeded: Seeded, pkce: bool, count: int) -> Callable[[], None]:
    """A code exchange through the WSGI handler, a fresh code each call."""
    made = iter(issue_codes(seeded.web if pkce else seeded.backend[0], count, pkce=pkce))
    return lambda: wsgi_call(code_request(seeded, *next(made)))()


def cpu_each(call: Callable[[], object], count: int) -> float:
    """CPU ms per call over ``count`` calls."""
    start = time.process_time()
    for _ in range(count):
        call()
    return (time.process_time() - start) / count * 1e3


def pieces(seeded: Seeded) -> dict[str, Callable[[], object]]:
    """The parts of a client_credentials request, each callable on its own."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    from django_cognito.hosted.server import Server
    from django_cognito.models import KeyPurpose
    from django_cognito.services import domains
    from django_cognito.services.oauth import grants, scopes
    from django_cognito.tokens import keys

    domain = domains.find(DOMAIN)
    assert domain is not None
    pool = domain.pool
    client = Server(pool).query_client(seeded.machine[0])
    assert client is not None
    key = keys.private_key(keys.active_key(pool, KeyPurpose.ACCESS))
    return {
        "domain lookup (services.domains.find)": lambda: domains.find(DOMAIN),
        "Authlib server (hosted.server.Server(pool))": lambda: Server(pool),
        "client lookup (Server.query_client)": lambda: Server(pool).query_client(
            seeded.machine[0]),
        "custom scopes (services.oauth.scopes.custom_scopes)":
            lambda: scopes.custom_scopes(client.model, f"{API}/read"),
        "grant (services.oauth.grants.client_credentials)":
            lambda: grants.client_credentials(client.model, f"{API}/read"),
        "one RSA-2048 signature": lambda: key.sign(b"x" * 700, padding.PKCS1v15(),
                                                   hashes.SHA256()),
    }


def measure_in_process(seeded: Seeded) -> dict[str, Any]:
    batches, per_batch = 8, 25
    calls = {"sign-in": wsgi_call(sign_in_request(seeded)),
             "client-credentials": wsgi_call(client_credentials_request(seeded)),
             "code-pkce": codes_call(seeded, True, (batches + 1) * per_batch + 1),
             "code-basic": codes_call(seeded, False, (batches + 1) * per_batch + 1),
             "floor": wsgi_call(PREFLIGHT)}
    samples: dict[str, list[float]] = {key: [] for key in calls}
    for call in calls.values():
        cpu_each(call, per_batch)  # warm: prepared SQL, keys, caches
    for _ in range(batches):  # interleaved, so drift affects all alike
        for key, call in calls.items():
            samples[key].append(cpu_each(call, per_batch))
    statements = {key: queries(call) for key, call in calls.items()}
    parts = {}
    for name, part in pieces(seeded).items():
        part()
        parts[name] = min(cpu_each(part, 200) for _ in range(3))
    return {"wsgi_cpu_ms": {key: statistics.median(v) for key, v in samples.items()},
            "queries": statements, "client_credentials_parts_ms": parts,
            "profile_client_credentials": profile(calls["client-credentials"], 300),
            "pyinstrument": pyinstrument_text(calls["client-credentials"], 300)}


def pyinstrument_text(call: Callable[[], None], rounds: int) -> str | None:
    """pyinstrument's call tree of ``rounds`` calls, when pyinstrument is importable."""
    try:
        from pyinstrument import Profiler
    except ImportError:
        return None
    profiler = Profiler(interval=0.0001)
    profiler.start()
    for _ in range(rounds):
        call()
    profiler.stop()
    return str(profiler.output_text(unicode=True, color=False, show_all=False))


# The run -------------------------------------------------------------------------------------
def main() -> int:
    seconds = env_number("BENCH_OAUTH_SECONDS", 6)
    rounds = int(env_number("BENCH_OAUTH_ROUNDS", 2))
    connections = int(env_number("BENCH_OAUTH_CONNECTIONS", 2))
    workdir = Path(tempfile.mkdtemp(prefix="oauth-bench-"))
    port = free_port()
    try:
        prepare_django(workdir / "oauth-bench.sqlite3", f"http://127.0.0.1:{port}",
                       "bench.oauth_project.settings")
        seeded = seed()
        say(f"in-process: WSGI handler per grant, pieces, profile (load {loadavg()})")
        inproc = measure_in_process(seeded)
        from django.db import connections as databases

        databases.close_all()
        results = measure_server(seeded, workdir, port, seconds, rounds, connections)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    report = summarize(inproc, results, seconds, rounds, connections)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "oauth.json").write_text(json.dumps(report, indent=2) + "\n")
    if inproc["pyinstrument"]:
        (RESULTS / "oauth-client-credentials.pyinstrument.txt").write_text(inproc["pyinstrument"])
    print_table(report)
    if os.environ.get("BENCH_STRICT") == "1" and not report["target_met"]:
        return 1
    return 0


def measure_server(seeded: Seeded, workdir: Path, port: int, seconds: float, rounds: int,
                   connections: int) -> dict[str, Any]:
    gunicorn = [sys.executable, "-m", "gunicorn", "bench.auth_project.wsgi:application",
                "--bind", f"127.0.0.1:{port}", "--workers", "1", "--worker-class", "sync",
                "--log-level", "warning", "--timeout", "120"]
    with server("gunicorn", gunicorn, port, ("GET", "/"), workdir / "gunicorn.log") as pid:
        found = checks(seeded, port)
        loops = loops_for(seeded)
        rates: dict[str, float] = {}
        for loop in loops:  # warm-up: caches, compiled SQL, keys; and the code loops' rates
            if loop.codes is not None:
                loop.codes.fill(400)
            warm = Loop(loop.key, loop.label, loop.make, loop.expect, loop.codes)
            warm.run(port, pid, 1.0, connections)
            rates[loop.key] = len(warm.latencies) / warm.elapsed
        load_before = loadavg()
        for index in range(rounds):
            for loop in loops if index % 2 == 0 else loops[::-1]:
                if loop.codes is not None:  # made now: a code lives five minutes
                    loop.codes.fill(int(rates[loop.key] * seconds * 2) + 100)
                say(f"round {index + 1}/{rounds}: {loop.key} for {seconds:g} s")
                loop.run(port, pid, seconds, connections)
        load_after = loadavg()
    return {"loops": {loop.key: loop.summary() for loop in loops}, "checks": found,
            "load_before": load_before, "load_after": load_after}


def summarize(inproc: dict[str, Any], results: dict[str, Any], seconds: float, rounds: int,
              connections: int) -> dict[str, Any]:
    import django

    loops = results["loops"]
    base, machine = loops["sign-in"], loops["client-credentials"]
    ratios = {
        # What one vCPU serves: the inverse of the server's CPU per request.
        "client_credentials_over_sign_in_cpu": base["server_cpu_ms"] / machine["server_cpu_ms"],
        "client_credentials_over_sign_in_wall": machine["per_s_wall"] / base["per_s_wall"],
        "code_pkce_over_sign_in_cpu": base["server_cpu_ms"] / loops["code-pkce"]["server_cpu_ms"],
        "code_basic_over_sign_in_cpu": base["server_cpu_ms"] /
        loops["code-basic"]["server_cpu_ms"],
        "client_credentials_per_vcpu_over_keycloak": machine["per_vcpu"] /
        KEYCLOAK_GRANTS_PER_VCPU,
    }
    return {
        "benchmark": "oauth", "seconds_per_loop": seconds, "rounds": rounds,
        "client_threads": connections, "python": platform.python_version(),
        "django": django.get_version(), "cpus": os.cpu_count(),
        "load_before": results["load_before"], "load_after": results["load_after"],
        "server": "gunicorn, 1 sync worker, 127.0.0.1, SQLite file (WAL), local-memory cache, "
                  "plain (no-cost) password hasher",
        "loops": loops, "ratios": ratios, "target": TARGET,
        "target_met": ratios["client_credentials_over_sign_in_cpu"] >= TARGET,
        "keycloak": {"client_credential_grants_per_vcpu": KEYCLOAK_GRANTS_PER_VCPU,
                     "source": KEYCLOAK_DOC},
        "checks": results["checks"],
        "in_process": {k: v for k, v in inproc.items() if k != "pyinstrument"},
    }


def print_table(report: dict[str, Any]) -> None:
    loops, ratios, inproc = report["loops"], report["ratios"], report["in_process"]
    print(f"OAuth token endpoint benchmark: {report['seconds_per_loop']:g} s x "
          f"{report['rounds']} rounds per loop, {report['client_threads']} client threads; "
          f"{report['server']}; {report['cpus']} CPUs, load {report['load_before']} -> "
          f"{report['load_after']}")
    print()
    header = (f"{'per request, through gunicorn':56} {'n':>6} {'/s wall':>8} {'median':>7} "
              f"{'srv CPU':>8} {'/s/vCPU':>8} {'Django':>7} {'signing':>8}")
    print(header)
    print("-" * len(header))
    for row in loops.values():
        inside = row.get("in_server", {})
        out = " (codes ran out)" if row["codes_ran_out"] else ""
        print(f"{row['label']:56} {row['requests']:6d} {row['per_s_wall']:8.1f} "
              f"{row['median_ms']:7.2f} {row['server_cpu_ms']:8.3f} {row['per_vcpu']:8.1f} "
              f"{inside.get('request_cpu_ms', 0):7.3f} {inside.get('signing_cpu_ms', 0):8.3f}"
              f"{out}")
    print("(ms; /s wall = requests per second of the one saturated worker; srv CPU = the "
          "server's CPU per request, /s/vCPU = 1000 / srv CPU; Django = its part of that, "
          "signing = the RSA signatures within it)")
    print()
    met = "met" if report["target_met"] else "NOT MET"
    print(f"client_credentials / sign-in without hasher: "
          f"{ratios['client_credentials_over_sign_in_cpu']:.2f} x per vCPU (server CPU), "
          f"{ratios['client_credentials_over_sign_in_wall']:.2f} x per worker (wall); target "
          f">= {report['target']:g} x: {met}")
    print(f"authorization_code / sign-in: PKCE {ratios['code_pkce_over_sign_in_cpu']:.2f} x, "
          f"client_secret_basic {ratios['code_basic_over_sign_in_cpu']:.2f} x (server CPU)")
    machine = loops["client-credentials"]
    print(f"client_credentials: {machine['per_vcpu']:.0f} grants per second per vCPU, "
          f"{ratios['client_credentials_per_vcpu_over_keycloak']:.1f} x Keycloak's published "
          f"{KEYCLOAK_GRANTS_PER_VCPU:g} ({KEYCLOAK_DOC}; Keycloak's figure includes a new TLS "
          "connection per grant, these are plain HTTP on loopback)")
    checked = report["checks"]
    print(f"checks: wrong password -> {checked['wrong_password']}, wrong client secret -> "
          f"{checked['wrong_client_secret']}, wrong PKCE verifier -> "
          f"{checked['wrong_pkce_verifier']}, code redeemed twice -> "
          f"{checked['code_redeemed_twice']}")
    print()
    print("in this process, through Django's WSGI handler (no sockets), CPU ms per request, "
          "and its SQL:")
    for key, cpu in inproc["wsgi_cpu_ms"].items():
        statements = inproc["queries"][key]
        print(f"  {key:20} {cpu:7.3f}  {len(statements)} SQL: {', '.join(statements)}")
    print("pieces of a client_credentials request, CPU ms each:")
    for name, cpu in inproc["client_credentials_parts_ms"].items():
        print(f"  {cpu:7.3f}  {name}")
    print("top own time under cProfile, WSGI client_credentials, ms per request:")
    for row in inproc["profile_client_credentials"][:10]:
        print(f"  {row['own_ms']:7.3f} {row['calls_per_call']:7.1f}x  {row['function']}")


if __name__ == "__main__":
    sys.exit(main())
