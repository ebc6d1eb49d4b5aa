"""pycognito as a real client of the live server: its own SRP arithmetic, its own token
verification (JWKS at ``<endpoint>/<pool_id>/.well-known/jwks.json``, ``iss`` equal to that
base, ``aud`` on ID tokens, ``token_use``), refresh, attributes, password change and
global sign-out.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

pytest.register_assert_rewrite("tests.api_fixtures", "tests.live_api")

import boto3  # noqa: E402
from botocore.config import Config  # noqa: E402
from botocore.exceptions import ClientError  # noqa: E402
from pycognito import Cognito  # noqa: E402
from pycognito.aws_srp import AWSSRP  # noqa: E402
from pycognito.exceptions import TokenVerificationException  # noqa: E402

from django_cognito import clock  # noqa: E402
from django_cognito.models import PoolUser, RefreshToken, UserStatus  # noqa: E402
from tests.api_fixtures import ACCESS_KEY_ID, REGION, SECRET  # noqa: E402
from tests.effects import last_code  # noqa: E402
from tests.factories import NEW_PASSWORD, PASSWORD  # noqa: E402
from tests.factories import create_user as make_user  # noqa: E402
from tests.live_api import ALL_FLOWS, instrument, sign_in, verify_with_pyjwt  # noqa: E402

pytest_plugins = ["tests.api_fixtures", "tests.live_api"]

NO_RETRIES = Config(retries={"max_attempts": 1, "mode": "standard"})


def _srp(api_url: str, pool: Any, app: Any, username: str, password: str) -> AWSSRP:
    client = instrument(boto3.client("cognito-idp", endpoint_url=api_url, region_name=REGION,
                                     config=NO_RETRIES))
    return AWSSRP(username=username, password=password, pool_id=pool.id, client_id=app.id,
                  client=client)


# --- AWSSRP ---------------------------------------------------------------------------------

def test_awssrp_authenticates_with_the_right_password(api_url: str, pool: Any, app: Any,
                                                      alice: PoolUser) -> None:
    tokens = _srp(api_url, pool, app, "alice", PASSWORD).authenticate_user()
    result = tokens["AuthenticationResult"]
    claims = verify_with_pyjwt(api_url, pool, app, result["AccessToken"], "access")
    assert (claims["username"], claims["sub"]) == ("alice", str(alice.sub))
    assert verify_with_pyjwt(api_url, pool, app, result["IdToken"], "id")["aud"] == app.id
    assert RefreshToken.objects.filter(user=alice, revoked_at=None).count() == 1


def test_awssrp_fails_with_a_wrong_password(api_url: str, pool: Any, app: Any,
                                            alice: PoolUser) -> None:
    with pytest.raises(ClientError) as refused:
        _srp(api_url, pool, app, "alice", "Wrong-Passw0rd!").authenticate_user()
    error = refused.value.response["Error"]
    assert (error["Code"], error["Message"]) == ("NotAuthorizedException",
                                                 "Incorrect username or password.")
    assert not RefreshToken.objects.exists()


# --- Cognito --------------------------------------------------------------------------------

def test_cognito_authenticates_with_srp_and_verifies_the_tokens_itself(
        cognito: Any, api_url: str, pool: Any, alice: PoolUser) -> None:
    user = cognito("alice")
    user.authenticate(password=PASSWORD)
    # _set_tokens ran pycognito's own checks; do them again explicitly.
    user.verify_tokens()
    assert user.id_claims["iss"] == f"{api_url}/{pool.id}"
    assert user.id_claims["cognito:username"] == "alice"
    assert user.access_claims["token_use"] == "access"
    assert user.token_type == "Bearer"
    assert user.refresh_token
    assert user.check_token() is False  # fresh, nothing to renew


def test_cognito_rejects_tokens_of_another_client(cognito: Any, pool: Any, make_client: Any,
                                                  alice: PoolUser) -> None:
    user = cognito("alice")
    user.authenticate(password=PASSWORD)
    other = make_client(pool, name="other", explicit_auth_flows=ALL_FLOWS)
    stranger = Cognito(pool.id, other.id, id_token=user.id_token,
                       access_token=user.access_token,
                       boto3_client_kwargs={"endpoint_url": user.pool_domain_url})
    with pytest.raises(TokenVerificationException, match="id_token"):
        stranger.verify_tokens()


def test_cognito_admin_authenticate(cognito: Any, access_key: Any, alice: PoolUser) -> None:
    user = cognito("alice", access_key=ACCESS_KEY_ID, secret_key=SECRET)
    user.admin_authenticate(password=PASSWORD)
    assert user.access_claims["username"] == "alice"
    unsigned = cognito("alice", access_key="AKIAUNKNOWNKEY000000", secret_key="x" * 40)
    with pytest.raises(ClientError) as refused:
        unsigned.admin_authenticate(password=PASSWORD)
    assert refused.value.response["Error"]["Code"] == "UnrecognizedClientException"


def test_cognito_renews_an_expired_access_token(cognito: Any, idp: Any, app: Any,
                                                alice: PoolUser) -> None:
    # Tokens issued two hours ago: pycognito's check_token compares exp with the real time.
    clock.advance(dt.timedelta(hours=-2))
    old = sign_in(idp, app, "alice")
    clock.reset()
    user = cognito("alice", id_token=old["IdToken"], access_token=old["AccessToken"],
                   refresh_token=old["RefreshToken"])
    with pytest.raises(TokenVerificationException, match="expired"):
        user.verify_tokens()
    assert user.check_token() is True  # expired, so renewed
    assert user.access_token != old["AccessToken"]
    user.verify_tokens()
    assert user.access_claims["origin_jti"] == user.id_claims["origin_jti"]
    user.renew_access_token()
    assert user.get_user().username == "alice"


def test_cognito_reads_and_updates_attributes(cognito: Any, alice: PoolUser) -> None:
    user = cognito("alice")
    user.authenticate(password=PASSWORD)
    profile = user.get_user(attr_map={"given_name": "first_name"})
    assert (profile.username, profile.email, profile.sub) == \
        ("alice", "alice@example.com", str(alice.sub))
    assert profile.email_verified is True  # pycognito turns "true" into a bool
    user.update_profile({"first_name": "Alice", "family_name": "Liddell"},
                        attr_map={"given_name": "first_name"})
    assert PoolUser.objects.get(pk=alice.pk).attributes["given_name"] == "Alice"
    profile = user.get_user()
    assert (profile.given_name, profile.family_name) == ("Alice", "Liddell")


def test_cognito_changes_the_password(cognito: Any, alice: PoolUser) -> None:
    user = cognito("alice")
    user.authenticate(password=PASSWORD)
    with pytest.raises(ClientError) as wrong:
        user.change_password("Wrong-Passw0rd!", NEW_PASSWORD)
    assert wrong.value.response["Error"]["Code"] == "NotAuthorizedException"
    user.change_password(PASSWORD, NEW_PASSWORD)
    again = cognito("alice")
    with pytest.raises(ClientError):
        again.authenticate(password=PASSWORD)
    again.authenticate(password=NEW_PASSWORD)
    assert again.access_claims["username"] == "alice"


def test_cognito_logout_signs_out_globally(cognito: Any, idp: Any, app: Any,
                                           alice: PoolUser) -> None:
    user = cognito("alice")
    user.authenticate(password=PASSWORD)
    elsewhere = sign_in(idp, app, "alice")
    access, refresh = user.access_token, user.refresh_token
    user.logout()
    assert user.access_token is None and user.refresh_token is None
    for token in (access, elsewhere["AccessToken"]):
        with pytest.raises(idp.exceptions.NotAuthorizedException) as refused:
            idp.get_user(AccessToken=token)
        assert refused.value.response["Error"]["Message"] == "Access Token has been revoked"
    stale = cognito("alice", refresh_token=refresh)
    with pytest.raises(ClientError) as refresh_refused:
        stale.renew_access_token()
    assert refresh_refused.value.response["Error"]["Message"] == "Refresh Token has been revoked"
    assert not RefreshToken.objects.filter(revoked_at=None).exists()


def test_cognito_registers_confirms_and_answers_the_new_password_challenge(
        cognito: Any, pool: Any) -> None:
    newcomer = cognito()
    newcomer.set_base_attributes(email="zoe@example.com")
    newcomer.register("zoe", PASSWORD)
    assert PoolUser.objects.get(username="zoe").status == UserStatus.UNCONFIRMED
    newcomer.confirm_sign_up(last_code("zoe@example.com"), username="zoe")
    zoe = cognito("zoe")
    zoe.authenticate(password=PASSWORD)
    assert zoe.id_claims["email"] == "zoe@example.com"

    make_user(pool, "bob", confirmed=False, temporary_password=PASSWORD)
    bob = cognito("bob")
    bob.new_password_challenge(PASSWORD, NEW_PASSWORD)  # SRP, then NEW_PASSWORD_REQUIRED
    assert bob.id_claims["cognito:username"] == "bob"
    assert PoolUser.objects.get(username="bob").status == UserStatus.CONFIRMED
    cognito("bob").authenticate(password=NEW_PASSWORD)


def test_cognito_refuses_tokens_whose_issuer_is_not_its_endpoint(cognito: Any, settings: Any,
                                                                 alice: PoolUser) -> None:
    # A server whose public base URL differs from the URL the client uses issues tokens that
    # pycognito must refuse, even though their signatures verify against the served JWKS.
    settings.COGNITO = {**settings.COGNITO, "PUBLIC_BASE_URL": "https://auth.example.com"}
    user = cognito("alice")
    with pytest.raises(TokenVerificationException, match="issuer"):
        user.authenticate(password=PASSWORD)
    assert user.access_token is None
