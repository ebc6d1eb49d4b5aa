"""SAML 2.0 sign-in on the managed login, through python3-saml (reference §5, §7).

- ``/oauth2/authorize`` with a SAML provider sends an AuthnRequest with the HTTP-Redirect
  binding (signed when the provider has RequestSigningAlgorithm); its id is remembered with
  the authorization request for five minutes (``services.federation.saml_sp``).
- ``/saml2/idpresponse`` (HTTP-POST) takes the IdP's answer: an answer to a pending request,
  or, with IDPInit, an unsolicited one whose RelayState holds the authorization request's
  parameters. python3-saml checks it in strict mode; the NameID is the subject and the
  attributes the claims.
- ``/saml2/logout``: the IdP's LogoutRequest ends the login session; its LogoutResponse ends a
  sign-out started at ``/logout`` (IDPSignout). Both must be signed (HTTP-Redirect's
  Signature).
- ``/saml2/metadata``: the service provider's metadata, to configure the IdP with.
"""

from __future__ import annotations

import base64
import binascii
import secrets
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from onelogin.saml2.auth import OneLogin_Saml2_Auth
from onelogin.saml2.logout_request import OneLogin_Saml2_Logout_Request
from onelogin.saml2.settings import OneLogin_Saml2_Settings
from onelogin.saml2.xml_utils import OneLogin_Saml2_XML

from ..models import AppClient, IdentityProvider, ProviderType
from ..services.federation import details as provider_details
from ..services.federation import saml_sp
from ..services.oauth import sessions
from . import federation
from .context import COOKIE, Site, error_page, hosted, site_of
from .journey import authorize_query, client_for

PROTOCOL = "urn:oasis:names:tc:SAML:2.0:protocol"
ASSERTION = "urn:oasis:names:tc:SAML:2.0:assertion"
INVALID = "Invalid SAML response"


def endpoints(request: HttpRequest, site: Site) -> saml_sp.Endpoints:
    return saml_sp.Endpoints(acs=request.build_absolute_uri(site.path("saml2/idpresponse")),
                             logout=request.build_absolute_uri(site.path("saml2/logout")))


def request_data(request: HttpRequest) -> dict[str, Any]:
    """The request as python3-saml reads it (its own URL checks the Destination)."""
    return {"https": "on" if request.is_secure() else "off", "http_host": request.get_host(),
            "script_name": request.path, "get_data": request.GET.dict(),
            "post_data": request.POST.dict(), "query_string": request.META.get(
                "QUERY_STRING", "")}


def _auth(request: HttpRequest, site: Site, provider: IdentityProvider, *,
          decrypting: bool = False, messages_signed: bool = False) -> Any:
    auth = OneLogin_Saml2_Auth(request_data(request), saml_sp.settings(
        provider, endpoints(request, site), decrypting=decrypting,
        messages_signed=messages_signed))
    auth.response_class = saml_sp.Response
    return auth


def start(request: HttpRequest, site: Site, provider: IdentityProvider, client: AppClient,
          query: str) -> HttpResponse:
    """Send the browser to the IdP with an AuthnRequest (HTTP-Redirect)."""
    auth = _auth(request, site, provider)
    relay = secrets.token_urlsafe(16)
    location = auth.login(return_to=relay)
    saml_sp.remember_request(provider, auth.get_last_request_id(), client.pk, query)
    return HttpResponseRedirect(location)


federation.STARTERS[ProviderType.SAML] = start


def _document(encoded: str) -> Any:
    """The response's XML, parsed without DTDs or entities (python3-saml's parser)."""
    try:
        xml = base64.b64decode(encoded, validate=False)
        return OneLogin_Saml2_XML.to_etree(xml)
    except (binascii.Error, ValueError, Exception):  # noqa: BLE001 (untrusted XML)
        return None


