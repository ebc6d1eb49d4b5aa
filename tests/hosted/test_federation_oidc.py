"""Sign-in through OpenID Connect and Google (stand-in) on the managed login, against npm's
oidc-provider on loopback over real HTTP, and the attacks a forging IdP can try."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit

import jwt
import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import rsa

from django_cognito import signals
from django_cognito.exceptions import TriggerRejected
from django_cognito.models import AppClient, IdentityProvider, PoolUser, ProviderIdentity, UserPool
from django_cognito.services import groups
from django_cognito.services.federation import links, providers
from tests import factories
from tests.oidc_idp import OidcIdp, oidc_idp

from .browser import _Forms, one_shot
from .conftest import CALLBACK, oauth_client
from .test_code_flow import authorize, session_for, verify

pytest_plugins = ["tests.api_fixtures"]
pytestmark = pytest.mark.django_db(transaction=True)
MAPPING = {"email": "email", "name": "name", "username": "sub"}


@pytest.fixture
def loopback(settings: Any) -> None:
    settings.COGNITO = {**settings.COGNITO, "FEDERATION_LOOPBACK_HTTP": True}


@pytest.fixture
def idp(domain_url: str, loopback: None) -> Iterator[OidcIdp]:
    with oidc_idp([{"client_id": "cognito", "client_secret": "s3cret",
                    "redirect_uris": [f"{domain_url}oauth2/idpresponse"]}]) as running:
        yield running


def corp(pool: UserPool, issuer: str, **details: str) -> IdentityProvider:
    return providers.create_provider(pool, "Corp", "OIDC", {
        "client_id": "cognito", "client_secret": "s3cret", "oidc_issuer": issuer,
        "authorize_scopes": "openid email profile", "attributes_request_method": "GET",
        **details}, attribute_mapping=MAPPING, idp_identifiers=["corp.example"])


def follow(session: requests.Session, response: requests.Response, stop: str
           ) -> requests.Response | str:
    """Follow redirects until a page, or until one leaves for ``stop`` (returned as a URL)."""
    for _ in range(20):
        if response.status_code not in (301, 302, 303, 307, 308):
            return response
        location = urljoin(response.url, response.headers["Location"])
        if location.startswith(stop):
            return location
        response = session.get(location, allow_redirects=False, timeout=30)
    raise AssertionError("too many redirects")


def dance(url: str, login: str = "jdoe", stop: str = CALLBACK,
          session: requests.Session | None = None) -> requests.Response | str:
    """Open ``url`` and fill the IdP's login and consent forms (any password signs in)."""
    session = session or one_shot(requests.Session())
    result = follow(session, session.get(url, allow_redirects=False, timeout=30), stop)
    for _ in range(4):
        if isinstance(result, str) or "/interaction/" not in result.url:
            return result
        parser = _Forms()
        parser.feed(result.text)
        form = parser.forms[0]
        data = {**form.fields}
        if "login" in data:
            data.update(login=login, password="anything")
        posted = session.post(urljoin(result.url, form.action), data=data,
                              allow_redirects=False, timeout=30)
        result = follow(session, posted, stop)
    return result


def redeem(client: AppClient, domain_url: str, pool: UserPool, callback: str,
           oauth: Any, verifier: str) -> dict[str, Any]:
    params = {k: v[0] for k, v in parse_qs(urlsplit(callback).query).items()}
    assert "code" in params, params
    token = oauth.fetch_token(f"{domain_url}oauth2/token", code=params["code"],
                              code_verifier=verifier)
    return verify(token["id_token"], domain_url, pool, audience=client.id)


