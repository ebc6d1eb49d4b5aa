"""App client operations: create, describe, update (full replace), delete, list."""

from __future__ import annotations

from typing import Any

from ...exceptions import InvalidParameterException
from ...services import client_config, pools
from ..registry import Call, operation
from ..shapes import user_pool_client_description, user_pool_client_type
from .common import pool_of

# Request member -> keyword argument of services.pools.build_user_pool_client.
MEMBERS = {
    "RefreshTokenValidity": "refresh_token_validity",
    "AccessTokenValidity": "access_token_validity",
    "IdTokenValidity": "id_token_validity",
    "TokenValidityUnits": "token_validity_units",
    "ReadAttributes": "read_attributes",
    "WriteAttributes": "write_attributes",
    "ExplicitAuthFlows": "explicit_auth_flows",
    "SupportedIdentityProviders": "supported_identity_providers",
    "CallbackURLs": "callback_urls",
    "LogoutURLs": "logout_urls",
    "DefaultRedirectURI": "default_redirect_uri",
    "AllowedOAuthFlows": "allowed_oauth_flows",
    "AllowedOAuthScopes": "allowed_oauth_scopes",
    "AllowedOAuthFlowsUserPoolClient": "allowed_oauth_flows_user_pool_client",
    "PreventUserExistenceErrors": "prevent_user_existence_errors",
    "EnableTokenRevocation": "enable_token_revocation",
    "EnablePropagateAdditionalUserContextData": "enable_propagate_additional_user_context_data",
    "AuthSessionValidity": "auth_session_validity",
    "RefreshTokenRotation": "refresh_token_rotation",
}


def client_config_of(p: dict[str, Any]) -> dict[str, Any]:
    """Keyword arguments for the members given; omitted ones take the service's defaults."""
    if p.get("AnalyticsConfiguration") is not None:
        raise InvalidParameterException("AnalyticsConfiguration is not supported.")
    if p.get("PublishSecretsInAWSSecretsManager"):
        raise InvalidParameterException("PublishSecretsInAWSSecretsManager is not supported.")
    return {arg: p[member] for member, arg in MEMBERS.items() if p.get(member) is not None}


def _client(call: Call) -> Any:
    return pools.get_client(call.params["ClientId"], pool_of(call))


@operation("CreateUserPoolClient")
def create_user_pool_client(call: Call) -> dict[str, Any]:
    p = call.params
    client = pools.create_user_pool_client(
        pool_of(call), p["ClientName"], generate_secret=bool(p.get("GenerateSecret")),
        client_secret=p.get("ClientSecret"), **client_config_of(p))
    return {"UserPoolClient": user_pool_client_type(client)}


@operation("DescribeUserPoolClient")
def describe_user_pool_client(call: Call) -> dict[str, Any]:
    return {"UserPoolClient": user_pool_client_type(_client(call))}


@operation("UpdateUserPoolClient")
def update_user_pool_client(call: Call) -> dict[str, Any]:
    client = client_config.update_user_pool_client(
        _client(call), name=call.params.get("ClientName"), **client_config_of(call.params))
    return {"UserPoolClient": user_pool_client_type(client)}


@operation("DeleteUserPoolClient")
def delete_user_pool_client(call: Call) -> dict[str, Any]:
    client_config.delete_user_pool_client(_client(call))
    return {}


@operation("ListUserPoolClients")
def list_user_pool_clients(call: Call) -> dict[str, Any]:
    page = client_config.list_user_pool_clients(pool_of(call), call.params.get("MaxResults"),
                                                call.params.get("NextToken"))
    response: dict[str, Any] = {
        "UserPoolClients": [user_pool_client_description(c) for c in page.items]}
    if page.next_token:
        response["NextToken"] = page.next_token
    return response
