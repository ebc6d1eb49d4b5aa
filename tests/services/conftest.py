"""Fixtures of the service tests: a loopback Lambda for triggers forwarded through boto3."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import ThreadingHTTPServer
from typing import Any

import pytest

from django_cognito.services import lambda_forward
from tests.lambda_stand_in import LambdaStandIn, request_handler


@pytest.fixture
def lambda_server(settings: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[LambdaStandIn]:
    """The stand-in, with COGNITO pointed at it and fake credentials (it checks no SigV4)."""
    stand_in = LambdaStandIn()
    server = ThreadingHTTPServer(("127.0.0.1", 0), request_handler(stand_in))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    stand_in.url = f"http://127.0.0.1:{server.server_address[1]}"
    for name, value in {"AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "secret",
                        "AWS_EC2_METADATA_DISABLED": "true"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    settings.COGNITO = {**getattr(settings, "COGNITO", {}), "LAMBDA_FORWARD": True,
                        "LAMBDA_ENDPOINT_URL": stand_in.url, "LAMBDA_MAX_ATTEMPTS": 1}
    lambda_forward._client.cache_clear()
    yield stand_in
    server.shutdown()
    server.server_close()
    thread.join()
    lambda_forward._client.cache_clear()
