"""GetId with every kind of ID-token login, over real HTTP with boto3 (reference §8.3): user
pools (local, and an AWS pool of TRUSTED_ISSUERS) with and without ServerSideTokenCheck,
a real OpenID Connect provider (npm oidc-provider) as an OIDC provider and as Google, and
tokens minted with PyJWT against a loopback JWKS for Apple and for every forgery."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import jwt
import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import ec
from jwt.algorithms import ECAlgorithm

from bench.processes import free_port
from django_cognito.models import (
    AppClient,
    IamIdentityProvider,
    IamProviderType,
    IdentityLogin,
    IdentityPool,
    PoolUser,
    UserPool,
)
from django_cognito.services.identity import logins, logins_oidc
from django_cognito.verify import reset_verifier
from tests.factories import create_user
from tests.hosted.test_federation_oidc import dance
from tests.jwks_server import JwksServer, KeyPair, hs256, id_claims, unsigned
from tests.live_api import sign_in
from tests.oidc_idp import OidcIdp, oidc_idp

pytest_plugins = ["tests.api_fixtures", "tests.live_api"]
pytestmark = pytest.mark.django_db(transaction=True)

CALLBACK = "http://127.0.0.1:9/callback"  # never opened: the code is read from the URL
OIDC_ARN = "arn:aws:iam::123456789012:oidc-provider/{}"
APPLE = "appleid.apple.com"
GOOGLE = "accounts.google.com"


@pytest.fixture
def fresh_caches() -> Iterator[None]:
    logins_oidc.forget_discovery()
    yield
    logins_oidc.forget_discovery()


def endpoints(settings: Any, **entries: Any) -> None:
    """Point IDENTITY_LOGIN_ENDPOINTS' keys at stand-ins (keys with dots as dict entries)."""
    settings.COGNITO = {**settings.COGNITO, "IDENTITY_LOGIN_ENDPOINTS": entries}


def make_pool(identity: Any, **config: Any) -> str:
    created = identity.create_identity_pool(IdentityPoolName="logins",
                                            AllowUnauthenticatedIdentities=False, **config)
    pool_id: str = created["IdentityPoolId"]
    return pool_id


def user_pool_key(pool_id: str) -> str:
    return f"cognito-idp.us-east-1.amazonaws.com/{pool_id}"


# --- user pools ---------------------------------------------------------------------------

def test_server_side_token_check_follows_the_flag(identity: Any, guest: Any, idp: Any,
                                                  admin_idp: Any, pool: UserPool,
                                                  app: AppClient, fails: Any) -> None:
    create_user(pool, "alice")
    key = user_pool_key(pool.id)
    checking = make_pool(identity, CognitoIdentityProviders=[
        {"ProviderName": key, "ClientId": app.id, "ServerSideTokenCheck": True}])
    lenient = make_pool(identity, CognitoIdentityProviders=[
        {"ProviderName": key, "ClientId": app.id, "ServerSideTokenCheck": False}])
    tokens = sign_in(idp, app, "alice")
    first = guest.get_id(IdentityPoolId=checking, Logins={key: tokens["IdToken"]})["IdentityId"]
    lenient_id = guest.get_id(IdentityPoolId=lenient,
                              Logins={key: tokens["IdToken"]})["IdentityId"]

    idp.global_sign_out(AccessToken=tokens["AccessToken"])
    assert fails(guest.get_id, IdentityPoolId=checking, Logins={key: tokens["IdToken"]}) == (
        "NotAuthorizedException", "Invalid login token. Token has been revoked.")
    # Without the flag AWS takes the signed, unexpired token after a global sign-out.
    assert guest.get_id(IdentityPoolId=lenient, Logins={key: tokens["IdToken"]}
                        )["IdentityId"] == lenient_id

    fresh = sign_in(idp, app, "alice")["IdToken"]
    assert guest.get_id(IdentityPoolId=checking, Logins={key: fresh})["IdentityId"] == first
    # AdminDisableUser also revokes the user's tokens; a user disabled without that (in the
    # Django admin) is refused all the same.
    PoolUser.objects.filter(pool=pool, username="alice").update(enabled=False)
    assert fails(guest.get_id, IdentityPoolId=checking, Logins={key: fresh}) == (
        "NotAuthorizedException", "Invalid login token. User is disabled.")
    assert guest.get_id(IdentityPoolId=lenient, Logins={key: fresh})["IdentityId"] == lenient_id
    admin_idp.admin_disable_user(UserPoolId=pool.id, Username="alice")
    assert fails(guest.get_id, IdentityPoolId=checking, Logins={key: fresh})[0] == \
        "NotAuthorizedException"
    admin_idp.admin_enable_user(UserPoolId=pool.id, Username="alice")
    last = sign_in(idp, app, "alice")["IdToken"]
    assert guest.get_id(IdentityPoolId=checking, Logins={key: last})["IdentityId"] == first
    admin_idp.admin_delete_user(UserPoolId=pool.id, Username="alice")
    assert fails(guest.get_id, IdentityPoolId=checking, Logins={key: last})[0] == \
        "NotAuthorizedException"
    assert guest.get_id(IdentityPoolId=lenient, Logins={key: last})["IdentityId"] == lenient_id


