"""make demo-idps: the example's local OpenID Connect and SAML identity providers sign users
in to the relying party through the demo pool's managed login (example_project/idps.py)."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from collections.abc import Iterator
from html import unescape
from pathlib import Path
from urllib.parse import urljoin

import pytest

from bench.processes import free_port, stop
from tests.hosted.browser import Browser, Page

from .test_example_rp import example  # noqa: F401  (the example project, served)

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def idps(example: tuple[str, dict[str, str]],  # noqa: F811
         tmp_path: Path) -> Iterator[str]:
    base, demo = example
    env = {"DJANGO_SETTINGS_MODULE": "example_project.settings",
           "PORT": base.rsplit(":", 1)[1], "DJANGO_DB_PATH": demo["_db_path"],
           "DEMO_OIDC_PORT": str(free_port()), "PYTHONPATH": str(REPO),
           "PATH": str(Path(sys.executable).parent) + ":/usr/bin:/bin"}
    log = tmp_path / "idps.log"
    with open(log, "wb") as output:
        process = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "example_project.idps"], cwd=REPO, env=env,
            stdout=output, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while "Try them" not in log.read_text(errors="replace"):
            assert process.poll() is None, log.read_text(errors="replace")[-3000:]
            assert time.monotonic() < deadline, log.read_text(errors="replace")[-3000:]
            time.sleep(0.2)
        yield base
    finally:
        stop(process)


def provider_button(page: Page, name: str) -> str:
    links = [unescape(link) for link in re.findall(r'href="([^"]*identity_provider=[^"]*)"',
                                                  page.text)]
    found = next(link for link in links if link.endswith(f"identity_provider={name}"))
    return urljoin(page.response.url, found)


def test_the_demo_saml_idp_signs_jdoe_in(idps: str) -> None:
    browser = Browser("http://127.0.0.1")  # the app and the IdPs, all on loopback
    page = browser.get(f"{idps}/rp/login/")
    at_idp = browser.get(provider_button(page, "DemoSAML"))
    done = browser.submit(at_idp)  # the IdP's page posts the signed response to the ACS
    assert done.response.url == f"{idps}/rp/"
    assert "Signed in as <strong>demosaml_jdoe</strong>" in done.text


def test_the_demo_oidc_idp_signs_anyone_in(idps: str) -> None:
    browser = Browser("http://127.0.0.1")
    page = browser.get(f"{idps}/rp/login/")
    login = browser.get(provider_button(page, "DemoOIDC"))
    consent = browser.submit(login, login="ada", password="anything")
    done = browser.submit(consent)
    assert done.response.url == f"{idps}/rp/", done.text[:500]
    assert "Signed in as <strong>demooidc_ada</strong>" in done.text
