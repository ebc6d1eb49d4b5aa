"""Sign-in with OpenID Connect and social identity providers (reference §5, §7), through
social-core's backends and their own checks.

The starter sends the browser to the IdP with social-core's ``state`` (and, for OpenID
Connect, a ``nonce``), keeping the authorization request server-side under that state. The IdP
returns the browser to ``/oauth2/idpresponse``, where the backend checks the state against
the browser's own (:class:`~.social_strategy.Box`), exchanges the code, verifies the ID token
(signature by the IdP's JWKS, ``iss``, ``aud``, ``exp``, ``iat``, the nonce, spent once) and
reads the user info; the subject and claims then go to :func:`.federation.finish`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Literal, cast
from urllib.parse import parse_qs, urlsplit

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods
from social_core.backends.amazon import AmazonOAuth2
from social_core.backends.apple import AppleIdAuth
from social_core.backends.base import BaseAuth
from social_core.backends.facebook import FacebookOAuth2
from social_core.backends.google_openidconnect import GoogleOpenIdConnect
from social_core.backends.oauth import BaseOAuth2
from social_core.backends.open_id_connect import OpenIdConnectAuth
from social_core.exceptions import AuthCanceled, SocialAuthBaseException

from ..models import AppClient, IdentityProvider, ProviderType
from ..services.clients import find_client
from . import federation
from .context import Site, error_page, hosted, site_of
from .journey import render_login
from .social_strategy import BOX_COOKIE, Box, ProviderStrategy

#: The box's entry of pending sign-ins: state → provider, client and authorization request.
PENDING = "cognito_pending"
#: Members of the token response that are no claims about the user.
TOKEN_MEMBERS = frozenset({"access_token", "id_token", "refresh_token", "token_type",
                           "expires_in", "scope"})
#: Google's endpoints, unless the provider's row names others (a stand-in in tests).
GOOGLE = {"authorize_url": "https://accounts.google.com/o/oauth2/v2/auth",
          "token_url": "https://oauth2.googleapis.com/token",
          "attributes_url": "https://openidconnect.googleapis.com/v1/userinfo",
          "jwks_uri": "https://www.googleapis.com/oauth2/v3/certs",
          "oidc_issuer": "https://accounts.google.com"}
#: The user-info endpoints social-core names for Facebook (its Graph API version filled in)
#: and Login with Amazon, and Apple's signing keys: the defaults, unless the provider's row
#: names others in its details or metadata (``authorize_url``, ``token_url``,
#: ``attributes_url``, ``jwks_uri``, ``oidc_issuer``; the API keeps Cognito's derived values
#: of these, so only a row written otherwise, a stand-in in tests, changes them).
FACEBOOK_ME = FacebookOAuth2.USER_DATA_URL
AMAZON_PROFILE = "https://api.amazon.com/user/profile"
APPLE_KEYS = AppleIdAuth.JWK_URL
SETTING_OF = {"authorize_url": "AUTHORIZATION_URL", "token_url": "ACCESS_TOKEN_URL",
              "attributes_url": "USERINFO_URL", "jwks_uri": "JWKS_URI",
              "oidc_issuer": "ID_TOKEN_ISSUER"}


class _Endpoints(BaseOAuth2[HttpResponse]):
    """Endpoints from the provider's row where it names them."""

    def authorization_url(self) -> str:
        return cast(str, self.setting("AUTHORIZATION_URL") or super().authorization_url())

    def access_token_url(self) -> str:
        return cast(str, self.setting("ACCESS_TOKEN_URL") or super().access_token_url())


class _UserInfo(OpenIdConnectAuth[HttpResponse]):
    """The userinfo endpoint with the provider's attributes_request_method; none if the
    provider has no such endpoint (the ID token's claims are then all there is)."""

    def user_data(self, access_token: str, *args: Any, **kwargs: Any) -> dict[str, Any] | None:
        url = self.setting("USERINFO_URL")
        if not url:
            return None
        method: Literal["GET", "POST"] = (
            "POST" if self.setting("ATTRIBUTES_REQUEST_METHOD") == "POST" else "GET")
        return self.validate_userinfo_sub(self.get_json(
            url, method=method, headers={"Authorization": f"Bearer {access_token}"}))


class OidcBackend(_UserInfo):
    name = "cognito-oidc"


class GoogleBackend(_UserInfo, GoogleOpenIdConnect[HttpResponse]):
    # Cognito maps Google's email_verified like any claim; it does not refuse a user whose
    # address Google has not verified (GoogleOpenIdConnect's user_data would).
    name = "cognito-google"


