"""The managed login's account pages (reference §5): sign up (``/signup``), confirm an
account with the code it was sent (``/confirmUser``), and reset a forgotten password
(``/forgotPassword``, then ``/confirmforgotPassword``).

Each page calls the service behind the API operation of the same name (SignUp,
ConfirmSignUp, ResendConfirmationCode, ForgotPassword, ConfirmForgotPassword) for the app
client of the authorization request it serves, so policies, limits, triggers and
PreventUserExistenceErrors answer here as they do there, in Cognito's words. As on the
sign-in page, the request's parameters travel in the ``query`` field and are checked on
every request; a page opened with ``username`` in its query starts with that username.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods

from ..crypto.secrets import secret_hash
from ..exceptions import CognitoError
from ..models import AppClient
from ..services import branding, recovery, signin, signup
from . import account_fields
from .context import Site, error_page, hosted, site_of
from .journey import authorize_query, client_for, continue_sign_in, render_login

SIGN_UP = "django_cognito/hosted/signup.html"
CONFIRM_USER = "django_cognito/hosted/confirm_user.html"
FORGOT_PASSWORD = "django_cognito/hosted/forgot_password.html"
CONFIRM_FORGOT_PASSWORD = "django_cognito/hosted/confirm_forgot_password.html"
#: Cognito's limit on a username (botocore's UsernameType).
MAX_USERNAME = 128


@dataclass
class Visit:
    """One request to an account page: where, for which authorization request and client."""

    request: HttpRequest
    site: Site
    query: str
    client: AppClient
    username: str

    @property
    def posted(self) -> bool:
        return self.request.method == "POST"

    def field(self, name: str, limit: int = 2048) -> str:
        return str(self.request.POST.get(name, "")).strip()[:limit]

    @property
    def secret_hash(self) -> str | None:
        """SECRET_HASH as the client computes it: the managed login is the client's own page
        and holds its secret, as Cognito's does."""
        secret = self.client.secret
        return secret_hash(secret, self.username, self.client.id) if secret else None

    def render(self, template: str, **context: Any) -> HttpResponse:
        context.setdefault("username", self.username)
        return render(self.request, template, {
            "site": self.site, "query": self.query, "pool": self.site.pool,
            "client_id": self.client.id,
            "branding": branding.for_client(self.site.pool, self.client.id),
            "username_field": account_fields.username_field(self.site.pool), **context},
            status=400 if context.get("error") else 200)


def account_page(view: Callable[[Visit], HttpResponse]) -> Callable[..., HttpResponse]:
    """A page of a domain, for a valid authorization request, GET to show and POST to act."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest) -> HttpResponse:
        site = site_of(request)
        if request.method == "POST":
            raw, username = request.POST.get("query", ""), request.POST.get("username", "")
        else:
            params = request.GET.copy()
            username = (params.pop("username", None) or [""])[-1]
            raw = params.urlencode()
        query = authorize_query(raw)
        client, problem = client_for(request, site, query)
        if client is None:
            return error_page(request, "invalid_request", problem)
        if "COGNITO" not in client.supported_identity_providers:  # only its IdPs sign in
            return error_page(request, "invalid_request",
                              "The client does not allow accounts of the user pool itself.")
        return view(Visit(request, site, query, client, str(username).strip()))

    # CSRF is checked here too, whether or not the project runs CsrfViewMiddleware.
    return require_http_methods(["GET", "POST"])(csrf_protect(hosted(wrapper)))


def _missing(visit: Visit, *names: str) -> str:
    """What is wrong with the inputs ``names``: an empty one, or a username longer than
    Cognito takes ("" when nothing is). The API refuses these before any service runs."""
    labels = {"username": account_fields.username_field(visit.site.pool).label,
              "password": _("Password"), "code": _("Code")}
    for name in names:
        value = visit.username if name == "username" else visit.field(name)
        if not value:
            return _("%(field)s cannot be empty.") % {"field": labels[name]}
    if len(visit.username) > MAX_USERNAME:
        return _("%(field)s is too long.") % {"field": labels["username"]}
    return ""


@account_page
def sign_up(visit: Visit) -> HttpResponse:
    """``/signup``: a username, a password and the pool's required attributes (SignUp)."""
    pool = visit.site.pool
    if pool.admin_create_user_only:
        return error_page(visit.request, "invalid_request",
                          "SignUp is not permitted for this user pool")
    fields = account_fields.sign_up_fields(pool)
    values = {f.name: visit.field(f.name) for f in fields}

    def form(**context: Any) -> HttpResponse:
        # The focus goes to the first field left to fill: the password, which is never
        # sent back, once the rest are filled in.
        focus = "username" if not visit.username else next(
            (f.name for f in fields if not values[f.name]), "password")
        return visit.render(SIGN_UP, fields=[(f, values[f.name]) for f in fields],
                            rules=account_fields.password_rules(pool), focus=focus, **context)

    if not visit.posted:
        return form()
    password = str(visit.request.POST.get("password", ""))
    if problem := _missing(visit, "username", "password"):
        return form(error=problem)
    try:
        result = signup.sign_up(visit.client, visit.username, password,
                                [{"Name": k, "Value": v} for k, v in values.items() if v],
                                secret_hash=visit.secret_hash)
    except CognitoError as error:
        return form(error=error.message)
    if result.confirmed:  # by the pre sign-up trigger: sign in with the new password
        return _signing_in(visit, lambda: signin.hosted_sign_in(
            visit.client, visit.username, password))
    if result.code_delivery is None:  # no auto-verified attribute: an administrator confirms
        return render_login(visit.request, visit.site, visit.query, username=visit.username,
                     notice=_("Your account was created. It must be confirmed by an "
                              "administrator before you can sign in."))
    return visit.render(CONFIRM_USER, destination=result.code_delivery["Destination"])


