"""moto_server on loopback: the local STS and S3 that identity-pool credentials are tried
against (``AssumeRoleWithWebIdentity``, then S3 with the credentials it returns).

``moto_url`` is a session fixture: one server, started as a process in its own group and
stopped by PID. moto keeps state per account; tests use fresh bucket names. ``sts_moto``
also points ``COGNITO["STS_ENDPOINT_URL"]`` at it for one test.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from bench.processes import free_port, stop

START_SECONDS = 30


@contextmanager
def moto_server() -> Iterator[str]:
    """A running moto_server; yields its base URL."""
    port = free_port()
    binary = Path(sys.executable).with_name("moto_server")
    process = subprocess.Popen(  # noqa: S603 (fixed argv)
        [str(binary), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_SECONDS
        while True:
            try:
                with urllib.request.urlopen(f"{url}/moto-api/", timeout=2):  # noqa: S310
                    break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError("moto_server did not start") from None
                time.sleep(0.1)
        yield url
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        stop(process)


@pytest.fixture(scope="session")
def moto_url() -> Iterator[str]:
    with moto_server() as url:
        yield url


@pytest.fixture
def sts_moto(moto_url: str, settings: Any) -> str:
    """``moto_url``, with GetCredentialsForIdentity's STS calls sent to it."""
    settings.COGNITO = {**settings.COGNITO, "STS_ENDPOINT_URL": moto_url}
    return moto_url
