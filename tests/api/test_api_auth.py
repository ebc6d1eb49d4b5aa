"""Sign-in operations over real HTTP with boto3: InitiateAuth, AdminInitiateAuth,
RespondToAuthChallenge (and Admin), REFRESH_TOKEN_AUTH, GetTokensFromRefreshToken, RevokeToken.

Every response is checked against botocore's output shape by the clients of ``live_api``.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

pytest.register_assert_rewrite("tests.api_fixtures", "tests.live_api")

from botocore.exceptions import ClientError  # noqa: E402

from django_cognito import clock  # noqa: E402
from django_cognito.crypto.secrets import secret_hash  # noqa: E402
from django_cognito.models import AccessKey, PoolUser, RefreshToken, UserStatus  # noqa: E402
from django_cognito.services import recovery, signup  # noqa: E402
from tests.api_fixtures import SECRET  # noqa: E402
from tests.factories import NEW_PASSWORD, PASSWORD  # noqa: E402
from tests.factories import create_user as make_user  # noqa: E402
from tests.live_api import ALL_FLOWS, sign_in, verify_with_pyjwt  # noqa: E402

pytest_plugins = ["tests.api_fixtures", "tests.live_api"]

BAD_LOGIN = "Incorrect username or password."


def _error(excinfo: pytest.ExceptionInfo[ClientError]) -> tuple[str, str, int]:
    response = excinfo.value.response
    return (response["Error"]["Code"], response["Error"]["Message"],
            response["ResponseMetadata"]["HTTPStatusCode"])


def _refresh_auth(idp: Any, app: Any, refresh_token: str) -> dict[str, Any]:
    answer = idp.initiate_auth(ClientId=app.id, AuthFlow="REFRESH_TOKEN_AUTH",
                               AuthParameters={"REFRESH_TOKEN": refresh_token})
    result: dict[str, Any] = answer["AuthenticationResult"]
    return result


# --- USER_PASSWORD_AUTH -------------------------------------------------------------------

def test_user_password_auth_returns_tokens_that_verify_against_the_served_jwks(
        idp: Any, api_url: str, pool: Any, app: Any, alice: PoolUser) -> None:
    answer = idp.initiate_auth(ClientId=app.id, AuthFlow="USER_PASSWORD_AUTH",
                               AuthParameters={"USERNAME": "alice", "PASSWORD": PASSWORD})
    assert answer["ChallengeParameters"] == {}
    assert "ChallengeName" not in answer and "Session" not in answer
    result = answer["AuthenticationResult"]
    assert (result["TokenType"], result["ExpiresIn"]) == ("Bearer", 3600)
    assert result["RefreshToken"].count(".") == 0  # opaque, not a JWT
    id_claims = verify_with_pyjwt(api_url, pool, app, result["IdToken"], "id")
    access = verify_with_pyjwt(api_url, pool, app, result["AccessToken"], "access")
    assert id_claims["iss"] == access["iss"] == f"{api_url}/{pool.id}"
    assert id_claims["cognito:username"] == access["username"] == "alice"
    assert id_claims["sub"] == access["sub"] == str(alice.sub)
    assert (id_claims["email"], id_claims["email_verified"]) == ("alice@example.com", True)
    assert access["scope"] == "aws.cognito.signin.user.admin"
    assert id_claims["origin_jti"] == access["origin_jti"]
    assert id_claims["auth_time"] == access["auth_time"]
    assert access["exp"] - access["iat"] == 3600
    assert RefreshToken.objects.filter(user=alice, client=app, revoked_at=None).count() == 1


def test_wrong_password_and_unknown_user(idp: Any, pool: Any, app: Any, make_client: Any,
                                         alice: PoolUser) -> None:
    with pytest.raises(idp.exceptions.NotAuthorizedException) as wrong:
        sign_in(idp, app, "alice", "Wrong-Passw0rd!")
    assert _error(wrong) == ("NotAuthorizedException", BAD_LOGIN, 400)
    with pytest.raises(idp.exceptions.UserNotFoundException) as unknown:
        sign_in(idp, app, "nobody")
    assert _error(unknown)[:2] == ("UserNotFoundException", "User does not exist.")
    hiding = make_client(pool, name="hiding", explicit_auth_flows=ALL_FLOWS,
                         prevent_user_existence_errors="ENABLED")
    with pytest.raises(idp.exceptions.NotAuthorizedException) as hidden:
        sign_in(idp, hiding, "nobody")
    assert _error(hidden)[:2] == ("NotAuthorizedException", BAD_LOGIN)
    assert not RefreshToken.objects.exists()


def test_user_state_decides_before_tokens(idp: Any, pool: Any, app: Any, make_client: Any,
                                          alice: PoolUser) -> None:
    signup.sign_up(app, "carl", PASSWORD, [{"Name": "email", "Value": "carl@example.com"}])
    with pytest.raises(idp.exceptions.UserNotConfirmedException) as unconfirmed:
        sign_in(idp, app, "carl")
    assert _error(unconfirmed)[1] == "User is not confirmed."
    recovery.admin_reset_user_password(alice)
    with pytest.raises(idp.exceptions.PasswordResetRequiredException) as reset:
        sign_in(idp, app, "alice")
    assert _error(reset)[1] == "Password reset required for the user"
    hiding = make_client(pool, name="hiding", explicit_auth_flows=ALL_FLOWS,
                         prevent_user_existence_errors="ENABLED")
    with pytest.raises(idp.exceptions.NotAuthorizedException) as hidden:
        sign_in(idp, hiding, "alice")
    assert _error(hidden)[1] == BAD_LOGIN
    # The wrong password is refused as such, whatever the state.
    with pytest.raises(idp.exceptions.NotAuthorizedException) as wrong:
        sign_in(idp, app, "carl", "Wrong-Passw0rd!")
    assert _error(wrong)[1] == BAD_LOGIN
    assert not RefreshToken.objects.exists()


def test_flow_not_enabled_for_the_client(idp: Any, pool: Any, make_client: Any,
                                         alice: PoolUser) -> None:
    srp_only = make_client(pool, explicit_auth_flows=["ALLOW_USER_SRP_AUTH",
                                                      "ALLOW_REFRESH_TOKEN_AUTH"])
    with pytest.raises(idp.exceptions.InvalidParameterException) as refused:
        sign_in(idp, srp_only, "alice")
    assert _error(refused)[:2] == ("InvalidParameterException",
                                   "USER_PASSWORD_AUTH flow not enabled for this client")
    with pytest.raises(idp.exceptions.InvalidParameterException) as admin_flow:
        idp.initiate_auth(ClientId=srp_only.id, AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                          AuthParameters={"USERNAME": "alice", "PASSWORD": PASSWORD})
    assert _error(admin_flow)[1] == \
        "Initiate Auth method not supported: ADMIN_USER_PASSWORD_AUTH"
    assert not RefreshToken.objects.exists()


def test_unknown_client_and_missing_parameters(idp: Any, app: Any, alice: PoolUser) -> None:
    with pytest.raises(idp.exceptions.ResourceNotFoundException) as unknown:
        idp.initiate_auth(ClientId="nosuchclient", AuthFlow="USER_PASSWORD_AUTH",
                          AuthParameters={"USERNAME": "alice", "PASSWORD": PASSWORD})
    assert _error(unknown)[1] == "User pool client nosuchclient does not exist."
    with pytest.raises(idp.exceptions.InvalidParameterException) as missing:
        idp.initiate_auth(ClientId=app.id, AuthFlow="USER_PASSWORD_AUTH",
                          AuthParameters={"USERNAME": "alice"})
    assert _error(missing)[1] == "Missing required parameter PASSWORD"


def test_secret_hash_is_enforced_for_clients_with_a_secret(idp: Any, pool: Any,
                                                            make_client: Any,
                                                            alice: PoolUser) -> None:
    app = make_client(pool, explicit_auth_flows=ALL_FLOWS, generate_secret=True)
    params = {"USERNAME": "alice", "PASSWORD": PASSWORD}
    with pytest.raises(idp.exceptions.NotAuthorizedException) as missing:
        idp.initiate_auth(ClientId=app.id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters=params)
    assert _error(missing)[1] == \
        f"Client {app.id} is configured with secret but SECRET_HASH was not received"
    with pytest.raises(idp.exceptions.NotAuthorizedException) as wrong:
        idp.initiate_auth(ClientId=app.id, AuthFlow="USER_PASSWORD_AUTH",
                          AuthParameters={**params, "SECRET_HASH": "AAAA"})
    assert _error(wrong)[1] == f"Unable to verify secret hash for client {app.id}"
    good = secret_hash(app.secret, "alice", app.id)
    answer = idp.initiate_auth(ClientId=app.id, AuthFlow="USER_PASSWORD_AUTH",
                               AuthParameters={**params, "SECRET_HASH": good})
    refresh = answer["AuthenticationResult"]["RefreshToken"]
    again = idp.initiate_auth(ClientId=app.id, AuthFlow="REFRESH_TOKEN_AUTH",
                              AuthParameters={"REFRESH_TOKEN": refresh, "SECRET_HASH": good})
    assert "AccessToken" in again["AuthenticationResult"]


# --- NEW_PASSWORD_REQUIRED ----------------------------------------------------------------

def test_new_password_required_challenge_then_tokens(idp: Any, api_url: str, pool: Any,
                                                     app: Any) -> None:
    bob = make_user(pool, "bob", confirmed=False, temporary_password=PASSWORD)
    answer = idp.initiate_auth(ClientId=app.id, AuthFlow="USER_PASSWORD_AUTH",
                               AuthParameters={"USERNAME": "bob", "PASSWORD": PASSWORD})
    assert "AuthenticationResult" not in answer
    assert answer["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    params = answer["ChallengeParameters"]
    assert params["USER_ID_FOR_SRP"] == "bob"
    assert json.loads(params["requiredAttributes"]) == []
    assert json.loads(params["userAttributes"])["email"] == "bob@example.com"
    with pytest.raises(idp.exceptions.InvalidPasswordException):
        idp.respond_to_auth_challenge(ClientId=app.id, ChallengeName="NEW_PASSWORD_REQUIRED",
                                      Session=answer["Session"],
                                      ChallengeResponses={"USERNAME": "bob",
                                                          "NEW_PASSWORD": "short"})
    assert PoolUser.objects.get(pk=bob.pk).status == UserStatus.FORCE_CHANGE_PASSWORD
    done = idp.respond_to_auth_challenge(
        ClientId=app.id, ChallengeName="NEW_PASSWORD_REQUIRED", Session=answer["Session"],
        ChallengeResponses={"USERNAME": "bob", "NEW_PASSWORD": NEW_PASSWORD,
                            "userAttributes.given_name": "Bob"})
    result = done["AuthenticationResult"]
    claims = verify_with_pyjwt(api_url, pool, app, result["IdToken"], "id")
    assert (claims["cognito:username"], claims["given_name"]) == ("bob", "Bob")
    assert PoolUser.objects.get(pk=bob.pk).status == UserStatus.CONFIRMED
    with pytest.raises(idp.exceptions.NotAuthorizedException):
        sign_in(idp, app, "bob", PASSWORD)
    assert "AccessToken" in sign_in(idp, app, "bob", NEW_PASSWORD)
    # The challenge is answered: the same Session cannot set the password again.
    with pytest.raises(idp.exceptions.NotAuthorizedException) as replay:
        idp.respond_to_auth_challenge(ClientId=app.id, ChallengeName="NEW_PASSWORD_REQUIRED",
                                      Session=answer["Session"],
                                      ChallengeResponses={"USERNAME": "bob",
                                                          "NEW_PASSWORD": "An0ther-Passw0rd!"})
    assert _error(replay)[1] == "Invalid session for the user."


def test_new_password_challenge_rejects_bad_and_expired_sessions(idp: Any, pool: Any,
                                                                 app: Any) -> None:
    make_user(pool, "bob", confirmed=False, temporary_password=PASSWORD)
    answer = idp.initiate_auth(ClientId=app.id, AuthFlow="USER_PASSWORD_AUTH",
                               AuthParameters={"USERNAME": "bob", "PASSWORD": PASSWORD})
    responses = {"USERNAME": "bob", "NEW_PASSWORD": NEW_PASSWORD}
    with pytest.raises(idp.exceptions.NotAuthorizedException) as forged:
        idp.respond_to_auth_challenge(ClientId=app.id, ChallengeName="NEW_PASSWORD_REQUIRED",
                                      Session="x" * 40, ChallengeResponses=responses)
    assert _error(forged)[1] == "Invalid session for the user."
    make_user(pool, "carol", confirmed=False, temporary_password=PASSWORD)
    with pytest.raises(idp.exceptions.NotAuthorizedException) as other_user:
        idp.respond_to_auth_challenge(ClientId=app.id, ChallengeName="NEW_PASSWORD_REQUIRED",
                                      Session=answer["Session"],
                                      ChallengeResponses={**responses, "USERNAME": "carol"})
    assert _error(other_user)[1] == "Invalid session for the user."
    clock.advance(dt.timedelta(minutes=4))  # AuthSessionValidity defaults to 3 minutes
    with pytest.raises(idp.exceptions.NotAuthorizedException) as expired:
        idp.respond_to_auth_challenge(ClientId=app.id, ChallengeName="NEW_PASSWORD_REQUIRED",
                                      Session=answer["Session"], ChallengeResponses=responses)
    assert _error(expired)[1] == "Invalid session for the user, session is expired."
    assert PoolUser.objects.get(username="bob").status == UserStatus.FORCE_CHANGE_PASSWORD


# --- AdminInitiateAuth / AdminRespondToAuthChallenge ----------------------------------------

def test_admin_initiate_auth_signed(admin_idp: Any, api_url: str, pool: Any, app: Any,
                                    alice: PoolUser) -> None:
    answer = admin_idp.admin_initiate_auth(
        UserPoolId=pool.id, ClientId=app.id, AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "alice", "PASSWORD": PASSWORD})
    claims = verify_with_pyjwt(api_url, pool, app, answer["AuthenticationResult"]["AccessToken"],
                               "access")
    assert claims["username"] == "alice"
    with pytest.raises(admin_idp.exceptions.NotAuthorizedException) as wrong:
        admin_idp.admin_initiate_auth(
            UserPoolId=pool.id, ClientId=app.id, AuthFlow="ADMIN_USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": "alice", "PASSWORD": "Wrong-Passw0rd!"})
    assert _error(wrong)[1] == BAD_LOGIN
    with pytest.raises(admin_idp.exceptions.InvalidParameterException) as public_flow:
        admin_idp.admin_initiate_auth(
            UserPoolId=pool.id, ClientId=app.id, AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": "alice", "PASSWORD": PASSWORD})
    assert _error(public_flow)[1] == "Initiate Auth method not supported: USER_PASSWORD_AUTH"
    with pytest.raises(admin_idp.exceptions.ResourceNotFoundException):
        admin_idp.admin_initiate_auth(
            UserPoolId="us-east-1_nosuchpool", ClientId=app.id,
            AuthFlow="ADMIN_USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": "alice", "PASSWORD": PASSWORD})


def test_admin_initiate_auth_refuses_unsigned_and_badly_signed_calls(
        admin_idp: Any, unsigned_idp: Any, make_boto: Any, pool: Any, make_pool: Any,
        app: Any, alice: PoolUser) -> None:
    call = {"UserPoolId": pool.id, "ClientId": app.id, "AuthFlow": "ADMIN_USER_PASSWORD_AUTH",
            "AuthParameters": {"USERNAME": "alice", "PASSWORD": PASSWORD}}
    with pytest.raises(ClientError) as unsigned:
        unsigned_idp.admin_initiate_auth(**call)
    assert _error(unsigned)[0] == "MissingAuthenticationTokenException"
    wrong_secret = make_boto(secret=SECRET + "x")
    with pytest.raises(ClientError) as bad_signature:
        wrong_secret.admin_initiate_auth(**call)
    assert _error(bad_signature)[0] == "InvalidSignatureException"
    unknown_key = make_boto(key_id="AKIAUNKNOWNKEY000000")
    with pytest.raises(ClientError) as unknown:
        unknown_key.admin_initiate_auth(**call)
    assert _error(unknown)[0] == "UnrecognizedClientException"
    key = AccessKey.objects.get()
    key.all_pools = False
    key.save()
    key.pools.add(make_pool(name="elsewhere"))
    with pytest.raises(admin_idp.exceptions.NotAuthorizedException) as out_of_scope:
        admin_idp.admin_initiate_auth(**call)
    assert _error(out_of_scope)[1] == \
        f"The access key is not allowed to administer {pool.id}."
    assert not RefreshToken.objects.exists()


def test_admin_initiate_auth_refresh_and_foreign_client(admin_idp: Any, pool: Any, app: Any,
                                                        make_pool: Any, make_client: Any,
                                                        alice: PoolUser) -> None:
    first = admin_idp.admin_initiate_auth(
        UserPoolId=pool.id, ClientId=app.id, AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "alice", "PASSWORD": PASSWORD})["AuthenticationResult"]
    again = admin_idp.admin_initiate_auth(
        UserPoolId=pool.id, ClientId=app.id, AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={"REFRESH_TOKEN": first["RefreshToken"]})["AuthenticationResult"]
    assert "RefreshToken" not in again and again["AccessToken"] != first["AccessToken"]
    elsewhere = make_client(make_pool(name="elsewhere"), explicit_auth_flows=ALL_FLOWS)
    with pytest.raises(admin_idp.exceptions.ResourceNotFoundException) as foreign:
        admin_idp.admin_initiate_auth(
            UserPoolId=pool.id, ClientId=elsewhere.id, AuthFlow="ADMIN_USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": "alice", "PASSWORD": PASSWORD})
    assert _error(foreign)[1] == f"User pool client {elsewhere.id} does not exist."


def test_admin_respond_to_new_password_challenge(admin_idp: Any, unsigned_idp: Any,
                                                 pool: Any, app: Any) -> None:
    make_user(pool, "bob", confirmed=False, temporary_password=PASSWORD)
    answer = admin_idp.admin_initiate_auth(
        UserPoolId=pool.id, ClientId=app.id, AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "bob", "PASSWORD": PASSWORD})
    assert answer["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    respond = {"UserPoolId": pool.id, "ClientId": app.id,
               "ChallengeName": "NEW_PASSWORD_REQUIRED", "Session": answer["Session"],
               "ChallengeResponses": {"USERNAME": "bob", "NEW_PASSWORD": NEW_PASSWORD}}
    with pytest.raises(ClientError) as unsigned:
        unsigned_idp.admin_respond_to_auth_challenge(**respond)
    assert _error(unsigned)[0] == "MissingAuthenticationTokenException"
    assert PoolUser.objects.get(username="bob").status == UserStatus.FORCE_CHANGE_PASSWORD
    done = admin_idp.admin_respond_to_auth_challenge(**respond)
    assert "RefreshToken" in done["AuthenticationResult"]
    assert PoolUser.objects.get(username="bob").status == UserStatus.CONFIRMED


# --- REFRESH_TOKEN_AUTH ---------------------------------------------------------------------

def test_refresh_token_auth_keeps_the_family(idp: Any, api_url: str, pool: Any, app: Any,
                                             alice: PoolUser) -> None:
    first = sign_in(idp, app, "alice")
    clock.advance(dt.timedelta(minutes=5))
    again = _refresh_auth(idp, app, first["RefreshToken"])
    assert "RefreshToken" not in again
    old = verify_with_pyjwt(api_url, pool, app, first["AccessToken"], "access")
    new = verify_with_pyjwt(api_url, pool, app, again["AccessToken"], "access")
    assert new["origin_jti"] == old["origin_jti"]
    assert new["auth_time"] == old["auth_time"]
    assert new["jti"] != old["jti"] and new["iat"] >= old["iat"] + 300
    id_claims = verify_with_pyjwt(api_url, pool, app, again["IdToken"], "id")
    assert id_claims["auth_time"] == old["auth_time"]
    assert RefreshToken.objects.count() == 1


def test_refresh_token_auth_errors(idp: Any, pool: Any, app: Any, make_client: Any,
                                   alice: PoolUser) -> None:
    refresh = sign_in(idp, app, "alice")["RefreshToken"]
    with pytest.raises(idp.exceptions.NotAuthorizedException) as invalid:
        _refresh_auth(idp, app, "x" * 64)
    assert _error(invalid)[1] == "Invalid Refresh Token"
    other = make_client(pool, name="other", explicit_auth_flows=ALL_FLOWS)
    with pytest.raises(idp.exceptions.NotAuthorizedException) as foreign:
        _refresh_auth(idp, other, refresh)
    assert _error(foreign)[1] == "Invalid Refresh Token"
    no_refresh = make_client(pool, name="norefresh",
                             explicit_auth_flows=["ALLOW_USER_PASSWORD_AUTH"])
    with pytest.raises(idp.exceptions.InvalidParameterException) as disabled:
        _refresh_auth(idp, no_refresh, refresh)
    assert _error(disabled)[1] == "REFRESH_TOKEN_AUTH flow not enabled for this client"
    clock.advance(dt.timedelta(days=31))
    with pytest.raises(idp.exceptions.NotAuthorizedException) as expired:
        _refresh_auth(idp, app, refresh)
    assert _error(expired)[1] == "Refresh Token has expired"


# --- GetTokensFromRefreshToken --------------------------------------------------------------

def test_get_tokens_from_refresh_token_without_rotation(idp: Any, api_url: str, pool: Any,
                                                        app: Any, alice: PoolUser) -> None:
    first = sign_in(idp, app, "alice")
    answer = idp.get_tokens_from_refresh_token(RefreshToken=first["RefreshToken"],
                                               ClientId=app.id)
    result = answer["AuthenticationResult"]
    assert "RefreshToken" not in result
    claims = verify_with_pyjwt(api_url, pool, app, result["AccessToken"], "access")
    assert claims["origin_jti"] == verify_with_pyjwt(
        api_url, pool, app, first["AccessToken"], "access")["origin_jti"]
    again = idp.get_tokens_from_refresh_token(RefreshToken=first["RefreshToken"],
                                              ClientId=app.id)
    assert "IdToken" in again["AuthenticationResult"]
    assert RefreshToken.objects.count() == 1
    with pytest.raises(idp.exceptions.NotAuthorizedException) as invalid:
        idp.get_tokens_from_refresh_token(RefreshToken="y" * 64, ClientId=app.id)
    assert _error(invalid)[1] == "Invalid Refresh Token"


def test_get_tokens_from_refresh_token_needs_the_refresh_flow(idp: Any, pool: Any, app: Any,
                                                              make_client: Any,
                                                              alice: PoolUser) -> None:
    """A client without ALLOW_REFRESH_TOKEN_AUTH refreshes through neither operation."""
    no_refresh = make_client(pool, name="norefresh",
                             explicit_auth_flows=["ALLOW_USER_PASSWORD_AUTH"])
    refresh = sign_in(idp, no_refresh, "alice")["RefreshToken"]  # its own family
    with pytest.raises(idp.exceptions.InvalidParameterException) as disabled:
        idp.get_tokens_from_refresh_token(RefreshToken=refresh, ClientId=no_refresh.id)
    assert _error(disabled)[1] == "REFRESH_TOKEN_AUTH flow not enabled for this client"


def test_get_tokens_from_refresh_token_rotates_with_a_grace_period(
        idp: Any, api_url: str, pool: Any, make_client: Any, alice: PoolUser) -> None:
    app = make_client(pool, explicit_auth_flows=ALL_FLOWS,
                      refresh_token_rotation={"Feature": "ENABLED",
                                              "RetryGracePeriodSeconds": 10})
    first = sign_in(idp, app, "alice")
    rotated = idp.get_tokens_from_refresh_token(RefreshToken=first["RefreshToken"],
                                                ClientId=app.id)["AuthenticationResult"]
    assert rotated["RefreshToken"] not in (None, first["RefreshToken"])
    old_claims = verify_with_pyjwt(api_url, pool, app, first["AccessToken"], "access")
    new_claims = verify_with_pyjwt(api_url, pool, app, rotated["AccessToken"], "access")
    assert new_claims["origin_jti"] == old_claims["origin_jti"]
    # A retry inside the grace period (a lost response) still works.
    retry = idp.get_tokens_from_refresh_token(RefreshToken=first["RefreshToken"],
                                              ClientId=app.id)["AuthenticationResult"]
    assert retry["RefreshToken"] != rotated["RefreshToken"]
    clock.advance(dt.timedelta(seconds=11))
    with pytest.raises(idp.exceptions.RefreshTokenReuseException) as reuse:
        idp.get_tokens_from_refresh_token(RefreshToken=first["RefreshToken"], ClientId=app.id)
    assert _error(reuse)[:2] == ("RefreshTokenReuseException",
                                 "Refresh token has been rotated and cannot be reused.")
    newest = idp.get_tokens_from_refresh_token(RefreshToken=rotated["RefreshToken"],
                                               ClientId=app.id)["AuthenticationResult"]
    assert newest["RefreshToken"] != rotated["RefreshToken"]


def test_rotation_without_grace_refuses_the_old_token_at_once(idp: Any, pool: Any,
                                                               make_client: Any,
                                                               alice: PoolUser) -> None:
    app = make_client(pool, explicit_auth_flows=ALL_FLOWS,
                      refresh_token_rotation={"Feature": "ENABLED",
                                              "RetryGracePeriodSeconds": 0})
    first = sign_in(idp, app, "alice")
    idp.get_tokens_from_refresh_token(RefreshToken=first["RefreshToken"], ClientId=app.id)
    with pytest.raises(idp.exceptions.RefreshTokenReuseException):
        idp.get_tokens_from_refresh_token(RefreshToken=first["RefreshToken"], ClientId=app.id)


def test_get_tokens_from_refresh_token_checks_the_client_secret(idp: Any, pool: Any,
                                                                make_client: Any,
                                                                alice: PoolUser) -> None:
    app = make_client(pool, explicit_auth_flows=ALL_FLOWS, generate_secret=True)
    refresh = idp.initiate_auth(
        ClientId=app.id, AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "alice", "PASSWORD": PASSWORD,
                        "SECRET_HASH": secret_hash(app.secret, "alice", app.id)},
    )["AuthenticationResult"]["RefreshToken"]
    with pytest.raises(idp.exceptions.NotAuthorizedException) as missing:
        idp.get_tokens_from_refresh_token(RefreshToken=refresh, ClientId=app.id)
    assert _error(missing)[1] == f"Unable to verify secret for client {app.id}"
    answer = idp.get_tokens_from_refresh_token(RefreshToken=refresh, ClientId=app.id,
                                               ClientSecret=app.secret)
    assert "AccessToken" in answer["AuthenticationResult"]


# --- RevokeToken ----------------------------------------------------------------------------

def test_revoke_token_ends_the_family_only(idp: Any, pool: Any, app: Any,
                                           alice: PoolUser) -> None:
    first = sign_in(idp, app, "alice")
    second = sign_in(idp, app, "alice")
    assert idp.get_user(AccessToken=first["AccessToken"])["Username"] == "alice"
    assert idp.revoke_token(Token=first["RefreshToken"], ClientId=app.id) is not None
    with pytest.raises(idp.exceptions.NotAuthorizedException) as refresh:
        _refresh_auth(idp, app, first["RefreshToken"])
    assert _error(refresh)[1] == "Refresh Token has been revoked"
    with pytest.raises(idp.exceptions.NotAuthorizedException) as rotated:
        idp.get_tokens_from_refresh_token(RefreshToken=first["RefreshToken"], ClientId=app.id)
    assert _error(rotated)[1] == "Refresh Token has been revoked"
    with pytest.raises(idp.exceptions.NotAuthorizedException) as access:
        idp.get_user(AccessToken=first["AccessToken"])
    assert _error(access)[1] == "Access Token has been revoked"
    assert idp.get_user(AccessToken=second["AccessToken"])["Username"] == "alice"
    assert "AccessToken" in _refresh_auth(idp, app, second["RefreshToken"])
    assert RefreshToken.objects.filter(revoked_at=None).count() == 1


def test_revoke_token_errors(idp: Any, pool: Any, app: Any, make_client: Any,
                             alice: PoolUser) -> None:
    tokens = sign_in(idp, app, "alice")
    with pytest.raises(idp.exceptions.UnsupportedTokenTypeException):
        idp.revoke_token(Token=tokens["AccessToken"], ClientId=app.id)
    idp.revoke_token(Token="z" * 64, ClientId=app.id)  # unknown tokens are not an error
    other = make_client(pool, name="other", explicit_auth_flows=ALL_FLOWS)
    idp.revoke_token(Token=tokens["RefreshToken"], ClientId=other.id)  # not this client's
    assert RefreshToken.objects.filter(revoked_at=None).count() == 1
    closed = make_client(pool, name="closed", explicit_auth_flows=ALL_FLOWS,
                         enable_token_revocation=False)
    closed_tokens = sign_in(idp, closed, "alice")
    with pytest.raises(idp.exceptions.UnsupportedOperationException):
        idp.revoke_token(Token=closed_tokens["RefreshToken"], ClientId=closed.id)
    secret_app = make_client(pool, name="secret", explicit_auth_flows=ALL_FLOWS,
                             generate_secret=True)
    with pytest.raises(idp.exceptions.UnauthorizedException):
        idp.revoke_token(Token=tokens["RefreshToken"], ClientId=secret_app.id,
                         ClientSecret="w" * 52)
    assert RefreshToken.objects.filter(revoked_at=None).count() == 2


def test_malformed_ids_fail_the_models_pattern_and_secrets_are_not_echoed(
        cognito: Any, idp: Any, fails: Any) -> None:
    pattern = "[\\w-]+_[0-9a-zA-Z]+"
    for pool_id in ("garbage", "us-east-1_bad!", "us-east-1_abc/def", "us-east-1_ab c"):
        assert fails(cognito.describe_user_pool, UserPoolId=pool_id) == (
            "InvalidParameterException",
            f"1 validation error detected: Value '{pool_id}' at 'userPoolId' failed to "
            f"satisfy constraint: Member must satisfy regular expression pattern: {pattern}")
    # A well-formed id that names nothing is still "not found".
    assert fails(cognito.describe_user_pool, UserPoolId="us-east-1_Nothing00")[0] == \
        "ResourceNotFoundException"
    # The model marks client ids and passwords sensitive: AWS leaves their values out.
    assert fails(idp.initiate_auth, ClientId="bad client!!", AuthFlow="USER_PASSWORD_AUTH",
                 AuthParameters={"USERNAME": "a", "PASSWORD": "b"}) == (
        "InvalidParameterException",
        "1 validation error detected: Value at 'clientId' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: [\\w+]+")
    secret = "Sup3r-secret!" * 25
    code, message = fails(idp.sign_up, ClientId="abcdefghijklmnopqrstuvwxyz", Username="ann",
                          Password=secret)
    assert code == "InvalidParameterException" and secret[:20] not in message
    assert "at 'password' failed to satisfy constraint: Member must have length less than " \
           "or equal to 256" in message
