"""Issuing, refreshing and revoking token families (reference §3.4, §3.5)."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from typing import Any

from django.core.cache import caches
from django.db import transaction

from .. import django_users, prepared
from ..clock import now
from ..conf import app_settings
from ..exceptions import (
    CognitoError,
    NotAuthorizedException,
    RefreshTokenReuseException,
    UnauthorizedException,
    UnsupportedOperationException,
    UnsupportedTokenTypeException,
)
from ..models import AppClient, PoolUser, RefreshToken, validity_seconds
from ..tokens import OPENID, at_hash, group_claims, mint_access_token, mint_id_token
from . import triggers
from .clients import check_secret_hash
from .pretoken import Overrides, pre_token_generation

REFRESH_TOKEN_LENGTH = 128
FAMILY_CACHE_SECONDS = 60


@dataclass
class TokenSet:
    """An AuthenticationResult."""

    access_token: str
    id_token: str | None
    refresh_token: str | None
    expires_in: int
    token_type: str = "Bearer"
    # NewDeviceMetadata {DeviceKey, DeviceGroupKey} when the sign-in began tracking a device.
    new_device: dict[str, str] | None = None

    def as_dict(self) -> dict[str, Any]:
        """Cognito's AuthenticationResultType."""
        result: dict[str, Any] = {"AccessToken": self.access_token, "ExpiresIn": self.expires_in,
                                  "TokenType": self.token_type}
        if self.id_token is not None:
            result["IdToken"] = self.id_token
        if self.refresh_token is not None:
            result["RefreshToken"] = self.refresh_token
        if self.new_device is not None:
            result["NewDeviceMetadata"] = self.new_device
        return result


def check_client_secret(client: AppClient, presented: object,
                        error: type[CognitoError] = NotAuthorizedException) -> None:
    """Compare a presented ClientSecret in constant time (clients without one pass)."""
    if not client.secret:
        return
    if not isinstance(presented, str) or not hmac.compare_digest(
            client.secret.encode(), presented.encode("utf-8", "replace")):
        raise error(f"Unable to verify secret for client {client.id}")


def refresh_lifetime(client: AppClient) -> int:
    """Seconds a refresh token of ``client`` lives (units default to days, §2.5)."""
    return validity_seconds(client.refresh_token_validity or 30, client.token_validity_units,
                            "RefreshToken")


def hash_refresh_token(token: str) -> str:
    """Digest under which a refresh token is stored (it has 96 random bytes of entropy)."""
    return hashlib.sha256(token.encode()).hexdigest()


def _mint(client: AppClient, user: PoolUser, *, auth_time: dt.datetime, origin_jti: str,
          overrides: Overrides, refresh_token: str | None, device_key: str = "",
          scopes: list[str] | None = None, nonce: str = "") -> TokenSet:
    """ID and access tokens. ``scopes`` are an OAuth grant's: its access token says
    ``version: 2``, and an ID token comes only with ``openid``, carrying the attributes the
    scopes release, ``at_hash`` and the authorization request's ``nonce`` (reference §3)."""
    pool = client.pool
    event_id = str(uuid.uuid4())
    groups = overrides.groups if overrides.groups is not None else group_claims(user)
    access_claims = dict(overrides.access_claims)
    if scopes is not None:
        access_claims["version"] = 2
    # The tracked device's key goes last: pre token generation does not replace it.
    if device_key:
        access_claims["device_key"] = device_key
    access = mint_access_token(pool, client, user, auth_time=auth_time, origin_jti=origin_jti,
                               event_id=event_id, scope=overrides.scopes,
                               groups=groups, extra=access_claims,
                               suppress=overrides.access_suppress)
    id_token: str | None = None
    if scopes is None or OPENID in scopes:
        id_claims = dict(overrides.id_claims)
        if scopes is not None:
            id_claims["at_hash"] = at_hash(access.token)
            if nonce:
                id_claims["nonce"] = nonce
        id_token = mint_id_token(pool, client, user, auth_time=auth_time,
                                 origin_jti=origin_jti, event_id=event_id, groups=groups,
                                 extra=id_claims, suppress=overrides.id_suppress,
                                 scopes=scopes).token
    return TokenSet(access_token=access.token, id_token=id_token,
                    refresh_token=refresh_token, expires_in=access.expires_in)


