"""SAML 2.0 sign-in on the managed login against a real IdP (pysaml2, tests/saml_idp.py):
the whole dance to Cognito-format tokens (also in headless Chromium), encrypted assertions,
IdP-initiated sign-in, single logout, and the attacks on SAML responses refused with nothing
created: unsigned, expired or not yet valid, for another SP or recipient, and XML signature
wrapping (XSW1-8 of "On Breaking SAML", Somorovsky et al., 2012)."""

from __future__ import annotations

import base64
import copy
import datetime as dt
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
import pytest
from lxml import etree
from playwright.sync_api import expect
from saml2 import BINDING_HTTP_REDIRECT

from django_cognito.models import AppClient, PoolUser, ProviderIdentity, UserPool
from django_cognito.services.federation import providers
from tests.claims import decode
from tests.saml_idp import SamlIdp, form_page, run_idp

from .browser import Browser, Page
from .conftest import CALLBACK, LOGOUT, callback_params, oauth_client
from .test_browser import Authorization

if TYPE_CHECKING:  # the plugin module is loaded by pytest_plugins, not imported here
    from .chromium import Tab

pytest_plugins = ["tests.api_fixtures", "tests.hosted.chromium"]
pytestmark = pytest.mark.xdist_group("saml")
NAME = "Corp"
SAMLP = "urn:oasis:names:tc:SAML:2.0:protocol"
SAML_TIME = "%Y-%m-%dT%H:%M:%SZ"
SAML = "urn:oasis:names:tc:SAML:2.0:assertion"
DS = "http://www.w3.org/2000/09/xmldsig#"
#: pysaml2 names the email attribute by its OID (FriendlyName "email").
EMAIL = "urn:oid:1.2.840.113549.1.9.1.1"


@pytest.fixture
def idp(tmp_path: Path, browser: Browser, domain_url: str) -> Iterator[SamlIdp]:
    for running in run_idp(tmp_path):
        sp = browser.session.get(f"{domain_url}saml2/metadata", timeout=30)
        assert sp.status_code == 200, sp.text[:400]
        running.configure(sp.text)
        running.sp_logout_url = f"{domain_url}saml2/logout"
        yield running


def add_provider(pool: UserPool, idp: SamlIdp, **flags: str) -> Any:
    details = {"MetadataFile": idp.metadata(), **flags}
    return providers.create_provider(pool, NAME, "SAML", details,
                                     attribute_mapping={"email": EMAIL})


@pytest.fixture
def corp(hosted_pool: UserPool, idp: SamlIdp) -> Any:
    return add_provider(hosted_pool, idp, IDPSignout="true",
                        RequestSigningAlgorithm="rsa-sha256")


@pytest.fixture
def app(hosted_pool: UserPool, corp: Any) -> AppClient:
    return oauth_client(hosted_pool, supported_identity_providers=["COGNITO", NAME])


def authorize_url(domain_url: str, client: AppClient, **extra: str) -> str:
    query = {"response_type": "token", "client_id": client.pk, "redirect_uri": CALLBACK,
             "scope": "openid email profile", "state": "s1", **extra}
    return f"{domain_url}oauth2/authorize?{urlencode(query)}"


def to_idp(browser: Browser, domain_url: str, client: AppClient) -> Page:
    """The IdP's answer page (its auto-submitting form) for a new AuthnRequest."""
    page = browser.get(authorize_url(domain_url, client, identity_provider=NAME))
    assert page.left_to is not None and "/sso?" in page.left_to, page.text[:400]
    return browser.get(page.left_to)


def saml_response(page: Page) -> tuple[str, str]:
    fields = page.form.fields
    return base64.b64decode(fields["SAMLResponse"]).decode(), fields["RelayState"]


def post(browser: Browser, domain_url: str, xml: str | bytes, relay: str = "") -> Page:
    raw = xml.encode() if isinstance(xml, str) else xml
    page = Page(browser.session.get(f"{domain_url}saml2/metadata", timeout=30))
    page = Page(page.response)  # a page with the IdP's form, posted as the browser would
    body = form_page(f"{domain_url}saml2/idpresponse", raw.decode(), relay)
    page.response._content = body.encode()  # type: ignore[attr-defined]
    return browser.submit(page)


def nothing_created(pool: UserPool) -> None:
    assert not PoolUser.objects.filter(pool=pool).exists()
    assert not ProviderIdentity.objects.exists()


