"""TOTP enrolment page of the example project (DEBUG only).

A user of the demo pool signs in with username and password (AdminInitiateAuth with
``ADMIN_USER_PASSWORD_AUTH`` through the demo client), the page associates a software token
(AssociateSoftwareToken) and shows its ``otpauth://`` URI as a QR code with the Base32
secret; the six-digit code from the authenticator app verifies it (VerifySoftwareToken) and
makes TOTP the preferred MFA (SetUserMFAPreference). The access token between the two steps
stays in the server-side Django session, never in the page.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode

import qrcode
import qrcode.image.svg
from django import forms
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.template import Context
from django.views.decorators.http import require_http_methods

from django_cognito.exceptions import CognitoError
from django_cognito.management.commands.cognito_demo import CLIENT_NAME, POOL_NAME
from django_cognito.models import AppClient, UserPool
from django_cognito.services import access, mfa, signin

from .dev import example_templates

SESSION_KEY = "example_totp_access_token"
TEMPLATE = "example_project/totp.html"


class SignInForm(forms.Form):
    username = forms.CharField(max_length=128)
    password = forms.CharField(max_length=256, widget=forms.PasswordInput)


class CodeForm(forms.Form):
    code = forms.RegexField(
        regex=r"^\d{6}$", max_length=6, label="Code from the app",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
        error_messages={"invalid": "Enter the six digits the app shows."})


def demo_client() -> AppClient | None:
    """The demo pool's ``demo-app`` client (the pool as the passwordless example finds it)."""
    configured = (getattr(settings, "COGNITO_DEMO", None) or {}).get("PASSWORDLESS_POOL")
    pools = UserPool.objects.filter(id=configured) if configured else \
        UserPool.objects.filter(name=POOL_NAME)
    pool = pools.order_by("created_at", "id").first()
    if pool is None:
        return None
    return pool.clients.filter(name=CLIENT_NAME).order_by("created_at", "id").first()


def otpauth_uri(issuer: str, account: str, secret: str) -> str:
    """The Key URI authenticator apps read (Google Authenticator's ``otpauth://`` format)."""
    label = quote(f"{issuer}:{account}", safe=":@")
    return f"otpauth://totp/{label}?" + urlencode({"secret": secret, "issuer": issuer})


def qr_svg(data: str) -> str:
    """``data`` as an inline SVG QR code (no image library needed)."""
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage)
    svg = image.to_string(encoding="unicode")
    return svg[svg.index("<svg"):]  # drop the XML declaration: the SVG sits inside HTML


def render(request: HttpRequest, status: int = 200, **context: Any) -> HttpResponse:
    """The page with ``context`` and a CSRF token for its forms."""
    context["csrf_token"] = get_token(request)
    html = example_templates().get_template(TEMPLATE).render(Context(context))
    return HttpResponse(html, status=status)


def sign_in(request: HttpRequest, client: AppClient) -> HttpResponse:
    """Check the password, associate a new software token and show it."""
    form = SignInForm(request.POST)
    if not form.is_valid():
        return render(request, 400, form=form)
    try:
        result = signin.initiate_auth(client, "ADMIN_USER_PASSWORD_AUTH", {
            "USERNAME": form.cleaned_data["username"],
            "PASSWORD": form.cleaned_data["password"]}, admin=True)
        if result.tokens is None:
            form.add_error(None, f"The sign-in asks for {result.challenge_name}; this page "
                                 "enrols users who sign in with their password alone.")
            return render(request, 400, form=form)
        user, _ = access.user_for_access_token(result.tokens.access_token)
        secret = mfa.associate_software_token(user)
    except CognitoError as exc:
        form.add_error(None, f"{exc.code}: {exc.message}")
        return render(request, 400, form=form)
    request.session[SESSION_KEY] = result.tokens.access_token
    uri = otpauth_uri(client.pool.name, user.username, secret)
    return render(request, form=CodeForm(), secret=secret, uri=uri, qr=qr_svg(uri),
                  username=user.username)


def verify(request: HttpRequest) -> HttpResponse:
    """Verify the code from the app and make TOTP the preferred MFA."""
    form = CodeForm(request.POST)
    token = request.session.get(SESSION_KEY)
    if token is None:
        return render(request, 400, form=SignInForm(), expired=True)
    try:
        user, _ = access.user_for_access_token(token)
        if form.is_valid():
            mfa.verify_software_token(user, form.cleaned_data["code"], "example TOTP page")
            mfa.set_user_mfa_preference(
                user, software_token={"Enabled": True, "PreferredMfa": True})
            del request.session[SESSION_KEY]
            return render(request, done=True, username=user.username)
    except CognitoError as exc:
        form.add_error("code", f"{exc.code}: {exc.message}")
    return render(request, 400, form=form, verifying=True)


@require_http_methods(["GET", "POST"])
def totp_enrolment(request: HttpRequest) -> HttpResponse:
    """GET: the sign-in form; POST: sign in and associate, or verify the code."""
    if not settings.DEBUG:  # a password form for pool users is for development only
        raise Http404("The TOTP enrolment page exists only with DEBUG=True.")
    client = demo_client()
    if client is None:
        return render(request, 404, missing=True)
    if request.method == "POST" and "code" in request.POST:
        return verify(request)
    if request.method == "POST":
        return sign_in(request, client)
    return render(request, form=SignInForm())
