"""The example's relying party (example_project/rp.py, Authlib's Django client) signs the demo
user in through the demo pool's managed login and out through /logout — the example project
served by runserver, as `make demo` runs it, and driven like a browser."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.processes import answers_http, free_port, stop
from tests.hosted.browser import Browser

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def example(tmp_path: Path, example_env: dict[str, str]
            ) -> Iterator[tuple[str, dict[str, str]]]:
    port = free_port()
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("DJANGO_", "COGNITO_", "EXAMPLE_"))}
    env.update(DJANGO_SETTINGS_MODULE="example_project.settings", PORT=str(port),
               DJANGO_DB_PATH=str(tmp_path / "demo.sqlite3"), PYTHONPATH=str(REPO),
               **example_env)

    def manage(*args: str) -> str:
        done = subprocess.run([sys.executable, "manage.py", *args], cwd=REPO, env=env,  # noqa: S603
                              capture_output=True, text=True, timeout=120, check=False)
        assert done.returncode == 0, done.stderr
        return done.stdout

    manage("migrate", "--noinput")
    demo = json.loads(manage("cognito_demo", "--json"))
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "runserver.log"
    with open(log, "wb") as output:
        process = subprocess.Popen(  # noqa: S603
            [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
            cwd=REPO, env=env, stdout=output, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while not answers_http(f"{base}/rp/"):
            assert process.poll() is None, log.read_text(errors="replace")[-3000:]
            assert time.monotonic() < deadline, log.read_text(errors="replace")[-3000:]
            time.sleep(0.1)
        yield base, {**demo, "_db_path": env["DJANGO_DB_PATH"]}
    finally:
        stop(process)


def test_the_relying_party_signs_in_and_out_through_the_managed_login(
        example: tuple[str, dict[str, str]]) -> None:
    base, demo = example
    assert demo["relying_party_url"] == f"{base}/rp/"
    browser = Browser(base)
    page = browser.get("/rp/login/")
    # Authlib's client read the discovery document and sent the browser to the pool's
    # domain with PKCE; the managed login asks for the password.
    assert page.response.url.startswith(demo["domain_url"] + "login?")
    assert "code_challenge_method=S256" in page.response.url
    done = browser.submit(page, username=demo["username"], password=demo["password"])
    # Back at the relying party: the code was exchanged, the ID token validated (signature,
    # issuer, audience, nonce, at_hash) and the user shown.
    assert done.response.url == f"{base}/rp/", done.text[:500]
    assert "Signed in as <strong>demo</strong>" in done.text
    out = browser.get("/rp/logout/")
    assert out.response.url == f"{base}/rp/" and 'id="sign-in"' in out.text
    # The managed login's session ended too: signing in again asks for the password.
    again = browser.get("/rp/login/")
    assert "password" in again.form.fields
