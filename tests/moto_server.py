"""AWS's STS and S3 on loopback for identity-pool tests: ``moto_server`` (moto[server]) started
as a process in its own process group, stopped by PID.

Test modules load it with ``pytest_plugins = ["tests.moto_server"]``: ``moto_url`` is one
server per test session (per xdist worker), ``moto`` the same URL with moto's state reset
before the test, ``sts_moto`` the same URL with ``COGNITO["STS_ENDPOINT_URL"]`` pointing at it
for one test. moto keeps state per account; tests that do not reset use fresh bucket names.
moto checks neither web-identity tokens nor signatures: it stands in for the services that
take the credentials, never for Cognito's security behaviour.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from bench.processes import answers_http, free_port, listens_alone, stop

START_SECONDS = 60
#: moto's own API: answers once every service is loaded; POST .../reset empties them.
PROBE = "/moto-api/"


def command(port: int) -> list[str]:
    """The argv of ``moto_server`` on 127.0.0.1:``port`` with this interpreter's moto."""
    return [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)]


@contextmanager
def moto_server(port: int | None = None) -> Iterator[str]:
    """A running ``moto_server``; yields its URL once it answers and holds its port alone."""
    port = port or free_port()
    with tempfile.TemporaryDirectory(prefix="moto-") as directory:
        log = Path(directory) / "moto.log"
        with open(log, "wb") as output:
            process = subprocess.Popen(  # noqa: S603 (fixed argv)
                command(port), stdout=output, stderr=subprocess.STDOUT,
                # Its own process group, so that whatever it starts ends with it.
                start_new_session=True)
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + START_SECONDS
            while not answers_http(url + PROBE):
                if process.poll() is not None:  # "address already in use" among others
                    raise AssertionError("moto_server exited: " + _tail(log))
                if time.monotonic() > deadline:
                    raise AssertionError("moto_server did not answer: " + _tail(log))
                time.sleep(0.1)
            if not listens_alone(port, process.pid):
                raise AssertionError(f"another process answers on 127.0.0.1:{port}")
            yield url
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            stop(process)


def reset(url: str) -> None:
    """Forget every bucket, role and credential moto holds."""
    request = urllib.request.Request(url + PROBE + "reset", method="POST")  # noqa: S310
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (loopback)
        assert response.status == 200, response.status


def _tail(log: Path) -> str:
    return log.read_text(errors="replace")[-3000:]


@pytest.fixture(scope="session")
def moto_url() -> Iterator[str]:
    """The URL of a ``moto_server`` shared by the session's tests."""
    with moto_server() as url:
        yield url


@pytest.fixture
def moto(moto_url: str) -> str:
    """``moto_url`` with moto's state emptied first."""
    reset(moto_url)
    return moto_url


@pytest.fixture
def sts_moto(moto_url: str, settings: Any) -> str:
    """``moto_url``, with GetCredentialsForIdentity's STS calls sent to it."""
    settings.COGNITO = {**settings.COGNITO, "STS_ENDPOINT_URL": moto_url}
    return moto_url
