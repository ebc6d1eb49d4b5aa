"""A private ``redis-server`` on a Unix socket, for tests that need a real shared cache."""

from __future__ import annotations

import ctypes
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bench.processes import stop

PR_SET_PDEATHSIG = 1  # linux/prctl.h
_prctl = ctypes.CDLL(None, use_errno=True).prctl  # resolved here: the child only calls it


def die_with_the_tests() -> None:
    """In the child: be sent SIGTERM when the test process dies, even by SIGKILL, so a killed
    run leaves no server behind."""
    _prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


@contextmanager
def private_redis(workdir: Path) -> Iterator[Path]:
    """A redis-server listening only on ``workdir/redis.sock`` (port 0: no port to race
    for), persisting nothing; yields the socket's path once it answers PING."""
    import redis

    socket_path = workdir / "redis.sock"
    log = workdir / "redis.log"
    with open(log, "wb") as output:
        server = subprocess.Popen(  # noqa: S603
            ["redis-server", "--port", "0", "--unixsocket", str(socket_path),  # noqa: S607
             "--unixsocketperm", "700", "--save", "", "--appendonly", "no",
             "--dir", str(workdir)],
            stdout=output, stderr=subprocess.STDOUT, preexec_fn=die_with_the_tests)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if redis.Redis(unix_socket_path=str(socket_path)).ping():
                    break
            except redis.exceptions.ConnectionError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"redis-server did not start: {log.read_text()[-3000:]}")
            time.sleep(0.05)
        yield socket_path
    finally:
        stop(server)
