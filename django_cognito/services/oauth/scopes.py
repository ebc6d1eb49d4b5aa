"""Which scopes a request gets, and which claims the OpenID scopes release (reference §5).

From "Scopes, M2M, and APIs with resource servers" in Cognito's developer guide: ``openid``
alone releases every attribute the client can read; with ``email``, ``phone`` or
``profile`` the ID token and userInfo hold only what those scopes cover (``profile``: every
readable attribute; ``email`` and ``phone``: the address or number and its verified flag).
Scopes the client was not given are dropped, not refused.
"""

from __future__ import annotations

from ...models import AppClient
from ...tokens import OIDC_SCOPES, OPENID
from .. import config_cache

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


def custom_scopes(client: AppClient, requested: object) -> list[str]:
    """client_credentials: the resource servers' scopes of the client that were asked for
    (all of them when none were)."""
    candidates = [s for s in client.allowed_oauth_scopes if s not in STANDARD]
    if not candidates:
        return []
    # The pool's scopes as of its stamp, which every change of a resource server moves
    # (``config_cache``), so a scope taken off its server is refused at once.
    existing = config_cache.scope_names(client.pool_id)
    mine = [s for s in candidates if s in existing]
    asked = split(requested)
    return [s for s in asked if s in mine] if asked else mine
