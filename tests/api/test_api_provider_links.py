"""AdminLinkProviderForUser and AdminDisableProviderForUser over real HTTP with boto3."""

from __future__ import annotations

import json
from typing import Any

import pytest

from django_cognito.models import (
    IdentityProvider,
    PoolUser,
    ProviderIdentity,
    UserPool,
    UserStatus,
)
from django_cognito.services.federation import links, providers
from django_cognito.services.federation.identities import refresh_identities
from tests.factories import create_user, insert_user
from tests.idp_documents import saml_metadata

pytest_plugins = ["tests.api_fixtures"]
pytestmark = pytest.mark.django_db(transaction=True)

GOOGLE = {"client_id": "123.apps.googleusercontent.com", "client_secret": "google-secret",
          "authorize_scopes": "email profile openid"}
ENTITY = "https://idp.example.com/saml"


@pytest.fixture
def google(pool: UserPool) -> IdentityProvider:
    return providers.create_provider(pool, "Google", "Google", GOOGLE)


@pytest.fixture
def adfs(pool: UserPool) -> IdentityProvider:
    return providers.create_provider(pool, "ADFS", "SAML", {"MetadataFile": saml_metadata()},
                                     attribute_mapping={"email": "http://schemas/email"})


def cognito_user(username: str) -> dict[str, str]:
    return {"ProviderName": "Cognito", "ProviderAttributeValue": username}


def source(provider: str, value: str, attribute: str = "Cognito_Subject") -> dict[str, str]:
    return {"ProviderName": provider, "ProviderAttributeName": attribute,
            "ProviderAttributeValue": value}


def identities(cognito: Any, pool: UserPool, username: str) -> list[dict[str, Any]] | None:
    user = cognito.admin_get_user(UserPoolId=pool.id, Username=username)
    for attribute in user["UserAttributes"]:
        if attribute["Name"] == "identities":
            value: list[dict[str, Any]] = json.loads(attribute["Value"])
            return value
    return None


def federated(pool: UserPool, provider: IdentityProvider, subject: str) -> PoolUser:
    """A user made by a first sign-in through ``provider`` (as the hosted flow will)."""
    user = insert_user(pool, f"{provider.name}_{subject}", status=UserStatus.EXTERNAL_PROVIDER)
    ProviderIdentity.objects.create(provider=provider, user=user, subject=subject, primary=True)
    refresh_identities(user)
    return user


def test_linked_identities_show_in_admin_get_user(cognito: Any, pool: UserPool,
                                                  google: IdentityProvider,
                                                  adfs: IdentityProvider,
                                                  checked: Any) -> None:
    create_user(pool, "carlos")
    assert identities(cognito, pool, "carlos") is None
    cognito.admin_link_provider_for_user(UserPoolId=pool.id, DestinationUser=cognito_user(
        "carlos"), SourceUser=source("Google", "1234567890"))
    cognito.admin_link_provider_for_user(
        UserPoolId=pool.id, DestinationUser=cognito_user("carlos"),
        SourceUser=source("ADFS", "msp_carlos@example.com", attribute="email"))
    listed = identities(cognito, pool, "carlos")
    assert listed is not None
    assert [(i["providerName"], i["providerType"], i["userId"], i["issuer"], i["primary"])
            for i in listed] == [
        ("Google", "Google", "1234567890", None, False),
        ("ADFS", "SAML", "msp_carlos@example.com", ENTITY, False)]
    assert all(isinstance(i["dateCreated"], int) for i in listed)
    rows = ProviderIdentity.objects.order_by("id")
    assert [(r.provider.name, r.attribute_name, r.subject, r.user.username) for r in rows] == [
        ("Google", "Cognito_Subject", "1234567890", "carlos"),
        ("ADFS", "email", "msp_carlos@example.com", "carlos")]
    assert "AdminLinkProviderForUser" in checked.operations


def test_a_federated_user_can_be_the_destination(cognito: Any, pool: UserPool,
                                                 google: IdentityProvider,
                                                 adfs: IdentityProvider) -> None:
    user = federated(pool, google, "111")
    cognito.admin_link_provider_for_user(
        UserPoolId=pool.id, DestinationUser={"ProviderName": "Google",
                                             "ProviderAttributeValue": "111"},
        SourceUser=source("ADFS", "name-id-9"))
    listed = identities(cognito, pool, user.username)
    assert [(i["providerName"], i["primary"]) for i in listed or []] == [
        ("Google", True), ("ADFS", False)]


