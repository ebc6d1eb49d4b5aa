"""Identity providers and the SAML signing certificate over real HTTP with boto3.

Every 200 body is checked against botocore's output shape by the ``cognito`` client. OIDC
discovery documents and SAML metadata come from a loopback server (``idp_server``).
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

import pytest
from cryptography import x509
from django.db import connection

from django_cognito.models import AppClient, IdentityProvider, UserPool
from tests.idp_documents import DocumentServer, discovery, saml_metadata, serving

pytest_plugins = ["tests.api_fixtures"]
pytestmark = pytest.mark.django_db(transaction=True)

GOOGLE = {"client_id": "123.apps.googleusercontent.com", "client_secret": "google-secret",
          "authorize_scopes": "email profile openid"}
APPLE = {"client_id": "com.example.app", "team_id": "TEAM123", "key_id": "KEY123",
         "private_key": "-----BEGIN PRIVATE KEY-----\nAPPLE\n-----END PRIVATE KEY-----",
         "authorize_scopes": "email name"}


@pytest.fixture
def idp_server(settings: Any) -> Iterator[DocumentServer]:
    yield from serving(settings)


def oidc_details(issuer: str, **more: str) -> dict[str, str]:
    return {"client_id": "rp", "client_secret": "rp-secret", "authorize_scopes": "openid email",
            "attributes_request_method": "GET", "oidc_issuer": issuer, **more}


def create(cognito: Any, pool: UserPool, name: str, kind: str, details: dict[str, str],
           **more: Any) -> dict[str, Any]:
    provider: dict[str, Any] = cognito.create_identity_provider(
        UserPoolId=pool.id, ProviderName=name, ProviderType=kind, ProviderDetails=details,
        **more)["IdentityProvider"]
    return provider


# Social providers ----------------------------------------------------------------------------

def test_google_provider_lifecycle(cognito: Any, pool: UserPool, checked: Any) -> None:
    created = create(cognito, pool, "Google", "Google", GOOGLE,
                     AttributeMapping={"email": "email"})
    assert created["ProviderName"] == "Google" and created["ProviderType"] == "Google"
    # Cognito adds the type's username mapping and describes the endpoints it uses.
    assert created["AttributeMapping"] == {"email": "email", "username": "sub"}
    details = created["ProviderDetails"]
    assert details["client_secret"] == "google-secret"
    assert details["authorize_url"] == "https://accounts.google.com/o/oauth2/v2/auth"
    assert details["oidc_issuer"] == "https://accounts.google.com"
    assert details["token_request_method"] == "POST"
    with connection.cursor() as cursor:
        cursor.execute("SELECT secrets, details FROM django_cognito_identityprovider")
        secrets, stored = cursor.fetchone()
    assert "google-secret" not in secrets and "google-secret" not in stored

    described = cognito.describe_identity_provider(UserPoolId=pool.id, ProviderName="Google")
    assert described["IdentityProvider"]["ProviderDetails"] == details
    updated = cognito.update_identity_provider(
        UserPoolId=pool.id, ProviderName="Google", AttributeMapping={"name": "name"},
        ProviderDetails={**GOOGLE, "client_secret": "rotated", "authorize_scopes": "openid"},
    )["IdentityProvider"]
    assert updated["AttributeMapping"] == {"name": "name", "username": "sub"}
    assert updated["ProviderDetails"]["client_secret"] == "rotated"
    assert updated["ProviderDetails"]["authorize_scopes"] == "openid"

    cognito.delete_identity_provider(UserPoolId=pool.id, ProviderName="Google")
    assert not IdentityProvider.objects.exists()
    assert {"CreateIdentityProvider", "DescribeIdentityProvider", "UpdateIdentityProvider",
            "DeleteIdentityProvider"} <= set(checked.operations)


def test_apple_private_key_is_never_described_and_kept_on_update(
        cognito: Any, pool: UserPool) -> None:
    details = create(cognito, pool, "SignInWithApple", "SignInWithApple", APPLE)[
        "ProviderDetails"]
    assert "private_key" not in details and details["team_id"] == "TEAM123"
    assert details["oidc_issuer"] == "https://appleid.apple.com"
    without_key = {k: v for k, v in APPLE.items() if k != "private_key"}
    cognito.update_identity_provider(UserPoolId=pool.id, ProviderName="SignInWithApple",
                                     ProviderDetails={**without_key, "key_id": "KEY456"})
    provider = IdentityProvider.objects.get()
    assert provider.secret_values()["private_key"] == APPLE["private_key"]
    assert provider.details["key_id"] == "KEY456"


def test_facebook_endpoints_follow_the_api_version(cognito: Any, pool: UserPool) -> None:
    details = create(cognito, pool, "Facebook", "Facebook",
                     {**GOOGLE, "authorize_scopes": "public_profile, email",
                      "api_version": "v17.0"})["ProviderDetails"]
    assert details["authorize_url"] == "https://www.facebook.com/v17.0/dialog/oauth"
    assert details["token_request_method"] == "GET"
    amazon = create(cognito, pool, "LoginWithAmazon", "LoginWithAmazon",
                    {**GOOGLE, "prompt": "login"})
    assert amazon["ProviderDetails"]["prompt"] == "login"  # other keys are kept
    assert amazon["AttributeMapping"] == {"username": "user_id"}
    assert amazon["ProviderDetails"]["token_url"] == "https://api.amazon.com/auth/o2/token"


@pytest.mark.parametrize(("name", "kind", "details", "code", "words"), [
    ("Gmail", "Google", GOOGLE, "InvalidParameterException", "must be Google"),
    ("My_IdP", "OIDC", {}, "InvalidParameterException", "regular expression pattern"),
    ("My IdP", "SAML", {}, "InvalidParameterException", "regular expression pattern"),
    ("Cognito", "OIDC", {}, "InvalidParameterException", "reserved"),
    ("COGNITO", "SAML", {}, "InvalidParameterException", "reserved"),
    ("Google", "Google", {"client_id": "x", "authorize_scopes": "openid"},
     "InvalidParameterException", "client_secret"),
    ("Corp", "SAML", {"IDPSignout": "true"}, "InvalidParameterException", "MetadataURL"),
])
def test_create_refuses_bad_input(cognito: Any, pool: UserPool, fails: Any, name: str,
                                  kind: str, details: dict[str, str], code: str,
                                  words: str) -> None:
    error = fails(cognito.create_identity_provider, UserPoolId=pool.id, ProviderName=name,
                  ProviderType=kind, ProviderDetails=details)
    assert error[0] == code and words in error[1]
    assert not IdentityProvider.objects.exists()


def test_model_validation_and_unknown_pool(cognito: Any, pool: UserPool, fails: Any) -> None:
    code, message = fails(cognito.create_identity_provider, UserPoolId=pool.id,
                          ProviderName="Google", ProviderType="Twitter", ProviderDetails={})
    assert code == "InvalidParameterException" and "enum value set" in message
    assert fails(cognito.describe_identity_provider, UserPoolId="us-east-1_Missing",
                 ProviderName="Google")[0] == "ResourceNotFoundException"
    assert fails(cognito.describe_identity_provider, UserPoolId=pool.id,
                 ProviderName="Google")[0] == "ResourceNotFoundException"
    assert fails(cognito.update_identity_provider, UserPoolId=pool.id,
                 ProviderName="Google")[0] == "ResourceNotFoundException"
    assert fails(cognito.delete_identity_provider, UserPoolId=pool.id,
                 ProviderName="Google")[0] == "ResourceNotFoundException"


def test_duplicate_provider(cognito: Any, pool: UserPool, fails: Any) -> None:
    create(cognito, pool, "Google", "Google", GOOGLE)
    code, message = fails(cognito.create_identity_provider, UserPoolId=pool.id,
                          ProviderName="Google", ProviderType="Google", ProviderDetails=GOOGLE)
    assert code == "DuplicateProviderException" and "Google" in message


def test_attribute_mapping_names_mutable_pool_attributes(cognito: Any, make_pool: Any,
                                                         fails: Any) -> None:
    pool = make_pool(schema=[{"Name": "tier", "AttributeDataType": "String", "Mutable": True},
                             {"Name": "badge", "AttributeDataType": "String",
                              "Mutable": False}])
    mapping = {"custom:tier": "tier", "email_verified": "email_verified", "username": "email"}
    created = create(cognito, pool, "Google", "Google", GOOGLE, AttributeMapping=mapping)
    assert created["AttributeMapping"] == mapping
    for bad, words in (({"shoe_size": "size"}, "not an attribute"),
                       ({"custom:badge": "badge"}, "not mutable"),
                       ({"sub": "sub"}, "not mutable")):
        code, message = fails(cognito.update_identity_provider, UserPoolId=pool.id,
                              ProviderName="Google", AttributeMapping=bad)
        assert code == "InvalidParameterException" and words in message
    assert IdentityProvider.objects.get().attribute_mapping == mapping


# OIDC ----------------------------------------------------------------------------------------

def test_oidc_endpoints_are_discovered(cognito: Any, pool: UserPool, idp_server: Any) -> None:
    issuer = idp_server.url + "/corp"
    idp_server.serve("/corp/.well-known/openid-configuration", discovery(issuer))
    created = create(cognito, pool, "Corp", "OIDC",
                     oidc_details(issuer, token_url=f"{issuer}/given-token"),
                     AcrMapping={"Level1": "urn:corp:mfa"})
    details = created["ProviderDetails"]
    assert details["authorize_url"] == f"{issuer}/auth"
    assert details["token_url"] == f"{issuer}/given-token"
    assert details["attributes_url"] == f"{issuer}/me" and details["jwks_uri"] == f"{issuer}/jwks"
    assert details["attributes_url_add_attributes"] == "false"
    assert details["client_secret"] == "rp-secret"
    assert created["AcrMapping"] == {"Level1": "urn:corp:mfa"}
    assert created["AttributeMapping"] == {"username": "sub"}

    # With every endpoint given, nothing is fetched.
    fetched = sum(idp_server.requests.values())
    endpoints = {k: f"{issuer}/{k}" for k in ("authorize_url", "token_url", "attributes_url",
                                              "jwks_uri")}
    create(cognito, pool, "Manual", "OIDC", oidc_details(issuer, **endpoints))
    assert sum(idp_server.requests.values()) == fetched


def test_oidc_discovery_failures(cognito: Any, pool: UserPool, idp_server: Any,
                                 fails: Any, settings: Any) -> None:
    issuer = idp_server.url + "/corp"
    code, message = fails(cognito.create_identity_provider, UserPoolId=pool.id,
                          ProviderName="Corp", ProviderType="OIDC",
                          ProviderDetails=oidc_details(issuer))
    assert code == "InvalidParameterException" and "discovery" in message
    idp_server.serve("/corp/.well-known/openid-configuration",
                     discovery("https://evil.example.com"))
    assert "names issuer" in fails(cognito.create_identity_provider, UserPoolId=pool.id,
                                   ProviderName="Corp", ProviderType="OIDC",
                                   ProviderDetails=oidc_details(issuer))[1]
    idp_server.serve("/corp/.well-known/openid-configuration", discovery(issuer),
                     status=302)
    assert fails(cognito.create_identity_provider, UserPoolId=pool.id, ProviderName="Corp",
                 ProviderType="OIDC", ProviderDetails=oidc_details(issuer))[0] == \
        "InvalidParameterException"
    for url, words in (("http://idp.example.com", "must use https"),
                       ("https://idp.example.com:8443", "port 443 or 80")):
        assert words in fails(cognito.create_identity_provider, UserPoolId=pool.id,
                              ProviderName="Corp", ProviderType="OIDC",
                              ProviderDetails=oidc_details(url))[1]
    settings.COGNITO = {**settings.COGNITO, "FEDERATION_LOOPBACK_HTTP": False}
    assert "must use https" in fails(
        cognito.create_identity_provider, UserPoolId=pool.id, ProviderName="Corp",
        ProviderType="OIDC", ProviderDetails=oidc_details(issuer))[1]
    assert fails(cognito.create_identity_provider, UserPoolId=pool.id, ProviderName="Corp",
                 ProviderType="OIDC", ProviderDetails={
                     **oidc_details("https://idp.example.com"),
                     "attributes_request_method": "PUT"})[0] == "InvalidParameterException"
    assert not IdentityProvider.objects.exists()


# SAML ----------------------------------------------------------------------------------------

def test_saml_provider_from_a_metadata_file(cognito: Any, pool: UserPool) -> None:
    created = create(cognito, pool, "Okta", "SAML",
                     {"MetadataFile": saml_metadata(), "IDPSignout": "TRUE",
                      "RequestSigningAlgorithm": "rsa-sha256"},
                     AttributeMapping={"email": "http://schemas/email"},
                     IdpIdentifiers=["example.com", "Example"])
    details = created["ProviderDetails"]
    assert details["SSORedirectBindingURI"] == "https://idp.example.com/sso/redirect"
    assert details["SLORedirectBindingURI"] == "https://idp.example.com/slo/redirect"
    assert details["IDPSignout"] == "true" and "ActiveEncryptionCertificate" not in details
    assert details["MetadataFile"].startswith("<?xml")
    assert created["AttributeMapping"] == {"email": "http://schemas/email"}
    provider = IdentityProvider.objects.get()
    assert provider.metadata["entity_id"] == "https://idp.example.com/saml"
    assert provider.metadata["sso_post_url"] == "https://idp.example.com/sso/post"
    assert len(provider.metadata["signing_certificates"]) == 1

    updated = cognito.update_identity_provider(
        UserPoolId=pool.id, ProviderName="Okta",
        ProviderDetails={"MetadataFile": saml_metadata(), "EncryptedResponses": "true"},
    )["IdentityProvider"]["ProviderDetails"]
    certificate = base64.b64decode(updated["ActiveEncryptionCertificate"])
    assert x509.load_der_x509_certificate(certificate).not_valid_after_utc.year >= 2030


def test_saml_provider_from_a_metadata_url(cognito: Any, pool: UserPool,
                                           idp_server: Any) -> None:
    url = idp_server.serve("/metadata", saml_metadata(base=idp_server.url),
                           content_type="application/samlmetadata+xml")
    details = create(cognito, pool, "Corp", "SAML", {"MetadataURL": url})["ProviderDetails"]
    assert details == {"MetadataURL": url,
                       "SSORedirectBindingURI": idp_server.url + "/sso/redirect",
                       "SLORedirectBindingURI": idp_server.url + "/slo/redirect"}


@pytest.mark.parametrize(("document", "words"), [
    ("not xml at all", "Invalid SAML metadata"),
    (saml_metadata(redirect=False), "HTTP-Redirect"),
    (saml_metadata(certificate=""), "no signing certificate"),
    (saml_metadata(certificate="bm90IGEgY2VydGlmaWNhdGU="), "not X.509"),
    ('<?xml version="1.0"?><!DOCTYPE lol [<!ENTITY lol "lol">]>'
     '<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata">&lol;'
     '</md:EntityDescriptor>', "Invalid SAML metadata"),
])
def test_saml_metadata_that_cannot_serve(cognito: Any, pool: UserPool, fails: Any,
                                         document: str, words: str) -> None:
    code, message = fails(cognito.create_identity_provider, UserPoolId=pool.id,
                          ProviderName="Corp", ProviderType="SAML",
                          ProviderDetails={"MetadataFile": document})
    assert code == "InvalidParameterException" and words in message


def test_saml_details_are_checked(cognito: Any, pool: UserPool, fails: Any) -> None:
    for details in ({"MetadataFile": saml_metadata(), "MetadataURL": "https://x.example"},
                    {"MetadataFile": saml_metadata(), "IDPInit": "yes"},
                    {"MetadataFile": saml_metadata(), "RequestSigningAlgorithm": "rsa-sha1"}):
        assert fails(cognito.create_identity_provider, UserPoolId=pool.id, ProviderName="Corp",
                     ProviderType="SAML", ProviderDetails=details)[0] == \
            "InvalidParameterException"
    code, _ = fails(cognito.create_identity_provider, UserPoolId=pool.id, ProviderName="Corp",
                    ProviderType="Google", ProviderDetails=GOOGLE,
                    AcrMapping={"Level1": "x"})
    assert code == "InvalidParameterException"


# Identifiers, listing, app clients -----------------------------------------------------------

def test_idp_identifiers_are_unique_in_the_pool(cognito: Any, pool: UserPool,
                                                fails: Any) -> None:
    create(cognito, pool, "Okta", "SAML", {"MetadataFile": saml_metadata()},
           IdpIdentifiers=["example.com"])
    found = cognito.get_identity_provider_by_identifier(UserPoolId=pool.id,
                                                        IdpIdentifier="example.com")
    assert found["IdentityProvider"]["ProviderName"] == "Okta"
    assert fails(cognito.get_identity_provider_by_identifier, UserPoolId=pool.id,
                 IdpIdentifier="other.com")[0] == "ResourceNotFoundException"
    code, message = fails(cognito.create_identity_provider, UserPoolId=pool.id,
                          ProviderName="Corp", ProviderType="SAML",
                          ProviderDetails={"MetadataFile": saml_metadata()},
                          IdpIdentifiers=["corp.com", "example.com"])
    assert code == "InvalidParameterException" and "example.com" in message
    for identifiers in (["a", "a"], ["no/slash"]):
        assert fails(cognito.update_identity_provider, UserPoolId=pool.id, ProviderName="Okta",
                     IdpIdentifiers=identifiers)[0] == "InvalidParameterException"
    cognito.update_identity_provider(UserPoolId=pool.id, ProviderName="Okta",
                                     IdpIdentifiers=["example.com", "example.org"])
    assert IdentityProvider.objects.get().idp_identifiers == ["example.com", "example.org"]


def test_list_identity_providers_pages(cognito: Any, pool: UserPool, checked: Any) -> None:
    for name in ("Google", "Facebook", "LoginWithAmazon"):
        create(cognito, pool, name, name, GOOGLE)
    first = cognito.list_identity_providers(UserPoolId=pool.id, MaxResults=2)
    assert [p["ProviderName"] for p in first["Providers"]] == ["Google", "Facebook"]
    second = cognito.list_identity_providers(UserPoolId=pool.id, MaxResults=2,
                                             NextToken=first["NextToken"])
    assert [p["ProviderName"] for p in second["Providers"]] == ["LoginWithAmazon"]
    assert "NextToken" not in second
    everything = cognito.list_identity_providers(UserPoolId=pool.id)["Providers"]
    assert {p["ProviderType"] for p in everything} == {"Google", "Facebook", "LoginWithAmazon"}
    assert "ListIdentityProviders" in checked.operations


def test_app_clients_support_existing_providers_only(cognito: Any, pool: UserPool,
                                                     fails: Any) -> None:
    code, message = fails(cognito.create_user_pool_client, UserPoolId=pool.id,
                          ClientName="web", SupportedIdentityProviders=["COGNITO", "Google"])
    assert code == "InvalidParameterException" and "Google does not exist" in message
    create(cognito, pool, "Google", "Google", GOOGLE)
    client = cognito.create_user_pool_client(
        UserPoolId=pool.id, ClientName="web",
        SupportedIdentityProviders=["COGNITO", "Google"])["UserPoolClient"]
    assert client["SupportedIdentityProviders"] == ["COGNITO", "Google"]
    cognito.delete_identity_provider(UserPoolId=pool.id, ProviderName="Google")
    assert AppClient.objects.get().supported_identity_providers == ["COGNITO"]


def test_a_scoped_key_sees_its_own_pool_only(make_boto: Any, make_pool: Any, scoped_key: Any,
                                             fails: Any) -> None:
    mine, other = make_pool(name="mine"), make_pool(name="other")
    scoped_key(mine)
    client = make_boto(key_id="AKIASCOPEDKEY0000001",
                       secret="scoped-secret-0123456789abcdefghijklmn")
    client.create_identity_provider(UserPoolId=mine.id, ProviderName="Google",
                                    ProviderType="Google", ProviderDetails=GOOGLE)
    assert fails(client.create_identity_provider, UserPoolId=other.id, ProviderName="Google",
                 ProviderType="Google", ProviderDetails=GOOGLE)[0] == "NotAuthorizedException"
    assert fails(client.get_signing_certificate,
                 UserPoolId=other.id)[0] == "NotAuthorizedException"


# The pool's SAML signing certificate ---------------------------------------------------------

def test_signing_certificate(cognito: Any, pool: UserPool, fails: Any) -> None:
    first = cognito.get_signing_certificate(UserPoolId=pool.id)["Certificate"]
    certificate = x509.load_der_x509_certificate(base64.b64decode(first))
    lifetime = certificate.not_valid_after_utc - certificate.not_valid_before_utc
    assert lifetime.days == 3650
    assert pool.id in certificate.subject.rfc4514_string()
    assert cognito.get_signing_certificate(UserPoolId=pool.id)["Certificate"] == first
    with connection.cursor() as cursor:
        cursor.execute("SELECT private_key FROM django_cognito_samlsigningcertificate")
        (stored,) = cursor.fetchone()
    assert "PRIVATE KEY" not in stored
    assert fails(cognito.get_signing_certificate,
                 UserPoolId="us-east-1_Missing")[0] == "ResourceNotFoundException"
