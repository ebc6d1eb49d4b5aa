"""The identity pools' OpenID token keys: a successor published before it signs, rotation,
retired keys published until their last token expires, and checks of a returned token."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from django_cognito import clock
from django_cognito.exceptions import NotAuthorizedException
from django_cognito.models import Identity, IdentityPool
from django_cognito.services.identity import credentials, openid
from django_cognito.services.identity.logins import DEVELOPER_TOKENS, Login
from django_cognito.tokens.minting import b64url

pytestmark = pytest.mark.django_db


@pytest.fixture
def identity(settings: Any) -> Identity:
    settings.COGNITO = {**settings.COGNITO, "PUBLIC_BASE_URL": "https://auth.example.com"}
    pool = IdentityPool.objects.create(id="us-east-1:11111111-2222-3333-4444-555555555555",
                                       name="photos")
    return Identity.objects.create(id="us-east-1:aaaaaaaa-2222-3333-4444-555555555555",
                                   pool=pool)


def kids() -> list[str]:
    return [key["kid"] for key in openid.jwks()["keys"]]


def test_rotation_publishes_before_signing_and_keeps_old_keys(identity: Identity) -> None:
    old = openid.mint(identity, ["authenticated", "login.example"], lifetime=86_400)
    first, successor = kids()
    assert openid.active_key().kid == first
    out = StringIO()
    call_command("cognito_rotate_keys", "--identity-pools", stdout=out)
    assert out.getvalue().splitlines() == [f"identity pools: signing {successor}"]
    assert openid.active_key().kid == successor
    assert kids()[:2] == [first, successor] and len(kids()) == 3
    # A token signed before the rotation still verifies, until it expires.
    assert openid.verify(old, identity.pool_id)["sub"] == identity.pk
    clock.advance(dt.timedelta(seconds=86_401))
    assert first not in kids()
    with pytest.raises(NotAuthorizedException):
        openid.verify(old, identity.pool_id)


def test_a_token_is_checked(identity: Identity) -> None:
    token = openid.mint(identity, ["authenticated", "login.example"])
    assert openid.verify(token, identity.pool_id)["aud"] == identity.pool_id
    head, body, signature = token.split(".")
    deep = b64url(b"[" * 12_000).decode()  # nesting deeper than json's recursion limit
    for bad in (f"{head}.{body}.{signature[::-1]}", f"{head}.{body}", "x" * 20_000, None,
                f"{deep}.{body}.{signature}", f"{head}.{deep}.{signature}",
                f"{head}.{openid.mint(identity, ['authenticated']).split('.')[1]}.{signature}"):
        with pytest.raises(NotAuthorizedException):
            openid.verify(bad, identity.pool_id)
    with pytest.raises(NotAuthorizedException, match="audience"):
        openid.verify(token, "us-east-1:00000000-0000-0000-0000-000000000000")
    # A guest's token has the guests' issuer: never accepted as a signed-in user's.
    guest = openid.mint(identity, ["unauthenticated"])
    with pytest.raises(NotAuthorizedException, match="Issuer"):
        openid.verify(guest, identity.pool_id)


def test_principal_tags_follow_the_provider_s_map(identity: Identity) -> None:
    pool = identity.pool
    provider = "cognito-idp.us-east-1.amazonaws.com/us-east-1_Ab12Cd34E"
    login = Login(provider, "sub-1", {"sub": "sub-1", "email_verified": True,
                                      "cognito:groups": ["a", "b"], "aud": "client"})
    # A provider without a map gives no tags.
    assert credentials.principal_tags(pool, [login]) == {}
    pool.principal_tags = {provider: {"use_defaults": False, "tags": {
        "verified": "email_verified", "groups": "cognito:groups", "missing": "nickname"}}}
    assert credentials.principal_tags(pool, [login]) == {"verified": "true", "groups": "a,b"}
    # A developer token's tags carry over.
    developer = openid.mint(identity, ["authenticated", "dev"], tags={"team": "photos"})
    carried = Login(DEVELOPER_TOKENS, identity.pk, openid.verify(developer, pool.pk))
    assert credentials.principal_tags(pool, [carried]) == {"team": "photos"}
