"""SetUICustomization / GetUICustomization through boto3, and what the managed login shows."""

from __future__ import annotations

import struct
import zlib
from typing import Any

import pytest
import requests
from botocore.exceptions import ClientError

from django_cognito.models import AppClient, UserPool

from .browser import Browser
from .test_code_flow import authorize, session_for

pytest_plugins = ["tests.api_fixtures"]
pytestmark = pytest.mark.django_db(transaction=True)

CSS = ".submitButton-customizable { background-color: #6b21a8; }\n" \
      ".background-customizable, .banner-customizable { background-color: #faf5ff; }"


def png() -> bytes:
    """A 1×1 purple PNG."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data)))
    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\x00\x6b\x21\xa8")) + chunk(b"IEND", b""))


def test_a_clients_customization_reaches_its_pages(
        cognito: Any, browser: Browser, domain_url: str, web: AppClient,
        hosted_pool: UserPool) -> None:
    logo = png()
    pool_level = cognito.set_ui_customization(UserPoolId=hosted_pool.id,
                                              CSS=".label-customizable { color: #333; }")
    assert pool_level["UICustomization"]["ClientId"] == "ALL"
    shown = cognito.set_ui_customization(UserPoolId=hosted_pool.id, ClientId=web.id, CSS=CSS,
                                         ImageFile=logo)["UICustomization"]
    assert shown["ClientId"] == web.id and shown["CSS"] == CSS
    assert shown["ImageUrl"].startswith(f"{domain_url}assets/logo?client_id={web.id}")
    fetched = cognito.get_ui_customization(UserPoolId=hosted_pool.id, ClientId=web.id)
    assert fetched["UICustomization"]["CSSVersion"] == shown["CSSVersion"]

    page = browser.get(authorize(session_for(web), domain_url)[0])
    assert f"assets/custom.css?client_id={web.id}" in page.text
    assert 'class="logo-customizable"' in page.text
    css = requests.get(f"{domain_url}assets/custom.css?client_id={web.id}", timeout=10)
    assert css.status_code == 200 and css.text == CSS
    assert css.headers["Content-Type"].startswith("text/css")
    image = requests.get(shown["ImageUrl"], timeout=10)
    assert image.content == logo and image.headers["Content-Type"] == "image/png"


def test_a_client_without_its_own_gets_the_pools(cognito: Any, hosted_pool: UserPool,
                                                 web: AppClient) -> None:
    cognito.set_ui_customization(UserPoolId=hosted_pool.id, CSS=CSS)
    got = cognito.get_ui_customization(UserPoolId=hosted_pool.id, ClientId=web.id)
    assert got["UICustomization"]["ClientId"] == "ALL"
    assert got["UICustomization"]["CSS"] == CSS


@pytest.mark.parametrize("css", [
    "body { display: none; }",
    ".submitButton-customizable { color: red; } @import url(https://evil.example/x.css);",
    ".not-a-cognito-class { color: red; }",
    ".submitButton-customizable, h1 { color: red; }",
])
def test_css_outside_the_customizable_classes_is_refused(cognito: Any, hosted_pool: UserPool,
                                                         css: str) -> None:
    with pytest.raises(ClientError) as caught:
        cognito.set_ui_customization(UserPoolId=hosted_pool.id, CSS=css)
    assert caught.value.response["Error"]["Code"] == "InvalidParameterException"


def test_images_must_be_small_pngs_or_jpegs(cognito: Any, hosted_pool: UserPool) -> None:
    for image in (b"GIF89a" + b"\0" * 10, b"\x89PNG\r\n\x1a\n" + b"\0" * (101 * 1024)):
        with pytest.raises(ClientError) as caught:
            cognito.set_ui_customization(UserPoolId=hosted_pool.id, ImageFile=image)
        assert caught.value.response["Error"]["Code"] == "InvalidParameterException"
