"""Access-token operations over real HTTP with boto3: GetUser, UpdateUserAttributes,
DeleteUserAttributes, DeleteUser, ChangePassword, GlobalSignOut,
GetUserAttributeVerificationCode, VerifyUserAttribute; and the tokens they refuse.

Every response is checked against botocore's output shape by the clients of ``live_api``.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from typing import Any

import pytest

pytest.register_assert_rewrite("tests.api_fixtures", "tests.live_api")

import jwt  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import rsa  # noqa: E402
from django.core import mail  # noqa: E402

from django_cognito import clock  # noqa: E402
from django_cognito.models import PoolUser, RefreshToken  # noqa: E402
from django_cognito.services import admin_users  # noqa: E402
from django_cognito.tokens import mint_access_token  # noqa: E402
from tests.api_fixtures import error as _error  # noqa: E402
from tests.effects import last_code  # noqa: E402
from tests.factories import NEW_PASSWORD, PASSWORD  # noqa: E402
from tests.factories import create_user as make_user  # noqa: E402
from tests.live_api import ALL_FLOWS, sign_in, verify_with_pyjwt  # noqa: E402

pytest_plugins = ["tests.api_fixtures", "tests.live_api"]



@pytest.fixture
def tokens(idp: Any, app: Any, alice: PoolUser) -> dict[str, Any]:
    return sign_in(idp, app, "alice")


def _attributes(idp: Any, access_token: str) -> dict[str, str]:
    answer = idp.get_user(AccessToken=access_token)
    return {a["Name"]: a["Value"] for a in answer["UserAttributes"]}


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


# --- GetUser and the tokens it refuses -----------------------------------------------------

def test_get_user_returns_the_attributes(idp: Any, alice: PoolUser,
                                         tokens: dict[str, Any]) -> None:
    answer = idp.get_user(AccessToken=tokens["AccessToken"])
    assert answer["Username"] == "alice"
    attributes = {a["Name"]: a["Value"] for a in answer["UserAttributes"]}
    assert attributes == {"sub": str(alice.sub), "email": "alice@example.com",
                          "email_verified": "true"}


def test_forged_tokens_are_refused(idp: Any, api_url: str, pool: Any, app: Any,
                                   tokens: dict[str, Any]) -> None:
    access = tokens["AccessToken"]
    header = jwt.get_unverified_header(access)
    claims = jwt.decode(access, options={"verify_signature": False})
    foreign_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged = jwt.encode(claims, foreign_key, algorithm="RS256", headers={"kid": header["kid"]})
    head, _, signature = access.split(".")
    tampered = ".".join([head, _b64({**claims, "username": "mallory"}), signature])
    unsigned = ".".join([_b64({"alg": "none", "kid": header["kid"]}), _b64(claims), ""])
    for bad in (forged, tampered, unsigned, "not-a-token", access[:-10]):
        with pytest.raises(idp.exceptions.NotAuthorizedException) as refused:
            idp.get_user(AccessToken=bad)
        assert _error(refused) == ("NotAuthorizedException", "Invalid Access Token")


def test_an_id_token_is_not_an_access_token(idp: Any, tokens: dict[str, Any]) -> None:
    with pytest.raises(idp.exceptions.NotAuthorizedException) as refused:
        idp.get_user(AccessToken=tokens["IdToken"])
    assert _error(refused) == ("NotAuthorizedException", "Invalid Access Token")
    with pytest.raises(idp.exceptions.NotAuthorizedException):
        idp.global_sign_out(AccessToken=tokens["IdToken"])
    assert RefreshToken.objects.filter(revoked_at=None).count() == 1


def test_access_token_without_the_admin_scope_is_refused(idp: Any, api_url: str, pool: Any,
                                                          app: Any, alice: PoolUser,
                                                          tokens: dict[str, Any]) -> None:
    # What the hosted UI issues for scope=openid: a valid token of a live family, but not one
    # that may call the user-pool API (reference §1.1).
    family = verify_with_pyjwt(api_url, pool, app, tokens["AccessToken"], "access")
    narrow = mint_access_token(pool, app, alice, auth_time=family["auth_time"],
                               origin_jti=family["origin_jti"], event_id=None,
                               scope="openid email").token
    assert verify_with_pyjwt(api_url, pool, app, narrow, "access")["scope"] == "openid email"
    with pytest.raises(idp.exceptions.NotAuthorizedException) as refused:
        idp.update_user_attributes(AccessToken=narrow,
                                   UserAttributes=[{"Name": "name", "Value": "Mallory"}])
    assert _error(refused) == ("NotAuthorizedException",
                               "Access Token does not have required scopes")
    assert "name" not in PoolUser.objects.get(pk=alice.pk).attributes


def test_token_of_another_pool_names_its_own_user(idp: Any, make_pool: Any, make_client: Any,
                                                  alice: PoolUser,
                                                  tokens: dict[str, Any]) -> None:
    other_pool = make_pool(name="other")
    other_app = make_client(other_pool, explicit_auth_flows=ALL_FLOWS)
    make_user(other_pool, "alice", email="other-alice@example.com")
    other = sign_in(idp, other_app, "alice")
    assert _attributes(idp, other["AccessToken"])["email"] == "other-alice@example.com"
    assert _attributes(idp, tokens["AccessToken"])["email"] == "alice@example.com"


def test_expired_access_token_is_refused(idp: Any, app: Any, tokens: dict[str, Any]) -> None:
    clock.advance(dt.timedelta(minutes=61))
    with pytest.raises(idp.exceptions.NotAuthorizedException) as refused:
        idp.get_user(AccessToken=tokens["AccessToken"])
    assert _error(refused) == ("NotAuthorizedException", "Access Token has expired")
    fresh = idp.get_tokens_from_refresh_token(RefreshToken=tokens["RefreshToken"],
                                              ClientId=app.id)["AuthenticationResult"]
    assert idp.get_user(AccessToken=fresh["AccessToken"])["Username"] == "alice"


def test_token_of_a_disabled_user_is_refused(idp: Any, app: Any, alice: PoolUser,
                                             tokens: dict[str, Any]) -> None:
    admin_users.set_enabled(alice, False)  # AdminDisableUser revokes the user's tokens (§3.5)
    with pytest.raises(idp.exceptions.NotAuthorizedException) as refused:
        idp.get_user(AccessToken=tokens["AccessToken"])
    assert _error(refused) == ("NotAuthorizedException", "Access Token has been revoked")
    with pytest.raises(idp.exceptions.NotAuthorizedException) as refresh:
        idp.get_tokens_from_refresh_token(RefreshToken=tokens["RefreshToken"], ClientId=app.id)
    assert _error(refresh)[1] == "Refresh Token has been revoked"
    with pytest.raises(idp.exceptions.NotAuthorizedException) as sign_in_again:
        sign_in(idp, app, "alice")
    assert _error(sign_in_again)[1] == "User is disabled."


# --- GlobalSignOut --------------------------------------------------------------------------

def test_global_sign_out_revokes_every_session(idp: Any, app: Any, alice: PoolUser,
                                               tokens: dict[str, Any]) -> None:
    other = sign_in(idp, app, "alice")
    assert idp.global_sign_out(AccessToken=tokens["AccessToken"]) is not None
    for session in (tokens, other):
        with pytest.raises(idp.exceptions.NotAuthorizedException) as access:
            idp.get_user(AccessToken=session["AccessToken"])
        assert _error(access)[1] == "Access Token has been revoked"
        with pytest.raises(idp.exceptions.NotAuthorizedException) as refresh:
            idp.initiate_auth(ClientId=app.id, AuthFlow="REFRESH_TOKEN_AUTH",
                              AuthParameters={"REFRESH_TOKEN": session["RefreshToken"]})
        assert _error(refresh)[1] == "Refresh Token has been revoked"
    assert not RefreshToken.objects.filter(revoked_at=None).exists()
    with pytest.raises(idp.exceptions.NotAuthorizedException):
        idp.global_sign_out(AccessToken=tokens["AccessToken"])
    fresh = sign_in(idp, app, "alice")
    assert idp.get_user(AccessToken=fresh["AccessToken"])["Username"] == "alice"


# --- ChangePassword -------------------------------------------------------------------------

def test_change_password(idp: Any, app: Any, alice: PoolUser,
                         tokens: dict[str, Any]) -> None:
    with pytest.raises(idp.exceptions.NotAuthorizedException) as wrong:
        idp.change_password(AccessToken=tokens["AccessToken"],
                            PreviousPassword="Wrong-Passw0rd!", ProposedPassword=NEW_PASSWORD)
    assert _error(wrong) == ("NotAuthorizedException", "Incorrect username or password.")
    with pytest.raises(idp.exceptions.InvalidPasswordException):
        idp.change_password(AccessToken=tokens["AccessToken"], PreviousPassword=PASSWORD,
                            ProposedPassword="weakpassword")
    assert "AccessToken" in sign_in(idp, app, "alice", PASSWORD)
    answer = idp.change_password(AccessToken=tokens["AccessToken"],
                                 PreviousPassword=PASSWORD, ProposedPassword=NEW_PASSWORD)
    assert set(answer) == {"ResponseMetadata"}
    with pytest.raises(idp.exceptions.NotAuthorizedException):
        sign_in(idp, app, "alice", PASSWORD)
    assert "AccessToken" in sign_in(idp, app, "alice", NEW_PASSWORD)


# --- attributes -----------------------------------------------------------------------------

def test_update_email_sends_a_code_and_verify_user_attribute_confirms_it(
        idp: Any, api_url: str, pool: Any, app: Any, alice: PoolUser,
        tokens: dict[str, Any]) -> None:
    access = tokens["AccessToken"]
    answer = idp.update_user_attributes(
        AccessToken=access, UserAttributes=[{"Name": "email", "Value": "new@example.org"},
                                            {"Name": "given_name", "Value": "Alice"}])
    assert answer["CodeDeliveryDetailsList"] == [
        {"Destination": "n***@e***", "DeliveryMedium": "EMAIL", "AttributeName": "email"}]
    attributes = _attributes(idp, access)
    assert (attributes["email"], attributes["email_verified"]) == ("new@example.org", "false")
    assert attributes["given_name"] == "Alice"
    code = last_code("new@example.org")
    with pytest.raises(idp.exceptions.CodeMismatchException):
        idp.verify_user_attribute(AccessToken=access, AttributeName="email",
                                  Code="000000" if code != "000000" else "111111")
    assert _attributes(idp, access)["email_verified"] == "false"
    assert set(idp.verify_user_attribute(AccessToken=access, AttributeName="email",
                                         Code=code)) == {"ResponseMetadata"}
    assert _attributes(idp, access)["email_verified"] == "true"
    refreshed = idp.get_tokens_from_refresh_token(RefreshToken=tokens["RefreshToken"],
                                                  ClientId=app.id)["AuthenticationResult"]
    claims = verify_with_pyjwt(api_url, pool, app, refreshed["IdToken"], "id")
    assert (claims["email"], claims["email_verified"]) == ("new@example.org", True)


def test_update_without_contact_change_sends_nothing(idp: Any, tokens: dict[str, Any]) -> None:
    answer = idp.update_user_attributes(AccessToken=tokens["AccessToken"],
                                        UserAttributes=[{"Name": "name", "Value": "Alice A."}])
    assert answer["CodeDeliveryDetailsList"] == []
    assert not mail.outbox
    with pytest.raises(idp.exceptions.InvalidParameterException):
        idp.update_user_attributes(AccessToken=tokens["AccessToken"],
                                   UserAttributes=[{"Name": "custom:nope", "Value": "x"}])
    with pytest.raises(idp.exceptions.NotAuthorizedException):
        idp.update_user_attributes(AccessToken=tokens["IdToken"],
                                   UserAttributes=[{"Name": "name", "Value": "Mallory"}])
    assert _attributes(idp, tokens["AccessToken"])["name"] == "Alice A."


def test_get_user_attribute_verification_code(idp: Any, pool: Any, tokens: dict[str, Any]
                                              ) -> None:
    access = tokens["AccessToken"]
    answer = idp.get_user_attribute_verification_code(AccessToken=access,
                                                      AttributeName="email")
    assert answer["CodeDeliveryDetails"] == {"Destination": "a***@e***",
                                             "DeliveryMedium": "EMAIL", "AttributeName": "email"}
    code = last_code("alice@example.com")
    idp.verify_user_attribute(AccessToken=access, AttributeName="email", Code=code)
    assert _attributes(idp, access)["email_verified"] == "true"
    with pytest.raises(idp.exceptions.InvalidParameterException):
        idp.get_user_attribute_verification_code(AccessToken=access,
                                                 AttributeName="phone_number")
    with pytest.raises(idp.exceptions.InvalidParameterException):
        idp.get_user_attribute_verification_code(AccessToken=access,
                                                 AttributeName="given_name")


def test_delete_user_attributes(idp: Any, alice: PoolUser, tokens: dict[str, Any]) -> None:
    access = tokens["AccessToken"]
    idp.update_user_attributes(AccessToken=access,
                               UserAttributes=[{"Name": "given_name", "Value": "Alice"},
                                               {"Name": "family_name", "Value": "A"}])
    assert set(idp.delete_user_attributes(AccessToken=access,
                                          UserAttributeNames=["given_name"])) == \
        {"ResponseMetadata"}
    attributes = _attributes(idp, access)
    assert "given_name" not in attributes and attributes["family_name"] == "A"
    assert "given_name" not in PoolUser.objects.get(pk=alice.pk).attributes
    with pytest.raises(idp.exceptions.InvalidParameterException):
        idp.delete_user_attributes(AccessToken=access, UserAttributeNames=["sub"])
    assert _attributes(idp, access)["sub"] == str(alice.sub)


def test_required_attributes_cannot_be_deleted(idp: Any, make_pool: Any, make_client: Any
                                               ) -> None:
    pool = make_pool(name="strict", schema=[{"Name": "email", "Required": True,
                                             "AttributeDataType": "String", "Mutable": True}])
    app = make_client(pool, explicit_auth_flows=ALL_FLOWS)
    make_user(pool, "dora")
    access = sign_in(idp, app, "dora")["AccessToken"]
    with pytest.raises(idp.exceptions.InvalidParameterException) as refused:
        idp.delete_user_attributes(AccessToken=access, UserAttributeNames=["email"])
    assert _error(refused)[1] == \
        "Attributes did not conform to the schema: email: The attribute is required"
    assert _attributes(idp, access)["email"] == "dora@example.com"


# --- DeleteUser -----------------------------------------------------------------------------

def test_delete_user(idp: Any, app: Any, alice: PoolUser, tokens: dict[str, Any]) -> None:
    assert set(idp.delete_user(AccessToken=tokens["AccessToken"])) == {"ResponseMetadata"}
    assert not PoolUser.objects.filter(pk=alice.pk).exists()
    assert not RefreshToken.objects.exists()
    with pytest.raises(idp.exceptions.NotAuthorizedException):
        idp.get_user(AccessToken=tokens["AccessToken"])
    with pytest.raises(idp.exceptions.NotAuthorizedException):
        idp.initiate_auth(ClientId=app.id, AuthFlow="REFRESH_TOKEN_AUTH",
                          AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]})
    with pytest.raises(idp.exceptions.UserNotFoundException):
        sign_in(idp, app, "alice")
