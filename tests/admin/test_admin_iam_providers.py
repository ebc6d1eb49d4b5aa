"""The admin adds and edits the IAM identity providers identity pools name by ARN: an OIDC
issuer with client ids, SAML metadata pasted or uploaded; searched by ARN."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.admin.utils import quote
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from django_cognito.models import IamIdentityProvider
from tests.saml_idp import SamlIdp, run_idp

pytestmark = pytest.mark.django_db

OIDC_ARN = "arn:aws:iam::123456789012:oidc-provider/login.example.com"
SAML_ARN = "arn:aws:iam::123456789012:saml-provider/Corp"


def url(view: str, *args: Any) -> str:
    return reverse(f"admin:django_cognito_iamidentityprovider_{view}",
                   args=[quote(a) for a in args])


@pytest.fixture
def saml_idp(tmp_path: Path) -> Iterator[SamlIdp]:
    running = run_idp(tmp_path)
    yield next(running)
    running.close()


def add(admin_client: Client, **fields: Any) -> Any:
    data = {"arn": "", "type": "oidc", "url": "", "client_ids_text": "", "saml_metadata": "",
            **fields}
    return admin_client.post(url("add"), data)


def test_an_oidc_provider(admin_client: Client) -> None:
    refused = add(admin_client, arn=OIDC_ARN, url="http://login.example.com")
    assert refused.status_code == 200
    page = refused.content.decode()
    assert "must start with https://" in page and "at least one client ID" in page
    wrong_kind = add(admin_client, arn=SAML_ARN, url="https://login.example.com",
                     client_ids_text="a")
    assert "oidc-provider/&lt;name&gt;" in wrong_kind.content.decode()
    assert not IamIdentityProvider.objects.exists()

    done = add(admin_client, arn=OIDC_ARN, url="https://login.example.com/",
               client_ids_text="web-app\nmobile-app, cli")
    assert done.status_code == 302
    row = IamIdentityProvider.objects.get()
    assert row.url == "https://login.example.com" and row.client_ids == [
        "web-app", "mobile-app", "cli"]
    listing = url("changelist")
    assert OIDC_ARN in admin_client.get(listing, {"q": OIDC_ARN[:30]}).content.decode()
    assert OIDC_ARN not in admin_client.get(listing, {"q": "arn:aws:iam::9"}).content.decode()
    page = admin_client.get(url("change", OIDC_ARN)).content.decode()
    assert "mobile-app" in page


def test_a_saml_provider_pasted_or_uploaded(admin_client: Client, saml_idp: SamlIdp) -> None:
    bad = add(admin_client, arn=SAML_ARN, type="saml", saml_metadata="<nope/>")
    assert "Invalid SAML metadata" in bad.content.decode()
    metadata = saml_idp.metadata()
    assert add(admin_client, arn=SAML_ARN, type="saml", saml_metadata=metadata
               ).status_code == 302
    page = admin_client.get(url("change", SAML_ARN)).content.decode()
    assert saml_idp.entity_id in page

    other = "arn:aws:iam::123456789012:saml-provider/Uploaded"
    upload = SimpleUploadedFile("idp.xml", metadata.encode(), "application/xml")
    assert add(admin_client, arn=other, type="saml", metadata_file=upload).status_code == 302
    assert IamIdentityProvider.objects.get(arn=other).saml_metadata == metadata
