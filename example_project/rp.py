"""A second small site inside the example: an OpenID Connect relying party that signs its
users in through the demo pool's managed login, with Authlib's Django client (the way a
separate Django project would use this server as its identity provider).

It reads the pool's discovery document, sends the browser to ``/oauth2/authorize`` with
PKCE, exchanges the code, validates the ID token (signature from the JWKS, issuer, audience,
nonce, ``at_hash``), and signs out through ``/logout``.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from authlib.integrations.django_client import OAuth
from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template import Context
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from .dev import example_templates

SESSION_KEY = "rp_user"
# The validated ID token, which the AWS page (aws.py) trades for an identity pool's
# credentials, and the example page to return to after signing in.
ID_TOKEN_KEY = "rp_id_token"
NEXT_KEY = "rp_next"


def _remote() -> Any:
    """The demo pool as an OpenID provider, registered from the current settings."""
    oauth = OAuth()
    issuer = f"{settings.COGNITO['PUBLIC_BASE_URL'].rstrip('/')}/{settings.EXAMPLE_POOL_ID}"
    return oauth.register(
        "cognito", client_id=settings.EXAMPLE_WEB_CLIENT_ID,
        server_metadata_url=f"{issuer}/.well-known/openid-configuration",
        client_kwargs={"scope": "openid email profile", "code_challenge_method": "S256",
                       "token_endpoint_auth_method": "none"})


def home(request: HttpRequest) -> HttpResponse:
    template = example_templates().get_template("example_project/rp.html")
    return HttpResponse(template.render(Context({"user": request.session.get(SESSION_KEY)})))


def login(request: HttpRequest) -> HttpResponse:
    after = request.GET.get("next", "")
    # Only a path of this site: an open redirect would carry the signed-in user anywhere.
    if after and url_has_allowed_host_and_scheme(after, allowed_hosts=None):
        request.session[NEXT_KEY] = after
    response: HttpResponse = _remote().authorize_redirect(
        request, request.build_absolute_uri(reverse("rp-callback")))
    return response


def callback(request: HttpRequest) -> HttpResponse:
    token = _remote().authorize_access_token(request)
    claims = token["userinfo"]  # the validated ID token's claims
    request.session[SESSION_KEY] = {"username": claims["cognito:username"],
                                    "email": claims.get("email", ""), "sub": claims["sub"]}
    request.session[ID_TOKEN_KEY] = token["id_token"]
    return HttpResponseRedirect(request.session.pop(NEXT_KEY, None) or reverse("rp-home"))


def logout(request: HttpRequest) -> HttpResponse:
    for key in (SESSION_KEY, ID_TOKEN_KEY):
        request.session.pop(key, None)
    metadata = _remote().load_server_metadata()
    back = request.build_absolute_uri(reverse("rp-home"))
    query = urlencode({"client_id": settings.EXAMPLE_WEB_CLIENT_ID, "logout_uri": back})
    return HttpResponseRedirect(f"{metadata['end_session_endpoint']}?{query}")
