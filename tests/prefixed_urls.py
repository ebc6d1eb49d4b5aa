"""A host project that mounts the app under a prefix (``ROOT_URLCONF = "tests.prefixed_urls"``)."""

from django.urls import include, path

urlpatterns = [path("cognito/", include("django_cognito.urls"))]
