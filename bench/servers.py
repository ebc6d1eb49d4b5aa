"""Private PostgreSQL and Redis servers that a test or a benchmark can stop and start again
(the fault tests and ``bench.load --faults``): each in its own directory, on loopback, with
the address it had before every restart, so clients reconnect without being told."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]


def _as_owner(command: list[str]) -> list[str]:
    """As root the cluster belongs to user postgres (as in scripts/pg.sh)."""
    return ["runuser", "-u", "postgres", "--", *command] if os.getuid() == 0 else command


class Postgres:
    """A cluster made by ``scripts/pg.sh start`` in a new temporary directory (directly
    under the system's, which user postgres can reach when run as root), its address written
    into its own configuration so that a plain ``pg_ctl start`` brings it back on the same
    port."""

    def __init__(self) -> None:
        self.directory = Path(tempfile.mkdtemp(prefix="django_cognito-pg-"))
        self.url = ""
        bindirs = sorted(Path("/usr/lib/postgresql").glob("*/bin"),
                         key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0)
        if not bindirs:
            raise RuntimeError("no PostgreSQL under /usr/lib/postgresql (scripts/bootstrap.sh)")
        self.pg_ctl = str(bindirs[-1] / "pg_ctl")

    def create(self) -> str:
        """initdb, start, and the ``postgres://`` URL of its database ``app``."""
        done = subprocess.run(["bash", str(ROOT / "scripts" / "pg.sh"), "start",  # noqa: S603,S607
                               str(self.directory)], capture_output=True, text=True,
                              timeout=180, check=False)
        if done.returncode:
            raise RuntimeError(f"pg.sh start failed: {done.stderr[-2000:]}")
        self.url = done.stdout.strip().splitlines()[-1]
        port = urlsplit(self.url).port
        with open(self.directory / "postgresql.conf", "a") as conf:
            conf.write(f"\nlisten_addresses = '127.0.0.1'\nport = {port}\n"
                       f"unix_socket_directories = '{self.directory}'\n"
                       "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n")
        return self.url

    def _ctl(self, *args: str) -> None:
        subprocess.run(_as_owner([self.pg_ctl, "-D", str(self.directory), *args]),  # noqa: S603
                       check=True, capture_output=True, timeout=120, cwd="/")

    def stop(self) -> None:
        """Stop it (fast: open connections are cut, as a crash or a failover cuts them)."""
        self._ctl("-m", "fast", "-w", "stop")

    def start(self) -> None:
        """Start it again on its address."""
        self._ctl("-l", str(self.directory / "server.log"), "-w", "-t", "60", "start")

    def destroy(self) -> None:
        """Stop it if it runs and remove its directory."""
        try:
            self.stop()
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(self.directory, ignore_errors=True)


class Redis:
    """``redis-server`` on a Unix socket in ``directory`` (no port to race for); with
    ``persistent``, the append-only file fsynced every second (``appendfsync everysec``)."""

    def __init__(self, directory: Path, *, persistent: bool = False) -> None:
        self.directory = directory
        self.persistent = persistent
        self.socket = directory / "redis.sock"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """The LOCATION of Django's RedisCache."""
        return f"unix://{self.socket}"

    def start(self, preexec_fn: Any = None) -> None:
        """Start it (again) and wait until it answers PING with its data loaded;
        ``preexec_fn`` runs in the child (tests: die with the test process)."""
        command = ["redis-server", "--port", "0", "--unixsocket", str(self.socket),
                   "--unixsocketperm", "700", "--dir", str(self.directory), "--save", "",
                   "--appendonly", "yes" if self.persistent else "no",
                   "--appendfsync", "everysec"]
        log = open(self.directory / "redis.log", "ab")  # noqa: SIM115 (the child's stdout)
        self.process = subprocess.Popen(command, stdout=log,  # noqa: S603
                                        stderr=subprocess.STDOUT, preexec_fn=preexec_fn)
        log.close()
        deadline = time.monotonic() + 30
        while not self.answers():
            if self.process.poll() is not None or time.monotonic() > deadline:
                tail = (self.directory / "redis.log").read_text(errors="replace")[-2000:]
                raise RuntimeError(f"redis-server did not start: {tail}")
            time.sleep(0.02)

    def answers(self) -> bool:
        """Whether it answers PING (not while it loads its append-only file)."""
        import redis

        try:
            return bool(redis.Redis(unix_socket_path=str(self.socket),
                                    socket_timeout=1).ping())
        except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError):
            return False

    def client(self) -> Any:
        """A redis-py client on it."""
        import redis

        return redis.Redis(unix_socket_path=str(self.socket), socket_timeout=5)

    def lockout_count(self, user_pk: int) -> int:
        """The failed-password count django_cognito holds for the pool user ``user_pk``
        (``services.lockout``: ``...:lockout:<pool>:<pk>:count``, under Django's key prefix)."""
        for key in self.client().scan_iter(f"*django_cognito:lockout:*:{user_pk}:count"):
            return int(self.client().get(key) or 0)
        return 0

    def kill(self) -> None:
        """Stop it as a crash does (SIGKILL): only what the append-only file holds survives."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()
        self.socket.unlink(missing_ok=True)

    def pause(self) -> None:
        """Freeze it (SIGSTOP): connections stay open and nothing answers, as a Redis that
        hangs (swapping, a blocked disk) rather than dies."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        """Let a paused Redis go on (SIGCONT)."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)

    def stop(self) -> None:
        """Stop it cleanly (SIGTERM)."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)
