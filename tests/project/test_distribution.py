"""The wheel and the sdist that ``python -m build`` makes from the checkout hold the package
and its data and nothing else, and install into clean virtual environments, where a minimal
project migrates and serves the app's URLs (issue 12, item 1)."""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import secrets
import subprocess
import sys
import tarfile
import time
import tomllib
import urllib.parse
import urllib.request
import zipfile
from collections.abc import Iterator
from email.parser import Parser
from pathlib import Path
from typing import Any, NamedTuple

import boto3
import jwt
import pytest
from cryptography.fernet import Fernet
from packaging.requirements import Requirement

from bench.processes import answers_http, free_port, stop

REPO = Path(__file__).resolve().parents[2]
DEPENDENCIES = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["dependencies"]
PASSWORD = "Passw0rd!"  # noqa: S105
# One build serves the module: its tests go to one xdist worker (--dist loadgroup).
pytestmark = pytest.mark.xdist_group("distribution")


class Dist(NamedTuple):
    wheel: Path
    sdist: Path
    package_files: frozenset[str]  # django_cognito/... in the checkout, as the archives name them


def _run(command: list[str], cwd: Path, env: dict[str, str] | None = None,
         timeout: float = 300) -> str:
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True,  # noqa: S603
                          timeout=timeout, check=False)
    assert done.returncode == 0, f"{command}: {done.stdout[-3000:]}{done.stderr[-3000:]}"
    return done.stdout


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Dist:
    """``python -m build`` on a copy of the checkout: the sdist, then the wheel built from it."""
    source = tmp_path_factory.mktemp("checkout")
    # The checkout as git sees it (tracked and untracked files, not ignored ones such as .venv,
    # node_modules or __pycache__); the copy keeps setuptools' build files out of the tree.
    listed = _run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                  cwd=REPO).split("\0")
    package_files = set()
    for name in filter(None, listed):
        path = REPO / name
        if path.is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            (source / name).write_bytes(path.read_bytes())
            if name.startswith("django_cognito/"):
                package_files.add(name)
    out = tmp_path_factory.mktemp("dist")
    _run([sys.executable, "-m", "build", "--outdir", str(out), str(source)], cwd=source)
    (wheel,), (sdist,) = out.glob("*.whl"), out.glob("*.tar.gz")
    return Dist(wheel, sdist, frozenset(package_files))


def clean_env(venv: Path | None = None) -> dict[str, str]:
    """The environment without this checkout, its settings or its venv on any path."""
    env = {name: value for name, value in os.environ.items()
           if name not in {"PYTHONPATH", "DJANGO_SETTINGS_MODULE", "VIRTUAL_ENV",
                           "COGNITO_TEST_DATABASE_URL", "PYTHONHOME"}}
    if venv is not None:
        env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    return env


def make_venv(path: Path, *packages: str, deps: bool = True) -> Path:
    """A new venv without system site packages, with ``packages`` pip-installed; its python."""
    _run([sys.executable, "-m", "venv", str(path)], cwd=path.parent, env=clean_env())
    assert "include-system-site-packages = false" in (path / "pyvenv.cfg").read_text()
    python = path / "bin" / "python"
    _run([str(python), "-m", "pip", "install", "--no-compile", "--disable-pip-version-check",
          *([] if deps else ["--no-deps"]), *packages], cwd=path.parent, env=clean_env(path))
    return python


