"""The identity pool of ``manage.py cognito_demo``: the demo pool's clients as its Cognito
identity providers, guests allowed, and the two IAM roles it maps. Restored on every run,
like the rest of the demo."""

from __future__ import annotations

from ..models import AppClient, IdentityPool, UserPool
from ..services.identity import pools as identity_pools

NAME = "demo"


def provider_name(pool: UserPool) -> str:
    """The user pool's key in an identity pool's CognitoIdentityProviders and Logins."""
    return f"cognito-idp.{pool.region}.amazonaws.com/{pool.id}"


def demo_identity_pool(pool: UserPool, clients: list[AppClient], roles: dict[str, str],
                       pool_id: str | None = None) -> IdentityPool:
    """The identity pool ``pool_id`` (or the oldest named ``demo``), created when there is
    none, trusting ID tokens of ``clients`` and mapping ``roles`` (authenticated and
    unauthenticated role ARNs)."""
    params = {
        "IdentityPoolName": NAME, "AllowUnauthenticatedIdentities": True,
        "CognitoIdentityProviders": [
            # ServerSideTokenCheck: a token signed out globally gets no more credentials.
            {"ProviderName": provider_name(pool), "ClientId": client.id,
             "ServerSideTokenCheck": True} for client in clients]}
    found = IdentityPool.objects.filter(pk=pool_id) if pool_id else \
        IdentityPool.objects.filter(name=NAME).order_by("created_at", "id")
    identity_pool = found.first()
    if identity_pool is None:
        identity_pool = identity_pools.create_pool(params, pool_id=pool_id)
    else:
        identity_pools.update_pool(identity_pool, params)
    identity_pools.set_roles(identity_pool, roles, identity_pool.role_mappings)
    return identity_pool
