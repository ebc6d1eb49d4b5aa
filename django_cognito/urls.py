"""URL configuration of django_cognito; include it at the prefix the API answers on."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver

app_name = "django_cognito"

urlpatterns: list[URLPattern | URLResolver] = []