@account_page
def confirm_user(visit: Visit) -> HttpResponse:
    """``/confirmUser``: the code sent at sign-up (ConfirmSignUp), or a new one
    (ResendConfirmationCode); once confirmed, the user is signed in."""
    if not visit.posted:
        return visit.render(CONFIRM_USER)
    resend = visit.request.POST.get("action") == "resend"
    # Where the last code went, as the page said (masked, and only ever shown back escaped).
    sent_to = visit.field("destination", 64)
    if problem := _missing(visit, "username", *(() if resend else ("code",))):
        return visit.render(CONFIRM_USER, error=problem, destination=sent_to)
    try:
        if resend:
            details = signup.resend_confirmation_code(visit.client, visit.username,
                                                      secret_hash=visit.secret_hash)
            return visit.render(CONFIRM_USER, destination=details.get("Destination", ""),
                                notice=_("We sent you a new code."))
        user = signup.confirm_sign_up(visit.client, visit.username, visit.field("code", 64),
                                      secret_hash=visit.secret_hash)
    except CognitoError as error:
        return visit.render(CONFIRM_USER, error=error.message, destination=sent_to)
    # The code proved the contact: signed in as ConfirmSignUp's Session signs in (USER_AUTH).
    return _signing_in(visit, lambda: signin.hosted_sign_in_after_confirmation(
        visit.client, user), notice=_("Your account is confirmed. Sign in to continue."))


@account_page
def forgot_password(visit: Visit) -> HttpResponse:
    """``/forgotPassword``: a code to reset the password with (ForgotPassword)."""
    if not visit.posted:
        return visit.render(FORGOT_PASSWORD)
    if problem := _missing(visit, "username"):
        return visit.render(FORGOT_PASSWORD, error=problem)
    try:
        details = recovery.forgot_password(visit.client, visit.username,
                                           secret_hash=visit.secret_hash)
    except CognitoError as error:
        return visit.render(FORGOT_PASSWORD, error=error.message)
    return visit.render(CONFIRM_FORGOT_PASSWORD, destination=details.get("Destination", ""),
                        rules=account_fields.password_rules(visit.site.pool))


@account_page
def confirm_forgot_password(visit: Visit) -> HttpResponse:
    """``/confirmforgotPassword``: the code and a new password (ConfirmForgotPassword), then
    the sign-in page."""
    rules = account_fields.password_rules(visit.site.pool)
    if not visit.posted:
        return visit.render(CONFIRM_FORGOT_PASSWORD, rules=rules)
    if problem := _missing(visit, "username", "code", "password"):
        return visit.render(CONFIRM_FORGOT_PASSWORD, error=problem, rules=rules)
    try:
        recovery.confirm_forgot_password(
            visit.client, visit.username, visit.field("code", 64),
            str(visit.request.POST.get("password", "")), secret_hash=visit.secret_hash)
    except CognitoError as error:
        return visit.render(CONFIRM_FORGOT_PASSWORD, error=error.message, rules=rules)
    return render_login(visit.request, visit.site, visit.query, username=visit.username,
                 notice=_("Your password has been reset. Sign in with your new password."))


def _signing_in(visit: Visit, sign_in: Callable[[], signin.AuthResult],
                notice: str = "") -> HttpResponse:
    """Sign in after sign-up or confirmation: the login session, or the next challenge on
    the sign-in page; a refusal (a trigger's, a lockout) shows there too."""
    try:
        result = sign_in()
    except CognitoError as error:
        return render_login(visit.request, visit.site, visit.query, username=visit.username,
                     error=error.message, notice=notice)
    return continue_sign_in(visit.request, visit.site, visit.query, result, visit.username)
