"""A DRF endpoint behind ``CognitoAuthentication`` at ``/drf/``, django_cognito at ``/``."""

from django.urls import include, path
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from django_cognito.contrib.rest_framework import CognitoAuthentication


class Me(APIView):
    """The caller's ``sub`` from a local-pool access token (revocation checked)."""

    authentication_classes = [CognitoAuthentication]
    permission_classes = [IsAuthenticated]

    def get(self, request: Request) -> Response:
        return Response({"sub": str(request.user.pk)})


urlpatterns = [
    path("drf/", Me.as_view()),
    path("", include("django_cognito.urls")),
]