class FacebookBackend(_Endpoints, FacebookOAuth2[HttpResponse]):
    """Facebook's Graph API: ``/dialog/oauth``, ``/oauth/access_token``, then
    ``/me?fields=...`` (with ``appsecret_proof``) for the user; ``id`` is the subject."""

    name = "cognito-facebook"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.USER_DATA_URL = str(self.setting("USERINFO_URL") or FACEBOOK_ME)


class AmazonBackend(_Endpoints, AmazonOAuth2[HttpResponse]):
    """Login with Amazon: ``/ap/oa``, ``/auth/o2/token``, then ``/user/profile`` for the
    user; ``user_id`` is the subject."""

    name = "cognito-amazon"

    def user_data(self, access_token: str, *args: Any, **kwargs: Any) -> dict[str, Any] | None:
        response = self.get_json(str(self.setting("USERINFO_URL") or AMAZON_PROFILE),
                                 params={"access_token": access_token})
        if isinstance(response.get("Profile"), dict):  # the older shape of the answer
            profile = response["Profile"]
            response = {"user_id": profile.get("CustomerId"), "name": profile.get("Name"),
                        "email": profile.get("PrimaryEmail")}
        return cast(dict[str, Any], response)


class AppleBackend(_Endpoints, AppleIdAuth[HttpResponse]):
    """Sign in with Apple: the answer is posted (``response_mode=form_post``); the token
    request's client secret is a JWT signed (ES256) with the provider's private key, and the
    ID token is verified against Apple's keys, issuer and the client id."""

    name = "cognito-apple"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.JWK_URL = str(self.setting("JWKS_URI") or APPLE_KEYS)
        self.ID_TOKEN_ISSUER = str(self.setting("ID_TOKEN_ISSUER") or AppleIdAuth.ID_TOKEN_ISSUER)


BACKENDS: dict[str, type[BaseAuth[HttpResponse]]] = {
    ProviderType.OIDC: OidcBackend,
    ProviderType.GOOGLE: GoogleBackend,
    ProviderType.FACEBOOK: FacebookBackend,
    ProviderType.LOGIN_WITH_AMAZON: AmazonBackend,
    ProviderType.SIGN_IN_WITH_APPLE: AppleBackend,
}


def provider_settings(provider: IdentityProvider) -> dict[str, Any]:
    """social-core's settings for ``provider``, from its row."""
    details: Mapping[str, str] = provider.details or {}
    secrets = provider.secret_values()
    endpoints: dict[str, str] = {}
    if provider.provider_type == ProviderType.GOOGLE:
        endpoints.update(GOOGLE)
    endpoints.update({k: v for k, v in (provider.metadata or {}).items()
                      if k in SETTING_OF and isinstance(v, str)})
    endpoints.update({k: v for k, v in details.items() if k in SETTING_OF and v})
    values: dict[str, Any] = {SETTING_OF[k]: v for k, v in endpoints.items()}
    if "oidc_issuer" in endpoints:
        values["OIDC_ENDPOINT"] = endpoints["oidc_issuer"].rstrip("/")
    values.update({
        "KEY": details.get("client_id", ""), "SECRET": secrets.get("client_secret", ""),
        # Cognito's authorize_scopes, and only those (Facebook's are comma-separated).
        "SCOPE": [s for s in re.split(r"[\s,]+", details.get("authorize_scopes", "")) if s],
        "IGNORE_DEFAULT_SCOPE": True,
        "TOKEN_ENDPOINT_AUTH_METHOD": "client_secret_post",
        "ATTRIBUTES_REQUEST_METHOD": details.get("attributes_request_method", "GET"),
        "REQUESTS_TIMEOUT": 10,
    })
    if provider.provider_type == ProviderType.FACEBOOK:
        if details.get("api_version"):
            values["API_VERSION"] = details["api_version"].lstrip("v")
        # As Cognito does: /me?fields= the id and the attributes the mapping reads.
        mapped = [v for v in (provider.attribute_mapping or {}).values()
                  if isinstance(v, str) and re.fullmatch(r"[a-z_]+", v) and v != "id"]
        values["PROFILE_EXTRA_PARAMS"] = {"fields": ",".join(["id", *sorted(set(mapped))])}
    if provider.provider_type == ProviderType.SIGN_IN_WITH_APPLE:
        values.update({"CLIENT": details.get("client_id", ""), "TEAM": details.get("team_id"),
                       "KEY": details.get("key_id"), "SECRET": secrets.get("private_key")})
    return values