@pytest.fixture
def aws_pool(settings: Any) -> Iterator[tuple[JwksServer, KeyPair]]:
    """A stand-in for a real Cognito pool's JWKS, trusted through TRUSTED_ISSUERS."""
    key = KeyPair()
    server = JwksServer(key)
    settings.COGNITO = {**settings.COGNITO, "TRUSTED_ISSUERS": [
        {"issuer": server.issuer, "jwks_url": server.jwks_url,
         "user_pool_id": "us-east-1_TestPool", "client_ids": ["aws-client", "other-client"]}]}
    yield server, key
    server.stop()


def test_a_trusted_aws_pool(identity: Any, guest: Any, aws_pool: tuple[JwksServer, KeyPair],
                            fails: Any) -> None:
    server, key = aws_pool
    provider = user_pool_key("us-east-1_TestPool")
    pool_id = make_pool(identity, CognitoIdentityProviders=[
        {"ProviderName": provider, "ClientId": "aws-client", "ServerSideTokenCheck": True}])
    claims = id_claims(server.issuer, "aws-client")
    first = guest.get_id(IdentityPoolId=pool_id, Logins={provider: key.sign(claims)})
    again = guest.get_id(IdentityPoolId=pool_id, Logins={
        provider: key.sign({**claims, "jti": str(uuid.uuid4())})})
    assert first["IdentityId"] == again["IdentityId"]
    assert IdentityLogin.objects.get().subject == claims["sub"]

    other = id_claims(server.issuer, "other-client", sub=claims["sub"])
    assert fails(guest.get_id, IdentityPoolId=pool_id, Logins={provider: key.sign(other)}) == (
        "NotAuthorizedException", "Invalid login token. Incorrect token audience.")
    # The trusted pool's token under another pool's key.
    assert fails(guest.get_id, IdentityPoolId=pool_id, Logins={
        user_pool_key("us-east-1_Other"): key.sign(claims)})[0] == "NotAuthorizedException"
    # Its JWKS unreachable: the dependent service is not responding.
    server.respond("/us-east-1_TestPool/.well-known/jwks.json", 503)
    reset_verifier()  # forget the cached key set
    assert fails(guest.get_id, IdentityPoolId=pool_id, Logins={provider: key.sign(claims)}
                 )[0] == "ExternalServiceException"


# --- a real OIDC provider -----------------------------------------------------------------

@pytest.fixture
def oidc(fresh_caches: None) -> Iterator[OidcIdp]:
    with oidc_idp([{"client_id": "identity-app", "client_secret": "s3cret",
                    "redirect_uris": [CALLBACK]}]) as running:
        yield running


def id_token_from(idp: OidcIdp, login: str) -> str:
    """A real ID token: the authorization code flow through the IdP's own forms."""
    config = requests.get(f"{idp.issuer}/.well-known/openid-configuration", timeout=10).json()
    query = urlencode({"client_id": "identity-app", "response_type": "code",
                       "scope": "openid email", "redirect_uri": CALLBACK,
                       "state": uuid.uuid4().hex, "nonce": uuid.uuid4().hex})
    callback = dance(f"{config['authorization_endpoint']}?{query}", login=login, stop=CALLBACK)
    assert isinstance(callback, str), callback.text[:500]
    code = callback.split("code=", 1)[1].split("&", 1)[0]
    answer = requests.post(config["token_endpoint"], timeout=10, data={
        "grant_type": "authorization_code", "code": code, "redirect_uri": CALLBACK,
        "client_id": "identity-app", "client_secret": "s3cret"})
    assert answer.status_code == 200, answer.text
    token: str = answer.json()["id_token"]
    return token


def oidc_provider_row(issuer: str, client_ids: list[str]) -> tuple[str, str]:
    key = logins_oidc.provider_key(issuer)
    arn = OIDC_ARN.format(key)
    IamIdentityProvider.objects.create(arn=arn, type=IamProviderType.OIDC, url=issuer,
                                       client_ids=client_ids)
    return arn, key


