"""Honest dependencies (issue 12, item 2): whatever django_cognito imports at run time is
declared in pyproject.toml, in the core or an extra; every core dependency is imported; every
extra is used; and without its extras the package still imports, naming the extra to install
where a feature needs one."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
import tomllib
from collections import defaultdict
from importlib.metadata import packages_distributions
from pathlib import Path

from packaging.requirements import Requirement

REPO = Path(__file__).resolve().parents[2]
PACKAGE = REPO / "django_cognito"
PROJECT = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]

# Extras the package never imports: Django imports them when a setting names what needs them.
LOADED_BY_DJANGO = {
    "psycopg": "DATABASES: django.db.backends.postgresql",
    "redis": "CACHES: django.core.cache.backends.redis.RedisCache",
    "argon2-cffi": "PASSWORD_HASHERS: django_cognito.hashers.Argon2idOWASPPasswordHasher",
}


def normalize(name: str) -> str:
    """A distribution name as PEP 503 compares it."""
    return re.sub(r"[-_.]+", "-", name).lower()


def names(requirements: list[str]) -> set[str]:
    return {normalize(Requirement(line).name) for line in requirements}


CORE = names(PROJECT["dependencies"])
EXTRAS = {extra: names(lines) for extra, lines in PROJECT["optional-dependencies"].items()
          if extra != "dev"}
DISTRIBUTIONS = {module: {normalize(name) for name in dists}
                 for module, dists in packages_distributions().items()}


class _Imports(ast.NodeVisitor):
    """Top-level names of the absolute imports in a module, less those made only for mypy."""

    def __init__(self) -> None:
        self.found: set[str] = set()

    def visit_If(self, node: ast.If) -> None:
        test = node.test
        if (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
                isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"):
            for child in node.orelse:
                self.visit(child)
            return
        self.generic_visit(node)

    def visit_Import(self, node: ast.Import) -> None:
        self.found.update(alias.name.partition(".")[0] for alias in node.names)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.level == 0 and node.module:
            self.found.add(node.module.partition(".")[0])


def third_party_imports() -> dict[str, set[str]]:
    """Each third-party module the package imports at run time -> the files importing it."""
    imports: dict[str, set[str]] = defaultdict(set)
    for path in sorted(PACKAGE.rglob("*.py")):
        visitor = _Imports()
        visitor.visit(ast.parse(path.read_text(), filename=str(path)))
        for module in visitor.found - set(sys.stdlib_module_names) - {"django_cognito"}:
            imports[module].add(str(path.relative_to(REPO)))
    return imports


IMPORTS = third_party_imports()


def imported_distributions() -> set[str]:
    return {dist for module in IMPORTS for dist in DISTRIBUTIONS.get(module, ())}


def test_the_scan_sees_the_known_imports() -> None:
    # Function-level imports count (boto3 in lambda_forward); TYPE_CHECKING ones do not.
    assert {"django", "botocore", "cryptography", "boto3", "rest_framework"} <= set(IMPORTS)
    assert "django_stubs_ext" not in IMPORTS


def test_every_import_is_declared() -> None:
    declared = CORE.union(*EXTRAS.values())
    for module, files in sorted(IMPORTS.items()):
        dists = DISTRIBUTIONS.get(module)
        assert dists, f"{module}, imported by {sorted(files)}, comes from no installed distribution"
        assert dists & declared, (f"{module} ({sorted(dists)}), imported by {sorted(files)}, is "
                                  "declared neither in dependencies nor in an extra")


def test_every_core_dependency_is_imported() -> None:
    unused = CORE - imported_distributions()
    assert not unused, f"core dependencies the package never imports: {sorted(unused)}"


def test_every_extra_is_used() -> None:
    imported = imported_distributions()
    for extra, dists in EXTRAS.items():
        for dist in dists:
            assert dist in imported or dist in LOADED_BY_DJANGO, (
                f"extra {extra!r} declares {dist}, which nothing in the package imports")
    stale = set(LOADED_BY_DJANGO) - set().union(*EXTRAS.values())
    assert not stale, f"LOADED_BY_DJANGO names what no extra declares: {sorted(stale)}"


def test_the_readme_lists_every_extra() -> None:
    readme = (REPO / "README.md").read_text()
    install = readme[readme.index("## Install"):readme.index("## Use it in a project")]
    listed = set(re.findall(r"^\| `([\w-]+)` \|", install, flags=re.M))
    assert listed == set(PROJECT["optional-dependencies"])


# Run in a fresh interpreter in which no extra can be imported.
WITHOUT_EXTRAS = '''
import importlib, pkgutil, sys
for name in sys.argv[1].split(","):
    sys.modules[name] = None  # import raises ModuleNotFoundError, find_spec answers None
import django
from django.conf import settings
settings.configure(
    INSTALLED_APPS=["django.contrib.admin", "django.contrib.auth", "django.contrib.contenttypes",
                    "django.contrib.sessions", "django.contrib.messages", "django_cognito"],
    DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
    ROOT_URLCONF="django_cognito.urls")
django.setup()
import django_cognito
OPTIONAL = "django_cognito.contrib.rest_framework"
count = 0
for module in pkgutil.walk_packages(django_cognito.__path__, "django_cognito."):
    if module.name != OPTIONAL and not module.name.startswith(OPTIONAL + "."):
        importlib.import_module(module.name)
        count += 1
print("imported", count)
try:
    importlib.import_module(OPTIONAL)
except ModuleNotFoundError as exc:
    print("drf:", exc)
from django.core.exceptions import ImproperlyConfigured
from django_cognito.services import lambda_forward
try:
    lambda_forward.client_for("arn:aws:lambda:us-east-1:123456789012:function:f")
except ImproperlyConfigured as exc:
    print("aws:", exc)
'''


def test_the_package_imports_without_its_extras() -> None:
    blocked = sorted({module for module, dists in DISTRIBUTIONS.items()
                      if dists & set().union(*EXTRAS.values()) and not dists & CORE})
    assert {"boto3", "rest_framework", "drf_spectacular", "redis", "argon2"} <= set(blocked)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    done = subprocess.run([sys.executable, "-c", WITHOUT_EXTRAS, ",".join(blocked)],  # noqa: S603
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=120,
                          check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert int(lines[0].split()[1]) > 100, lines[0]
    # A feature that needs an extra says which one to install.
    assert "drf: django_cognito.contrib.rest_framework needs Django REST framework; install " \
           "django-cognito-idp[drf]." in lines
    assert any(line.startswith("aws: ") and "django-cognito-idp[aws]" in line
               for line in lines), lines
