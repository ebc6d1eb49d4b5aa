"""Validation of an app client's OAuth 2.0 settings (reference §2.5)."""

from __future__ import annotations

from urllib.parse import urlsplit

from ..exceptions import (
    InvalidOAuthFlowException,
    InvalidParameterException,
    ScopeDoesNotExistException,
)
from ..models import AppClient, IdentityProvider, ResourceServer

OAUTH_FLOWS = ("code", "implicit", "client_credentials")
STANDARD_SCOPES = ("phone", "email", "openid", "profile", "aws.cognito.signin.user.admin")
MAX_URLS = 100
MAX_SCOPES = 50
LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")


def _check_url(url: object, what: str) -> None:
    """https, or http on a loopback host, or a custom app scheme; never a fragment.

    Authorization codes and tokens travel in the redirect, so plain http to another host
    would expose them on the path (RFC 6749 §3.1.2.1, RFC 8252 §7.3 for loopback).
    """
    if not isinstance(url, str) or not 1 <= len(url) <= 1024:
        raise InvalidParameterException(f"{what} must be 1 to 1024 characters.")
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        raise InvalidParameterException(f"{what} {url[:100]} is not a valid URL.") from None
    if parts.fragment or "#" in url:
        raise InvalidParameterException(f"{what} {url[:100]} must not contain a fragment.")
    if not parts.scheme:
        raise InvalidParameterException(f"{what} {url[:100]} is not a valid URL.")
    if parts.scheme == "http" and host not in LOOPBACK_HOSTS:
        raise InvalidParameterException(
            f"{what} {url[:100]} must use https (http is allowed for localhost only).")
    if parts.scheme in ("http", "https") and not host:
        raise InvalidParameterException(f"{what} {url[:100]} is not a valid URL.")


def _strings(value: object, what: str, limit: int) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InvalidParameterException(f"{what} must be a list of strings.")
    if len(value) > limit:
        raise InvalidParameterException(f"{what} can have at most {limit} entries.")
    return value


def check_oauth(client: AppClient) -> None:
    """Refuse OAuth settings Cognito refuses: bad URLs, flows, scopes or providers."""
    callbacks = _strings(client.callback_urls, "CallbackURLs", MAX_URLS)
    logouts = _strings(client.logout_urls, "LogoutURLs", MAX_URLS)
    for url in callbacks:
        _check_url(url, "CallbackURL")
    for url in logouts:
        _check_url(url, "LogoutURL")
    if client.default_redirect_uri:
        _check_url(client.default_redirect_uri, "DefaultRedirectURI")
        if client.default_redirect_uri not in callbacks:
            raise InvalidParameterException("DefaultRedirectURI must be one of the CallbackURLs.")
    flows = _strings(client.allowed_oauth_flows, "AllowedOAuthFlows", len(OAUTH_FLOWS))
    if any(f not in OAUTH_FLOWS for f in flows):
        raise InvalidOAuthFlowException(f"Invalid AllowedOAuthFlows: {flows}")
    if "client_credentials" in flows:
        if len(flows) > 1:
            raise InvalidOAuthFlowException(
                "client_credentials flow can not be selected along with code flow or implicit "
                "flow.")
        if not client.secret:
            raise InvalidOAuthFlowException(
                "client_credentials flow can not be selected if client does not have a client "
                "secret.")
    scopes = _strings(client.allowed_oauth_scopes, "AllowedOAuthScopes", MAX_SCOPES)
    custom = {name for server in ResourceServer.objects.filter(pool_id=client.pool_id)
              for name in server.scope_names()}
    for scope in scopes:
        if scope not in STANDARD_SCOPES and scope not in custom:
            raise ScopeDoesNotExistException(f"Invalid scope requested: {scope[:200]}")
    # AWS: "openid is not supported with client_credentials flow" (observed;
    # github.com/hashicorp/terraform-provider-aws/issues/4984).
    if "client_credentials" in flows and any(s in STANDARD_SCOPES for s in scopes):
        raise InvalidOAuthFlowException(
            "client_credentials flow can only request custom scopes of resource servers.")
    # AWS: "AllowedOAuthFlows and AllowedOAuthScopes are required if user pool client is
    # allowed to use OAuth flows." (observed by CloudFormation deployments).
    if client.allowed_oauth_flows_user_pool_client and (not flows or not scopes):
        raise InvalidOAuthFlowException(
            "AllowedOAuthFlows and AllowedOAuthScopes are required when "
            "AllowedOAuthFlowsUserPoolClient is true.")
    providers = _strings(client.supported_identity_providers, "SupportedIdentityProviders",
                         MAX_URLS)
    names = {"COGNITO"} | set(IdentityProvider.objects.filter(
        pool_id=client.pool_id, name__in=providers).values_list("name", flat=True)) \
        if providers else set()
    for provider in providers:
        if provider not in names:
            raise InvalidParameterException(
                f"The provider {provider[:40]} does not exist for User Pool {client.pool_id}")
    rotation = client.refresh_token_rotation
    if not isinstance(rotation, dict):
        raise InvalidParameterException("RefreshTokenRotation must be a structure.")
    if rotation:
        if rotation.get("Feature") not in ("ENABLED", "DISABLED"):
            raise InvalidParameterException("RefreshTokenRotation.Feature must be ENABLED or "
                                            "DISABLED.")
        grace = rotation.get("RetryGracePeriodSeconds", 0)
        if type(grace) is not int or not 0 <= grace <= 60:
            raise InvalidParameterException(
                "RetryGracePeriodSeconds must be between 0 and 60.")
