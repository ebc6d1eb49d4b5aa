"""Checks tied to an app client: SECRET_HASH (reference §1.1); finding a pool's client."""

from __future__ import annotations

import hmac

from ..crypto.secrets import secret_hash as compute_secret_hash
from ..exceptions import NotAuthorizedException
from ..models import AppClient, UserPool
from .schema import storable


def check_secret_hash(client: AppClient, username: object, presented: object) -> None:
    """Require a correct SECRET_HASH when the client has a secret; compare in constant time."""
    secret = client.secret
    if not secret:
        return
    if presented is None or presented == "":
        raise NotAuthorizedException(
            f"Client {client.id} is configured with secret but SECRET_HASH was not received")
    if not isinstance(presented, str) or not isinstance(username, str) or \
            not storable(presented) or not storable(username):  # unencodable for the HMAC
        raise NotAuthorizedException(f"Unable to verify secret hash for client {client.id}")
    expected = compute_secret_hash(secret, username, client.id)
    if not hmac.compare_digest(expected.encode(), presented.encode()):
        raise NotAuthorizedException(f"Unable to verify secret hash for client {client.id}")


def find_client(pool: UserPool, client_id: str) -> AppClient | None:
    """The app client ``client_id`` of ``pool``, if there is one."""
    return AppClient.objects.select_related("pool").filter(pool=pool, pk=client_id).first()