def test_link_refusals(cognito: Any, pool: UserPool, google: IdentityProvider,
                       adfs: IdentityProvider, fails: Any) -> None:
    create_user(pool, "carlos")
    create_user(pool, "dana")
    federated(pool, google, "signed-in")
    insert_user(pool, "Google_orphan", status=UserStatus.EXTERNAL_PROVIDER)
    cognito.admin_link_provider_for_user(UserPoolId=pool.id, DestinationUser=cognito_user(
        "carlos"), SourceUser=source("Google", "linked"))
    cases = [
        (cognito_user("nobody"), source("Google", "1"), "UserNotFoundException", ""),
        ({"ProviderName": "Google", "ProviderAttributeValue": "linked"}, source("ADFS", "x"),
         "UserNotFoundException", ""),
        (cognito_user("carlos"), source("Okta", "1"), "ResourceNotFoundException", ""),
        (cognito_user("carlos"), source("Cognito", "dana"), "InvalidParameterException",
         "not a Cognito user"),
        (cognito_user("carlos"), source("Google", "a@b.c", attribute="email"),
         "InvalidParameterException", "Cognito_Subject"),
        (cognito_user("carlos"), source("ADFS", "Sales", attribute="custom:team"),
         "InvalidParameterException", "not mapped"),
        (cognito_user("dana"), source("Google", "linked"), "InvalidParameterException",
         "SourceUser is already linked to DestinationUser"),
        (cognito_user("dana"), source("Google", "signed-in"), "InvalidParameterException",
         "Merging is not currently supported"),
        (cognito_user("dana"), source("Google", "orphan"), "InvalidParameterException",
         "Merging is not currently supported"),
        (cognito_user("dana"), {"ProviderName": "Google"}, "InvalidParameterException",
         "ProviderAttributeName"),
    ]
    for destination, src, code, words in cases:
        error = fails(cognito.admin_link_provider_for_user, UserPoolId=pool.id,
                      DestinationUser=destination, SourceUser=src)
        assert error[0] == code and words in error[1], (destination, src, error)
    assert identities(cognito, pool, "dana") is None
    assert ProviderIdentity.objects.filter(primary=False).count() == 1


def test_at_most_five_linked_identities(cognito: Any, pool: UserPool,
                                        google: IdentityProvider, fails: Any) -> None:
    create_user(pool, "carlos")
    for n in range(5):
        cognito.admin_link_provider_for_user(UserPoolId=pool.id, DestinationUser=cognito_user(
            "carlos"), SourceUser=source("Google", f"subject-{n}"))
    assert fails(cognito.admin_link_provider_for_user, UserPoolId=pool.id,
                 DestinationUser=cognito_user("carlos"),
                 SourceUser=source("Google", "subject-5"))[0] == "LimitExceededException"
    assert len(identities(cognito, pool, "carlos") or []) == 5


def test_a_user_with_immutable_attributes_cannot_be_linked(cognito: Any, make_pool: Any,
                                                           fails: Any) -> None:
    pool = make_pool(schema=[{"Name": "badge", "AttributeDataType": "String",
                              "Mutable": False}])
    providers.create_provider(pool, "Google", "Google", GOOGLE)
    create_user(pool, "carlos", **{"custom:badge": "gold"})
    code, message = fails(cognito.admin_link_provider_for_user, UserPoolId=pool.id,
                          DestinationUser=cognito_user("carlos"),
                          SourceUser=source("Google", "1"))
    assert code == "InvalidParameterException" and "custom:badge" in message


def test_disable_provider_for_user(cognito: Any, pool: UserPool, google: IdentityProvider,
                                   adfs: IdentityProvider, fails: Any, checked: Any) -> None:
    create_user(pool, "carlos")
    links.link_provider_for_user(pool, cognito_user("carlos"), source("Google", "g-1"))
    links.link_provider_for_user(pool, cognito_user("carlos"),
                                 source("ADFS", "c@example.com", attribute="email"))
    own = federated(pool, google, "g-2")

    # A linked identity is unlinked: its next sign-in will make a user of its own.
    cognito.admin_disable_provider_for_user(UserPoolId=pool.id, User=source("Google", "g-1"))
    assert [i["providerName"] for i in identities(cognito, pool, "carlos") or []] == ["ADFS"]
    cognito.admin_disable_provider_for_user(
        UserPoolId=pool.id, User=source("ADFS", "c@example.com", attribute="email"))
    assert identities(cognito, pool, "carlos") is None
    assert fails(cognito.admin_disable_provider_for_user, UserPoolId=pool.id,
                 User=source("Google", "g-1"))[0] == "UserNotFoundException"

    # A federated user's own identity is disabled, the user kept.
    cognito.admin_disable_provider_for_user(UserPoolId=pool.id, User=source("Google", "g-2"))
    assert ProviderIdentity.objects.get(user=own).disabled is True
    assert identities(cognito, pool, own.username) is not None

    # Cognito: the native user no longer signs in.
    assert fails(cognito.admin_disable_provider_for_user, UserPoolId=pool.id,
                 User=source("Cognito", "carlos", attribute="email"))[0] == \
        "InvalidParameterException"
    cognito.admin_disable_provider_for_user(UserPoolId=pool.id, User=source("Cognito", "carlos"))
    assert cognito.admin_get_user(UserPoolId=pool.id, Username="carlos")["Enabled"] is False
    assert fails(cognito.admin_disable_provider_for_user, UserPoolId=pool.id,
                 User=source("Facebook", "1"))[0] == "ResourceNotFoundException"
    assert fails(cognito.admin_disable_provider_for_user, UserPoolId=pool.id,
                 User=source("Google", "x", attribute="email"))[0] == \
        "InvalidParameterException"
    assert "AdminDisableProviderForUser" in checked.operations


def test_deleting_a_provider_unlinks_its_identities(cognito: Any, pool: UserPool,
                                                    google: IdentityProvider,
                                                    adfs: IdentityProvider) -> None:
    create_user(pool, "carlos")
    links.link_provider_for_user(pool, cognito_user("carlos"), source("Google", "g-1"))
    links.link_provider_for_user(pool, cognito_user("carlos"), source("ADFS", "n-1"))
    own = federated(pool, google, "g-2")
    cognito.delete_identity_provider(UserPoolId=pool.id, ProviderName="Google")
    assert [i["providerName"] for i in identities(cognito, pool, "carlos") or []] == ["ADFS"]
    assert PoolUser.objects.filter(pk=own.pk).exists()
    assert list(ProviderIdentity.objects.values_list("subject", flat=True)) == ["n-1"]
