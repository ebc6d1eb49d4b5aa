"""One tiny JSON view per authentication class; the views differ in nothing else."""

from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.authentication import JWTStatelessUserAuthentication

from django_cognito.contrib.rest_framework import CognitoAuthentication


class NoAuthView(APIView):
    """(a) No authentication at all."""

    authentication_classes = []
    permission_classes = [AllowAny]

    def get(self, request: Request) -> Response:
        return Response({"sub": None})


class CognitoView(APIView):
    """(b) This project's Bearer authentication (AWS-pool and local-pool tokens alike)."""

    authentication_classes = [CognitoAuthentication]
    permission_classes = [IsAuthenticated]

    def get(self, request: Request) -> Response:
        return Response({"sub": request.user.pk})


class SimpleJWTView(APIView):
    """(c) djangorestframework-simplejwt's stateless JWT authentication, RS256."""

    authentication_classes = [JWTStatelessUserAuthentication]
    permission_classes = [IsAuthenticated]

    def get(self, request: Request) -> Response:
        return Response({"sub": request.user.pk})