def test_sign_in_through_the_idp_ends_in_cognito_tokens(
        browser: Browser, domain_url: str, hosted_pool: UserPool, app: AppClient,
        idp: SamlIdp) -> None:
    page = to_idp(browser, domain_url, app)
    request = idp.requests[-1]
    assert request["SigAlg"] == "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
    assert request["Signature"]
    done = browser.submit(page)
    params = callback_params(done)
    claims = decode(hosted_pool, params["id_token"], audience=app.pk)
    assert claims["cognito:username"] == f"{NAME}_jdoe"
    assert claims["email"] == "jdoe@example.com"
    assert claims["cognito:groups"] == [f"{hosted_pool.pk}_{NAME}"]
    assert claims["identities"][0]["providerName"] == NAME
    assert claims["identities"][0]["userId"] == "jdoe"
    assert params["state"] == "s1"


def test_the_sp_metadata_names_the_pool(browser: Browser, domain_url: str,
                                        hosted_pool: UserPool) -> None:
    text = browser.session.get(f"{domain_url}saml2/metadata", timeout=30).text
    assert f'entityID="urn:amazon:cognito:sp:{hosted_pool.pk}"' in text
    assert f"{domain_url}saml2/idpresponse" in text


def test_encrypted_assertions(browser: Browser, domain_url: str, hosted_pool: UserPool,
                              idp: SamlIdp) -> None:
    provider = add_provider(hosted_pool, idp, EncryptedResponses="true")
    app = oauth_client(hosted_pool, supported_identity_providers=[NAME])
    idp.encrypt_to = provider.encryption_certificate
    page = to_idp(browser, domain_url, app)
    xml, _ = saml_response(page)
    assert "EncryptedAssertion" in xml and "jdoe@example.com" not in xml
    claims = decode(hosted_pool, callback_params(browser.submit(page))["id_token"],
                    audience=app.pk)
    assert claims["email"] == "jdoe@example.com"


def idp_initiated(idp: SamlIdp, domain_url: str, hosted_pool: UserPool) -> str:
    return idp.response(in_response_to=None, destination=f"{domain_url}saml2/idpresponse",
                        audience=f"urn:amazon:cognito:sp:{hosted_pool.pk}")


def test_idp_initiated_sign_in_only_with_idpinit(
        browser: Browser, domain_url: str, hosted_pool: UserPool, idp: SamlIdp) -> None:
    provider = add_provider(hosted_pool, idp)
    app = oauth_client(hosted_pool, supported_identity_providers=[NAME])
    relay = urlencode({"response_type": "token", "client_id": app.pk,
                       "redirect_uri": CALLBACK, "scope": "openid"})
    refused = post(browser, domain_url, idp_initiated(idp, domain_url, hosted_pool), relay)
    assert refused.response.status_code == 400 and refused.left_to is None
    nothing_created(hosted_pool)
    providers.update_provider(provider, details={"MetadataFile": idp.metadata(),
                                                 "IDPInit": "true"})
    done = post(browser, domain_url, idp_initiated(idp, domain_url, hosted_pool), relay)
    claims = decode(hosted_pool, callback_params(done)["id_token"], audience=app.pk)
    assert claims["cognito:username"] == f"{NAME}_jdoe"


def test_single_logout_both_ways(browser: Browser, domain_url: str, hosted_pool: UserPool,
                                 app: AppClient, idp: SamlIdp) -> None:
    callback_params(browser.submit(to_idp(browser, domain_url, app)))
    # SP-initiated: /logout goes through the IdP and back to the logout URI.
    query = urlencode({"client_id": app.pk, "logout_uri": LOGOUT})
    out = browser.get(f"{domain_url}logout?{query}")
    assert out.left_to is not None and "/slo?" in out.left_to
    back = browser.get(out.left_to)
    assert back.left_to == LOGOUT
    # IdP-initiated: a signed LogoutRequest ends the login session.
    callback_params(browser.submit(to_idp(browser, domain_url, app)))
    ended = browser.get(idp.logout_request_url(f"{domain_url}saml2/logout"))
    assert ended.left_to is not None and "/slo?" in ended.left_to, ended.text[:400]
    again = browser.get(authorize_url(domain_url, app))
    assert again.left_to is None and "/login" in again.response.url


# Attacks: each refused, nothing created or linked.

def fresh(browser: Browser, domain_url: str, client: AppClient) -> tuple[str, str]:
    return saml_response(to_idp(browser, domain_url, client))


