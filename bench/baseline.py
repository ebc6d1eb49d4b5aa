"""Another revision of the app served beside this one, for before/after figures in one run.

``BENCH_AUTH_BASELINE=<git revision>`` makes ``bench.auth_bench`` extract that revision's
tree (``git archive``) and serve it with a second gunicorn from inside that tree, so its
``django_cognito`` and bench project are imported ahead of this checkout's editable install.
The same sign-in loops run against both servers, interleaved, on one SQLite file.
"""

from __future__ import annotations

import io
import subprocess
import sys
import tarfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: Loops run against the baseline too: (key of ours, what is deducted from its server CPU).
COMPARED = (("password", "hasher_cpu_ms"), ("password-light", "hasher_cpu_ms"),
            ("srp", "srp_math_cpu_ms"))


def checkout(revision: str, destination: Path) -> Path:
    """Extract ``revision``'s tree to ``destination``; its commit id is checked to exist."""
    git = ["git", "-C", str(ROOT)]
    commit = subprocess.run([*git, "rev-parse", "--verify", f"{revision}^{{commit}}"],  # noqa: S603
                            check=True, capture_output=True, text=True).stdout.strip()
    archive = subprocess.run([*git, "archive", "--format=tar", commit],  # noqa: S603
                             check=True, capture_output=True).stdout
    destination.mkdir(parents=True)
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(destination, filter="data")
    (destination / "REVISION").write_text(commit + "\n")
    return destination


def imported_from(tree: Path) -> Path:
    """Where a Python started in ``tree`` (as the baseline server is) imports the app from."""
    out = subprocess.run([sys.executable, "-c",  # noqa: S603
                          "import django_cognito; print(django_cognito.__file__)"],
                         cwd=tree, check=True, capture_output=True, text=True).stdout
    return Path(out.strip()).parent


def gunicorn(tree: Path, port: int) -> list[str]:
    """The baseline server's command: one sync worker, like ours, started from ``tree``."""
    return [sys.executable, "-m", "gunicorn", "bench.auth_project.wsgi:application",
            "--chdir", str(tree), "--bind", f"127.0.0.1:{port}", "--workers", "1",
            "--worker-class", "sync", "--log-level", "warning", "--timeout", "120"]


def compare(loops: dict[str, dict[str, object]]) -> dict[str, dict[str, float]]:
    """Server CPU per sign-in beyond the hasher / SRP arithmetic, ours and the baseline's."""
    figures = {}
    for key, deducted in COMPARED:
        ours, base = loops[key], loops[f"base-{key}"]
        mine = _beyond(ours, deducted)
        theirs = _beyond(base, deducted)
        figures[key] = {"ours_ms": mine, "baseline_ms": theirs, "ratio": mine / theirs,
                        "ours_total_ms": float(ours["server_cpu_ms"]),  # type: ignore[arg-type]
                        "baseline_total_ms": float(base["server_cpu_ms"])}  # type: ignore[arg-type]
    return figures


def _beyond(row: dict[str, object], deducted: str) -> float:
    inside = row["in_server"]
    assert isinstance(inside, dict)
    return float(row["server_cpu_ms"]) - float(inside[deducted])  # type: ignore[arg-type]