def test_oidc_provider_and_google_with_real_tokens(identity: Any, guest: Any, oidc: OidcIdp,
                                                   settings: Any, fails: Any) -> None:
    arn, key = oidc_provider_row(oidc.issuer, ["identity-app"])
    endpoints(settings, **{GOOGLE: {"issuer": oidc.issuer, "jwks_uri": f"{oidc.issuer}/jwks"}})
    pool_id = make_pool(identity, OpenIdConnectProviderARNs=[arn],
                        SupportedLoginProviders={GOOGLE: "web-client, identity-app"})
    jdoe = id_token_from(oidc, "jdoe")
    first = guest.get_id(IdentityPoolId=pool_id, Logins={key: jdoe})["IdentityId"]
    # A second sign-in, a new token: the same identity.
    again = id_token_from(oidc, "jdoe")
    assert again != jdoe
    assert guest.get_id(IdentityPoolId=pool_id, Logins={key: again})["IdentityId"] == first
    assert guest.get_id(IdentityPoolId=pool_id, Logins={key: id_token_from(oidc, "mary")}
                        )["IdentityId"] != first
    # Google (the same IdP standing in) sent with the OIDC login: linked to that identity.
    both = {key: again, GOOGLE: id_token_from(oidc, "jdoe")}
    assert guest.get_id(IdentityPoolId=pool_id, Logins=both)["IdentityId"] == first
    assert sorted(identity.describe_identity(IdentityId=first)["Logins"]) == sorted([GOOGLE, key])
    assert guest.get_id(IdentityPoolId=pool_id, Logins={GOOGLE: id_token_from(oidc, "jdoe")}
                        )["IdentityId"] == first

    login = logins.validate(identity_pool(pool_id), {GOOGLE: again})[0]
    assert login.mapping_key == GOOGLE and login.subject == "jdoe"
    assert login.amr == (GOOGLE, f"{GOOGLE}:identity-app:jdoe")
    assert login.claims["email"] == "jdoe@idp.example"

    # The provider's row no longer takes this audience; the pool no longer names the ARN.
    IamIdentityProvider.objects.filter(arn=arn).update(client_ids=["someone-else"])
    assert fails(guest.get_id, IdentityPoolId=pool_id, Logins={key: again}) == (
        "NotAuthorizedException", "Invalid login token. Incorrect token audience.")
    identity.update_identity_pool(IdentityPoolId=pool_id, IdentityPoolName="logins",
                                  AllowUnauthenticatedIdentities=False)
    assert fails(guest.get_id, IdentityPoolId=pool_id, Logins={key: again})[1].startswith(
        "Invalid login token. Unsupported provider")


def identity_pool(pool_id: str) -> IdentityPool:
    return IdentityPool.objects.get(pk=pool_id)


def test_an_oidc_provider_that_is_down(identity: Any, guest: Any, fresh_caches: None,
                                       fails: Any) -> None:
    issuer = f"http://127.0.0.1:{free_port()}"
    arn, key = oidc_provider_row(issuer, ["identity-app"])
    pool_id = make_pool(identity, OpenIdConnectProviderARNs=[arn])
    signer = KeyPair()
    token = signer.sign({"iss": issuer, "aud": "identity-app", "sub": "jdoe",
                         "iat": int(time.time()), "exp": int(time.time()) + 600})
    assert fails(guest.get_id, IdentityPoolId=pool_id, Logins={key: token})[0] == \
        "ExternalServiceException"


def test_an_oidc_discovery_document_that_is_not_an_object(identity: Any, guest: Any,
                                                         fresh_caches: None,
                                                         fails: Any) -> None:
    server = JwksServer()
    try:
        server.publish(["not", "an", "object"], path="/.well-known/openid-configuration")
        arn, key = oidc_provider_row(server.base_url, ["identity-app"])
        pool_id = make_pool(identity, OpenIdConnectProviderARNs=[arn])
        token = KeyPair().sign({"iss": server.base_url, "aud": "identity-app", "sub": "jdoe",
                                "iat": int(time.time()), "exp": int(time.time()) + 600})
        assert fails(guest.get_id, IdentityPoolId=pool_id, Logins={key: token})[0] == \
            "ExternalServiceException"
    finally:
        server.stop()


# --- forged and broken tokens (Apple, minted with PyJWT) ----------------------------------

@pytest.fixture
def apple(settings: Any, fresh_caches: None) -> Iterator[tuple[JwksServer, KeyPair]]:
    key = KeyPair(kid="apple-1")
    server = JwksServer(key)
    endpoints(settings, **{APPLE: {"issuer": "https://appleid.apple.com",
                                   "jwks_uri": server.jwks_url}})
    yield server, key
    server.stop()