def test_sign_in_through_an_oidc_provider(idp: OidcIdp, hosted_pool: UserPool,
                                          domain_url: str) -> None:
    corp(hosted_pool, idp.issuer)
    client = oauth_client(hosted_pool, supported_identity_providers=["COGNITO", "Corp"])
    oauth = session_for(client)
    url, _state, verifier = authorize(oauth, domain_url, identity_provider="Corp")
    callback = dance(url)
    assert isinstance(callback, str), callback.text[:800]
    claims = redeem(client, domain_url, hosted_pool, callback, oauth, verifier)
    assert claims["cognito:username"] == "Corp_jdoe"
    assert claims["email"] == "jdoe@idp.example" and claims["email_verified"] is False
    assert f"{hosted_pool.id}_Corp" in claims["cognito:groups"]
    identities = claims["identities"]
    assert identities[0]["providerName"] == "Corp" and identities[0]["userId"] == "jdoe"
    user = PoolUser.objects.get(pool=hosted_pool, username="Corp_jdoe")
    assert user.status == "EXTERNAL_PROVIDER"

    # Again, by idp_identifier (an email address's domain): the same user, no second one.
    url, _state, verifier = authorize(oauth, domain_url, idp_identifier="me@corp.example")
    callback = dance(url)
    assert isinstance(callback, str)
    again = redeem(client, domain_url, hosted_pool, callback, oauth, verifier)
    assert again["sub"] == claims["sub"]
    assert PoolUser.objects.filter(pool=hosted_pool).count() == 1


def test_the_sign_in_page_shows_a_button_per_provider(idp: OidcIdp, hosted_pool: UserPool,
                                                      domain_url: str) -> None:
    corp(hosted_pool, idp.issuer)
    client = oauth_client(hosted_pool, supported_identity_providers=["COGNITO", "Corp"])
    oauth = session_for(client)
    url, _state, verifier = authorize(oauth, domain_url)
    session = one_shot(requests.Session())
    page = follow(session, session.get(url, allow_redirects=False, timeout=30), CALLBACK)
    assert isinstance(page, requests.Response) and "identity_provider=Corp" in page.text
    start = page.text.split('href="')[1:]
    link = next(h.split('"')[0] for h in start if "identity_provider=Corp" in h)
    callback = dance(urljoin(page.url, link.replace("&amp;", "&")), session=session)
    assert isinstance(callback, str)
    claims = redeem(client, domain_url, hosted_pool, callback, oauth, verifier)
    assert claims["cognito:username"] == "Corp_jdoe"


def test_google_through_a_stand_in(idp: OidcIdp, hosted_pool: UserPool,
                                   domain_url: str) -> None:
    google = providers.create_provider(hosted_pool, "Google", "Google", {
        "client_id": "cognito", "client_secret": "s3cret",
        "authorize_scopes": "openid email profile"},
        attribute_mapping={"email": "email", "email_verified": "email_verified"})
    # Google's endpoints, overridden in the row: oidc-provider answers for Google.
    document = requests.get(f"{idp.issuer}/.well-known/openid-configuration", timeout=10).json()
    IdentityProvider.objects.filter(pk=google.pk).update(details={
        **google.details, "authorize_url": document["authorization_endpoint"],
        "token_url": document["token_endpoint"],
        "attributes_url": document["userinfo_endpoint"], "jwks_uri": document["jwks_uri"],
        "oidc_issuer": idp.issuer})
    client = oauth_client(hosted_pool, supported_identity_providers=["Google"])
    oauth = session_for(client)
    url, _state, verifier = authorize(oauth, domain_url, identity_provider="Google")
    callback = dance(url, login="g-123")
    assert isinstance(callback, str), callback.text[:800]
    claims = redeem(client, domain_url, hosted_pool, callback, oauth, verifier)
    assert claims["cognito:username"] == "Google_g-123" and claims["email_verified"] is True
    assert claims["identities"][0]["providerType"] == "Google"


def test_a_linked_native_user_signs_in_through_the_idp(idp: OidcIdp, hosted_pool: UserPool,
                                                       domain_url: str) -> None:
    corp(hosted_pool, idp.issuer)
    native = factories.create_user(hosted_pool, "bob", attributes={"email": "bob@x.example"})
    groups.add_user_to_group(native, groups.create_group(hosted_pool, "staff"))
    links.link_provider_for_user(
        hosted_pool, {"ProviderName": "Cognito", "ProviderAttributeValue": "bob"},
        {"ProviderName": "Corp", "ProviderAttributeName": "Cognito_Subject",
         "ProviderAttributeValue": "bob-at-corp"})
    client = oauth_client(hosted_pool, supported_identity_providers=["Corp"])
    oauth = session_for(client)
    url, _state, verifier = authorize(oauth, domain_url, identity_provider="Corp")
    callback = dance(url, login="bob-at-corp")
    assert isinstance(callback, str), callback.text[:800]
    claims = redeem(client, domain_url, hosted_pool, callback, oauth, verifier)
    assert claims["sub"] == str(native.sub) and claims["cognito:username"] == "bob"
    assert claims["cognito:groups"] == ["staff"]
    assert claims["identities"][0]["providerName"] == "Corp"
    assert not PoolUser.objects.filter(username__startswith="Corp_").exists()


