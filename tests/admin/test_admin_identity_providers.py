"""The admin creates and edits identity providers with the API's rules, shows a SAML
provider's parsed metadata, and lists identity mappings read-only."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.contrib.admin.utils import quote
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from django_cognito.crypto.certificates import facts
from django_cognito.models import IdentityProvider, ProviderIdentity, UserPool
from django_cognito.services.federation import links, providers
from tests.factories import create_user
from tests.idp_documents import idp_certificate, saml_metadata

pytestmark = pytest.mark.django_db

GOOGLE = {"client_id": "123.apps.googleusercontent.com", "client_secret": "google-secret",
          "authorize_scopes": "openid email"}


def url(model: str, view: str, *args: Any) -> str:
    return reverse(f"admin:django_cognito_{model}_{view}", args=[quote(a) for a in args])


def test_create_refuses_what_the_api_refuses(admin_client: Client, pool: UserPool) -> None:
    refused = admin_client.post(url("identityprovider", "add"), {
        "pool": pool.pk, "name": "Gmail", "provider_type": "Google",
        "provider_details": json.dumps(GOOGLE), "mapping": "{}"})
    assert refused.status_code == 200 and "must be Google" in refused.content.decode()
    missing = admin_client.post(url("identityprovider", "add"), {
        "pool": pool.pk, "name": "Google", "provider_type": "Google",
        "provider_details": json.dumps({"client_id": "x"})})
    assert missing.status_code == 200 and "client_secret" in missing.content.decode()
    assert not IdentityProvider.objects.exists()

    created = admin_client.post(url("identityprovider", "add"), {
        "pool": pool.pk, "name": "Google", "provider_type": "Google",
        "provider_details": json.dumps(GOOGLE), "mapping": json.dumps({"email": "email"}),
        "identifiers": "example.com\n\nexample.org"})
    assert created.status_code == 302
    provider = IdentityProvider.objects.get()
    assert provider.attribute_mapping == {"email": "email", "username": "sub"}
    assert provider.idp_identifiers == ["example.com", "example.org"]
    assert provider.secret_values() == {"client_secret": "google-secret"}

    page = admin_client.get(url("identityprovider", "change", provider.pk)).content.decode()
    assert "google-secret" not in page and "accounts.google.com" in page


def test_edit_keeps_the_secret_and_checks_identifiers(admin_client: Client,
                                                      pool: UserPool) -> None:
    provider = providers.create_provider(pool, "Google", "Google", GOOGLE)
    providers.create_provider(pool, "Corp", "SAML", {"MetadataFile": saml_metadata()},
                              idp_identifiers=["corp.com"])
    change = url("identityprovider", "change", provider.pk)
    details = json.dumps({"client_id": "new-id", "authorize_scopes": "openid"})
    clash = admin_client.post(change, {"provider_details": details, "mapping": "{}",
                                       "identifiers": "corp.com"})
    assert clash.status_code == 302  # refused at save: shown as a message
    provider.refresh_from_db()
    assert provider.details["client_id"] == GOOGLE["client_id"]
    saved = admin_client.post(change, {"provider_details": details, "mapping": "{}",
                                       "identifiers": ""})
    assert saved.status_code == 302
    provider.refresh_from_db()
    assert provider.details["client_id"] == "new-id"
    assert provider.secret_values()["client_secret"] == "google-secret"


def test_saml_provider_from_a_metadata_file_shows_its_certificate(
        admin_client: Client, pool: UserPool) -> None:
    upload = SimpleUploadedFile("metadata.xml", saml_metadata().encode(),
                                content_type="application/xml")
    created = admin_client.post(url("identityprovider", "add"), {
        "pool": pool.pk, "name": "Okta", "provider_type": "SAML",
        "provider_details": json.dumps({"IDPSignout": "true"}), "metadata_file": upload})
    assert created.status_code == 302, created.content.decode()[:2000]
    provider = IdentityProvider.objects.get()
    assert provider.details["IDPSignout"] == "true"
    page = admin_client.get(url("identityprovider", "change", provider.pk)).content.decode()
    assert "https://idp.example.com/saml" in page and "/sso/redirect" in page
    assert facts(idp_certificate()).sha256 in page

    bad = SimpleUploadedFile("metadata.xml", b"<not-metadata/>")
    refused = admin_client.post(url("identityprovider", "change", provider.pk), {
        "provider_details": "{}", "metadata_file": bad, "mapping": "{}"})
    assert refused.status_code == 200 and "Invalid SAML metadata" in refused.content.decode()


def test_delete_goes_through_the_service(admin_client: Client, pool: UserPool,
                                         make_client: Any) -> None:
    providers.create_provider(pool, "Google", "Google", GOOGLE)
    app = make_client(pool, supported_identity_providers=["COGNITO", "Google"])
    provider = IdentityProvider.objects.get()
    response = admin_client.post(url("identityprovider", "delete", provider.pk),
                                 {"post": "yes"})
    assert response.status_code == 302 and not IdentityProvider.objects.exists()
    app.refresh_from_db()
    assert app.supported_identity_providers == ["COGNITO"]


def test_identity_mappings_are_listed_searched_and_read_only(admin_client: Client,
                                                             pool: UserPool) -> None:
    providers.create_provider(pool, "Google", "Google", GOOGLE)
    create_user(pool, "carlos")
    create_user(pool, "dana")
    cognito = {"ProviderName": "Cognito"}
    for username, subject in (("carlos", "g-111"), ("dana", "g-222")):
        links.link_provider_for_user(
            pool, {**cognito, "ProviderAttributeValue": username},
            {"ProviderName": "Google", "ProviderAttributeName": "Cognito_Subject",
             "ProviderAttributeValue": subject})
    listing = url("provideridentity", "changelist")
    everything = admin_client.get(listing).content.decode()
    assert "g-111" in everything and "g-222" in everything
    by_subject = admin_client.get(listing, {"q": "g-11"}).content.decode()
    assert "g-111" in by_subject and "g-222" not in by_subject
    by_user = admin_client.get(listing, {"q": "dana"}).content.decode()
    assert "g-222" in by_user and "g-111" not in by_user
    identity = ProviderIdentity.objects.get(subject="g-111")
    page = admin_client.get(url("provideridentity", "change", identity.pk))
    assert page.status_code == 200 and 'name="subject"' not in page.content.decode()
    assert admin_client.get(url("provideridentity", "add")).status_code == 403
