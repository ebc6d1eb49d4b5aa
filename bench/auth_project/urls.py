"""django_cognito's URLs at the root: the JSON API answers on ``POST /``."""

from django.urls import include, path

urlpatterns = [
    path("", include("django_cognito.urls")),
]
