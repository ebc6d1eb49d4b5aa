"""The example's AWS page (example_project/aws.py): the demo user signs in through the managed
login, the page gets credentials from the demo identity pool and lists and writes the user's
folder of a bucket; a guest gets a folder of its own. The example project is served by
runserver as `make demo` runs it, with moto_server as its STS and S3."""

from __future__ import annotations

import re
from io import StringIO
from typing import Any

import boto3
import pytest
from django.core.management import call_command

from django_cognito.management.commands import cognito_demo
from django_cognito.models import AppClient, IdentityPool
from tests.hosted.browser import Browser, Page

from .test_example_rp import example  # noqa: F401  (the example project, served)

pytest_plugins = ["tests.moto_server"]

BUCKET = "cognito-demo-bucket"


@pytest.fixture
def example_env(moto: str) -> dict[str, str]:
    return {"EXAMPLE_AWS_ENDPOINT_URL": moto}


def shown(page: Page, element: str) -> str:
    found = re.search(rf'id="{element}">([^<]*)<', page.text)
    assert found is not None, page.text[:2000]
    return found.group(1)


def stored(moto: str, key: str) -> bytes:
    s3 = boto3.client("s3", endpoint_url=moto, region_name="us-east-1",
                      aws_access_key_id="testing", aws_secret_access_key="testing")
    body: bytes = s3.get_object(Bucket=BUCKET, Key=key)["Body"].read()
    return body


def test_the_demo_user_and_a_guest_write_their_folders(
        example: tuple[str, dict[str, str]], moto: str) -> None:  # noqa: F811
    base, demo = example
    browser = Browser(base)
    start = browser.get("/aws/")
    assert 'id="sign-in"' in start.text and 'id="guest"' in start.text
    assert moto in start.text  # the page says where its STS and S3 are
    login = browser.get("/rp/login/?next=/aws/")
    assert login.response.url.startswith(demo["domain_url"] + "login?")
    page = browser.submit(login, username=demo["username"], password=demo["password"])
    assert page.response.url == f"{base}/aws/", page.text[:800]
    assert shown(page, "who") == "demo" and 'id="empty"' in page.text
    identity_id = shown(page, "identity-id")
    assert identity_id.startswith("us-east-1:")
    assert shown(page, "access-key-id")

    written = browser.submit(page, name="hello.txt", body="from the example page")
    assert written.response.url == f"{base}/aws/" and "hello.txt" in written.text
    assert shown(written, "identity-id") == identity_id
    assert stored(moto, f"private/{identity_id}/hello.txt") == b"from the example page"
    refused = browser.submit(written, name="../escape", body="x")
    assert "A file name is" in shown(refused, "error")

    # Signed out, as a guest: another identity, its own empty folder, kept on reload.
    browser.get("/rp/logout/")
    guest = browser.get("/aws/?guest=1")
    assert shown(guest, "who").startswith("a guest") and 'id="empty"' in guest.text
    guest_id = shown(guest, "identity-id")
    assert guest_id != identity_id
    assert shown(browser.get("/aws/"), "identity-id") == guest_id


@pytest.mark.django_db
def test_cognito_demo_seeds_the_identity_pool_once(settings: Any) -> None:
    settings.DEBUG = True
    settings.COGNITO_DEMO = {"IDENTITY_POOL_ID": "us-east-1:0d3e5a1c-5b7e-4c1a-9f00-0000000000aa"}
    for _ in range(2):
        call_command("cognito_demo", force=True, stdout=StringIO())
    pool = IdentityPool.objects.get()
    assert pool.id == "us-east-1:0d3e5a1c-5b7e-4c1a-9f00-0000000000aa"
    assert pool.allow_unauthenticated_identities
    assert pool.roles == {"authenticated": cognito_demo.DEFAULTS["AUTHENTICATED_ROLE_ARN"],
                          "unauthenticated": cognito_demo.DEFAULTS["UNAUTHENTICATED_ROLE_ARN"]}
    client = AppClient.objects.get(name="demo-app")
    assert [p["ClientId"] for p in pool.cognito_identity_providers] == [client.id]
    assert all(p["ServerSideTokenCheck"] and p["ProviderName"].endswith(client.pool_id)
               for p in pool.cognito_identity_providers)