def test_access_denied_at_the_idp_shows_on_the_sign_in_page(
        idp: OidcIdp, hosted_pool: UserPool, domain_url: str) -> None:
    corp(hosted_pool, idp.issuer)
    client = oauth_client(hosted_pool, supported_identity_providers=["COGNITO", "Corp"])
    url, _state, _verifier = authorize(session_for(client), domain_url,
                                       identity_provider="Corp")
    session = one_shot(requests.Session())
    page = follow(session, session.get(url, allow_redirects=False, timeout=30), CALLBACK)
    assert isinstance(page, requests.Response) and "/interaction/" in page.url
    abort = session.get(page.url + "/abort", allow_redirects=False, timeout=30)
    shown = follow(session, abort, CALLBACK)
    assert isinstance(shown, requests.Response) and shown.status_code == 400
    assert "access_denied" in shown.text
    assert not PoolUser.objects.exists()


# --- A forging IdP: it signs whatever the test asks for -----------------------------------


class Forger:
    """An OIDC IdP whose token endpoint answers an ID token the test shapes."""

    def __init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.nonces: list[str] = []
        self.shape: Any = lambda claims: claims
        self.signer = self.key
        server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server = server
        self.url = f"http://127.0.0.1:{server.server_address[1]}"
        threading.Thread(target=server.serve_forever, daemon=True).start()

    def token(self) -> str:
        now = int(time.time())
        claims = self.shape({"iss": self.url, "aud": "cognito", "sub": "mallory",
                             "iat": now, "exp": now + 300, "nonce": self.nonces[-1],
                             "email": "m@forged.example"})
        return jwt.encode(claims, self.signer, algorithm="RS256", headers={"kid": "k1"})

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        forger = self

        class Handler(BaseHTTPRequestHandler):
            def _send(self, status: int, body: dict[str, Any], location: str = "") -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                if location:
                    self.send_header("Location", location)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:  # noqa: N802
                parts = urlsplit(self.path)
                params = {k: v[0] for k, v in parse_qs(parts.query).items()}
                if parts.path == "/authorize":
                    forger.nonces.append(params.get("nonce", ""))
                    back = params["redirect_uri"] + "?" + urlencode(
                        {"code": "c0de", "state": params.get("state", "")})
                    self._send(302, {}, back)
                elif parts.path == "/jwks":
                    public = jwt.algorithms.RSAAlgorithm.to_jwk(forger.key.public_key(),
                                                                as_dict=True)
                    self._send(200, {"keys": [{**public, "kid": "k1", "alg": "RS256",
                                               "use": "sig"}]})
                else:
                    self._send(200, {"sub": "mallory"})

            def do_POST(self) -> None:  # noqa: N802
                self.rfile.read(int(self.headers.get("Content-Length", "0")))
                self._send(200, {"access_token": "at", "token_type": "Bearer",
                                 "id_token": forger.token()})

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass

        return Handler

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def forger(loopback: None) -> Iterator[Forger]:
    running = Forger()
    yield running
    running.close()


def forged(pool: UserPool, forger: Forger) -> AppClient:
    corp(pool, forger.url, authorize_url=f"{forger.url}/authorize",
         token_url=f"{forger.url}/token", attributes_url=f"{forger.url}/userinfo",
         jwks_uri=f"{forger.url}/jwks")
    return oauth_client(pool, supported_identity_providers=["COGNITO", "Corp"])


def attempt(client: AppClient, domain_url: str) -> requests.Response | str:
    url, _state, _verifier = authorize(session_for(client), domain_url,
                                       identity_provider="Corp")
    return dance(url)


def test_the_forger_signs_in_when_everything_checks(forger: Forger, hosted_pool: UserPool,
                                                    domain_url: str) -> None:
    result = attempt(forged(hosted_pool, forger), domain_url)
    assert isinstance(result, str) and "code=" in result
    assert PoolUser.objects.filter(username="Corp_mallory").exists()


