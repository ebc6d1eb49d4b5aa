"""A loopback server speaking the Lambda Invoke API, for triggers forwarded through boto3.

The ``lambda_server`` fixture (tests/services/conftest.py) starts one and points ``COGNITO``
at it; tests register what each function answers (``on``) and read what it was sent
(``calls``, ``events``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import unquote

ACCOUNT = "123456789012"
REGION = "eu-west-1"

Handler = Callable[[dict[str, Any]], tuple[int, dict[str, str], bytes]]


def arn(name: str) -> str:
    """The ARN of the function ``name`` in the stand-in's account and region."""
    return f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}"


@dataclass
class Invocation:
    """One request the stand-in received."""

    function: str
    invocation_type: str
    authorization: str
    event: Any


@dataclass
class LambdaStandIn:
    """A loopback server speaking the Lambda Invoke API (POST /2015-03-31/functions/…)."""

    url: str = ""
    calls: list[Invocation] = field(default_factory=list)
    handlers: dict[str, Handler] = field(default_factory=dict)

    def on(self, name: str, handler: Handler) -> None:
        self.handlers[arn(name)] = handler

    def events(self, name: str) -> list[Any]:
        return [c.event for c in self.calls if c.function == arn(name)]


def request_handler(stand_in: LambdaStandIn) -> type[BaseHTTPRequestHandler]:
    """The handler class of a server that answers as ``stand_in`` says and records it."""
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's naming
            prefix, suffix = "/2015-03-31/functions/", "/invocations"
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if not (self.path.startswith(prefix) and self.path.endswith(suffix)):
                self._reply(404, {}, b'{"Message": "unknown path"}')
                return
            function = unquote(self.path[len(prefix):-len(suffix)])
            invocation_type = self.headers.get("X-Amz-Invocation-Type", "RequestResponse")
            stand_in.calls.append(Invocation(function, invocation_type,
                                             self.headers.get("Authorization", ""),
                                             json.loads(body)))
            handler = stand_in.handlers.get(function)
            if handler is None:
                self._reply(404, {"X-Amzn-ErrorType": "ResourceNotFoundException"},
                            b'{"Type": "User", "Message": "Function not found"}')
            elif invocation_type == "Event":
                self._reply(202, {}, b"")
            else:
                self._reply(*handler(json.loads(body)))

        def _reply(self, status: int, headers: dict[str, str], body: bytes) -> None:
            self.send_response(status)
            for name, value in {"Content-Type": "application/json", **headers}.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            return

    return Handler
