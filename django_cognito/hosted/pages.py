"""The managed login's sign-in page: a password, or a one-time code where the client allows
choice-based sign-in (USER_AUTH), then every challenge the sign-in engine asks (reference
§5). No JavaScript: each step is a form posted back here. A challenge's Session travels in
the form (it is encrypted and bound to its client, user and challenge)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.views.decorators.http import require_http_methods

from ..exceptions import (
    CognitoError,
    PasswordResetRequiredException,
    UserNotConfirmedException,
)
from ..models import AppClient
from ..services import signin
from ..services.signin import mfa as signin_mfa
from ..services.signin.results import AuthResult
from .context import Site, error_page, hosted, site_of
from .journey import (
    ANSWERS,
    authorize_query,
    client_for,
    code_factors,
    continue_sign_in,
    enrolment,
    render_login,
)


def _first_factor(client: AppClient, username: str, factor: str, password: str) -> AuthResult:
    if factor in code_factors(client):
        return signin.hosted_initiate(client, "USER_AUTH",
                                      {"USERNAME": username, "PREFERRED_CHALLENGE": factor})
    return signin.hosted_sign_in(client, username, password)


def _account_page(site: Site, name: str, query: str, username: str) -> HttpResponse:
    """Where a sign-in goes whose account must be confirmed or its password reset first."""
    return HttpResponseRedirect(f"{site.path(name)}?{query}&{urlencode({'username': username})}")


@require_http_methods(["GET", "POST"])
@hosted
def login(request: HttpRequest) -> HttpResponse:
    """``/login``: the sign-in page of an authorization request, and each challenge after."""
    site = site_of(request)
    raw = request.GET.urlencode() if request.method == "GET" else request.POST.get("query", "")
    query = authorize_query(raw)
    client, problem = client_for(request, site, query)
    if client is None:
        return error_page(request, "invalid_request", problem)
    factors = code_factors(client)
    if request.method == "GET":
        return render_login(request, site, query, factors=factors)
    step = request.POST.get("step", "password")
    username = request.POST.get("username", "")[:128]
    if "COGNITO" not in client.supported_identity_providers:  # only its IdPs sign in
        return render_login(request, site, query, error="The client does not allow "
                            "signing in with a username and password.")
    try:
        if step == "password":
            result = _first_factor(client, username, request.POST.get("factor", ""),
                                   request.POST.get("password", ""))
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
            return render_login(request, site, query, error="Unknown step.")
    except UserNotConfirmedException:
        return _account_page(site, "confirmUser", query, username)
    except PasswordResetRequiredException:
        return _account_page(site, "forgotPassword", query, username)
    except CognitoError as error:
        context: dict[str, Any] = {"error": error.message, "username": username,
                                   "factors": factors}
        if step != "password":
            context.update(step=step, session=request.POST.get("session", ""))
        if step == "MFA_SETUP":
            context.update(enrolment(site, username, request.POST.get("secret", "")[:64]))
        return render_login(request, site, query, **context)
    return continue_sign_in(request, site, query, result, username)