def refused(browser: Browser, domain_url: str, pool: UserPool, xml: str | bytes,
            relay: str) -> None:
    page = post(browser, domain_url, xml, relay)
    assert page.left_to is None and page.response.status_code == 400, page.text[:400]
    nothing_created(pool)


def resign_request(browser: Browser, domain_url: str, client: AppClient, idp: SamlIdp,
                   **options: Any) -> tuple[str, str]:
    """A response to a new pending request, built by the IdP with ``options``."""
    page = browser.get(authorize_url(domain_url, client, identity_provider=NAME))
    assert page.left_to is not None
    query = {k: v[0] for k, v in parse_qs(urlsplit(page.left_to).query).items()}
    assert idp.server is not None
    message = idp.server.parse_authn_request(query["SAMLRequest"], BINDING_HTTP_REDIRECT).message
    acs = message.assertion_consumer_service_url
    xml = idp.response(in_response_to=message.id, destination=options.pop("destination", acs),
                       audience=options.pop("audience", message.issuer.text), **options)
    return xml, query.get("RelayState", "")


def test_unsigned_response_and_unsigned_assertion(
        browser: Browser, domain_url: str, hosted_pool: UserPool, app: AppClient,
        idp: SamlIdp) -> None:
    xml, relay = resign_request(browser, domain_url, app, idp, sign_response=False,
                                sign_assertion=False)
    refused(browser, domain_url, hosted_pool, xml, relay)
    xml, relay = resign_request(browser, domain_url, app, idp, sign_response=True,
                                sign_assertion=False)
    refused(browser, domain_url, hosted_pool, xml, relay)


def test_wrong_destination(browser: Browser, domain_url: str,
                                        hosted_pool: UserPool, app: AppClient,
                                        idp: SamlIdp) -> None:
    xml, relay = resign_request(browser, domain_url, app, idp,
                                destination="https://elsewhere.example.com/saml2/idpresponse")
    refused(browser, domain_url, hosted_pool, xml, relay)


def test_untrusted_signer(browser: Browser, domain_url: str, hosted_pool: UserPool,
                          app: AppClient, idp: SamlIdp) -> None:
    idp.configure(idp.sp_metadata, key_name="evil")
    xml, relay = resign_request(browser, domain_url, app, idp)
    refused(browser, domain_url, hosted_pool, xml, relay)


def test_replayed_assertion(browser: Browser, domain_url: str, hosted_pool: UserPool,
                            app: AppClient, idp: SamlIdp) -> None:
    page = to_idp(browser, domain_url, app)
    xml, relay = saml_response(page)
    callback_params(browser.submit(page))
    page = post(browser, domain_url, xml, relay)
    assert page.left_to is None and page.response.status_code == 400


def test_comment_in_the_name_id(browser: Browser, domain_url: str, hosted_pool: UserPool,
                                app: AppClient, idp: SamlIdp) -> None:
    idp.name_id = "user@evil.com.example.com"
    xml, relay = fresh(browser, domain_url, app)
    tampered = xml.replace("user@evil.com.example.com", "user@evil.com<!---->.example.com")
    assert tampered != xml
    page = post(browser, domain_url, tampered, relay)
    assert not PoolUser.objects.filter(username__iexact=f"{NAME}_user@evil.com").exists()
    if page.left_to is not None:  # accepted: then as the whole NameID
        assert PoolUser.objects.filter(
            username=f"{NAME}_user@evil.com.example.com").exists()


def xsw(xml: str, variant: int) -> bytes:
    """XML signature wrapping: a forged assertion beside or inside the signed one."""
    root = etree.fromstring(xml.encode())
    assertion = root.find(f"{{{SAML}}}Assertion")
    assert assertion is not None
    evil = copy.deepcopy(assertion)
    for signature in evil.findall(f"{{{DS}}}Signature"):
        evil.remove(signature)
    evil.set("ID", "_evil")
    name_id = evil.find(f".//{{{SAML}}}NameID")
    assert name_id is not None
    name_id.text = "admin"
    if variant == 1:  # forged assertion before the genuine one
        root.insert(list(root).index(assertion), evil)
    elif variant == 2:  # forged assertion after it
        root.append(evil)
    elif variant == 3:  # genuine assertion wrapped inside the forged one
        root.replace(assertion, evil)
        evil.append(assertion)
    elif variant == 4:  # genuine assertion moved into the forged one's Signature Object
        root.replace(assertion, evil)
        signature = assertion.find(f"{{{DS}}}Signature")
        assert signature is not None
        obj = etree.SubElement(signature, f"{{{DS}}}Object")
        obj.append(copy.deepcopy(assertion))
        evil.insert(1, signature)
    return etree.tostring(root)


