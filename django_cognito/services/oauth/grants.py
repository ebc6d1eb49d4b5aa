"""The tokens each OAuth 2.0 grant issues (reference §5), through the same token families as
every other sign-in (``services.tokens``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from ...exceptions import NotAuthorizedException
from ...models import AppClient, AuthorizationCode, PoolUser, UserPool, UserStatus
from ...tokens import OPENID, mint_client_token, released
from ...tokens.claims import attribute_claims
from .. import pretoken, tokens, triggers
from ..access import user_for_access_token
from ..tokens import TokenSet
from . import scopes as oauth_scopes

#: The statuses that may receive tokens from the managed login.
SIGNED_IN = (UserStatus.CONFIRMED, UserStatus.EXTERNAL_PROVIDER)


@dataclass(frozen=True)
class ClientToken:
    access_token: str
    expires_in: int
    scopes: list[str]


def _check_user(user: PoolUser) -> None:
    if not user.enabled or user.status not in SIGNED_IN:
        raise NotAuthorizedException("User is not allowed to sign in.")


def exchange_code(client: AppClient, code: AuthorizationCode) -> TokenSet:
    """authorization_code: the family the code's redemption named, with its scopes."""
    user = code.user
    _check_user(user)
    return tokens.sign_in(client, user, triggers.TOKEN_HOSTED_AUTH, scopes=list(code.scopes),
                          nonce=code.nonce, origin_jti=code.origin_jti,
                          auth_time=code.auth_time)


def implicit(client: AppClient, user: PoolUser, scopes: list[str], *, nonce: str,
             auth_time: dt.datetime) -> TokenSet:
    """response_type=token: access and (with openid) ID tokens, never a refresh token."""
    _check_user(user)
    return tokens.sign_in(client, user, triggers.TOKEN_HOSTED_AUTH, scopes=scopes, nonce=nonce,
                          with_refresh=False, auth_time=auth_time)


def refresh(client: AppClient, refresh_token: object) -> TokenSet:
    """refresh_token: new tokens of the family (a new refresh token where the client
    rotates them). The client authenticated at the endpoint."""
    return tokens.refresh(client, refresh_token, client_secret=client.secret or None,
                          rotate=True)


def client_credentials(client: AppClient, requested: object) -> ClientToken:
    """client_credentials: an access token of the client's own custom scopes."""
    granted = oauth_scopes.custom_scopes(client, requested)
    overrides = pretoken.client_credentials(client, granted)
    minted = mint_client_token(client.pool, client, scopes=overrides.scopes,
                               extra=overrides.access_claims,
                               suppress=overrides.access_suppress)
    return ClientToken(access_token=minted.token, expires_in=minted.expires_in,
                       scopes=overrides.scopes)


def userinfo(pool: UserPool, access_token: object) -> dict[str, Any]:
    """``/oauth2/userInfo``: ``sub``, ``username`` and the attributes the token's client may
    read and its scopes release, verified flags as the strings Cognito answers (§5)."""
    user, claims = user_for_access_token(access_token, scope=OPENID, pool=pool)
    client = AppClient.objects.filter(pk=str(claims.get("client_id")), pool=pool).first()
    if client is None:
        raise NotAuthorizedException("Invalid Access Token")
    granted = str(claims.get("scope", "")).split()
    info: dict[str, Any] = {"sub": str(user.sub)}
    for name, value in released(attribute_claims(pool, client, user), granted).items():
        info[name] = str(value).lower() if isinstance(value, bool) else value
    info["username"] = user.username
    return info
