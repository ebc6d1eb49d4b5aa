"""The OAuth 2.0 and OpenID Connect endpoints of a domain (reference §5)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from urllib.parse import urlencode

from authlib.oauth2 import OAuth2Error
from authlib.oauth2.rfc6749.errors import InvalidRequestError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse, QueryDict
from django.utils.cache import patch_vary_headers
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from ..exceptions import CognitoError
from ..services.oauth import grants, sessions
from . import federation, federation_saml
from .context import COOKIE, Site, View, error_page, hosted, hosted_json, site_of
from .server import Client, SignedIn


def cross_origin(methods: str) -> Callable[[View], View]:
    """Let a browser app on any origin call the endpoint (Amplify fetches ``/oauth2/token``
    from the app's origin): answer the CORS preflight and name the caller's origin on every
    answer. Safe for any origin: these endpoints trust client credentials, codes with PKCE
    and tokens in the request, never the domain's cookie, and no answer allows credentials."""

    def decorate(view: View) -> View:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
            if request.method == "OPTIONS":
                response = HttpResponse(b"", status=204)
                response["Access-Control-Allow-Methods"] = methods
                response["Access-Control-Allow-Headers"] = (
                    "authorization, content-type, x-amz-user-agent, cache-control")
                response["Access-Control-Max-Age"] = "600"
            else:
                response = view(request, *args, **kwargs)
            origin = request.headers.get("Origin")
            if origin:
                response["Access-Control-Allow-Origin"] = origin
                patch_vary_headers(response, ["Origin"])
            return response
        return wrapper
    return decorate


def login_url(site: Site, request: HttpRequest) -> str:
    return f"{site.path('login')}?{request.GET.urlencode()}"


@require_GET
@hosted
def authorize(request: HttpRequest) -> HttpResponse:
    """``/oauth2/authorize``: with a live login session, a code or tokens for the client's
    redirect URI; otherwise the sign-in page with the same parameters."""
    site = site_of(request)
    server = site.server()
    try:
        grant = server.get_consent_grant(request)
    except OAuth2Error as error:
        if error.redirect_uri:
            return server.handle_error_response(request, error)
        return error_page(request, error.error, error.description or "")
    name, identifier = request.GET.get("identity_provider"), request.GET.get("idp_identifier")
    if (name and name != "COGNITO") or identifier:
        client = grant.request.client.model
        provider = federation.chosen(client, name, identifier)
        if provider is None:
            refusal = InvalidRequestError(
                "The identity provider is not enabled for this client.",
                redirect_uri=grant.redirect_uri, state=request.GET.get("state"))
            return server.handle_error_response(request, refusal)
        query = QueryDict(request.GET.urlencode(), mutable=True)
        for param in ("identity_provider", "idp_identifier"):
            query.pop(param, None)
        return federation.start(request, site, provider, client, query.urlencode())
    current = sessions.current(site.pool, request.COOKIES.get(COOKIE))
    if current is None:
        return HttpResponseRedirect(login_url(site, request))
    return server.create_authorization_response(
        request, grant_user=SignedIn(user=current.user, auth_time=current.auth_time),
        grant=grant)


@csrf_exempt
@require_http_methods(["POST", "OPTIONS"])
@hosted_json
@cross_origin("POST")
def token(request: HttpRequest) -> HttpResponse:
    """``/oauth2/token``: authorization_code, refresh_token and client_credentials."""
    server = site_of(request).server()
    try:
        return server.create_token_response(request)
    except OAuth2Error as error:  # refused before a grant ran (insecure_transport)
        return server.handle_error_response(request, error)
    except CognitoError:
        return JsonResponse({"error": "invalid_request"}, status=400)


@csrf_exempt
@require_http_methods(["POST", "OPTIONS"])
@hosted_json
@cross_origin("POST")
def revoke(request: HttpRequest) -> HttpResponse:
    """``/oauth2/revoke``: a refresh token and every token of its family."""
    server = site_of(request).server()
    try:
        response = server.create_endpoint_response("revocation", request)
    except OAuth2Error as error:  # refused before the endpoint ran (insecure_transport)
        return server.handle_error_response(request, error)
    if response.status_code == 200:
        return HttpResponse(b"", status=200)
    return response


def _bearer_error(error: str, status: int) -> JsonResponse:
    response = JsonResponse({"error": error}, status=status)
    response["WWW-Authenticate"] = f'Bearer error="{error}"'
    return response


@csrf_exempt
@require_http_methods(["GET", "POST", "OPTIONS"])
@hosted_json
@cross_origin("GET, POST")
def userinfo(request: HttpRequest) -> HttpResponse:
    """``/oauth2/userInfo``: the claims an access token with ``openid`` may read."""
    scheme, _, credentials = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not credentials.strip():
        return _bearer_error("invalid_request", 400)
    try:
        info = grants.userinfo(site_of(request).pool, credentials.strip())
    except CognitoError:
        return _bearer_error("invalid_token", 401)
    return JsonResponse(info)


@require_GET
@hosted
def logout(request: HttpRequest) -> HttpResponse:
    """``/logout``: end the login session, then go to a registered ``logout_uri``, or to the
    sign-in page for ``redirect_uri`` and ``response_type`` (reference §5)."""
    site = site_of(request)
    client = site.server().query_client(request.GET.get("client_id", ""))
    if not isinstance(client, Client):
        return error_page(request, "invalid_request", "Invalid client_id.")
    logout_uri = request.GET.get("logout_uri")
    if logout_uri is not None:
        if logout_uri not in client.model.logout_urls:
            return error_page(request, "invalid_request", "Invalid logout_uri.")
        target = logout_uri
    else:
        redirect_uri = request.GET.get("redirect_uri")
        if not redirect_uri or not client.check_redirect_uri(redirect_uri) or \
                not request.GET.get("response_type"):
            return error_page(request, "invalid_request",
                              "logout_uri, or redirect_uri and response_type, are required.")
        keep = {k: v for k, v in request.GET.items() if k != "logout_uri"}
        target = f"{site.path('login')}?{urlencode(keep)}"
    upstream = federation_saml.logout_redirect(request, site, target)
    sessions.end(request.COOKIES.get(COOKIE))
    response = upstream or HttpResponseRedirect(target)
    response.delete_cookie(COOKIE, path=site.root)
    return response
