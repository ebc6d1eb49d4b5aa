"""Sign-in through Facebook, Login with Amazon and Sign in with Apple on the managed login,
each against a small stand-in on loopback that speaks the provider's protocol: its
authorize, token and user-info (or keys) endpoints, written into the provider's row as the
Google stand-in's are (the API keeps Cognito's derived endpoints; the real ones are the
default)."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from django_cognito.models import IdentityProvider, PoolUser, ProviderIdentity, UserPool
from django_cognito.services.federation import providers

from .browser import _Forms, one_shot
from .conftest import CALLBACK, oauth_client
from .test_code_flow import authorize, session_for
from .test_federation_oidc import follow, redeem

pytest_plugins = ["tests.api_fixtures"]
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def loopback(settings: Any) -> None:
    settings.COGNITO = {**settings.COGNITO, "FEDERATION_LOOPBACK_HTTP": True}


@dataclass
class Seen:
    method: str
    path: str
    params: dict[str, str]


Reply = tuple[int, dict[str, str], bytes]


@dataclass
class StandIn:
    """An HTTP server on loopback answering ``routes`` (path → handler of the request's
    parameters, query and form body merged); it keeps what it was asked."""

    host: str
    routes: dict[str, Callable[[dict[str, str]], Reply]] = field(default_factory=dict)
    seen: list[Seen] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        # The managed login's host name: the IdP's POST back is then same-site (below).
        self.url = f"http://{self.host}:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def asked(self, path: str) -> list[dict[str, str]]:
        return [s.params for s in self.seen if s.path == path]

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self, method: str) -> None:
                parts = urlsplit(self.path)
                params = {k: v[0] for k, v in parse_qs(parts.query).items()}
                length = int(self.headers.get("Content-Length", "0"))
                if length:
                    body = self.rfile.read(length).decode()
                    params.update({k: v[0] for k, v in parse_qs(body).items()})
                if self.headers.get("Authorization"):
                    params["Authorization"] = self.headers["Authorization"]
                stand_in.seen.append(Seen(method, parts.path, params))
                route = stand_in.routes.get(parts.path)
                status, headers, data = route(params) if route else (404, {}, b"{}")
                self.send_response(status)
                for name, value in {"Content-Type": "application/json", **headers}.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:  # noqa: N802
                self._answer("GET")

            def do_POST(self) -> None:  # noqa: N802
                self._answer("POST")

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass

        return Handler

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def as_json(body: dict[str, Any], status: int = 200) -> Reply:
    return status, {}, json.dumps(body).encode()


def back(params: dict[str, str], **answer: str) -> Reply:
    """Send the browser back to the redirect URI with ``answer`` in the query."""
    return 302, {"Location": params["redirect_uri"] + "?" + urlencode(answer)}, b""


@pytest.fixture
def stand_in(loopback: None, domain_url: str) -> Iterator[StandIn]:
    running = StandIn(host=str(urlsplit(domain_url).hostname))
    yield running
    running.close()


def with_endpoints(provider: IdentityProvider, **endpoints: str) -> None:
    IdentityProvider.objects.filter(pk=provider.pk).update(
        details={**provider.details, **endpoints})


def no_one_signed_in() -> bool:
    return not PoolUser.objects.exists() and not ProviderIdentity.objects.exists()


# --- Facebook ------------------------------------------------------------------------------


def facebook(stand_in: StandIn, pool: UserPool, *, state: Callable[[str], str] = str) -> None:
    def dialog(params: dict[str, str]) -> Reply:
        return back(params, code="fb-code", state=state(params["state"]))

    def access_token(params: dict[str, str]) -> Reply:
        if (params.get("client_id"), params.get("client_secret"), params.get("code")) != \
                ("fb-app", "fb-secret", "fb-code"):
            return as_json({"error": {"message": "Invalid verification code",
                                      "type": "OAuthException", "code": 100}}, 400)
        return as_json({"access_token": "fb-token", "token_type": "bearer",
                        "expires_in": 5183944})

    def me(params: dict[str, str]) -> Reply:
        proof = hmac.new(b"fb-secret", b"fb-token", hashlib.sha256).hexdigest()
        if params.get("access_token") != "fb-token" or params.get("appsecret_proof") != proof:
            return as_json({"error": {"message": "Invalid OAuth access token",
                                      "type": "OAuthException", "code": 190}}, 400)
        return as_json({"id": "10150", "email": "fb@people.example", "name": "Fay Book"})

    stand_in.routes.update({"/v24.0/dialog/oauth": dialog,
                            "/v24.0/oauth/access_token": access_token, "/v24.0/me": me})
    provider = providers.create_provider(pool, "Facebook", "Facebook", {
        "client_id": "fb-app", "client_secret": "fb-secret",
        "authorize_scopes": "public_profile,email"},
        attribute_mapping={"email": "email", "name": "name", "username": "id"})
    with_endpoints(provider, authorize_url=f"{stand_in.url}/v24.0/dialog/oauth",
                   token_url=f"{stand_in.url}/v24.0/oauth/access_token",
                   attributes_url=f"{stand_in.url}/v24.0/me")


def test_facebook_through_a_stand_in(stand_in: StandIn, hosted_pool: UserPool,
                                     domain_url: str) -> None:
    facebook(stand_in, hosted_pool)
    client = oauth_client(hosted_pool, supported_identity_providers=["Facebook"])
    oauth = session_for(client)
    url, _state, verifier = authorize(oauth, domain_url, identity_provider="Facebook")
    session = one_shot(requests.Session())
    callback = follow(session, session.get(url, allow_redirects=False, timeout=30), CALLBACK)
    assert isinstance(callback, str), callback.text[:800]
    claims = redeem(client, domain_url, hosted_pool, callback, oauth, verifier)
    assert claims["cognito:username"] == "Facebook_10150"
    assert claims["email"] == "fb@people.example" and claims["name"] == "Fay Book"
    identity = claims["identities"][0]
    assert identity["providerName"] == "Facebook" and identity["userId"] == "10150"
    assert identity["providerType"] == "Facebook"
    [dialog] = stand_in.asked("/v24.0/dialog/oauth")
    assert dialog["client_id"] == "fb-app" and dialog["scope"] == "public_profile,email"
    assert dialog["redirect_uri"] == f"{domain_url}oauth2/idpresponse"
    [me] = stand_in.asked("/v24.0/me")
    assert set(me["fields"].split(",")) == {"id", "email", "name"}


def test_facebook_answer_with_another_state_is_refused(stand_in: StandIn,
                                                       hosted_pool: UserPool,
                                                       domain_url: str) -> None:
    facebook(stand_in, hosted_pool, state=lambda s: s[:-2] + "xx")
    client = oauth_client(hosted_pool, supported_identity_providers=["Facebook"])
    url, _state, _verifier = authorize(session_for(client), domain_url,
                                       identity_provider="Facebook")
    session = one_shot(requests.Session())
    result = follow(session, session.get(url, allow_redirects=False, timeout=30), CALLBACK)
    assert isinstance(result, requests.Response) and result.status_code == 400
    assert "Invalid state" in result.text
    assert not stand_in.asked("/v24.0/oauth/access_token")  # the code was never redeemed
    assert no_one_signed_in()


# --- Login with Amazon ---------------------------------------------------------------------


def amazon(stand_in: StandIn, pool: UserPool, *, code: str = "amzn-code") -> None:
    def authorize_(params: dict[str, str]) -> Reply:
        return back(params, code=code, scope=params.get("scope", ""), state=params["state"])

    def token(params: dict[str, str]) -> Reply:
        if (params.get("grant_type"), params.get("code"), params.get("client_id"),
                params.get("client_secret")) != \
                ("authorization_code", "amzn-code", "amzn-app", "amzn-secret"):
            return as_json({"error": "invalid_grant",
                            "error_description": "The authorization code is invalid"}, 400)
        return as_json({"access_token": "Atza|token", "refresh_token": "Atzr|refresh",
                        "token_type": "bearer", "expires_in": 3600})

    def profile(params: dict[str, str]) -> Reply:
        if params.get("access_token") != "Atza|token" and \
                params.get("Authorization") != "Bearer Atza|token":
            return as_json({"error": "invalid_token"}, 401)
        return as_json({"user_id": "amzn1.account.AF3X", "email": "amy@people.example",
                        "name": "Amy Zon"})

    stand_in.routes.update({"/ap/oa": authorize_, "/auth/o2/token": token,
                            "/user/profile": profile})
    provider = providers.create_provider(pool, "LoginWithAmazon", "LoginWithAmazon", {
        "client_id": "amzn-app", "client_secret": "amzn-secret",
        "authorize_scopes": "profile"},
        attribute_mapping={"email": "email", "name": "name", "username": "user_id"})
    with_endpoints(provider, authorize_url=f"{stand_in.url}/ap/oa",
                   token_url=f"{stand_in.url}/auth/o2/token",
                   attributes_url=f"{stand_in.url}/user/profile")


def test_login_with_amazon_through_a_stand_in(stand_in: StandIn, hosted_pool: UserPool,
                                              domain_url: str) -> None:
    amazon(stand_in, hosted_pool)
    client = oauth_client(hosted_pool, supported_identity_providers=["LoginWithAmazon"])
    oauth = session_for(client)
    url, _state, verifier = authorize(oauth, domain_url, identity_provider="LoginWithAmazon")
    session = one_shot(requests.Session())
    callback = follow(session, session.get(url, allow_redirects=False, timeout=30), CALLBACK)
    assert isinstance(callback, str), callback.text[:800]
    claims = redeem(client, domain_url, hosted_pool, callback, oauth, verifier)
    assert claims["cognito:username"] == "LoginWithAmazon_amzn1.account.AF3X"
    assert claims["email"] == "amy@people.example"
    identity = claims["identities"][0]
    assert identity["providerName"] == "LoginWithAmazon"
    assert identity["userId"] == "amzn1.account.AF3X"
    [asked] = stand_in.asked("/auth/o2/token")
    assert asked["redirect_uri"] == f"{domain_url}oauth2/idpresponse"


def test_login_with_amazon_refusing_the_code_shows_on_the_page(
        stand_in: StandIn, hosted_pool: UserPool, domain_url: str) -> None:
    amazon(stand_in, hosted_pool, code="stolen-code")
    client = oauth_client(hosted_pool, supported_identity_providers=["COGNITO",
                                                                     "LoginWithAmazon"])
    url, _state, _verifier = authorize(session_for(client), domain_url,
                                       identity_provider="LoginWithAmazon")
    session = one_shot(requests.Session())
    result = follow(session, session.get(url, allow_redirects=False, timeout=30), CALLBACK)
    assert isinstance(result, requests.Response) and result.status_code == 400
    assert "Error from the identity provider LoginWithAmazon" in result.text
    assert not stand_in.asked("/user/profile")
    assert no_one_signed_in()


# --- Sign in with Apple --------------------------------------------------------------------


class Apple:
    """Apple's side: its ID-token key, the key it knows for the team's client secrets, and
    what the test wants the ID token to say."""

    def __init__(self, stand_in: StandIn) -> None:
        self.url = stand_in.url
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.signer = self.key
        self.team_key = ec.generate_private_key(ec.SECP256R1())
        self.shape: Callable[[dict[str, Any]], dict[str, Any]] = lambda c: c
        self.secrets: list[dict[str, Any]] = []
        stand_in.routes.update({"/auth/authorize": self.authorize, "/auth/token": self.token,
                                "/auth/keys": self.keys})

    @property
    def private_pem(self) -> str:
        return self.team_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption()).decode()

    def authorize(self, params: dict[str, str]) -> Reply:
        # response_mode=form_post: a page that posts the answer to the redirect URI.
        assert params["response_mode"] == "form_post", params
        fields = {"code": "apple-code", "state": params["state"],
                  "user": json.dumps({"name": {"firstName": "Ann", "lastName": "Apple"},
                                      "email": "ann@privaterelay.example"})}
        inputs = "".join(f'<input type="hidden" name="{k}" value="{v.replace(chr(34), "&quot;")}">'
                         for k, v in fields.items())
        page = (f'<html><body onload="document.forms[0].submit()"><form method="post" '
                f'action="{params["redirect_uri"]}">{inputs}</form></body></html>')
        return 200, {"Content-Type": "text/html"}, page.encode()

    def token(self, params: dict[str, str]) -> Reply:
        try:  # the client secret: a JWT the team's key signed (ES256)
            secret = jwt.decode(params.get("client_secret", ""), self.team_key.public_key(),
                                algorithms=["ES256"], audience="https://appleid.apple.com",
                                issuer="TEAM123456")
        except jwt.PyJWTError:
            return as_json({"error": "invalid_client"}, 400)
        self.secrets.append({**secret, "kid": jwt.get_unverified_header(
            params["client_secret"]).get("kid")})
        if params.get("code") != "apple-code" or secret.get("sub") != "com.example.web":
            return as_json({"error": "invalid_grant"}, 400)
        now = int(time.time())
        claims = self.shape({"iss": self.url, "aud": "com.example.web", "sub": "001234.abcd",
                             "iat": now, "exp": now + 600, "email": "ann@privaterelay.example",
                             "email_verified": "true", "auth_time": now})
        id_token = jwt.encode(claims, self.signer, algorithm="RS256", headers={"kid": "a1"})
        return as_json({"access_token": "apple-at", "token_type": "Bearer",
                        "expires_in": 3600, "refresh_token": "apple-rt", "id_token": id_token})

    def keys(self, params: dict[str, str]) -> Reply:
        public = jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key(), as_dict=True)
        return as_json({"keys": [{**public, "kid": "a1", "alg": "RS256", "use": "sig"}]})


@pytest.fixture
def apple(stand_in: StandIn, hosted_pool: UserPool) -> Apple:
    running = Apple(stand_in)
    provider = providers.create_provider(hosted_pool, "SignInWithApple", "SignInWithApple", {
        "client_id": "com.example.web", "team_id": "TEAM123456", "key_id": "KEY0000001",
        "private_key": running.private_pem, "authorize_scopes": "email name"},
        attribute_mapping={"email": "email", "username": "sub"})
    with_endpoints(provider, authorize_url=f"{stand_in.url}/auth/authorize",
                   token_url=f"{stand_in.url}/auth/token", jwks_uri=f"{stand_in.url}/auth/keys",
                   oidc_issuer=stand_in.url)
    return running


def apple_dance(domain_url: str, url: str) -> requests.Response | str:
    """Open ``url``, then do what the stand-in's page does: post its form."""
    session = one_shot(requests.Session())
    page = follow(session, session.get(url, allow_redirects=False, timeout=30), CALLBACK)
    assert isinstance(page, requests.Response) and page.status_code == 200, page
    parser = _Forms()
    parser.feed(page.text)
    [form] = parser.forms
    assert form.action == f"{domain_url}oauth2/idpresponse"
    # The POST is cross-origin but same-site (the stand-in runs on the managed login's
    # host name): a browser sends the SameSite=Lax box cookie with it, as it sends the
    # SameSite=None; Secure one with Apple's real cross-site POST over https.
    assert urlsplit(page.url).hostname == urlsplit(domain_url).hostname
    cookie = next(c for c in session.cookies if c.name == "cognito-idp")
    assert not cookie.secure and cookie.get_nonstandard_attr("SameSite") == "Lax"
    posted = session.post(form.action, data=form.fields, allow_redirects=False, timeout=30)
    return follow(session, posted, CALLBACK)


