"""GetId with Facebook, Login with Amazon and SAML logins, over real HTTP with boto3
(reference §8.3): the token-info APIs stood in by a loopback server that answers as the real
ones do, and SAML responses signed by a real pysaml2 identity provider (tests/saml_idp.py)."""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from bench.processes import free_port
from django_cognito.models import IamIdentityProvider, IamProviderType, IdentityLogin, IdentityPool
from django_cognito.services.identity import logins
from tests.saml_idp import SAML, SamlIdp, run_idp

pytest_plugins = ["tests.api_fixtures", "tests.live_api"]
pytestmark = pytest.mark.django_db(transaction=True)

FACEBOOK = "graph.facebook.com"
AMAZON = "www.amazon.com"
SAML_ARN = "arn:aws:iam::123456789012:saml-provider/Corp"
ROLE = "https://aws.amazon.com/SAML/Attributes/Role"
RECIPIENT = "https://signin.aws.amazon.com/saml"
# AWS as a SAML service provider (what https://signin.aws.amazon.com/static/saml-metadata.xml
# says, reduced to what the IdP needs).
AWS_SP_METADATA = f"""<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata"
 entityID="urn:amazon:webservices"><md:SPSSODescriptor WantAssertionsSigned="true"
 protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
<md:AssertionConsumerService index="1" Location="{RECIPIENT}"
 Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"/>
</md:SPSSODescriptor></md:EntityDescriptor>"""


def make_pool(identity: Any, **config: Any) -> str:
    created = identity.create_identity_pool(IdentityPoolName="social",
                                            AllowUnauthenticatedIdentities=False, **config)
    pool_id: str = created["IdentityPoolId"]
    return pool_id


class TokenInfo:
    """Facebook's Graph API and Login with Amazon's token APIs on loopback, answering as the
    real ones do:

    - ``GET /app?access_token=T``: ``{"id": "<app id>", "name": ..., "link": ...}``, and
      ``GET /me?fields=id,name,email&access_token=T``: ``{"id": "<user id>", "name": ...}``;
      a bad token: HTTP 400 ``{"error": {"message": "Invalid OAuth access token data.",
      "type": "OAuthException", "code": 190, "fbtrace_id": ...}}``
      (https://developers.facebook.com/docs/graph-api/reference/application/,
      https://developers.facebook.com/docs/graph-api/guides/error-handling/).
    - ``GET /auth/o2/tokeninfo?access_token=T``: ``{"iss": "https://www.amazon.com",
      "user_id": "amzn1.account...", "aud": "amzn1.application-oa2-client...", "app_id":
      "amzn1.application...", "exp": <seconds left>, "iat": ...}``; ``GET /user/profile``
      with ``Authorization: Bearer T``: ``{"user_id", "name", "email"}``; a bad token: HTTP
      400 ``{"error": "invalid_token", "error_description": ...}``
      (https://developer.amazon.com/docs/login-with-amazon/obtain-customer-profile.html).
    """

    def __init__(self) -> None:
        # token -> (app or client id, user id)
        self.facebook: dict[str, tuple[str, str]] = {}
        self.amazon: dict[str, tuple[str, str]] = {}
        self.requests: list[str] = []
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self.handler())
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, args=(0.02,), daemon=True).start()

    def answer(self, path: str, query: dict[str, str], headers: Any) -> tuple[int, Any]:
        self.requests.append(path)
        token = query.get("access_token", "")
        if path in ("/app", "/me"):
            known = self.facebook.get(token)
            if known is None:
                return 400, {"error": {"message": "Invalid OAuth access token data.",
                                       "type": "OAuthException", "code": 190,
                                       "fbtrace_id": "AbCdEf"}}
            if path == "/app":
                return 200, {"id": known[0], "name": "Photos", "link": "https://photos.example"}
            return 200, {"id": known[1], "name": "Jane Doe", "email": "jane@example.com"}
        if path == "/auth/o2/tokeninfo":
            known = self.amazon.get(token)
            if known is None:
                return 400, {"error": "invalid_token",
                             "error_description": "The request has an invalid parameter"}
            return 200, {"iss": "https://www.amazon.com", "user_id": known[1], "aud": known[0],
                         "app_id": "amzn1.application.photos", "exp": 3597, "iat": 1311280970}
        if path == "/user/profile":
            bearer = str(headers.get("Authorization", "")).removeprefix("Bearer ")
            known = self.amazon.get(bearer)
            if known is None:
                return 400, {"error": "invalid_token"}
            return 200, {"user_id": known[1], "name": "Jane Doe", "email": "jane@example.com"}
        return 404, {"error": "not found"}

    def handler(self) -> type[BaseHTTPRequestHandler]:
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                parts = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(parts.query).items()}
                status, body = stand_in.answer(parts.path, query, self.headers)
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass

        return Handler

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def token_info(settings: Any) -> Iterator[TokenInfo]:
    server = TokenInfo()
    settings.COGNITO = {**settings.COGNITO, "IDENTITY_LOGIN_ENDPOINTS": {
        FACEBOOK: server.url, AMAZON: server.url}}
    yield server
    server.stop()


