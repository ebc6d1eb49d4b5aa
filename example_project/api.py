"""The example project's own API, protected by Cognito tokens (local or AWS pools)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_POST
from drf_spectacular.views import SpectacularAPIView
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from django_cognito.backends import login_with_token
from django_cognito.contrib.rest_framework import (
    CognitoAuthentication,
    RequireGroups,
    RequireScopes,
)


class MeAnswer(serializers.Serializer):
    claims = serializers.DictField(help_text="The verified claims of the access token.")
    django_user = serializers.DictField(allow_null=True,
                                        help_text="The mapped Django user's id and username.")


class Message(serializers.Serializer):
    message = serializers.CharField()


class Reports(serializers.Serializer):
    reports = serializers.ListField(child=serializers.DictField())


class Me(APIView):
    """The verified claims and the mapped Django user of the bearer of an access token."""

    authentication_classes = [CognitoAuthentication]
    permission_classes = [IsAuthenticated]
    serializer_class = MeAnswer  # what the schema documents

    def get(self, request: Request) -> Response:
        django_user = request.user.django_user
        return Response({
            "claims": dict(request.auth),
            "django_user": None if django_user is None else {
                "id": django_user.pk, "username": django_user.get_username()},
        })


def example_pool() -> str:
    """The example's own user pool, whose ``admins`` group this API means."""
    return str(settings.EXAMPLE_POOL_ID)


class AdminsOnly(APIView):
    """Only members of the ``admins`` group of the example's pool."""

    authentication_classes = [CognitoAuthentication]
    permission_classes = [IsAuthenticated, RequireGroups("admins", pool=example_pool)]
    serializer_class = Message

    def get(self, request: Request) -> Response:
        return Response({"message": f"hello, admin {request.user.username}"})


class ReportsReader(APIView):
    """Only tokens carrying the ``example-api/reports.read`` scope."""

    authentication_classes = [CognitoAuthentication]
    permission_classes = [IsAuthenticated, RequireScopes("example-api/reports.read")]
    serializer_class = Reports

    def get(self, request: Request) -> Response:
        return Response({"reports": []})


class Schema(SpectacularAPIView):
    """This API's OpenAPI 3 schema: each operation lists the scopes and groups it requires."""

    schema = None  # not an operation of the API it describes


@require_POST
def session_login(request: HttpRequest) -> HttpResponse:
    """Log a browser session in from an ID token (form field ``id_token``)."""
    token: Any = request.POST.get("id_token")
    if not token:
        return JsonResponse({"error": "id_token is required"}, status=400)
    from django.core.exceptions import PermissionDenied

    try:
        user = login_with_token(request, token, token_use="id")
    except PermissionDenied as exc:
        return JsonResponse({"error": str(exc)}, status=401)
    return JsonResponse({"username": user.get_username()})


@login_required
def session_me(request: HttpRequest) -> HttpResponse:
    """A plain Django view behind the session."""
    return JsonResponse({"username": request.user.get_username()})
