"""The README's quick start, run as written, in order, against a fresh database (issue 12,
item 4): a new user pastes it into a shell."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

from cryptography.fernet import Fernet

README = Path(__file__).resolve().parents[2] / "README.md"

# What the README's snippet adds to a project django-admin startproject made.
SETTINGS = '''
INSTALLED_APPS += ["django_cognito"]
COGNITO = {COGNITO}
EMAIL_BACKEND = {EMAIL_BACKEND}
'''
URLS = '''
from django.urls import include
urlpatterns += [path("", include("django_cognito.urls"))]
'''


def readme_block() -> str:
    text = README.read_text()
    marker = text.index("<!-- quick-start")
    match = re.search(r"```sh\n(.*?)```", text[marker:], flags=re.S)
    assert match, "the quick-start block is missing"
    return match.group(1)


def readme_settings() -> tuple[str, str]:
    """The COGNITO dict and EMAIL_BACKEND as the README's settings snippet gives them."""
    text = README.read_text()
    cognito = re.search(r"^COGNITO = (\{.*?^\})", text, flags=re.S | re.M)
    backend = re.search(r'^EMAIL_BACKEND = ("[^"]+")', text, flags=re.M)
    assert cognito and backend
    key = Fernet.generate_key().decode()
    return cognito.group(1).replace("<Fernet key>", key), backend.group(1)


def test_the_quick_start_runs_as_written(tmp_path: Path) -> None:
    cognito, backend = readme_settings()
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}"
                                 f"{os.environ.get('PATH', '')}"}
    for name in ("COGNITO_TEST_DATABASE_URL", "DJANGO_SETTINGS_MODULE"):
        env.pop(name, None)
    subprocess.run([str(Path(sys.executable).with_name("django-admin")), "startproject",  # noqa: S603
                    "shop", str(tmp_path)], env=env, check=True, timeout=60)
    with (tmp_path / "shop" / "settings.py").open("a") as settings:
        settings.write(SETTINGS.replace("{COGNITO}", cognito).replace("{EMAIL_BACKEND}", backend))
    with (tmp_path / "shop" / "urls.py").open("a") as urls:
        urls.write(URLS)
    done = subprocess.run(["bash", "-euo", "pipefail", "-c", readme_block()],  # noqa: S603,S607
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300,
                          check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    found = re.search(r"^pool (us-east-1_\w+), client (\w+)$", done.stdout, flags=re.M)
    assert found, done.stdout
    pool_id, client_id = found.groups()
    with sqlite3.connect(tmp_path / "db.sqlite3") as db:
        assert db.execute("SELECT name FROM django_cognito_userpool WHERE id = ?",
                          (pool_id,)).fetchone() == ("shop",)
        assert db.execute("SELECT status FROM django_cognito_pooluser WHERE username = ?",
                          ("alice",)).fetchone() == ("CONFIRMED",)
        assert db.execute(
            "SELECT count(*) FROM django_cognito_groupmembership m JOIN django_cognito_group g "
            "ON g.id = m.group_id WHERE g.name = 'admins'").fetchone() == (1,)
    # The client it made signs alice in with her password, as pycognito or Amplify would.
    sign_in = ("from django_cognito.services import pools, signin; "
               f"client = pools.get_client({client_id!r}); "
               "result = signin.initiate_auth(client, 'USER_PASSWORD_AUTH', "
               "{'USERNAME': 'alice', 'PASSWORD': 'Passw0rd!'}); "
               "print('signed in', result.tokens is not None)")
    shell = subprocess.run([sys.executable, "manage.py", "shell", "-c", sign_in],  # noqa: S603
                           cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
                           check=False)
    assert shell.stdout.strip().endswith("signed in True"), shell.stdout + shell.stderr
