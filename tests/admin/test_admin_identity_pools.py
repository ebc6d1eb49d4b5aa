"""The admin lists identity pools and identities read-only, searched by id, name and login."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.admin.utils import quote
from django.test import Client
from django.urls import reverse

from django_cognito.models import Identity, IdentityLogin, IdentityPool

pytestmark = pytest.mark.django_db

POOL_ID = "us-east-1:11111111-2222-3333-4444-555555555555"
IDENTITY_ID = "us-east-1:aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"


def url(model: str, view: str, *args: Any) -> str:
    return reverse(f"admin:django_cognito_{model}_{view}", args=[quote(a) for a in args])


@pytest.fixture
def identity() -> Identity:
    pool = IdentityPool.objects.create(id=POOL_ID, name="photos",
                                       roles={"authenticated": "arn:aws:iam::1:role/a"})
    identity = Identity.objects.create(id=IDENTITY_ID, pool=pool)
    IdentityLogin.objects.create(identity=identity, pool=pool, provider="accounts.google.com",
                                 subject="google-subject-42")
    IdentityPool.objects.create(id="us-east-1:99999999-2222-3333-4444-555555555555",
                                name="other")
    return identity


def test_pools_are_searched_by_id_and_name(admin_client: Client, identity: Identity) -> None:
    listing = url("identitypool", "changelist")
    by_name = admin_client.get(listing, {"q": "photos"}).content.decode()
    assert POOL_ID in by_name and "other" not in by_name
    by_id = admin_client.get(listing, {"q": POOL_ID[:20]}).content.decode()
    assert "photos" in by_id and "other" not in by_id
    page = admin_client.get(url("identitypool", "change", POOL_ID))
    assert page.status_code == 200 and "arn:aws:iam::1:role/a" in page.content.decode()
    assert admin_client.get(url("identitypool", "add")).status_code == 403


def test_identities_are_searched_by_id_and_login(admin_client: Client,
                                                 identity: Identity) -> None:
    listing = url("identity", "changelist")
    assert IDENTITY_ID in admin_client.get(listing, {"q": "google-subject"}).content.decode()
    assert IDENTITY_ID in admin_client.get(listing, {"q": IDENTITY_ID[:15]}).content.decode()
    assert IDENTITY_ID not in admin_client.get(listing, {"q": "nobody"}).content.decode()
    page = admin_client.get(url("identity", "change", IDENTITY_ID)).content.decode()
    assert "google-subject-42" in page and "accounts.google.com" in page
    assert admin_client.get(url("identity", "add")).status_code == 403
