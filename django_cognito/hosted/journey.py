"""An authorization request carried through the managed login's pages: its parameters travel
in each form (``query``) and are checked again at every step and at ``/oauth2/authorize``;
once the engine signs the user in, a login session starts and the browser goes back to
``/oauth2/authorize``. Shared by the sign-in page (``pages``) and the account pages."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from authlib.oauth2 import OAuth2Error, OAuth2Request
from authlib.oauth2.rfc6749.requests import BasicOAuth2Payload
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.utils.translation import gettext as _

from ..exceptions import NotAuthorizedException
from ..models import AppClient
from ..services import branding
from ..services.federation import providers
from ..services.oauth import sessions
from ..services.signin import choice
from ..services.signin import mfa as signin_mfa
from ..services.signin.results import AuthResult
from . import qr
from .context import COOKIE, Site

TEMPLATE = "django_cognito/hosted/login.html"
#: The field each challenge's answer is posted in, and the ChallengeResponses key it fills.
ANSWERS = {
    "SOFTWARE_TOKEN_MFA": "SOFTWARE_TOKEN_MFA_CODE",
    "SMS_MFA": "SMS_MFA_CODE",
    "EMAIL_OTP": "EMAIL_OTP_CODE",
    "SMS_OTP": "SMS_OTP_CODE",
    "SELECT_MFA_TYPE": "ANSWER",
    "NEW_PASSWORD_REQUIRED": "NEW_PASSWORD",
    "MFA_SETUP": "",
}


#: One-time codes as a first factor, offered beside the password (USER_AUTH).
CODE_FACTORS = ("EMAIL_OTP", "SMS_OTP")


def code_factors(client: AppClient) -> list[str]:
    """The one-time codes the sign-in page offers: where the client allows USER_AUTH and the
    pool's sign-in policy allows them (never where the pool requires MFA)."""
    if "ALLOW_USER_AUTH" not in client.explicit_auth_flows:
        return []
    offered = choice.available_challenges(client.pool, None)
    return [factor for factor in CODE_FACTORS if factor in offered]


def authorize_query(raw: str) -> str:
    """The authorization request's parameters, re-encoded (never more than a query)."""
    return QueryDict(raw[:4096]).urlencode()


def client_for(request: HttpRequest, site: Site, query: str) -> tuple[AppClient | None, str]:
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


def render_login(request: HttpRequest, site: Site, query: str, **context: Any) -> HttpResponse:
    context.setdefault("step", "password")
    client_id = QueryDict(query).get("client_id", "")
    context.setdefault("client_id", client_id)
    if "factors" not in context or "providers" not in context:
        client = site.server().query_client(client_id)
        model = client.model if client is not None else None
        context.setdefault("factors", code_factors(model) if model is not None else [])
        context.setdefault("providers", providers.supported_by(model) if model else [])
        context.setdefault("native", model is not None and
                           "COGNITO" in model.supported_identity_providers)
    context.setdefault("branding", branding.for_client(site.pool, client_id)
                       if client_id else None)
    return render(request, TEMPLATE, {"site": site, "query": query,
                                      "authorize": site.path("oauth2/authorize"),
                                      "pool": site.pool, **context},
                  status=400 if context.get("error") else 200)


def signed_in(site: Site, result: AuthResult, query: str) -> HttpResponse:
    user = result.user
    if user is None:
        raise NotAuthorizedException("Incorrect username or password.")
    token = sessions.start(user)
    response = HttpResponseRedirect(f"{site.path('oauth2/authorize')}?{query}")
    response.set_cookie(COOKIE, token, max_age=int(sessions.LIFETIME.total_seconds()),
                        path=site.root, secure=site.secure, httponly=True, samesite="Lax")
    return response


def challenge_context(result: AuthResult, username: str) -> dict[str, Any]:
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


def enrolment_step(site: Site, context: dict[str, Any]) -> dict[str, Any]:
    """MFA_SETUP: a secret to enrol, shown as a QR code and as text."""
    secret, session = signin_mfa.associate_with_session(context["session"])
    return {**context, "session": session, **enrolment(site, context["username"], secret)}


def enrolment(site: Site, username: str, secret: str) -> dict[str, str]:
    label = quote(f"{site.pool.name}:{username}")
    uri = f"otpauth://totp/{label}?secret={secret}&issuer={quote(site.pool.name)}"
    return {"secret": secret, "qr": qr.svg_data_uri(uri)}


def continue_sign_in(request: HttpRequest, site: Site, query: str, result: AuthResult,
           username: str) -> HttpResponse:
    if result.challenge_name is None:
        return signed_in(site, result, query)
    context = challenge_context(result, username)
    if context["step"] == "SELECT_CHALLENGE":  # the code asked for cannot reach this user
        return render_login(request, site, query, username=username, error=_(
            "A code cannot be sent to this account. Sign in with your password."))
    if context["step"] not in ANSWERS:
        return render_login(request, site, query, error=_(
            "This sign-in needs a step the managed login does not offer."))
    if context["step"] == "MFA_SETUP":
        context = enrolment_step(site, context)
    return render_login(request, site, query, **context)


