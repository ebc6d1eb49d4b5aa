"""Signing in with a third-party identity provider from the managed login (reference §5, §7).

``/oauth2/authorize`` with ``identity_provider`` (a provider's name) or ``idp_identifier``
(one of its IdpIdentifiers, or the domain of an email address) skips the sign-in page and
sends the browser to the provider, as do the page's provider buttons. Each protocol registers
a *starter* for its provider types (``STARTERS``): it sends the browser to the IdP with the
authorization request's query kept server-side, and its callback (``/oauth2/idpresponse``,
``/saml2/idpresponse``) proves who the IdP says the user is and calls :func:`finish`.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from ..exceptions import CognitoError, ResourceNotFoundException
from ..models import AppClient, IdentityProvider
from ..services.federation import providers
from ..services.federation.signin import Claims, sign_in_external
from ..services.signin.results import AuthResult
from .context import Site, error_page
from .journey import render_login, signed_in

COGNITO = "COGNITO"
#: Provider type → ``starter(request, site, provider, client, query)``.
Starter = Callable[[HttpRequest, Site, IdentityProvider, AppClient, str], HttpResponse]
STARTERS: dict[str, Starter] = {}


def chosen(client: AppClient, name: str | None, identifier: str | None
           ) -> IdentityProvider | None:
    """The provider ``identity_provider`` or ``idp_identifier`` names, if the client supports
    it; an identifier may also be an email address whose domain is one (reference §7)."""
    pool = client.pool
    try:
        if name:
            provider = providers.get_provider(pool, name)
        elif identifier:
            try:
                provider = providers.provider_by_identifier(pool, identifier)
            except ResourceNotFoundException:
                if "@" not in identifier:
                    raise
                provider = providers.provider_by_identifier(pool,
                                                            identifier.rsplit("@", 1)[1])
        else:
            return None
    except CognitoError:
        return None
    if provider.name not in client.supported_identity_providers:
        return None
    return provider


def start(request: HttpRequest, site: Site, provider: IdentityProvider, client: AppClient,
          query: str) -> HttpResponse:
    starter = STARTERS.get(provider.provider_type)
    if starter is None:
        return error_page(request, "invalid_request",
                          f"Sign-in with {provider.provider_type} is not available.")
    return starter(request, site, provider, client, query)


def finish(request: HttpRequest, site: Site, provider: IdentityProvider, client: AppClient,
           subject: str, claims: Claims, query: str) -> HttpResponse:
    """The IdP proved ``subject``: sign in as the pool user it maps to, then continue the
    authorization request. A refusal (a disabled user, a trigger) shows on the sign-in
    page, in Cognito's words."""
    try:
        user = sign_in_external(provider, subject, claims, client)
    except CognitoError as error:
        return render_login(request, site, query, error=error.message)
    return signed_in(site, AuthResult(user=user), query)