def sign_in(client: AppClient, user: PoolUser, source: str, *,
            client_metadata: dict[str, str] | None = None, device_key: str = "",
            new_device: dict[str, str] | None = None, scopes: list[str] | None = None,
            nonce: str = "", origin_jti: uuid.UUID | None = None,
            with_refresh: bool = True, auth_time: dt.datetime | None = None) -> TokenSet:
    """Start a new token family for a user who has just authenticated.

    ``device_key`` names the tracked device the family belongs to (its refresh then needs
    DEVICE_KEY); ``new_device`` is the NewDeviceMetadata to hand out with the tokens.
    ``scopes``, ``nonce`` and ``origin_jti`` come from an OAuth grant (the family its
    authorization code named); ``with_refresh`` is false for the implicit grant;
    ``auth_time``: when the managed login's session began (now for other sign-ins).
    """
    overrides = pre_token_generation(client, user, source, client_metadata or {},
                                     scopes=scopes)
    token = secrets.token_urlsafe(96)[:REFRESH_TOKEN_LENGTH]
    moment = now()
    origin_jti = origin_jti or uuid.uuid4()
    # Every sign-in writes this row: inserted through SQL built once (see ``prepared``).
    # An implicit grant's family has a row too (never handed out), so that revocation and
    # sign-out end its access token like any other.
    prepared.insert(RefreshToken, {
        "token_hash": hash_refresh_token(token), "origin_jti": origin_jti,
        "client": client.pk, "user": user.pk, "auth_time": auth_time or moment,
        "created_at": moment,
        "expires_at": moment + dt.timedelta(seconds=refresh_lifetime(client)),
        "revoked_at": None, "rotated_at": None, "device_key": device_key,
        "scopes": scopes or []})
    tokens = _mint(client, user, auth_time=auth_time or moment, origin_jti=str(origin_jti),
                   overrides=overrides, refresh_token=token if with_refresh else None,
                   device_key=device_key, scopes=scopes, nonce=nonce)
    tokens.new_device = new_device
    return tokens


def _live_record(client: AppClient, token: object) -> RefreshToken:
    invalid = NotAuthorizedException("Invalid Refresh Token")
    if not isinstance(token, str) or not 20 <= len(token) <= 2048 or not token.isascii():
        raise invalid
    record = (RefreshToken.objects.select_related("user", "user__pool", "client")
              .filter(token_hash=hash_refresh_token(token)).first())
    if record is None or record.client_id != client.pk:
        raise invalid
    if record.revoked_at is not None:
        raise NotAuthorizedException("Refresh Token has been revoked")
    if record.rotated_at is not None and record.expires_at <= now():
        raise RefreshTokenReuseException("Refresh token has been rotated and cannot be reused.")
    if record.expires_at <= now():
        raise NotAuthorizedException("Refresh Token has expired")
    return record


def _rotate(client: AppClient, record: RefreshToken) -> str:
    """Replace ``record`` by a new refresh token of the same family; the old one lives on
    for ``RetryGracePeriodSeconds`` so a client retrying a lost response is not locked out."""
    grace = int((client.refresh_token_rotation or {}).get("RetryGracePeriodSeconds", 0) or 0)
    token = secrets.token_urlsafe(96)[:REFRESH_TOKEN_LENGTH]
    moment = now()
    with transaction.atomic():
        RefreshToken.objects.filter(pk=record.pk).update(
            rotated_at=moment, expires_at=min(record.expires_at,
                                              moment + dt.timedelta(seconds=grace)))
        RefreshToken.objects.create(
            token_hash=hash_refresh_token(token), client=client, user=record.user,
            origin_jti=record.origin_jti, auth_time=record.auth_time,
            expires_at=moment + dt.timedelta(seconds=refresh_lifetime(client)),
            device_key=record.device_key, scopes=record.scopes)
    return token


def rotation_enabled(client: AppClient) -> bool:
    return (client.refresh_token_rotation or {}).get("Feature") == "ENABLED"