def test_sign_in_with_apple_through_a_stand_in(apple: Apple, stand_in: StandIn,
                                               hosted_pool: UserPool, domain_url: str) -> None:
    client = oauth_client(hosted_pool, supported_identity_providers=["SignInWithApple"])
    oauth = session_for(client)
    url, _state, verifier = authorize(oauth, domain_url, identity_provider="SignInWithApple")
    callback = apple_dance(domain_url, url)
    assert isinstance(callback, str), callback.text[:800]
    claims = redeem(client, domain_url, hosted_pool, callback, oauth, verifier)
    assert claims["cognito:username"] == "SignInWithApple_001234.abcd"
    assert claims["email"] == "ann@privaterelay.example"
    identity = claims["identities"][0]
    assert identity["providerName"] == "SignInWithApple"
    assert identity["userId"] == "001234.abcd"
    # The token request's client secret: a JWT signed with the provider's private key.
    [secret] = apple.secrets
    assert secret["sub"] == "com.example.web" and secret["kid"] == "KEY0000001"
    [asked] = stand_in.asked("/auth/authorize")
    assert asked["scope"] == "email name" and asked["client_id"] == "com.example.web"


APPLE_ATTACKS = {
    "wrong aud": (lambda c: {**c, "aud": "com.someone.else"}, "Bad id_token audience"),
    "wrong iss": (lambda c: {**c, "iss": "https://appleid.apple.com.evil"},
                  "Bad id_token issuer"),
    "another key": ("signer", "Invalid id_token"),
}


