"""The example project's own API, protected by Cognito tokens (local or AWS pools)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_POST
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


class Me(APIView):
    """The verified claims and the mapped Django user of the bearer of an access token."""

    authentication_classes = [CognitoAuthentication]
    permission_classes = [IsAuthenticated]

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

    def get(self, request: Request) -> Response:
        return Response({"message": f"hello, admin {request.user.username}"})


class ReportsReader(APIView):
    """Only tokens carrying the ``example-api/reports.read`` scope."""

    authentication_classes = [CognitoAuthentication]
    permission_classes = [IsAuthenticated, RequireScopes("example-api/reports.read")]

    def get(self, request: Request) -> Response:
        return Response({"reports": []})


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
