"""The bench endpoints first (resolved before anything else), then django_cognito's URLs.

django_cognito's URLs must be included: a local pool's issuer is built from where they are
mounted.
"""

from django.urls import include, path

from . import views

urlpatterns = [
    path("none/", views.NoAuthView.as_view()),
    path("cognito/", views.CognitoView.as_view()),
    path("cognito-local/", views.CognitoView.as_view()),
    path("simplejwt/", views.SimpleJWTView.as_view()),
    path("idp/", include("django_cognito.urls")),
]