def refresh(client: AppClient, token: object, *, secret_hash: object = None,
            client_metadata: dict[str, str] | None = None, client_secret: object = None,
            rotate: bool = False, device_key: object = None) -> TokenSet:
    """New ID and access tokens with the family's auth_time and origin_jti.

    REFRESH_TOKEN_AUTH checks ``secret_hash``; GetTokensFromRefreshToken passes
    ``client_secret`` and ``rotate`` (a new refresh token when the client rotates them).
    A family started on a tracked device refreshes only with that ``device_key`` (§3.4).
    """
    record = _live_record(client, token)
    if record.device_key and not (isinstance(device_key, str) and hmac.compare_digest(
            record.device_key.encode(), device_key.encode("utf-8", "replace"))):
        raise NotAuthorizedException("Invalid Refresh Token")
    user = record.user
    if client_secret is not None or rotate:
        check_client_secret(client, client_secret)
    else:
        # With a client secret, SECRET_HASH is computed over the internal username (§1.1).
        check_secret_hash(client, user.username, secret_hash)
    if not user.enabled:
        raise NotAuthorizedException("User is disabled.")
    scopes = list(record.scopes) or None
    overrides = pre_token_generation(client, user, triggers.TOKEN_REFRESH_TOKENS,
                                     client_metadata or {}, scopes=scopes)
    new_token = _rotate(client, record) if rotate and rotation_enabled(client) else None
    return _mint(client, user, auth_time=record.auth_time, origin_jti=str(record.origin_jti),
                 overrides=overrides, refresh_token=new_token, device_key=record.device_key,
                 scopes=scopes)


def _forget(origin_jtis: list[str]) -> None:
    caches[app_settings.CACHE_ALIAS].delete_many(
        [f"django_cognito:family:{jti}" for jti in origin_jtis])


def revoke_token(client: AppClient, token: object, client_secret: object = None) -> None:
    """RevokeToken: the refresh token and every access token of its family stop working."""
    check_client_secret(client, client_secret, error=UnauthorizedException)
    if not client.enable_token_revocation:
        raise UnsupportedOperationException("Token revocation is not enabled for this client.")
    if isinstance(token, str) and token.count(".") == 2:
        raise UnsupportedTokenTypeException("Only refresh tokens can be revoked.")
    if not isinstance(token, str) or len(token) > 2048:
        return
    record = RefreshToken.objects.filter(token_hash=hash_refresh_token(token)).first()
    if record is None or record.client_id != client.pk:
        return  # like /oauth2/revoke: an unknown token is not an error
    revoke_family(record.origin_jti)


def revoke_family(origin_jti: uuid.UUID) -> None:
    """The family's refresh tokens and every access token minted from them stop working."""
    _forget([str(origin_jti)])  # first: see global_sign_out
    RefreshToken.objects.filter(origin_jti=origin_jti, revoked_at=None).update(
        revoked_at=now())
    _forget([str(origin_jti)])


def global_sign_out(user: PoolUser, *, keep: object = None) -> None:
    """GlobalSignOut / AdminUserGlobalSignOut: revoke every family of the user (but the
    family ``keep`` names, an ``origin_jti``)."""
    with transaction.atomic():
        live = RefreshToken.objects.filter(user=user, revoked_at=None)
        if keep is not None:
            try:
                live = live.exclude(origin_jti=uuid.UUID(str(keep)))
            except ValueError:
                pass
        jtis = [str(j) for j in live.values_list("origin_jti", flat=True)]
        # Forgotten before the revocation too, inside its transaction: while the shared
        # cache cannot be reached this raises and nothing is revoked (the caller gets a
        # retryable error), where revoking first would leave a cached "live" answer that
        # outlives the outage (restored by Redis's append-only file) and keeps accepting
        # the signed-out access tokens for FAMILY_CACHE_SECONDS.
        _forget(jtis)
        live.update(revoked_at=now())
    _forget(jtis)  # and after: a check that read the family before the commit cached "live"
    if keep is None:
        # Django sessions made by the password backend hold no token: they end with a new
        # hash. A ChangePassword keeps the caller's session, token-made ones included.
        django_users.end_sessions(user)


def password_changed(user: PoolUser, *, keep: object = None) -> None:
    """After a password change or reset: where the pool says so, end the user's other
    sessions (``keep``: the family of the session that made the change)."""
    if user.pool.revoke_tokens_on_password_change:
        global_sign_out(user, keep=keep)


def family_is_live(origin_jti: str) -> bool:
    """Whether access tokens of this family are still valid (one cached query)."""
    try:
        jti = uuid.UUID(origin_jti)
    except (ValueError, TypeError, AttributeError):
        return False
    # Keyed by the canonical form, the one revocation forgets; never by raw claim text,
    # which could exceed a cache backend's key limit (memcached: 250 bytes).
    cache = caches[app_settings.CACHE_ALIAS]
    key = f"django_cognito:family:{jti}"
    cached = cache.get(key)
    if cached is not None:
        return bool(cached)
    live = RefreshToken.objects.filter(origin_jti=jti, revoked_at=None,
                                       user__enabled=True).exists()
    cache.set(key, live, timeout=FAMILY_CACHE_SECONDS)
    return live
