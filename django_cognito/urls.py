"""URL configuration of django_cognito; include it at the prefix the API answers on."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path, register_converter

from .api import ops  # noqa: F401  (registers the operation handlers)
from .api.views import endpoint
from .oauth2 import wellknown

app_name = "django_cognito"

register_converter(wellknown.PoolIdConverter, "pool_id")

urlpatterns: list[URLPattern | URLResolver] = [
    path("", endpoint, name="api"),
    path("<pool_id:pool_id>/.well-known/jwks.json", wellknown.jwks, name="jwks"),
    path("<pool_id:pool_id>/.well-known/openid-configuration", wellknown.openid_configuration,
         name="openid-configuration"),
]
