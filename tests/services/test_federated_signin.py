"""Who a third-party identity provider signs in as (services.federation.signin, reference §7)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from django_cognito import signals
from django_cognito.exceptions import NotAuthorizedException, TriggerRejected
from django_cognito.models import (
    Group,
    GroupMembership,
    IdentityProvider,
    PoolUser,
    ProviderIdentity,
    UserPool,
    UserStatus,
)
from django_cognito.services.federation import links
from django_cognito.services.federation.signin import sign_in_external
from tests import factories

pytestmark = pytest.mark.django_db

CLAIMS = {"sub": "abc-123", "email": "fed@idp.example", "name": "Fed User",
          "email_verified": True}


@pytest.fixture
def provider(pool: UserPool) -> IdentityProvider:
    return IdentityProvider.objects.create(
        pool=pool, name="Corp", provider_type="OIDC",
        details={"client_id": "c", "oidc_issuer": "https://idp.example",
                 "authorize_scopes": "openid email", "attributes_request_method": "GET"},
        attribute_mapping={"username": "sub", "email": "email", "name": "name"})


def test_a_first_sign_in_makes_a_federated_user(provider: IdentityProvider,
                                                 pool: UserPool) -> None:
    user = sign_in_external(provider, "abc-123", CLAIMS)
    assert user.username == "Corp_abc-123" and user.status == UserStatus.EXTERNAL_PROVIDER
    assert user.attributes["email"] == "fed@idp.example"
    assert user.attributes["email_verified"] == "false"  # not mapped: unverified
    assert user.attributes["name"] == "Fed User"
    identities = json.loads(user.attributes["identities"])
    assert identities[0]["userId"] == "abc-123" and identities[0]["providerName"] == "Corp"
    assert identities[0]["providerType"] == "OIDC" and identities[0]["primary"] is True
    group = Group.objects.get(pool=pool, name=f"{pool.id}_Corp")
    assert GroupMembership.objects.filter(group=group, user=user).exists()


def test_later_sign_ins_rewrite_the_mapped_attributes(provider: IdentityProvider) -> None:
    first = sign_in_external(provider, "abc-123", CLAIMS)
    again = sign_in_external(provider, "abc-123", {**CLAIMS, "name": "Renamed"})
    assert again.pk == first.pk and again.attributes["name"] == "Renamed"
    assert PoolUser.objects.filter(pool=provider.pool).count() == 1


def test_a_case_insensitive_pool_stores_the_name_lower_case(make_pool: Any) -> None:
    pool = make_pool(name="ci", case_sensitive=False)
    provider = IdentityProvider.objects.create(pool=pool, name="Corp", provider_type="OIDC",
                                               attribute_mapping={"email": "email"})
    assert sign_in_external(provider, "ABC", CLAIMS).username == "corp_abc"


def test_a_pre_sign_up_rejection_creates_nothing(provider: IdentityProvider,
                                                 connect: Any) -> None:
    seen: list[str] = []

    def reject(sender: Any, event: dict[str, Any], **kwargs: Any) -> None:
        seen.append(event["triggerSource"])
        raise TriggerRejected("Not from here")

    connect(signals.pre_sign_up, reject)
    with pytest.raises(Exception, match="Not from here"):
        sign_in_external(provider, "abc-123", CLAIMS)
    assert seen == ["PreSignUp_ExternalProvider"]
    assert not PoolUser.objects.exists() and not ProviderIdentity.objects.exists()


def test_a_linked_identity_signs_in_as_the_native_user(provider: IdentityProvider,
                                                       pool: UserPool) -> None:
    native = factories.create_user(pool, "alice")
    links.link_provider_for_user(
        pool, {"ProviderName": "Cognito", "ProviderAttributeValue": "alice"},
        {"ProviderName": "Corp", "ProviderAttributeName": "Cognito_Subject",
         "ProviderAttributeValue": "abc-123"})
    user = sign_in_external(provider, "abc-123", CLAIMS)
    assert user.pk == native.pk and user.status == UserStatus.CONFIRMED
    assert json.loads(user.attributes["identities"])[0]["providerName"] == "Corp"
    assert PoolUser.objects.filter(pool=pool).count() == 1


def test_a_link_keyed_on_email_is_rewritten_to_the_subject(provider: IdentityProvider,
                                                           pool: UserPool) -> None:
    native = factories.create_user(pool, "alice")
    ProviderIdentity.objects.create(provider=provider, user=native, attribute_name="email",
                                    subject="fed@idp.example")
    assert sign_in_external(provider, "abc-123", CLAIMS).pk == native.pk
    row = ProviderIdentity.objects.get(user=native)
    assert (row.attribute_name, row.subject) == ("Cognito_Subject", "abc-123")


def test_a_disabled_identity_or_user_cannot_sign_in(provider: IdentityProvider) -> None:
    user = sign_in_external(provider, "abc-123", CLAIMS)
    PoolUser.objects.filter(pk=user.pk).update(enabled=False)
    with pytest.raises(NotAuthorizedException):
        sign_in_external(provider, "abc-123", CLAIMS)
    PoolUser.objects.filter(pk=user.pk).update(enabled=True)
    ProviderIdentity.objects.filter(user=user).update(disabled=True)
    with pytest.raises(NotAuthorizedException):
        sign_in_external(provider, "abc-123", CLAIMS)


@pytest.mark.parametrize("subject", ["", "\x00", "x" * 3000])
def test_an_unusable_subject_is_refused(provider: IdentityProvider, subject: str) -> None:
    with pytest.raises(NotAuthorizedException):
        sign_in_external(provider, subject, CLAIMS)


def test_a_federated_user_signs_in_only_through_the_identity_provider(
        provider: IdentityProvider, pool: UserPool) -> None:
    from django_cognito.services import signin

    user = sign_in_external(provider, "abc-123", CLAIMS)
    client = factories.create_client(pool, "api", explicit_auth_flows=[
        "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])
    from django_cognito.services import admin_users
    admin_users.admin_set_user_password(user, factories.PASSWORD, permanent=False)
    for password in ("anything", factories.PASSWORD):
        with pytest.raises(NotAuthorizedException):
            signin.initiate_auth(client, "USER_PASSWORD_AUTH",
                                 {"USERNAME": user.username, "PASSWORD": password})
