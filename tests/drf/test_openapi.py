"""The OpenAPI schema (drf-spectacular) lists the scopes and groups each operation requires:
scopes in its security requirement, groups in ``x-cognito-groups``, both in its description
(issue 12, item 8)."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import path
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.settings import spectacular_settings
from rest_framework import serializers
from rest_framework.permissions import AllowAny, IsAdminUser, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from django_cognito.contrib.rest_framework import (
    CognitoAuthentication,
    RequireGroups,
    RequireScopes,
)

COGNITO_SCHEMA = "django_cognito.contrib.rest_framework.schema.CognitoAutoSchema"
POOL = "us-east-1_Example01"


@pytest.fixture(autouse=True)
def _cognito_schema(settings: Any) -> None:
    settings.REST_FRAMEWORK = {"DEFAULT_SCHEMA_CLASS": COGNITO_SCHEMA}
    settings.EXAMPLE_POOL_ID = POOL


def schema(**generator: Any) -> dict[str, Any]:
    result: dict[str, Any] = SchemaGenerator(**generator).get_schema(request=None, public=True)
    return result


def test_the_example_api_lists_its_scopes_and_groups() -> None:
    paths = schema(urlconf="example_project.urls")["paths"]
    assert set(paths) == {"/api/me/", "/api/admins/", "/api/reports/"}
    me, admins, reports = (paths[f"/api/{name}/"]["get"] for name in ("me", "admins", "reports"))
    # An operation that requires a token but no scope or group.
    assert me["security"] == [{"cognitoBearer": []}]
    assert "x-cognito-groups" not in me and "Requires" not in me["description"]
    assert reports["security"] == [{"cognitoBearer": ["example-api/reports.read"]}]
    assert "x-cognito-groups" not in reports
    assert reports["description"].endswith(
        "carrying the ``example-api/reports.read`` scope.\n\n"
        "Requires the scope `example-api/reports.read`.")
    assert admins["security"] == [{"cognitoBearer": []}]
    assert admins["x-cognito-groups"] == [{"anyOf": ["admins"], "userPoolId": POOL}]
    assert admins["description"].endswith(
        f"Requires membership in the group `admins` of user pool `{POOL}`.")


@pytest.mark.urls("example_project.urls")
def test_the_example_serves_its_schema(client: Any) -> None:
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    body = response.json()
    assert body["paths"]["/api/reports/"]["get"]["security"] == [
        {"cognitoBearer": ["example-api/reports.read"]}]
    assert body["components"]["securitySchemes"]["cognitoBearer"]["scheme"] == "bearer"


class Empty(serializers.Serializer):
    pass


class Base(APIView):
    authentication_classes = [CognitoAuthentication]
    permission_classes: list[Any] = [IsAuthenticated]
    serializer_class = Empty

    def get(self, request: Request) -> Response:
        return Response({})


def view(*permissions: Any) -> Any:
    return type("View", (Base,), {"permission_classes": list(permissions)}).as_view()


URLS = [
    path("open/", view(AllowAny)),
    path("all/", view(IsAuthenticated, RequireScopes("orders.read", "orders.write"),
                      RequireGroups("admin", "ops"))),
    path("any/", view(RequireScopes("orders.read", "orders.admin", any_of=True))),
    path("and/", view(RequireScopes("orders.read") & RequireGroups("admin", pool="p1")
                      & RequireScopes("a", "b", any_of=True))),
    path("or/", view(RequireGroups("admin") | RequireScopes("orders.admin"))),
    path("or-open/", view(IsAdminUser | RequireScopes("orders.admin"))),
]


def operations() -> dict[str, Any]:
    return {name.strip("/"): item["get"] for name, item in schema(patterns=URLS)["paths"].items()}


def test_scopes_groups_and_their_combinations() -> None:
    found = operations()
    # AllowAny: a token is optional, and asks for nothing.
    assert found["open"]["security"] == [{"cognitoBearer": []}, {}]
    assert "x-cognito-groups" not in found["open"] and "description" not in found["open"]
    assert found["all"]["security"] == [{"cognitoBearer": ["orders.read", "orders.write"]}]
    assert found["all"]["x-cognito-groups"] == [{"anyOf": ["admin", "ops"]}]
    assert found["all"]["description"] == (
        "Requires the scopes `orders.read` and `orders.write` and membership in one of the "
        "groups `admin` or `ops`.")
    # One of the scopes: one requirement each (OpenAPI: any one requirement suffices).
    assert found["any"]["security"] == [{"cognitoBearer": ["orders.read"]},
                                        {"cognitoBearer": ["orders.admin"]}]
    assert found["any"]["description"] == (
        "Requires the scope `orders.read` or the scope `orders.admin`.")
    assert found["and"]["security"] == [{"cognitoBearer": ["orders.read", "a"]},
                                        {"cognitoBearer": ["orders.read", "b"]}]
    assert found["and"]["x-cognito-groups"] == [{"anyOf": ["admin"], "userPoolId": "p1"}]
    # Either the group or the scope: no scope is needed by itself, nor the group.
    assert found["or"]["security"] == [{"cognitoBearer": []}]
    assert "x-cognito-groups" not in found["or"]
    assert found["or"]["description"] == (
        "Requires membership in the group `admin` or the scope `orders.admin`.")
    # A permission that asks for no scope on one side of a choice: nothing is required.
    assert found["or-open"]["security"] == [{"cognitoBearer": []}]
    assert "description" not in found["or-open"]


def test_scopes_without_the_cognito_auto_schema(settings: Any) -> None:
    settings.REST_FRAMEWORK = {"DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema"}
    found = operations()
    assert found["all"]["security"] == [{"cognitoBearer": ["orders.read", "orders.write"]}]
    assert "x-cognito-groups" not in found["all"] and "description" not in found["all"]


def test_an_oauth2_scheme_where_flows_are_set(monkeypatch: pytest.MonkeyPatch) -> None:
    domain = "https://example.auth.us-east-1.amazoncognito.com"
    for name, value in {"OAUTH2_FLOWS": ["authorizationCode", "clientCredentials"],
                        "OAUTH2_AUTHORIZATION_URL": f"{domain}/oauth2/authorize",
                        "OAUTH2_TOKEN_URL": f"{domain}/oauth2/token",
                        "OAUTH2_REFRESH_URL": None,
                        "OAUTH2_SCOPES": {"orders.read": "Read orders"}}.items():
        monkeypatch.setattr(spectacular_settings, name, value)
    result = schema(patterns=URLS)
    assert result["components"]["securitySchemes"]["cognitoBearer"] == {
        "type": "oauth2",
        "description": "Cognito access tokens from the pool's OAuth 2.0 endpoints.",
        "flows": {
            "authorizationCode": {"authorizationUrl": f"{domain}/oauth2/authorize",
                                  "tokenUrl": f"{domain}/oauth2/token",
                                  "scopes": {"orders.read": "Read orders"}},
            "clientCredentials": {"tokenUrl": f"{domain}/oauth2/token",
                                  "scopes": {"orders.read": "Read orders"}},
        }}
    assert result["paths"]["/all/"]["get"]["security"] == [
        {"cognitoBearer": ["orders.read", "orders.write"]}]
