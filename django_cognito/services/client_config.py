"""Changing, listing and deleting app clients (UpdateUserPoolClient and friends)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from ..clock import now
from ..models import AppClient, RefreshToken, UserPool
from .pagination import Page, paginate
from .pools import build_user_pool_client

# Columns UpdateUserPoolClient replaces; the id, pool and secret never change.
UPDATABLE_FIELDS = (
    "name", "access_token_validity", "id_token_validity", "refresh_token_validity",
    "token_validity_units", "auth_session_validity", "explicit_auth_flows", "read_attributes",
    "write_attributes", "supported_identity_providers", "callback_urls", "logout_urls",
    "default_redirect_uri", "allowed_oauth_flows", "allowed_oauth_scopes",
    "allowed_oauth_flows_user_pool_client", "prevent_user_existence_errors",
    "enable_token_revocation", "enable_propagate_additional_user_context_data",
    "refresh_token_rotation",
)


def update_user_pool_client(client: AppClient, *, name: str | None = None,
                            **config: Any) -> AppClient:
    """UpdateUserPoolClient: every member not given returns to its default (reference §1.2)."""
    if "generate_secret" in config or "client_secret" in config:
        raise TypeError("A client's secret cannot change through an update")
    fresh = build_user_pool_client(client.pool, name if name is not None else client.name,
                                   generate_secret=client.has_secret, **config)
    for field in UPDATABLE_FIELDS:
        setattr(client, field, getattr(fresh, field))
    client.modified_at = now()
    client.save()
    return client


def delete_user_pool_client(client: AppClient) -> None:
    """Delete a client; its refresh tokens (and so its access tokens) die with it."""
    with transaction.atomic():
        RefreshToken.objects.filter(client=client).delete()
        client.delete()


def list_user_pool_clients(pool: UserPool, limit: object = None,
                           token: object = None) -> Page[AppClient]:
    """A page of the pool's app clients."""
    return paginate(AppClient.objects.filter(pool=pool).defer("secret"), "id", limit, token,
                    scope=f"clients:{pool.pk}")
