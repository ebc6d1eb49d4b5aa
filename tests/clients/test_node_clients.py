"""Real JavaScript Cognito clients against the live server: aws-jwt-verify,
@aws-sdk/client-cognito-identity-provider, amazon-cognito-identity-js and aws-amplify v6.

Each test runs ``node tests/node/<script>.mjs`` with its configuration in the environment and
asserts on the JSON line the script prints. Node and ``tests/node/node_modules`` (``npm ci
--prefix tests/node``, done by scripts/bootstrap.sh) are required: without them the tests fail.
"""

from __future__ import annotations

from typing import Any

import pytest

pytest.register_assert_rewrite("tests.api_fixtures", "tests.live_api")

from django.core import mail  # noqa: E402

from django_cognito.models import PoolUser, RefreshToken, UserStatus  # noqa: E402
from tests.api_fixtures import ACCESS_KEY_ID, SECRET  # noqa: E402
from tests.effects import last_code  # noqa: E402
from tests.factories import NEW_PASSWORD, PASSWORD  # noqa: E402
from tests.factories import create_user as make_user  # noqa: E402
from tests.live_api import ALL_FLOWS, sign_in, verify_with_pyjwt  # noqa: E402
from tests.node_scripts import run_node  # noqa: E402

pytest_plugins = ["tests.api_fixtures", "tests.live_api"]



def _base_env(api_url: str, pool: Any, app: Any) -> dict[str, str]:
    return {"ENDPOINT": api_url, "POOL_ID": pool.id, "CLIENT_ID": app.id,
            "AWS_REGION": "us-east-1", "NODE_NO_WARNINGS": "1"}


def test_aws_jwt_verify_accepts_the_tokens_and_rejects_misuse(idp: Any, api_url: str,
                                                             pool: Any, app: Any) -> None:
    alice = make_user(pool, "alice")
    tokens = sign_in(idp, app, "alice")
    issuer = f"{api_url}/{pool.id}"
    result = run_node("jwt-verify.mjs", ISSUER=issuer, JWKS_URI=f"{issuer}/.well-known/jwks.json",
                      CLIENT_ID=app.id, ID_TOKEN=tokens["IdToken"],
                      ACCESS_TOKEN=tokens["AccessToken"])
    id_claims, access_claims = result["idClaims"], result["accessClaims"]
    assert (id_claims["aud"], id_claims["token_use"], id_claims["sub"]) == \
        (app.id, "id", str(alice.sub))
    assert (access_claims["client_id"], access_claims["token_use"]) == (app.id, "access")
    assert id_claims["iss"] == access_claims["iss"] == issuer
    assert result["jwksFetches"] >= 1
    rejected = {name: error["name"] if error else None
                for name, error in result["rejections"].items()}
    assert rejected == {"idTokenAsAccess": "CognitoJwtInvalidTokenUseError",
                        "accessTokenAsId": "JwtInvalidAudienceError",
                        "tampered": "JwtInvalidSignatureError",
                        "otherClientId": "JwtInvalidAudienceError",
                        "otherClientAccess": "CognitoJwtInvalidClientIdError",
                        "wrongIssuer": "JwtInvalidIssuerError"}


def test_sdk_v3_signs_up_confirms_and_signs_in(idp: Any, api_url: str, pool: Any, app: Any,
                                               access_key: Any) -> None:
    env = {**_base_env(api_url, pool, app), "USERNAME": "nina", "PASSWORD": PASSWORD,
           "EMAIL": "nina@example.com", "ACCESS_KEY_ID": ACCESS_KEY_ID,
           "SECRET_ACCESS_KEY": SECRET}
    signed_up = run_node("sdk-v3.mjs", STEP="sign-up", **env)
    user = PoolUser.objects.get(pool=pool, username="nina")
    assert (signed_up["userConfirmed"], signed_up["userSub"]) == (False, str(user.sub))
    assert signed_up["codeDelivery"] == {"Destination": "n***@e***", "DeliveryMedium": "EMAIL",
                                         "AttributeName": "email"}
    assert signed_up["duplicate"]["name"] == "UsernameExistsException"
    assert signed_up["signInBeforeConfirm"]["name"] == "UserNotConfirmedException"
    assert user.status == UserStatus.UNCONFIRMED
    [message] = mail.outbox
    assert message.to == ["nina@example.com"]
    code = last_code("nina@example.com")

    confirmed = run_node("sdk-v3.mjs", STEP="confirm", CODE=code, **env)
    assert confirmed["wrongCode"]["name"] == "CodeMismatchException"
    assert confirmed["wrongPassword"] == {"name": "NotAuthorizedException",
                                          "type": "NotAuthorizedException",
                                          "code": "NotAuthorizedException",
                                          "message": "Incorrect username or password."}
    assert PoolUser.objects.get(pk=user.pk).status == UserStatus.CONFIRMED
    tokens = confirmed["tokens"]
    assert (tokens["tokenType"], tokens["expiresIn"]) == ("Bearer", 3600)
    claims = verify_with_pyjwt(api_url, pool, app, tokens["idToken"], "id")
    assert (claims["cognito:username"], claims["email_verified"]) == ("nina", True)
    assert confirmed["user"] == {"username": "nina", "attributes": {
        "sub": str(user.sub), "email": "nina@example.com", "email_verified": "true"}}
    assert confirmed["adminUser"] == {"username": "nina", "status": "CONFIRMED",
                                      "enabled": True}
    assert confirmed["unknownKeyAdmin"]["name"] == "UnrecognizedClientException"
    assert RefreshToken.objects.filter(user=user, revoked_at=None).count() == 1


