"""Loopback ports, whether a server answers, the CPU time of server processes and their
stopping, shared by the HTTP benchmarks and the multi-process tests."""

from __future__ import annotations

import os
import socket
import subprocess
import urllib.error
import urllib.request
from pathlib import Path


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def answers_http(url: str) -> bool:
    """Whether a server answers HTTP at ``url`` (its worker has loaded Django), whatever the
    status."""
    try:
        with urllib.request.urlopen(url, timeout=5):  # noqa: S310 (a loopback URL)
            return True
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False


def listener_pids(port: int) -> set[int]:
    """The pids holding a listening socket on 127.0.0.1:``port`` (from /proc/net/tcp)."""
    inodes = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if fields[1] == f"0100007F:{port:04X}" and fields[3] == "0A":
            inodes.add(fields[9])
    pids = set()
    for fd in Path("/proc").glob("[0-9]*/fd/*"):
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:[") and target[8:-1] in inodes:
            pids.add(int(fd.parent.parent.name))
    return pids


def parent_pid(pid: int) -> int:
    """The parent of process ``pid``; -1 when it has ended."""
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return -1


def listens_alone(port: int, pid: int) -> bool:
    """Whether only process ``pid`` or its children listen on 127.0.0.1:``port``: a server
    that lost the port to another process must not pass for the one that was started."""
    listening = listener_pids(port)
    return bool(listening) and all(p == pid or parent_pid(p) == pid for p in listening)


def cpu_seconds(root: int) -> float:
    """User + system CPU time used so far by a process and its children (Linux /proc)."""
    ticks = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # a process that ended while the list was read
        pid, ppid = int(stat.parent.name), int(fields[1])
        if root in (pid, ppid):
            ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def run_seconds(root: int) -> float:
    """On-CPU time so far of the live threads of a process and its children, in nanoseconds'
    resolution (``/proc/<pid>/task/<tid>/schedstat``), where ``cpu_seconds`` counts clock
    ticks (10 ms). Threads that have ended are not counted: use it for servers whose serving
    threads live on (gunicorn's sync workers), ``cpu_seconds`` for the others."""
    total, read = 0, 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            ppid = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        if root not in (int(stat.parent.name), ppid):
            continue
        for task in stat.parent.glob("task/*/schedstat"):
            try:
                total += int(task.read_text().split()[0])
                read += 1
            except (OSError, IndexError, ValueError):
                continue  # a thread that ended while the list was read
    if not read:  # a kernel without schedstat must not pass for a server that costs nothing
        raise RuntimeError(f"no /proc/*/task/*/schedstat readable for process {root}")
    return total / 1e9


def stop(process: subprocess.Popen[bytes]) -> None:
    """Stop a server started with ``subprocess.Popen``: SIGTERM, then SIGKILL after 30 s."""
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
