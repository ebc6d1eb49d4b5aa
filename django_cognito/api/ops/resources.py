"""Resource servers and user pool domains (SigV4)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from ...conf import app_settings
from ...models import ResourceServer, UserPoolDomain
from ...services import resources
from ..registry import Call, operation
from ..shapes import domain_description, resource_server_type
from .common import pool_of


def _server(call: Call) -> ResourceServer:
    return resources.get_resource_server(pool_of(call), call.params["Identifier"])


@operation("CreateResourceServer")
def create_resource_server(call: Call) -> dict[str, Any]:
    p = call.params
    server = resources.create_resource_server(pool_of(call), p["Identifier"], p["Name"],
                                              p.get("Scopes"))
    return {"ResourceServer": resource_server_type(server)}


@operation("DescribeResourceServer")
def describe_resource_server(call: Call) -> dict[str, Any]:
    return {"ResourceServer": resource_server_type(_server(call))}


@operation("UpdateResourceServer")
def update_resource_server(call: Call) -> dict[str, Any]:
    p = call.params
    server = resources.update_resource_server(_server(call), p["Name"], p.get("Scopes"))
    return {"ResourceServer": resource_server_type(server)}


@operation("DeleteResourceServer")
def delete_resource_server(call: Call) -> dict[str, Any]:
    resources.delete_resource_server(_server(call))
    return {}


@operation("ListResourceServers")
def list_resource_servers(call: Call) -> dict[str, Any]:
    p = call.params
    page = resources.list_resource_servers(pool_of(call), p["MaxResults"], p.get("NextToken"))
    response: dict[str, Any] = {
        "ResourceServers": [resource_server_type(s) for s in page.items]}
    if page.next_token:
        response["NextToken"] = page.next_token
    return response


def _domain_response(domain: UserPoolDomain) -> dict[str, Any]:
    """Create/UpdateUserPoolDomain's answer; a custom domain is CNAMEd to this app's host."""
    response: dict[str, Any] = {"ManagedLoginVersion": domain.managed_login_version}
    host = urlsplit(str(app_settings.PUBLIC_BASE_URL or "")).hostname
    if domain.is_custom and host:
        response["CloudFrontDomain"] = host[:63]
    return response


@operation("CreateUserPoolDomain")
def create_user_pool_domain(call: Call) -> dict[str, Any]:
    p = call.params
    domain = resources.create_domain(pool_of(call), p["Domain"],
                                     custom_domain_config=p.get("CustomDomainConfig"),
                                     managed_login_version=p.get("ManagedLoginVersion"))
    return _domain_response(domain)


@operation("DescribeUserPoolDomain")
def describe_user_pool_domain(call: Call) -> dict[str, Any]:
    """Like Cognito, an unknown domain (or one the key may not see) describes as empty."""
    domain = resources.find_domain(call.params["Domain"])
    if domain is None or (call.access_key is not None and
                          not call.access_key.allows(domain.pool_id)):
        return {"DomainDescription": {}}
    return {"DomainDescription": domain_description(domain)}


@operation("UpdateUserPoolDomain")
def update_user_pool_domain(call: Call) -> dict[str, Any]:
    p = call.params
    domain = resources.get_domain(pool_of(call), p["Domain"])
    resources.update_domain(domain, custom_domain_config=p.get("CustomDomainConfig"),
                            managed_login_version=p.get("ManagedLoginVersion"))
    return _domain_response(domain)


@operation("DeleteUserPoolDomain")
def delete_user_pool_domain(call: Call) -> dict[str, Any]:
    resources.delete_domain(resources.get_domain(pool_of(call), call.params["Domain"]))
    return {}