@pytest.mark.parametrize("variant", [1, 2, 3, 4])
def test_signature_wrapping(browser: Browser, domain_url: str, hosted_pool: UserPool,
                            app: AppClient, idp: SamlIdp, variant: int) -> None:
    xml, relay = fresh(browser, domain_url, app)
    page = post(browser, domain_url, xsw(xml, variant), relay)
    assert page.left_to is None
    assert not PoolUser.objects.filter(username__icontains="admin").exists()
    nothing_created(hosted_pool)


def test_expired_assertion_is_refused(browser: Browser, domain_url: str,
                                     hosted_pool: UserPool, app: AppClient,
                                     idp: SamlIdp) -> None:
    idp.lifetime_minutes = -10
    idp.configure(idp.sp_metadata)
    xml, relay = resign_request(browser, domain_url, app, idp)
    refused(browser, domain_url, hosted_pool, xml, relay)


def test_not_yet_valid_assertion_is_refused(browser: Browser, domain_url: str,
                                           hosted_pool: UserPool, app: AppClient,
                                           idp: SamlIdp) -> None:
    """Conditions' NotBefore an hour ahead (past python3-saml's clock drift), signed."""
    ahead = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)).strftime(SAML_TIME)

    def tamper(root: Any) -> None:
        conditions = root.find(f"{{{SAML}}}Assertion/{{{SAML}}}Conditions")
        conditions.set("NotBefore", ahead)

    xml, relay = resign_request(browser, domain_url, app, idp, tamper=tamper)
    assert f'NotBefore="{ahead}"' in xml
    refused(browser, domain_url, hosted_pool, xml, relay)


def set_audience(root: Any) -> None:
    audience = root.find(f".//{{{SAML}}}AudienceRestriction/{{{SAML}}}Audience")
    audience.text = "urn:amazon:cognito:sp:us-east-1_another"


def set_recipient(root: Any) -> None:
    data = root.find(f".//{{{SAML}}}SubjectConfirmationData")
    data.set("Recipient", "https://elsewhere.example.com/saml2/idpresponse")


@pytest.mark.parametrize("tamper", [set_audience, set_recipient],
                         ids=["another-audience", "another-recipient"])
def test_signed_but_for_another_sp(browser: Browser, domain_url: str, hosted_pool: UserPool,
                                   app: AppClient, idp: SamlIdp,
                                   tamper: Callable[[Any], None]) -> None:
    xml, relay = resign_request(browser, domain_url, app, idp, tamper=tamper)
    assert "another" in xml or "elsewhere" in xml
    refused(browser, domain_url, hosted_pool, xml, relay)


@pytest.mark.parametrize("sign_response", [True, False], ids=["both", "assertion-only"])
def test_resigned_responses_are_genuine(browser: Browser, domain_url: str,
                                        hosted_pool: UserPool, app: AppClient, idp: SamlIdp,
                                        sign_response: bool) -> None:
    """The attacks' control: the test IdP's re-signing, changing nothing, is accepted, so a
    refusal above is for what was changed."""
    xml, relay = resign_request(browser, domain_url, app, idp, sign_response=sign_response,
                                tamper=lambda root: None)
    done = post(browser, domain_url, xml, relay)
    claims = decode(hosted_pool, callback_params(done)["id_token"], audience=app.pk)
    assert claims["cognito:username"] == f"{NAME}_jdoe"


def forged(assertion: Any) -> Any:
    """A copy of ``assertion`` with no signature, a new ID and the NameID ``admin``."""
    evil = copy.deepcopy(assertion)
    for signature in evil.findall(f"{{{DS}}}Signature"):
        evil.remove(signature)
    evil.set("ID", "_evil")
    name_id = evil.find(f".//{{{SAML}}}NameID")
    name_id.text = "admin"
    return evil


def without_signature(assertion: Any) -> Any:
    copied = copy.deepcopy(assertion)
    for signature in copied.findall(f"{{{DS}}}Signature"):
        copied.remove(signature)
    return copied


