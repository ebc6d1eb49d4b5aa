"""URL configuration of django_cognito; include it at the prefix the API answers on."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, include, path, register_converter

from .api import ops  # noqa: F401  (registers the operation handlers)
from .api.views import endpoint
from .health import health
from .hosted import urls as hosted_urls
from .hosted import wellknown

app_name = "django_cognito"

register_converter(wellknown.PoolIdConverter, "pool_id")

urlpatterns: list[URLPattern | URLResolver] = [
    path("", endpoint, name="api"),
    # Load balancers' and orchestrators' check: the databases and the shared cache.
    path("health", health, name="health"),
    path("<pool_id:pool_id>/.well-known/jwks.json", wellknown.jwks, name="jwks"),
    path("<pool_id:pool_id>/.well-known/openid-configuration", wellknown.openid_configuration,
         name="openid-configuration"),
    # The identity pools' OpenID token issuer (AWS IAM reads both to trust it).
    path("cognito-identity/.well-known/openid-configuration",
         wellknown.identity_openid_configuration, name="identity-openid-configuration"),
    path("cognito-identity/.well-known/jwks_uri", wellknown.identity_jwks,
         name="identity-jwks"),
    path("cognito-identity/unauthenticated/.well-known/openid-configuration",
         wellknown.identity_guest_openid_configuration,
         name="identity-guest-openid-configuration"),
    # A pool domain's managed login and OAuth endpoints, for single-host deployments; with
    # COGNITO["HOSTED_DOMAIN_URL"] they also answer on the domain's own host.
    path("domains/<str:domain>/", include(hosted_urls)),
]