def apple_claims(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    claims = {"iss": "https://appleid.apple.com", "aud": "com.example.app",
              "sub": "001968.a6ca34e9c1e742458a26cf8005854be9.0733", "iat": now,
              "exp": now + 600, "email": "jdoe@privaterelay.appleid.com"}
    claims.update(overrides)
    return claims


def test_apple_tokens_and_forgeries(identity: Any, guest: Any, apple: tuple[JwksServer, KeyPair],
                                    fails: Any) -> None:
    server, key = apple
    ec_key = ec.generate_private_key(ec.SECP256R1())
    ec_jwk = {**ECAlgorithm.to_jwk(ec_key.public_key(), as_dict=True), "kid": "apple-ec",
              "use": "sig", "alg": "ES256"}
    server.publish({"keys": [key.jwk(), ec_jwk]})
    pool_id = make_pool(identity, SupportedLoginProviders={APPLE: "com.example.app"})
    good = jwt.encode(apple_claims(), key.private_key, algorithm="RS256",
                      headers={"kid": key.kid})
    first = guest.get_id(IdentityPoolId=pool_id, Logins={APPLE: good})["IdentityId"]
    assert IdentityLogin.objects.get(identity_id=first).provider == APPLE

    def refused(token: str) -> str:
        code, message = fails(guest.get_id, IdentityPoolId=pool_id, Logins={APPLE: token})
        assert code == "NotAuthorizedException", message
        assert message.startswith("Invalid login token.")
        return str(message)

    intruder = KeyPair(kid=key.kid)  # the right kid, another key
    refused(jwt.encode(apple_claims(), intruder.private_key, algorithm="RS256",
                       headers={"kid": key.kid}))
    assert "audience" in refused(jwt.encode(apple_claims(aud="com.other.app"), key.private_key,
                                            algorithm="RS256", headers={"kid": key.kid}))
    assert "Issuer" in refused(jwt.encode(apple_claims(iss="https://evil.example"),
                                          key.private_key, algorithm="RS256",
                                          headers={"kid": key.kid}))
    assert "expired" in refused(jwt.encode(
        apple_claims(exp=int(time.time()) - 120, iat=int(time.time()) - 900),
        key.private_key, algorithm="RS256", headers={"kid": key.kid}))
    # Within the minute of leeway an expired token still passes.
    guest.get_id(IdentityPoolId=pool_id, Logins={APPLE: jwt.encode(
        apple_claims(exp=int(time.time()) - 5), key.private_key, algorithm="RS256",
        headers={"kid": key.kid})})
    refused(unsigned(apple_claims(), {"alg": "none", "kid": key.kid}))
    # HS256 keyed with the public key (the algorithm-confusion attack).
    refused(hs256(apple_claims(), {"alg": "HS256", "kid": key.kid}, key.public_pem()))
    refused(jwt.encode(apple_claims(), key.private_key, algorithm="RS256",
                       headers={"kid": "unknown"}))
    refused(jwt.encode(apple_claims(), key.private_key, algorithm="RS256",
                       headers={"kid": key.kid, "jku": "http://127.0.0.1:9/keys"}))
    refused("not a token")
    refused(jwt.encode({k: v for k, v in apple_claims().items() if k != "sub"},
                       key.private_key, algorithm="RS256", headers={"kid": key.kid}))
    assert IdentityLogin.objects.count() == 1

    # ES256 from a key the provider publishes beside its RSA key.
    signed = jwt.encode(apple_claims(sub="ec-user"), ec_key, algorithm="ES256",
                        headers={"kid": "apple-ec"})
    assert guest.get_id(IdentityPoolId=pool_id, Logins={APPLE: signed})["IdentityId"] != first
    # An RS256 header on the EC key's kid is refused.
    refused(jwt.encode(apple_claims(), key.private_key, algorithm="RS256",
                       headers={"kid": "apple-ec"}))


def test_a_provider_the_pool_does_not_name(identity: Any, guest: Any, apple: Any,
                                           fails: Any) -> None:
    _server, key = apple
    pool_id = make_pool(identity, SupportedLoginProviders={GOOGLE: "web-client"})
    token = jwt.encode(apple_claims(), key.private_key, algorithm="RS256",
                       headers={"kid": key.kid})
    assert fails(guest.get_id, IdentityPoolId=pool_id, Logins={APPLE: token}) == (
        "NotAuthorizedException", f"Invalid login token. Unsupported provider: {APPLE}")
    assert fails(guest.get_id, IdentityPoolId=pool_id, Logins={"login.example.com": token})[0] \
        == "NotAuthorizedException"