def backend_for(request: HttpRequest, site: Site, provider: IdentityProvider,
                box: Box) -> BaseAuth[HttpResponse]:
    """The provider's social-core backend for this request; its redirect URI is the domain's
    ``/oauth2/idpresponse``."""
    strategy = ProviderStrategy(request, box, provider_settings(provider))
    redirect_uri = request.build_absolute_uri(site.path("oauth2/idpresponse"))
    return BACKENDS[provider.provider_type](strategy, redirect_uri=redirect_uri)


def start(request: HttpRequest, site: Site, provider: IdentityProvider, client: AppClient,
          query: str) -> HttpResponse:
    """Send the browser to the IdP, the authorization request kept under the state."""
    box = Box(request.COOKIES.get(BOX_COOKIE))
    try:
        url = backend_for(request, site, provider, box).auth_url()
    except SocialAuthBaseException:
        return error_page(request, "invalid_request", _(
            "The identity provider %(name)s is not available.") % {"name": provider.name})
    state = parse_qs(urlsplit(url).query).get("state", [""])[0]
    pending = box.data.setdefault(PENDING, {})
    pending[state] = {"provider": provider.pk, "client": client.pk, "query": query}
    box.save()
    response = HttpResponseRedirect(url)
    box.set_cookie(response, site.root, site.secure)
    return response


def _proven(backend: BaseAuth[HttpResponse], response: Mapping[str, Any]
            ) -> tuple[str, dict[str, Any]]:
    """The subject and claims the backend verified (reference §7: OIDC, Google and Apple
    ``sub``, Facebook ``id``, Amazon ``user_id``)."""
    id_token = getattr(backend, "id_token", None)
    claims = {k: v for k, v in response.items()
              if k not in TOKEN_MEMBERS and not k.startswith("_")}  # "_": social-core's own
    if isinstance(id_token, dict):
        claims.update(id_token)  # signed claims win over the user info's
        return str(id_token.get("sub", "")), claims
    return str(response.get(backend.ID_KEY, "")), claims


def refusal(error: SocialAuthBaseException, provider: IdentityProvider,
            data: Mapping[str, str]) -> str:
    """Why the IdP's answer was refused, for the sign-in page."""
    if isinstance(error, AuthCanceled) or data.get("error"):
        code = str(data.get("error") or "access_denied")[:100]
        described = str(data.get("error_description") or "")[:300]
        return f"{code}: {described}" if described else code
    claim = getattr(error, "claim", None)
    if claim == "iss":
        return _("Bad id_token issuer")
    if claim == "aud":
        return _("Bad id_token audience")
    if getattr(error, "code", "") in ("response_expired", "response_not_yet_valid"):
        return _("id_token expired")
    if getattr(error, "code", "") in ("nonce_mismatch", "invalid_signature"):
        return _("Invalid id_token")
    return _("Error from the identity provider %(name)s.") % {"name": provider.name}


@csrf_exempt  # the IdP's answer (Apple posts it): the state is the request's proof
@require_http_methods(["GET", "POST"])
@hosted
def idp_response(request: HttpRequest) -> HttpResponse:
    """``/oauth2/idpresponse``: the IdP's answer to a sign-in started here."""
    site = site_of(request)
    data = {**request.GET.dict(), **(request.POST.dict() if request.method == "POST" else {})}
    box = Box(request.COOKIES.get(BOX_COOKIE))
    state = data.get("state", "")
    pending = box.data.get(PENDING, {}).pop(state, None) if state else None
    if not isinstance(pending, dict):
        # No sign-in of this browser waits for this state: a forged or replayed answer, or
        # one from another browser. Nothing to return to, so shown, never redirected.
        return error_page(request, "invalid_request", _("Invalid state."))
    box.save()
    query = str(pending.get("query", ""))
    provider = IdentityProvider.objects.filter(
        pool=site.pool, pk=int(pending.get("provider", 0))).select_related("pool").first()
    client = find_client(site.pool, str(pending.get("client", "")))
    if provider is None or client is None or \
            provider.name not in client.supported_identity_providers:
        return error_page(request, "invalid_request",
                          _("The identity provider is not enabled for this client."))
    backend = backend_for(request, site, provider, box)
    try:
        response = backend.auth_complete()
    except SocialAuthBaseException as error:
        return render_login(request, site, query, error=refusal(error, provider, data))
    finally:
        box.save()  # social-core spent the state's transaction
    subject, claims = _proven(backend, cast(Mapping[str, Any], response))
    return federation.finish(request, site, provider, client, subject, claims, query)


for _type in BACKENDS:
    federation.STARTERS[_type] = start