def test_amazon_cognito_identity_js_signs_in_with_srp(idp: Any, api_url: str, pool: Any,
                                                       app: Any) -> None:
    alice = make_user(pool, "alice")
    result = run_node("identity-js.mjs", USERNAME="alice", PASSWORD=PASSWORD,
                      NEW_PASSWORD=NEW_PASSWORD, **_base_env(api_url, pool, app))
    assert result["wrongPassword"]["name"] == "NotAuthorizedException"
    assert result["wrongPassword"]["message"] == "Incorrect username or password."
    session = result["session"]
    assert session["valid"] is True
    access = verify_with_pyjwt(api_url, pool, app, session["accessToken"], "access")
    assert (access["username"], access["sub"]) == ("alice", str(alice.sub))
    assert verify_with_pyjwt(api_url, pool, app, session["idToken"], "id")["aud"] == app.id
    assert result["attributes"] == {"sub": str(alice.sub), "email": "alice@example.com",
                                    "email_verified": "true"}
    refreshed = verify_with_pyjwt(api_url, pool, app, result["refreshedAccessToken"], "access")
    assert refreshed["origin_jti"] == access["origin_jti"]
    assert result["currentUser"] == "alice"
    # changePassword, then globalSignOut: the session's tokens are revoked and only the new
    # password signs in.
    assert result["wrongOldPassword"]["name"] == "NotAuthorizedException"
    assert result["globalSignOut"] == "ok"
    with pytest.raises(idp.exceptions.NotAuthorizedException) as refused:
        idp.initiate_auth(ClientId=app.id, AuthFlow="REFRESH_TOKEN_AUTH",
                          AuthParameters={"REFRESH_TOKEN": session["refreshToken"]})
    assert refused.value.response["Error"]["Message"] == "Refresh Token has been revoked"
    with pytest.raises(idp.exceptions.NotAuthorizedException):
        sign_in(idp, app, "alice", PASSWORD)
    assert "AccessToken" in sign_in(idp, app, "alice", NEW_PASSWORD)


@pytest.mark.parametrize("flow", ["USER_SRP_AUTH", "USER_PASSWORD_AUTH"])
def test_amplify_v6_signs_in_refreshes_and_signs_out(idp: Any, api_url: str, pool: Any,
                                                     make_client: Any, flow: str) -> None:
    # Rotation makes the forced refresh observable: only GetTokensFromRefreshToken rotates.
    app = make_client(pool, explicit_auth_flows=ALL_FLOWS,
                      refresh_token_rotation={"Feature": "ENABLED",
                                              "RetryGracePeriodSeconds": 0})
    alice = make_user(pool, "alice")
    result = run_node("amplify.mjs", USERNAME="alice", PASSWORD=PASSWORD, FLOW=flow,
                      **_base_env(api_url, pool, app))
    assert result["wrongPassword"]["name"] == "NotAuthorizedException"
    assert result["signIn"] == {"isSignedIn": True, "nextStep": "DONE"}
    assert result["currentUser"] == {"username": "alice", "userId": str(alice.sub)}
    assert result["attributes"] == {"sub": str(alice.sub), "email": "alice@example.com",
                                    "email_verified": "true"}
    first = verify_with_pyjwt(api_url, pool, app, result["first"]["accessToken"], "access")
    again = verify_with_pyjwt(api_url, pool, app, result["refreshed"]["accessToken"], "access")
    assert again["origin_jti"] == first["origin_jti"] and again["jti"] != first["jti"]
    assert verify_with_pyjwt(api_url, pool, app, result["refreshed"]["idToken"], "id")["aud"] \
        == app.id
    before, after = result["refreshTokenBefore"], result["refreshTokenAfter"]
    assert before and after and before != after
    assert RefreshToken.objects.filter(user=alice).exclude(rotated_at=None).count() == 1
    # signOut revoked the family: the refresh tokens and access tokens are refused.
    assert result["afterSignOut"]["name"] == "UserUnAuthenticatedException"
    assert result["storageAfterSignOut"] == 0
    with pytest.raises(idp.exceptions.NotAuthorizedException) as refresh:
        idp.get_tokens_from_refresh_token(RefreshToken=after, ClientId=app.id)
    assert refresh.value.response["Error"]["Message"] == "Refresh Token has been revoked"
    with pytest.raises(idp.exceptions.NotAuthorizedException) as access:
        idp.get_user(AccessToken=result["refreshed"]["accessToken"])
    assert access.value.response["Error"]["Message"] == "Access Token has been revoked"
    assert not RefreshToken.objects.filter(user=alice, revoked_at=None).exists()


