"""The managed login's pages: sign in, then every challenge the sign-in engine asks
(reference §5). No JavaScript: each step is a form posted back here. A challenge's Session
travels in the form (it is encrypted and bound to its client, user and challenge); the
authorization request's parameters travel with it and are checked again at
``/oauth2/authorize`` once the user is signed in."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote, urlencode

from authlib.oauth2 import OAuth2Error, OAuth2Request
from authlib.oauth2.rfc6749.requests import BasicOAuth2Payload
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from ..exceptions import (
    CognitoError,
    NotAuthorizedException,
    PasswordResetRequiredException,
    UserNotConfirmedException,
)
from ..models import AppClient
from ..services import branding, signin
from ..services.oauth import sessions
from ..services.signin import mfa as signin_mfa
from ..services.signin.results import AuthResult
from . import qr
from .context import Site, hosted, site_of
from .oauth_views import COOKIE, error_page

TEMPLATE = "django_cognito/hosted/login.html"
#: The field each challenge's answer is posted in, and the ChallengeResponses key it fills.
ANSWERS = {
    "SOFTWARE_TOKEN_MFA": "SOFTWARE_TOKEN_MFA_CODE",
    "SMS_MFA": "SMS_MFA_CODE",
    "EMAIL_OTP": "EMAIL_OTP_CODE",
    "SELECT_MFA_TYPE": "ANSWER",
    "NEW_PASSWORD_REQUIRED": "NEW_PASSWORD",
    "MFA_SETUP": "",
}


def _authorize_query(raw: str) -> str:
    """The authorization request's parameters, re-encoded (never more than a query)."""
    return QueryDict(raw[:4096]).urlencode()


def _client(request: HttpRequest, site: Site, query: str) -> tuple[AppClient | None, str]:
    """The client of a valid authorization request, or the reason there is none."""
    try:
        # Authlib refuses plain http other than on loopback (insecure_transport).
        authorization = OAuth2Request(
            "GET", request.build_absolute_uri(site.path("oauth2/authorize") + "?" + query))
        authorization.payload = BasicOAuth2Payload(QueryDict(query).dict())
        grant = site.server().get_consent_grant(authorization)
    except OAuth2Error as error:
        return None, error.description or error.error
    return grant.request.client.model, ""


def _page(request: HttpRequest, site: Site, query: str, **context: Any) -> HttpResponse:
    context.setdefault("step", "password")
    client_id = QueryDict(query).get("client_id", "")
    context.setdefault("client_id", client_id)
    context.setdefault("branding", branding.for_client(site.pool, client_id)
                       if client_id else None)
    return render(request, TEMPLATE, {"site": site, "query": query,
                                      "authorize": site.path("oauth2/authorize"),
                                      "pool": site.pool, **context},
                  status=400 if context.get("error") else 200)


def _signed_in(site: Site, result: AuthResult, query: str) -> HttpResponse:
    user = result.user
    if user is None:
        raise NotAuthorizedException("Incorrect username or password.")
    token = sessions.start(user)
    response = HttpResponseRedirect(f"{site.path('oauth2/authorize')}?{query}")
    response.set_cookie(COOKIE, token, max_age=int(sessions.LIFETIME.total_seconds()),
                        path=site.root, secure=site.secure, httponly=True, samesite="Lax")
    return response


def _challenge_context(result: AuthResult, username: str) -> dict[str, Any]:
    name = result.challenge_name or ""
    params = result.challenge_parameters
    context: dict[str, Any] = {"step": name, "session": result.session,
                               "username": params.get("USER_ID_FOR_SRP", username),
                               "destination": params.get("CODE_DELIVERY_DESTINATION", "")}
    if name == "SELECT_MFA_TYPE":
        context["options"] = json.loads(params.get("MFAS_CAN_CHOOSE", "[]"))
    if name == "NEW_PASSWORD_REQUIRED":
        context["required"] = json.loads(params.get("requiredAttributes", "[]"))
    return context


def _setup(site: Site, context: dict[str, Any]) -> dict[str, Any]:
    """MFA_SETUP: a secret to enrol, shown as a QR code and as text."""
    secret, session = signin_mfa.associate_with_session(context["session"])
    return {**context, "session": session, **_enrolment(site, context["username"], secret)}


def _enrolment(site: Site, username: str, secret: str) -> dict[str, str]:
    label = quote(f"{site.pool.name}:{username}")
    uri = f"otpauth://totp/{label}?secret={secret}&issuer={quote(site.pool.name)}"
    return {"secret": secret, "qr": qr.svg_data_uri(uri)}


def _after(request: HttpRequest, site: Site, query: str, result: AuthResult,
           username: str) -> HttpResponse:
    if result.challenge_name is None:
        return _signed_in(site, result, query)
    context = _challenge_context(result, username)
    if context["step"] not in ANSWERS:
        return _page(request, site, query, error="This sign-in needs a step the managed login "
                     "does not offer.")
    if context["step"] == "MFA_SETUP":
        context = _setup(site, context)
    return _page(request, site, query, **context)


def _account_page(site: Site, name: str, query: str, username: str) -> HttpResponse:
    """Where a sign-in goes whose account must be confirmed or its password reset first."""
    return HttpResponseRedirect(f"{site.path(name)}?{query}&{urlencode({'username': username})}")


@require_http_methods(["GET", "POST"])
@hosted
def login(request: HttpRequest) -> HttpResponse:
    """``/login``: the sign-in page of an authorization request, and each challenge after."""
    site = site_of(request)
    raw = request.GET.urlencode() if request.method == "GET" else request.POST.get("query", "")
    query = _authorize_query(raw)
    client, problem = _client(request, site, query)
    if client is None:
        return error_page(request, "invalid_request", problem)
    if request.method == "GET":
        return _page(request, site, query)
    step = request.POST.get("step", "password")
    username = request.POST.get("username", "")[:128]
    try:
        if step == "password":
            result = signin.hosted_sign_in(client, username, request.POST.get("password", ""))
        elif step == "MFA_SETUP":
            session = signin_mfa.verify_with_session(request.POST.get("session"),
                                                     request.POST.get("code", ""))
            result = signin.respond_to_auth_challenge(
                client, "MFA_SETUP", {"USERNAME": username}, session, hosted=True)
        elif step in ANSWERS:
            answers = {"USERNAME": username, ANSWERS[step]: str(request.POST.get("answer", ""))}
            for name, value in request.POST.items():
                if name.startswith("userAttributes."):
                    answers[name] = str(value)
            result = signin.respond_to_auth_challenge(
                client, step, answers, request.POST.get("session"), hosted=True)
        else:
            return _page(request, site, query, error="Unknown step.")
    except UserNotConfirmedException:
        return _account_page(site, "confirmUser", query, username)
    except PasswordResetRequiredException:
        return _account_page(site, "forgotPassword", query, username)
    except CognitoError as error:
        context: dict[str, Any] = {"error": error.message, "username": username}
        if step != "password":
            context.update(step=step, session=request.POST.get("session", ""))
        if step == "MFA_SETUP":
            context.update(_enrolment(site, username, request.POST.get("secret", "")[:64]))
        return _page(request, site, query, **context)
    return _after(request, site, query, result, username)
