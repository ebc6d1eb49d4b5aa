"""A real OpenID Connect provider on loopback for federation tests: npm's ``oidc-provider``
(tests/node/oidc-idp.mjs), started as a process, stopped by PID."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from bench.processes import free_port, stop

from .node_scripts import NODE_DIR, node

START_SECONDS = 30


@dataclass(frozen=True)
class OidcIdp:
    issuer: str
    process: subprocess.Popen[bytes]


@contextmanager
def oidc_idp(clients: list[dict[str, Any]], port: int | None = None) -> Iterator[OidcIdp]:
    """An OIDC IdP serving ``clients`` (``client_id``, ``client_secret``, ``redirect_uris``);
    its development login form takes any password and makes the login the subject."""
    port = port or free_port()
    process = subprocess.Popen(  # noqa: S603 (fixed argv)
        [node(), str(NODE_DIR / "oidc-idp.mjs"), str(port), json.dumps(clients)],
        cwd=NODE_DIR, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        # Its own process group: the venv's ``node`` is a launcher whose child is the real
        # Node, and both must end with the provider.
        start_new_session=True)
    try:
        assert process.stdout is not None
        seen = []
        for raw in process.stdout:  # the script prints READY once it listens
            line = raw.decode(errors="replace").strip()
            seen.append(line)
            if line.startswith("READY "):
                break
        else:
            raise AssertionError("oidc-provider did not start: " + "\n".join(seen))
        # Keep reading its output, so a full pipe never blocks the provider.
        threading.Thread(target=process.stdout.read, daemon=True).start()
        yield OidcIdp(issuer=line.removeprefix("READY "), process=process)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        stop(process)
