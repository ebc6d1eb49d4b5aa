"""The HTTP side of ``bench.load``: one Cognito JSON call or DRF request per connection,
SigV4 for the admin operations, and the workload's operations built from them.

Raw ``http.client`` rather than boto3: on a 2-vCPU machine the client shares the CPUs with
the server, and boto3's per-call overhead would be measured as the server's. No retries: the
bench counts every error a client would see before its SDK retried.
"""

from __future__ import annotations

import http.client
import json
import random
import threading
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from pycognito.aws_srp import AWSSRP

CONTENT_TYPE = "application/x-amz-json-1.1"
WRONG = "Wr0ng-Passw0rd!"  # noqa: S105
WRONG_PASSWORD = "Incorrect username or password."
LOCKED = "Password attempts exceeded"


class Failure(Exception):
    """A refused or broken call; ``kind`` is what a client can tell: the ``__type`` of a
    Cognito error, ``HTTP <status>`` otherwise, or the connection error's class."""

    def __init__(self, kind: str, message: str = "", status: int = 0) -> None:
        super().__init__(f"{kind}: {message}")
        self.kind, self.message, self.status = kind, message, status


class Api:
    """The server at ``base``: the JSON API at ``/`` and the DRF view at ``/drf/``."""

    def __init__(self, base: str, seed: dict[str, Any]) -> None:
        parts = urlsplit(base)
        self.base, self.host, self.port = base, parts.hostname or "", parts.port or 80
        self.seed = seed
        self.credentials = Credentials(seed["access_key_id"], seed["secret_access_key"])

    def _send(self, method: str, path: str, body: bytes | None,
              headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        connection = http.client.HTTPConnection(self.host, self.port, timeout=60)
        try:
            connection.request(method, path, body=body, headers=headers)
            answer = connection.getresponse()
            return answer.status, dict(answer.getheaders()), answer.read()
        except (OSError, http.client.HTTPException) as exc:
            raise Failure(type(exc).__name__, str(exc)) from None
        finally:
            connection.close()

    def call(self, target: str, body: dict[str, Any], *, signed: bool = False) -> Any:
        """One operation; its answer, or ``Failure``."""
        data = json.dumps(body).encode()
        headers = {"Content-Type": CONTENT_TYPE,
                   "X-Amz-Target": f"AWSCognitoIdentityProviderService.{target}"}
        if signed:
            request = AWSRequest(method="POST", url=f"{self.base}/", data=data, headers=headers)
            SigV4Auth(self.credentials, "cognito-idp", "us-east-1").add_auth(request)
            headers = dict(request.headers.items())
        status, _, raw = self._send("POST", "/", data, headers)
        try:
            answer = json.loads(raw) if raw else {}
        except ValueError:
            raise Failure(f"HTTP {status} (not JSON)", raw[:200].decode(errors="replace"),
                          status) from None
        if status != 200:
            kind = answer.get("__type") if isinstance(answer, dict) else None
            raise Failure(str(kind or f"HTTP {status}"), str(answer.get("message", "")),
                          status)
        return answer

    def drf(self, access_token: str) -> Any:
        status, _, raw = self._send("GET", "/drf/", None,
                                    {"Authorization": f"Bearer {access_token}"})
        if status != 200:
            raise Failure(f"HTTP {status}", raw[:200].decode(errors="replace"), status)
        return json.loads(raw)

    def health(self) -> int:
        """The status of ``GET /health`` (200, or 503 naming the failing part), 0 for no
        answer."""
        try:
            return self._send("GET", "/health", None, {})[0]
        except Failure:
            return 0

    def password_sign_in(self, username: str, password: str) -> dict[str, str]:
        answer = self.call("InitiateAuth", {
            "ClientId": self.seed["client_id"], "AuthFlow": "USER_PASSWORD_AUTH",
            "AuthParameters": {"USERNAME": username, "PASSWORD": password}})
        return dict(answer["AuthenticationResult"])

    def srp_sign_in(self, username: str, password: str) -> dict[str, str]:
        srp = AWSSRP(username, password, self.seed["pool_id"], self.seed["client_id"],
                     client=object())  # only its arithmetic: the calls are ours
        params = srp.get_auth_params()
        challenge = self.call("InitiateAuth", {"ClientId": self.seed["client_id"],
                                               "AuthFlow": "USER_SRP_AUTH",
                                               "AuthParameters": params})
        answer = self.call("RespondToAuthChallenge", {
            "ClientId": self.seed["client_id"], "ChallengeName": "PASSWORD_VERIFIER",
            "ChallengeResponses": srp.process_challenge(challenge["ChallengeParameters"],
                                                        params)})
        return dict(answer["AuthenticationResult"])

    def refresh(self, refresh_token: str) -> dict[str, str]:
        answer = self.call("InitiateAuth", {"ClientId": self.seed["client_id"],
                                            "AuthFlow": "REFRESH_TOKEN_AUTH",
                                            "AuthParameters": {"REFRESH_TOKEN": refresh_token}})
        return dict(answer["AuthenticationResult"])

    def admin(self, target: str, **body: Any) -> Any:
        return self.call(target, {"UserPoolId": self.seed["pool_id"], **body}, signed=True)


@dataclass
class SignUps:
    """Every sign-up the workload tried, by username: ``ok``, ``unconfirmed`` (SignUp
    answered 200, the confirmation an error) or the error of SignUp."""

    outcomes: dict[str, str] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, username: str, outcome: str) -> None:
        with self.lock:
            self.outcomes[username] = outcome


class Workload:
    """The mixed operations, each one call sequence against ``api``."""

    MIX = {"sign_up+confirm": 1, "password_sign_in": 3, "srp_sign_in": 2, "refresh": 3,
           "get_user": 4, "drf": 4, "list_users": 1}

    def __init__(self, api: Api, users: list[str], sessions: list[dict[str, str]]) -> None:
        self.api, self.users, self.sessions = api, users, sessions
        self.password = api.seed["password"]
        self.sign_ups = SignUps()
        self.names = list(self.MIX)
        self.weights = [self.MIX[name] for name in self.names]

    def pick(self, rng: random.Random) -> str:
        return rng.choices(self.names, self.weights)[0]

    def run(self, name: str, rng: random.Random) -> None:
        """One operation of the mix (raises ``Failure``)."""
        api = self.api
        if name == "sign_up+confirm":
            self.sign_up(f"new-{uuid.uuid4().hex[:16]}")
        elif name == "password_sign_in":
            api.password_sign_in(rng.choice(self.users), self.password)
        elif name == "srp_sign_in":
            api.srp_sign_in(rng.choice(self.users), self.password)
        elif name == "refresh":
            api.refresh(rng.choice(self.sessions)["RefreshToken"])
        elif name == "get_user":
            api.call("GetUser", {"AccessToken": rng.choice(self.sessions)["AccessToken"]})
        elif name == "drf":
            api.drf(rng.choice(self.sessions)["AccessToken"])
        else:
            api.admin("ListUsers", Limit=20)

    def sign_up(self, username: str) -> None:
        try:
            self.api.call("SignUp", {"ClientId": self.api.seed["client_id"],
                                     "Username": username, "Password": self.password,
                                     "UserAttributes": [{"Name": "email",
                                                         "Value": f"{username}@example.com"}]})
        except Failure as failure:
            self.sign_ups.record(username, failure.kind)
            raise
        try:
            self.api.admin("AdminConfirmSignUp", Username=username)
        except Failure:
            self.sign_ups.record(username, "unconfirmed")
            raise
        self.sign_ups.record(username, "ok")
