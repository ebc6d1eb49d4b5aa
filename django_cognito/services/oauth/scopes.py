"""Which scopes a request gets, and which claims the OpenID scopes release (reference §5).

From "Scopes, M2M, and APIs with resource servers" in Cognito's developer guide: ``openid``
alone releases every attribute the client can read; with ``email``, ``phone`` or
``profile`` the ID token and userInfo hold only what those scopes cover (``profile``: every
readable attribute; ``email`` and ``phone``: the address or number and its verified flag).
Scopes the client was not given are dropped, not refused.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models import QuerySet

from ... import prepared
from ...models import AppClient, ResourceServer
from ...tokens import OIDC_SCOPES, OPENID

STANDARD = frozenset({OPENID, *OIDC_SCOPES, "aws.cognito.signin.user.admin"})


def split(value: object) -> list[str]:
    """A space-separated ``scope`` parameter as a list, in order, without repeats."""
    if not isinstance(value, str):
        return []
    return list(dict.fromkeys(value.split()))


def granted(client: AppClient, requested: object) -> list[str]:
    """The scopes an authorization request gets: those asked for that the client has (all of
    the client's when none are asked for). ``email``, ``phone`` and ``profile`` need
    ``openid``."""
    allowed = list(client.allowed_oauth_scopes)
    asked = split(requested)
    scopes = [s for s in asked if s in allowed] if asked else allowed
    if OPENID not in scopes:
        scopes = [s for s in scopes if s not in OIDC_SCOPES]
    return scopes


def _servers(args: Sequence[Any]) -> QuerySet[ResourceServer]:
    return ResourceServer.objects.filter(pool_id=args[0])


def custom_scopes(client: AppClient, requested: object) -> list[str]:
    """client_credentials: the resource servers' scopes of the client that were asked for
    (all of them when none were)."""
    candidates = [s for s in client.allowed_oauth_scopes if s not in STANDARD]
    if not candidates:
        return []
    # Read on every grant, so a scope taken off its resource server is refused at once; the
    # SQL is compiled once (``prepared``), not by the ORM on each grant.
    servers = prepared.fetch("oauth.resource_servers", ResourceServer, _servers,
                             [client.pool_id])
    existing = {name for server in servers for name in server.scope_names()}
    mine = [s for s in candidates if s in existing]
    asked = split(requested)
    return [s for s in asked if s in mine] if asked else mine