def test_the_archives_hold_the_package_data_and_no_project_files(dist: Dist) -> None:
    expected = dist.package_files
    assert {"django_cognito/py.typed", "django_cognito/migrations/0001_initial.py",
            "django_cognito/templates/admin/django_cognito/form_page.html"} <= expected
    with zipfile.ZipFile(dist.wheel) as wheel:
        in_wheel = set(wheel.namelist())
        metadata = Parser().parsestr(
            wheel.read(next(n for n in in_wheel if n.endswith(".dist-info/METADATA"))).decode())
    assert {n for n in in_wheel if n.startswith("django_cognito/")} == expected
    assert all(n.startswith("django_cognito/") or n.split("/")[0].endswith(".dist-info")
               for n in in_wheel), sorted(in_wheel)
    with tarfile.open(dist.sdist) as sdist:
        in_sdist = {member.name.partition("/")[2] for member in sdist.getmembers()
                    if member.isfile()}
    assert {n for n in in_sdist if n.startswith("django_cognito/")} == expected
    # Besides the package, the sdist holds its metadata and the files at the top of the tree.
    others = {n for n in in_sdist if not n.startswith(("django_cognito/",
                                                       "django_cognito_idp.egg-info/"))}
    assert {"PKG-INFO", "README.md", "pyproject.toml"} <= others
    assert all("/" not in n for n in others), sorted(others)
    for tree in ("tests/", "example_project/", "bench/", "scripts/", "docs/"):
        assert not any(n.startswith(tree) for n in in_wheel | in_sdist), tree
    # What the wheel requires without an extra is what pyproject.toml declares.
    required = {str(Requirement(line)) for line in metadata.get_all("Requires-Dist", [])
                if "extra ==" not in line}
    assert required == {str(Requirement(line)) for line in DEPENDENCIES}


def test_the_sdist_installs_the_wheels_files(dist: Dist, tmp_path: Path) -> None:
    python = make_venv(tmp_path / "venv", str(dist.sdist), deps=False)
    listed = _run([str(python), "-c", "from importlib.metadata import files; "
                   "print('\\n'.join(str(f) for f in files('django-cognito-idp')))"],
                  cwd=tmp_path, env=clean_env(tmp_path / "venv"))
    installed = {n for n in listed.splitlines() if n.startswith("django_cognito/")
                 and "/__pycache__/" not in n}
    assert installed == dist.package_files


SETTINGS = '''\
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
SECRET_KEY = {secret_key!r}
DEBUG = True
ALLOWED_HOSTS = ["127.0.0.1"]
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_cognito",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]
ROOT_URLCONF = "shop.urls"
TEMPLATES = [{{
    "BACKEND": "django.template.backends.django.DjangoTemplates",
    "APP_DIRS": True,
    "OPTIONS": {{"context_processors": [
        "django.template.context_processors.request",
        "django.contrib.auth.context_processors.auth",
        "django.contrib.messages.context_processors.messages",
    ]}},
}}]
DATABASES = {{"default": {{"ENGINE": "django.db.backends.sqlite3",
                         "NAME": BASE_DIR / "db.sqlite3"}}}}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
STATIC_URL = "static/"
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
COGNITO = {{
    "PUBLIC_BASE_URL": {base_url!r},
    "REGION": "us-east-1",
    "SMS_SENDER": "django_cognito.services.delivery.log_sms_sender",
    "ENCRYPTION_KEYS": [{encryption_key!r}],
}}
'''
URLS = '''\
from django.contrib import admin
from django.urls import include, path

urlpatterns = [path("admin/", admin.site.urls), path("", include("django_cognito.urls"))]
'''
MANAGE = '''\
import os
import sys

from django.core.management import execute_from_command_line

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings")
execute_from_command_line(sys.argv)
'''
# Run by the clean venv's python in the project: where django_cognito came from, and every
# template it ships loaded through Django's loaders.
INSTALLED = '''\
from pathlib import Path
import django_cognito
from django.template.loader import get_template
root = Path(django_cognito.__file__).parent
names = sorted(str(p.relative_to(root / "templates")) for p in (root / "templates").rglob("*.html"))
for name in names:
    get_template(name)
print(django_cognito.__file__)
print(len(names))
'''


def write_project(root: Path, base_url: str) -> None:
    (root / "shop").mkdir(parents=True)
    (root / "shop" / "__init__.py").write_text("")
    (root / "shop" / "settings.py").write_text(SETTINGS.format(
        secret_key=secrets.token_urlsafe(50), base_url=base_url,
        encryption_key=Fernet.generate_key().decode()))
    (root / "shop" / "urls.py").write_text(URLS)
    (root / "manage.py").write_text(MANAGE)


