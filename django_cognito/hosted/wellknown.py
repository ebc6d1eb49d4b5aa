"""``<pool_id>/.well-known/jwks.json`` and ``openid-configuration`` (reference §5)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, JsonResponse
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe

from ..exceptions import ResourceNotFoundException
from ..services import domains, pools
from ..services.identity import openid
from ..tokens import issuer_for, keys

# Consumers cache these documents; a rotation only activates a key published at the
# previous rotation, so a modest max-age never hides a signing key for long.
MAX_AGE = 300


class PoolIdConverter:
    """A user pool id: ``<region>_<alnum>`` (UserPoolIdType of the botocore model)."""

    regex = r"[\w-]+_[0-9a-zA-Z]+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


def _document(data: dict[str, Any]) -> JsonResponse:
    response = JsonResponse(data)
    patch_cache_control(response, public=True, max_age=MAX_AGE)
    return response


def _not_found(exc: ResourceNotFoundException) -> JsonResponse:
    return JsonResponse(exc.as_dict(), status=404)


@require_safe
def jwks(request: HttpRequest, pool_id: str) -> JsonResponse:
    """The pool's JSON Web Key Set."""
    try:
        pool = pools.get_pool(pool_id)
    except ResourceNotFoundException as exc:
        return _not_found(exc)
    return _document({"keys": keys.publish_keys(pool)})


@require_safe
def openid_configuration(request: HttpRequest, pool_id: str) -> JsonResponse:
    """The pool's OpenID Connect discovery document (the field set Cognito serves)."""
    try:
        pool = pools.get_pool(pool_id)
    except ResourceNotFoundException as exc:
        return _not_found(exc)
    issuer = issuer_for(pool)
    document: dict[str, Any] = {"issuer": issuer, "jwks_uri": f"{issuer}/.well-known/jwks.json"}
    domain = domains.served_domain(pool.id)
    if domain is not None:  # the OAuth endpoints exist only once the pool has a domain (§5)
        base = domains.base_url(domain)
        document.update({
            "authorization_endpoint": f"{base}oauth2/authorize",
            "token_endpoint": f"{base}oauth2/token",
            "userinfo_endpoint": f"{base}oauth2/userInfo",
            "end_session_endpoint": f"{base}logout",
            "revocation_endpoint": f"{base}oauth2/revoke",
            "response_types_supported": ["code", "token"],
            "grant_types_supported": ["authorization_code", "implicit", "refresh_token",
                                      "client_credentials"],
            "code_challenge_methods_supported": ["S256"],
        })
    document.update({
        "scopes_supported": ["openid", "email", "phone", "profile"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post",
                                                  "none"],
        "claims_supported": ["sub", "iss", "aud", "auth_time", "exp", "iat", "nonce",
                             "at_hash", "email", "email_verified", "phone_number",
                             "phone_number_verified", "cognito:username", "cognito:groups"],
    })
    return _document(document)


@require_safe
def identity_jwks(request: HttpRequest) -> JsonResponse:
    """The keys of the identity pools' OpenID tokens (RS512)."""
    return _document(openid.jwks())


@require_safe
def identity_openid_configuration(request: HttpRequest) -> JsonResponse:
    """The identity pools' issuer as an OpenID Connect provider, for AWS IAM to trust."""
    return _document(openid.discovery())


@require_safe
def identity_guest_openid_configuration(request: HttpRequest) -> JsonResponse:
    """The issuer of guests' tokens (the same keys)."""
    return _document(openid.discovery(guest=True))