ATTACKS = {
    "another key": ("signer", "Invalid id_token"),
    "wrong aud": (lambda c: {**c, "aud": "someone-else"}, "Bad id_token audience"),
    "wrong iss": (lambda c: {**c, "iss": "http://127.0.0.1:1"}, "Bad id_token issuer"),
    "expired": (lambda c: {**c, "exp": c["iat"] - 120, "iat": c["iat"] - 900},
                "id_token expired"),
    "no nonce": (lambda c: {k: v for k, v in c.items() if k != "nonce"}, "Invalid id_token"),
}


@pytest.mark.parametrize("attack", list(ATTACKS))
def test_forged_id_tokens_are_refused(attack: str, forger: Forger, hosted_pool: UserPool,
                                      domain_url: str) -> None:
    change, message = ATTACKS[attack]
    if change == "signer":
        forger.signer = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    else:
        forger.shape = change
    result = attempt(forged(hosted_pool, forger), domain_url)
    assert isinstance(result, requests.Response) and result.status_code == 400, result
    assert message in result.text
    assert not PoolUser.objects.exists() and not ProviderIdentity.objects.exists()


def test_a_nonce_is_spent_once(forger: Forger, hosted_pool: UserPool,
                               domain_url: str) -> None:
    client = forged(hosted_pool, forger)
    assert isinstance(attempt(client, domain_url), str)
    used = forger.nonces[-1]
    PoolUser.objects.all().delete()
    # The next sign-in gets an ID token carrying the nonce already used: refused.
    forger.shape = lambda c: {**c, "nonce": used}
    result = attempt(client, domain_url)
    assert isinstance(result, requests.Response) and "Invalid id_token" in result.text
    assert not PoolUser.objects.exists()


def test_a_tampered_or_replayed_state_is_refused(forger: Forger, hosted_pool: UserPool,
                                                 domain_url: str) -> None:
    client = forged(hosted_pool, forger)
    url, _state, _verifier = authorize(session_for(client), domain_url,
                                       identity_provider="Corp")
    session = one_shot(requests.Session())
    to_idp = session.get(url, allow_redirects=False, timeout=30)
    at_idp = session.get(to_idp.headers["Location"], allow_redirects=False, timeout=30)
    answer = at_idp.headers["Location"]
    tampered = answer.replace("state=", "state=x")
    refused = session.get(tampered, allow_redirects=False, timeout=30)
    assert refused.status_code == 400 and "Invalid state" in refused.text
    done = follow(session, session.get(answer, allow_redirects=False, timeout=30), CALLBACK)
    assert isinstance(done, str)  # the genuine answer still completes
    replayed = session.get(answer, allow_redirects=False, timeout=30)
    assert replayed.status_code == 400 and "Invalid state" in replayed.text
    # Without the browser's cookie (another browser), no request is pending.
    other = one_shot(requests.Session()).get(answer, allow_redirects=False, timeout=30)
    assert other.status_code == 400
    assert PoolUser.objects.count() == 1


def test_a_callback_without_a_pending_request(domain_url: str, hosted_pool: UserPool) -> None:
    for query in ("", "?code=x&state=y", "?error=access_denied&state=z"):
        response = requests.get(f"{domain_url}oauth2/idpresponse{query}", timeout=10)
        assert response.status_code == 400 and "Invalid state" in response.text
    assert not PoolUser.objects.exists()


def test_a_pre_sign_up_rejection_shows_on_the_page(forger: Forger, hosted_pool: UserPool,
                                                   domain_url: str) -> None:
    def reject(sender: Any, event: dict[str, Any], **kwargs: Any) -> None:
        assert event["triggerSource"] == "PreSignUp_ExternalProvider"
        raise TriggerRejected("Not from here")

    signals.pre_sign_up.connect(reject, weak=False)
    try:
        result = attempt(forged(hosted_pool, forger), domain_url)
    finally:
        signals.pre_sign_up.disconnect(reject)
    assert isinstance(result, requests.Response) and result.status_code == 400
    assert "Not from here" in result.text
    assert not PoolUser.objects.exists() and not ProviderIdentity.objects.exists()
