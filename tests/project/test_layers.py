"""The import contracts of pyproject.toml hold, and each one fails on a deliberate violation."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CONFIG = REPO / "pyproject.toml"
CONTRACTS = {contract["id"]: contract["name"] for contract in
             tomllib.loads(CONFIG.read_text())["tool"]["importlinter"]["contracts"]}


def lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    """lint-imports with the project's contracts, over the django_cognito found in ``root``."""
    command = [str(Path(sys.executable).with_name("lint-imports")), "--no-cache",
               "--config", str(CONFIG)]
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run(command, cwd=root, env=env, capture_output=True, text=True,  # noqa: S603
                          timeout=120, check=False)


def test_the_package_keeps_every_contract() -> None:
    result = lint_imports(REPO)
    assert result.returncode == 0, result.stdout + result.stderr
    for name in CONTRACTS.values():
        assert f"{name} KEPT" in result.stdout
    assert ", 0 broken." in result.stdout


@pytest.mark.parametrize(("module", "line", "contract", "offence"), [
    ("services/users.py", "from django_cognito.api import views", "core-no-front-ends",
     "django_cognito.services.users -> django_cognito.api.views"),
    ("tokens/claims.py", "from django_cognito import backends", "core-no-front-ends",
     "django_cognito.tokens.claims -> django_cognito.backends"),
    ("models/user.py", "from django.http import HttpRequest", "core-no-http",
     "django_cognito.models.user -> django.http"),
    ("tokens/minting.py", "from django_cognito.services import groups", "tokens-below-services",
     "django_cognito.tokens.minting -> django_cognito.services.groups"),
    ("crypto/keys.py", "from django_cognito.models import SigningKey", "crypto-pure",
     "django_cognito.crypto.keys -> django_cognito.models"),
    ("services/pools.py", "from django_cognito.services import pool_config", "no-cycles",
     "No cycles are allowed in django_cognito.services."),
    ("admin/search.py", "from django_cognito.api import shapes", "front-ends-independent",
     "django_cognito.admin.search -> django_cognito.api.shapes"),
    ("services/pools.py", "import rest_framework", "drf-in-contrib-only",
     "django_cognito.services.pools -> rest_framework"),
    # A step reaching back into the pipeline that drives it closes a cycle.
    ("services/signin/mfa.py", "from django_cognito.services.signin import pipeline",
     "signin-acyclic", "No cycles are allowed in django_cognito.services.signin."),
    ("services/signin/results.py", "from django_cognito.services.signin import srp",
     "signin-acyclic", "No cycles are allowed in django_cognito.services.signin."),
])
def test_a_violation_breaks_its_contract(tmp_path: Path, module: str, line: str, contract: str,
                                         offence: str) -> None:
    shutil.copytree(REPO / "django_cognito", tmp_path / "django_cognito",
                    ignore=shutil.ignore_patterns("__pycache__"))
    with (tmp_path / "django_cognito" / module).open("a") as source:
        source.write(f"\n{line}\n")
    result = lint_imports(tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"{CONTRACTS[contract]} BROKEN" in result.stdout
    assert offence in result.stdout
