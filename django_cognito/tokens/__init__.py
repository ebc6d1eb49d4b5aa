"""Cognito-format tokens: issuer URLs, claims, the pools' signing keys and minting."""

from .claims import (
    ADMIN_SCOPE,
    OIDC_SCOPES,
    OPENID,
    GroupClaims,
    group_claims,
    released,
    token_lifetime,
)
from .issuer import app_base_url, issuer_for
from .minting import (
    MintedToken,
    at_hash,
    mint_access_token,
    mint_client_token,
    mint_id_token,
    sign,
)

__all__ = [
    "ADMIN_SCOPE", "OIDC_SCOPES", "OPENID", "GroupClaims", "MintedToken", "app_base_url",
    "at_hash", "group_claims", "issuer_for", "mint_access_token", "mint_client_token",
    "mint_id_token", "released",
    "sign", "token_lifetime",
]