def xsw_late(xml: str, variant: int) -> bytes:
    """XSW5-8 on a response whose assertion alone is signed."""
    root = etree.fromstring(xml.encode())
    assertion = root.find(f"{{{SAML}}}Assertion")
    signature = assertion.find(f"{{{DS}}}Signature")
    assert assertion is not None and signature is not None
    evil = forged(assertion)
    if variant == 5:  # the forged assertion carries the signature; the original at the end
        evil.insert(1, copy.deepcopy(signature))
        root.replace(assertion, evil)
        root.append(without_signature(assertion))
    elif variant == 6:  # the forged one carries the signature, the original inside it
        moved = copy.deepcopy(signature)
        moved.append(without_signature(assertion))
        evil.insert(1, moved)
        root.replace(assertion, evil)
    elif variant == 7:  # the signed original in an Extensions element, the forged one bare
        extensions = etree.Element(f"{{{SAMLP}}}Extensions")
        extensions.append(copy.deepcopy(assertion))
        issuer = root.find(f"{{{SAML}}}Issuer")
        issuer.addnext(extensions)
        root.replace(assertion, evil)
    elif variant == 8:  # the forged one carries the signature, the original in its Object
        moved = copy.deepcopy(signature)
        obj = etree.SubElement(moved, f"{{{DS}}}Object")
        obj.append(without_signature(assertion))
        evil.insert(1, moved)
        root.replace(assertion, evil)
    return etree.tostring(root)


@pytest.mark.parametrize("variant", [5, 6, 7, 8])
def test_signature_wrapping_of_the_assertion(browser: Browser, domain_url: str,
                                             hosted_pool: UserPool, app: AppClient,
                                             idp: SamlIdp, variant: int) -> None:
    xml, relay = resign_request(browser, domain_url, app, idp, sign_response=False)
    wrapped = xsw_late(xml, variant)
    assert b"admin" in wrapped
    refused(browser, domain_url, hosted_pool, wrapped, relay)


@pytest.mark.parametrize("variant", [1, 2, 3, 4])
def test_signature_wrapping_with_only_the_assertion_signed(
        browser: Browser, domain_url: str, hosted_pool: UserPool, app: AppClient,
        idp: SamlIdp, variant: int) -> None:
    """XSW1-4 above, with no Response signature to fail first."""
    xml, relay = resign_request(browser, domain_url, app, idp, sign_response=False)
    refused(browser, domain_url, hosted_pool, xsw(xml, variant), relay)


def test_unsigned_logout_response_is_refused(browser: Browser, domain_url: str,
                                             hosted_pool: UserPool, app: AppClient,
                                             idp: SamlIdp) -> None:
    callback_params(browser.submit(to_idp(browser, domain_url, app)))
    idp.sign_logout = False
    query = urlencode({"client_id": app.pk, "logout_uri": LOGOUT})
    out = browser.get(f"{domain_url}logout?{query}")
    assert out.left_to is not None and "/slo?" in out.left_to
    back = browser.get(out.left_to)
    assert back.left_to is None and back.response.status_code == 400, back.text[:400]
    assert "SAMLResponse=" in back.response.url and "Signature=" not in back.response.url


@pytest.mark.django_db(transaction=True)
def test_sign_in_through_the_idp_in_chromium(tab: Tab, idp: SamlIdp, app_site: str,
                                             hosted_pool: UserPool, corp: Any,
                                             domain_url: str) -> None:
    """The authorization request names the SAML provider: to pysaml2's form page, Continue,
    the ACS, and back to the client with a code, redeemed for Cognito's tokens."""
    client = oauth_client(hosted_pool, callback_urls=[f"{app_site}/callback"],
                          supported_identity_providers=["COGNITO", NAME])
    callback = f"{app_site}/callback"
    authorization = Authorization(domain_url, client, callback, identity_provider=NAME)
    page = tab.page
    page.goto(authorization.url)
    expect(page).to_have_url(re.compile(re.escape(f"{idp.base}/sso") + r"\?"))
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(re.compile(re.escape(callback) + r"\?"))
    token = authorization.redeem(page.url)
    claims = jwt.decode(token["id_token"], options={"verify_signature": False})
    assert claims["cognito:username"] == f"{NAME}_jdoe"
    assert claims["email"] == "jdoe@example.com"
    assert claims["identities"][0]["providerName"] == NAME
    assert claims["identities"][0]["userId"] == "jdoe"
    assert claims["identities"][0]["providerType"] == "SAML"
    assert any(url.startswith(f"{domain_url}saml2/idpresponse") for url in tab.requests)
