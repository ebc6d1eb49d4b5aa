"""Cognito-format tokens: issuer URLs, claims, the pools' signing keys and minting."""

from .claims import ADMIN_SCOPE, GroupClaims, group_claims, token_lifetime
from .issuer import app_base_url, issuer_for
from .minting import MintedToken, mint_access_token, mint_id_token, sign

__all__ = [
    "ADMIN_SCOPE", "GroupClaims", "MintedToken", "app_base_url", "group_claims", "issuer_for",
    "mint_access_token", "mint_id_token", "sign", "token_lifetime",
]