def test_facebook_and_amazon_logins(identity: Any, guest: Any, token_info: TokenInfo,
                                    fails: Any) -> None:
    pool_id = make_pool(identity, SupportedLoginProviders={
        FACEBOOK: "492844718097981", AMAZON: "amzn1.application-oa2-client.photos"})
    token_info.facebook.update({"EAAb1": ("492844718097981", "10001"),
                                "EAAb2": ("492844718097981", "10001"),
                                "EAAother": ("999", "10001")})
    token_info.amazon.update({"Atza|1": ("amzn1.application-oa2-client.photos",
                                         "amzn1.account.JANE"),
                              "Atza|other": ("amzn1.application-oa2-client.other",
                                             "amzn1.account.JANE")})
    first = guest.get_id(IdentityPoolId=pool_id, Logins={FACEBOOK: "EAAb1"})["IdentityId"]
    assert guest.get_id(IdentityPoolId=pool_id, Logins={FACEBOOK: "EAAb2"})["IdentityId"] == \
        first
    # Amazon sent with Facebook: linked to the same identity.
    assert guest.get_id(IdentityPoolId=pool_id,
                        Logins={FACEBOOK: "EAAb1", AMAZON: "Atza|1"})["IdentityId"] == first
    assert guest.get_id(IdentityPoolId=pool_id, Logins={AMAZON: "Atza|1"})["IdentityId"] == first
    assert sorted(identity.describe_identity(IdentityId=first)["Logins"]) == [FACEBOOK, AMAZON]
    assert dict(IdentityLogin.objects.values_list("provider", "subject")) == {
        FACEBOOK: "10001", AMAZON: "amzn1.account.JANE"}

    pool = IdentityPool.objects.get(pk=pool_id)
    facebook, amazon = logins.validate(pool, {FACEBOOK: "EAAb1", AMAZON: "Atza|1"})
    assert facebook.amr == (FACEBOOK, f"{FACEBOOK}:492844718097981:10001")
    assert facebook.mapping_key == FACEBOOK and facebook.claims["aud"] == "492844718097981"
    assert amazon.claims["email"] == "jane@example.com" and amazon.subject == "amzn1.account.JANE"

    # Another app's token (the token-substitution attack), an unknown token, a malformed one.
    assert fails(guest.get_id, IdentityPoolId=pool_id, Logins={FACEBOOK: "EAAother"}) == (
        "NotAuthorizedException", "Invalid login token. Incorrect token audience.")
    assert fails(guest.get_id, IdentityPoolId=pool_id, Logins={AMAZON: "Atza|other"}) == (
        "NotAuthorizedException", "Invalid login token. Incorrect token audience.")
    for provider in (FACEBOOK, AMAZON):
        assert fails(guest.get_id, IdentityPoolId=pool_id, Logins={provider: "forged"}) == (
            "NotAuthorizedException", "Invalid login token.")
        assert fails(guest.get_id, IdentityPoolId=pool_id,
                     Logins={provider: "a\r\nHost: evil"})[0] == "NotAuthorizedException"
    assert "/me" not in token_info.requests[-2:]  # no profile asked for a refused token
    assert IdentityLogin.objects.count() == 2


def test_a_token_info_api_that_is_down(identity: Any, guest: Any, settings: Any,
                                       fails: Any) -> None:
    down = f"http://127.0.0.1:{free_port()}"
    settings.COGNITO = {**settings.COGNITO, "IDENTITY_LOGIN_ENDPOINTS": {
        FACEBOOK: down, AMAZON: down}}
    pool_id = make_pool(identity, SupportedLoginProviders={FACEBOOK: "1", AMAZON: "2"})
    for provider in (FACEBOOK, AMAZON):
        assert fails(guest.get_id, IdentityPoolId=pool_id, Logins={provider: "token"})[0] == \
            "ExternalServiceException"
    assert not IdentityLogin.objects.exists()