@pytest.mark.parametrize("attack", list(APPLE_ATTACKS))
def test_sign_in_with_apple_refuses_a_forged_id_token(
        attack: str, apple: Apple, hosted_pool: UserPool, domain_url: str) -> None:
    change, message = APPLE_ATTACKS[attack]
    if change == "signer":
        apple.signer = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    else:
        apple.shape = change
    client = oauth_client(hosted_pool, supported_identity_providers=["COGNITO",
                                                                     "SignInWithApple"])
    url, _state, _verifier = authorize(session_for(client), domain_url,
                                       identity_provider="SignInWithApple")
    result = apple_dance(domain_url, url)
    assert isinstance(result, requests.Response) and result.status_code == 400, result
    assert message in result.text
    assert no_one_signed_in()


def test_sign_in_with_apple_with_another_team_key_is_refused(
        apple: Apple, hosted_pool: UserPool, domain_url: str) -> None:
    apple.team_key = ec.generate_private_key(ec.SECP256R1())  # Apple knows another key
    client = oauth_client(hosted_pool, supported_identity_providers=["COGNITO",
                                                                     "SignInWithApple"])
    url, _state, _verifier = authorize(session_for(client), domain_url,
                                       identity_provider="SignInWithApple")
    result = apple_dance(domain_url, url)
    assert isinstance(result, requests.Response) and result.status_code == 400
    assert not apple.secrets and no_one_signed_in()