def _unsolicited(request: HttpRequest, site: Site, issuer: str
                 ) -> tuple[IdentityProvider, AppClient, str] | str:
    """An IdP-initiated answer: its provider (IDPInit), and the client and authorization
    request its RelayState names; or why it is refused."""
    found = [p for p in saml_sp.saml_providers(site.pool, issuer)
             if provider_details.flag(p.details, "IDPInit")]
    if len(found) != 1:
        return "Unsolicited SAML responses are not accepted from this identity provider."
    provider = found[0]
    relay = QueryDict(request.POST.get("RelayState", "")[:4096], mutable=True)
    for param in ("identity_provider", "idp_identifier"):
        relay.pop(param, None)
    query = authorize_query(relay.urlencode())
    client, reason = client_for(request, site, query)
    if client is None:
        return reason or "invalid_request"
    if provider.name not in client.supported_identity_providers:
        return "The identity provider is not enabled for this client."
    return provider, client, query


@csrf_exempt
@require_POST
@hosted
def idpresponse(request: HttpRequest) -> HttpResponse:
    """``/saml2/idpresponse``: the IdP's SAMLResponse (HTTP-POST)."""
    site = site_of(request)
    encoded = request.POST.get("SAMLResponse", "")
    if not encoded or len(encoded) > saml_sp.MAX_RESPONSE_CHARS * 2:
        return error_page(request, "invalid_request", INVALID)
    document = _document(encoded)
    if document is None or document.tag != f"{{{PROTOCOL}}}Response":
        return error_page(request, "invalid_request", INVALID)
    in_response_to = document.get("InResponseTo")
    if in_response_to:
        pending = saml_sp.take_request(site.pool, in_response_to)
        if pending is None:
            return error_page(request, "invalid_request",
                              "The SAML request expired or was already answered.")
        provider = IdentityProvider.objects.select_related("pool").filter(
            pk=pending["provider"], pool=site.pool).first()
        client = AppClient.objects.filter(pool=site.pool, pk=pending["client"]).first()
        if provider is None or client is None:
            return error_page(request, "invalid_request", INVALID)
        query = pending["query"]
    else:
        issuers = document.findall(f"{{{ASSERTION}}}Issuer")
        issuer = (issuers[0].text or "").strip() if len(issuers) == 1 else ""
        found = _unsolicited(request, site, issuer)
        if isinstance(found, str):
            return error_page(request, "invalid_request", found)
        provider, client, query = found
    return _accept(request, site, provider, client, query, in_response_to or None)


def _accept(request: HttpRequest, site: Site, provider: IdentityProvider, client: AppClient,
            query: str, request_id: str | None) -> HttpResponse:
    auth = _auth(request, site, provider, decrypting=True)
    try:
        auth.process_response(request_id=request_id)
    except Exception:  # noqa: BLE001 (python3-saml raises plain errors on malformed input)
        return error_page(request, "invalid_request", INVALID)
    if auth.get_errors() or not auth.is_authenticated():
        return error_page(request, "invalid_request", INVALID)
    assertion_id = auth.get_last_assertion_id()
    if not assertion_id or not saml_sp.first_use_of_assertion(
            provider, assertion_id, auth.get_last_assertion_not_on_or_after()):
        return error_page(request, "invalid_request", "The SAML assertion was already used.")
    subject = auth.get_nameid() or ""
    claims = {name: list(values) for name, values in (auth.get_attributes() or {}).items()}
    response = federation.finish(request, site, provider, client, subject, claims, query)
    cookie = response.cookies.get(COOKIE)
    if cookie is not None and cookie.value:
        saml_sp.remember_session(
            cookie.value, provider, subject, auth.get_nameid_format(),
            auth.get_session_index(), int(sessions.LIFETIME.total_seconds()))
    return response


@require_GET
@hosted
def metadata(request: HttpRequest) -> HttpResponse:
    """``/saml2/metadata``: the SP's metadata (entity id, ACS, SLO, signing certificate)."""
    site = site_of(request)
    provider = IdentityProvider(pool=site.pool, provider_type=ProviderType.SAML,
                                details={"RequestSigningAlgorithm": "rsa-sha256"})
    config = saml_sp.settings(provider, endpoints(request, site))
    xml = OneLogin_Saml2_Settings(config, sp_validation_only=True).get_sp_metadata()
    return HttpResponse(xml, content_type="application/samlmetadata+xml")