def test_amplify_v6_user_auth_email_sms_and_password_choices(
        idp: Any, api_url: str, make_pool: Any, make_client: Any, monkeypatch: Any) -> None:
    """Amplify's USER_AUTH steps (a preferred code, the first-factor selection, a password by
    SRP) against the server; the one-time codes are fixed so the script can answer them."""
    from django_cognito.crypto import secrets as cs
    from django_cognito.services import pool_config
    from django_cognito.services.users import save_user

    pool = make_pool(name="choice")
    settings = pool_config.settings_of(pool)
    settings.extra = {"SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD", "EMAIL_OTP",
                                                                   "SMS_OTP"]}}
    settings.save()
    app = make_client(pool, explicit_auth_flows=["ALLOW_USER_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])
    alice = make_user(pool, "alice")
    alice.attributes.update({"phone_number": "+15555550142", "phone_number_verified": "true"})
    save_user(alice)
    monkeypatch.setattr(cs, "new_code", lambda: "424242")
    result = run_node("amplify-user-auth.mjs", USERNAME="alice", PASSWORD=PASSWORD,
                      CODE="424242", NEW_USERNAME="nina", NEW_EMAIL="nina@example.com",
                      **_base_env(api_url, pool, app))
    assert (result["signedUp"], result["confirmed"]) == ("CONFIRM_SIGN_UP",
                                                         "COMPLETE_AUTO_SIGN_IN")
    assert result["autoSignedIn"]["isSignedIn"] is True
    nina = PoolUser.objects.get(username="nina")
    assert nina.status == UserStatus.CONFIRMED
    assert verify_with_pyjwt(api_url, pool, app, result["byAutoSignIn"]["accessToken"],
                             "access")["sub"] == str(nina.sub)
    assert result["emailStart"] == {"isSignedIn": False,
                                    "signInStep": "CONFIRM_SIGN_IN_WITH_EMAIL_CODE",
                                    "availableChallenges": None, "destination": "a***@e***"}
    assert result["wrongCode"]["name"] == "CodeMismatchException"
    assert result["selection"]["signInStep"] == "CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION"
    assert result["selection"]["availableChallenges"] == ["PASSWORD", "PASSWORD_SRP",
                                                          "EMAIL_OTP", "SMS_OTP"]
    assert result["smsStart"]["signInStep"] == "CONFIRM_SIGN_IN_WITH_SMS_CODE"
    assert result["smsStart"]["destination"] == "+*******0142"
    assert result["passwordStep"]["signInStep"] == "CONFIRM_SIGN_IN_WITH_PASSWORD"
    for done in ("emailDone", "smsDone", "passwordDone", "direct"):
        assert result[done] == {"isSignedIn": True, "signInStep": "DONE",
                                "availableChallenges": None, "destination": None}, done
    for signed in ("byEmail", "bySms", "byPassword", "byDirectPassword"):
        assert result[signed]["username"] == "alice"
        claims = verify_with_pyjwt(api_url, pool, app, result[signed]["accessToken"], "access")
        assert claims["sub"] == str(alice.sub)
    # Four sign-ins, each signed out (Amplify revokes its refresh token).
    assert RefreshToken.objects.filter(user=alice).count() == 4
    assert not RefreshToken.objects.filter(user=alice, revoked_at=None).exists()