# --- SAML ---------------------------------------------------------------------------------

@pytest.fixture
def saml_idp(tmp_path: Path) -> Iterator[SamlIdp]:
    running = run_idp(tmp_path)
    idp = next(running)
    idp.configure(AWS_SP_METADATA)
    idp.attributes = {"email": ["jdoe@example.com"], "groups": ["staff", "admins"],
                      ROLE: [f"arn:aws:iam::123456789012:role/Staff,{SAML_ARN}"]}
    yield idp
    running.close()


def saml_response(idp: SamlIdp, **options: Any) -> str:
    xml = idp.response(in_response_to=None, destination=RECIPIENT,
                       audience="urn:amazon:webservices", **options)
    return base64.b64encode(xml.encode()).decode()


def test_saml_logins(identity: Any, guest: Any, saml_idp: SamlIdp, fails: Any) -> None:
    IamIdentityProvider.objects.create(arn=SAML_ARN, type=IamProviderType.SAML,
                                       saml_metadata=saml_idp.metadata())
    pool_id = make_pool(identity, SamlProviderARNs=[SAML_ARN])
    first = guest.get_id(IdentityPoolId=pool_id,
                         Logins={SAML_ARN: saml_response(saml_idp)})["IdentityId"]
    assert guest.get_id(IdentityPoolId=pool_id, Logins={SAML_ARN: saml_response(saml_idp)}
                        )["IdentityId"] == first
    assert IdentityLogin.objects.get().subject == "jdoe"
    other = saml_response(saml_idp, name_id="mary")
    assert guest.get_id(IdentityPoolId=pool_id, Logins={SAML_ARN: other})["IdentityId"] != first

    login = logins.validate(IdentityPool.objects.get(pk=pool_id),
                            {SAML_ARN: saml_response(saml_idp)})[0]
    assert login.mapping_key == SAML_ARN and login.amr == (SAML_ARN, f"{SAML_ARN}:jdoe")
    assert login.claims[ROLE] == [f"arn:aws:iam::123456789012:role/Staff,{SAML_ARN}"]
    assert login.claims["groups"] == ["staff", "admins"]

    def refused(response: str) -> None:
        assert fails(guest.get_id, IdentityPoolId=pool_id, Logins={SAML_ARN: response}) == (
            "NotAuthorizedException", "Invalid login token. Invalid SAML response.")

    # Meant for another service provider; unsigned; expired; signed by a key not in the
    # metadata; not SAML at all.
    def elsewhere(root: Any) -> None:
        for element in root.iter(f"{{{SAML}}}Audience"):
            element.text = "urn:amazon:cognito:sp:us-east-1_Other"
    refused(saml_response(saml_idp, tamper=elsewhere))
    refused(saml_response(saml_idp, sign_response=False, sign_assertion=False))

    def expire(root: Any) -> None:
        for element in root.iter(f"{{{SAML}}}Conditions", f"{{{SAML}}}SubjectConfirmationData"):
            element.set("NotOnOrAfter", "2001-01-01T00:00:00Z")
    refused(saml_response(saml_idp, tamper=expire))
    saml_idp.configure(AWS_SP_METADATA, key_name="intruder")
    refused(saml_response(saml_idp))
    refused(base64.b64encode(b"<not-saml/>").decode())
    refused("%%% not base64 %%%")
    assert IdentityLogin.objects.count() == 2

    # The pool stops naming the provider.
    identity.update_identity_pool(IdentityPoolId=pool_id, IdentityPoolName="social",
                                  AllowUnauthenticatedIdentities=False)
    assert fails(guest.get_id, IdentityPoolId=pool_id, Logins={SAML_ARN: other})[1].startswith(
        "Invalid login token. Unsupported provider")


def test_saml_provider_without_usable_metadata(identity: Any, guest: Any, fails: Any) -> None:
    IamIdentityProvider.objects.create(arn=SAML_ARN, type=IamProviderType.SAML,
                                       saml_metadata="<EntityDescriptor/>")
    pool_id = make_pool(identity, SamlProviderARNs=[SAML_ARN])
    assert fails(guest.get_id, IdentityPoolId=pool_id, Logins={SAML_ARN: "PHg+"})[0] == \
        "InvalidIdentityPoolConfigurationException"