def logout_redirect(request: HttpRequest, site: Site, target: str) -> HttpResponse | None:
    """Where ``/logout`` goes for a session a SAML provider with IDPSignout started: to the
    IdP with a LogoutRequest, back at ``/saml2/logout``, then to ``target``."""
    remembered = saml_sp.saml_session(request.COOKIES.get(COOKIE))
    if remembered is None:
        return None
    provider = IdentityProvider.objects.select_related("pool").filter(
        pk=remembered["provider"], pool=site.pool).first()
    if provider is None or not provider_details.flag(provider.details, "IDPSignout") or \
            not (provider.metadata or {}).get("slo_redirect_url"):
        return None
    state = secrets.token_urlsafe(16)
    auth = _auth(request, site, provider)
    location = auth.logout(
        return_to=state, name_id=remembered["name_id"],
        session_index=remembered["session_index"], name_id_format=remembered["format"])
    saml_sp.remember_logout(state, {"target": target, "provider": provider.pk,
                                    "request": auth.get_last_request_id()})
    return HttpResponseRedirect(location)


@csrf_exempt
@require_http_methods(["GET", "POST"])
@hosted
def logout(request: HttpRequest) -> HttpResponse:
    """``/saml2/logout``: a LogoutRequest from the IdP or the LogoutResponse to ours."""
    site = site_of(request)
    token = request.COOKIES.get(COOKIE)
    remembered = saml_sp.saml_session(token)
    if request.GET.get("SAMLResponse"):
        return _logout_response(request, site)
    if not request.GET.get("SAMLRequest") or not request.GET.get("Signature") or \
            remembered is None:
        return error_page(request, "invalid_request", "Invalid SAML logout request.")
    provider = IdentityProvider.objects.select_related("pool").filter(
        pk=remembered["provider"], pool=site.pool).first()
    if provider is None or not provider_details.flag(provider.details, "IDPSignout"):
        return error_page(request, "invalid_request", "Invalid SAML logout request.")
    auth = _auth(request, site, provider, messages_signed=True)
    ended: list[bool] = []

    def end() -> None:
        ended.append(True)

    try:
        location = auth.process_slo(delete_session_cb=end)
    except Exception:  # noqa: BLE001
        return error_page(request, "invalid_request", "Invalid SAML logout request.")
    if auth.get_errors() or not ended or OneLogin_Saml2_Logout_Request.get_nameid(
            auth.get_last_request_xml()) != remembered["name_id"]:
        return error_page(request, "invalid_request", "Invalid SAML logout request.")
    sessions.end(token)
    saml_sp.forget_session(token)
    response = HttpResponseRedirect(location) if location else HttpResponse(b"", status=200)
    response.delete_cookie(COOKIE, path=site.root)
    return response


def _logout_response(request: HttpRequest, site: Site) -> HttpResponse:
    """The IdP's LogoutResponse to the LogoutRequest ``/logout`` sent: on to its target."""
    pending = saml_sp.take_logout(request.GET.get("RelayState", ""))
    provider = IdentityProvider.objects.select_related("pool").filter(
        pk=pending["provider"], pool=site.pool).first() if pending else None
    if pending is None or provider is None:
        return error_page(request, "invalid_request", "Invalid SAML logout response.")
    auth = _auth(request, site, provider, messages_signed=True)
    try:
        auth.process_slo(request_id=pending["request"], keep_local_session=True)
    except Exception:  # noqa: BLE001
        return error_page(request, "invalid_request", "Invalid SAML logout response.")
    if auth.get_errors():
        return error_page(request, "invalid_request", "Invalid SAML logout response.")
    return HttpResponseRedirect(pending["target"])