@pytest.fixture
def server(dist: Dist, tmp_path: Path) -> Iterator[tuple[str, dict[str, str]]]:
    """The wheel in a clean venv, a minimal project on it, seeded and served by runserver."""
    venv = tmp_path / "venv"
    python = make_venv(venv, str(dist.wheel))
    base_url = f"http://127.0.0.1:{free_port()}"
    project = tmp_path / "project"
    write_project(project, base_url)
    env = {**clean_env(venv), "DJANGO_SUPERUSER_PASSWORD": PASSWORD}

    def manage(*args: str) -> str:
        return _run([str(python), "manage.py", *args], cwd=project, env=env, timeout=120)

    assert "System check identified no issues" in manage("check")
    assert "Applying django_cognito.0001_initial... OK" in manage("migrate")
    origin, templates = manage("shell", "-c", INSTALLED).splitlines()[-2:]
    assert Path(origin).is_relative_to(venv), origin
    assert int(templates) >= 6
    pool = manage("cognito_create_pool", "shop").strip()
    client = manage("cognito_create_client", pool, "web", "--auth-flows",
                    "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH", "--quiet").strip()
    manage("cognito_create_user", pool, "alice", "--email", "alice@example.com",
           "--password", PASSWORD, "--permanent")
    manage("createsuperuser", "--noinput", "--username", "admin", "--email", "a@example.com")

    log = tmp_path / "runserver.log"
    with open(log, "wb") as output:
        process = subprocess.Popen(  # noqa: S603
            [str(python), "manage.py", "runserver", base_url.removeprefix("http://"),
             "--noreload"], cwd=project, env=env, stdout=output, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while not answers_http(f"{base_url}/admin/login/"):
            assert process.poll() is None, log.read_text(errors="replace")[-3000:]
            assert time.monotonic() < deadline, log.read_text(errors="replace")[-3000:]
            time.sleep(0.1)
        yield base_url, {"pool": pool, "client": client}
    finally:
        stop(process)


def test_the_wheel_serves_the_app_in_a_clean_venv(server: tuple[str, dict[str, str]]) -> None:
    base_url, ids = server
    issuer = f"{base_url}/{ids['pool']}"
    # The JSON API answers boto3 ...
    idp = boto3.client("cognito-idp", endpoint_url=base_url, region_name="us-east-1",
                       aws_access_key_id="AKIAUNUSED0000000000",
                       aws_secret_access_key="unused-public-operations-only")
    tokens = idp.initiate_auth(ClientId=ids["client"], AuthFlow="USER_PASSWORD_AUTH",
                               AuthParameters={"USERNAME": "alice", "PASSWORD": PASSWORD},
                               )["AuthenticationResult"]
    # ... the pool's discovery document and JWKS are served, and its tokens verify against them.
    with urllib.request.urlopen(f"{issuer}/.well-known/openid-configuration",  # noqa: S310
                                timeout=10) as answer:
        discovery = json.load(answer)
    assert discovery["issuer"] == issuer
    assert discovery["jwks_uri"] == f"{issuer}/.well-known/jwks.json"
    key = jwt.PyJWKClient(discovery["jwks_uri"]).get_signing_key_from_jwt(tokens["IdToken"])
    claims = jwt.decode(tokens["IdToken"], key, algorithms=["RS256"], issuer=issuer,
                        audience=ids["client"])
    assert (claims["cognito:username"], claims["email"]) == ("alice", "alice@example.com")
    # ... and the admin renders the pool users with the package's templates.
    browser = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    login = f"{base_url}/admin/login/?next=/admin/django_cognito/pooluser/"
    with browser.open(login, timeout=10) as answer:
        form = answer.read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form)
    assert token, form
    data = urllib.parse.urlencode({"csrfmiddlewaretoken": token.group(1), "username": "admin",
                                   "password": PASSWORD}).encode()
    with browser.open(login, data=data, timeout=10) as answer:
        page: Any = answer.read().decode()
        assert answer.geturl().endswith("/admin/django_cognito/pooluser/"), page[:3000]
    assert ">alice<" in page
