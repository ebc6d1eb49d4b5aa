"""GetOpenIdToken (the basic flow) and GetCredentialsForIdentity (the enhanced flow):
the identity's OpenID token, and the role's temporary AWS credentials from STS
(reference §8.4)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction

from ...exceptions import InvalidParameterException
from ...models import Identity, IdentityPool
from . import openid, roles, sts
from .identities import signed_in, usable
from .logins import DEVELOPER_TOKENS, Login, validate

CLASSIC_FLOW_DISABLED = "Basic (classic) flow is not enabled, please use enhanced flow."


def amr_of(logins: Sequence[Login]) -> list[str]:
    if not logins:
        return [openid.AMR_UNAUTHENTICATED]
    amr = [openid.AMR_AUTHENTICATED]
    for login in logins:
        amr.extend(entry for entry in login.amr if entry not in amr)
    return amr


def principal_tags(pool: IdentityPool, logins: Sequence[Login]) -> dict[str, str]:
    """Session tags from the logins' claims, as each provider's principal tag map says
    (a provider without a map gives none); a developer token's tags carry over."""
    tags: dict[str, str] = {}
    for login in logins:
        if login.provider == DEVELOPER_TOKENS:
            carried = login.claims.get(openid.TAGS_CLAIM) or {}
            for key, values in (carried.get("principal_tags") or {}).items():
                if isinstance(values, list) and values and isinstance(values[0], str):
                    tags.setdefault(key, values[0])
            continue
        entry = pool.principal_tags.get(login.provider)
        if not entry:
            continue
        for tag, claim in entry["tags"].items():
            value = login.claims.get(claim)
            if value is None or tag in tags:
                continue
            text = (",".join(roles.claim_text(v) for v in value) if isinstance(value, list)
                    else roles.claim_text(value))
            tags[tag] = text[:256]
    return tags


def open_id_token(identity_id: str, logins: Mapping[str, Any] | None) -> tuple[Identity, str]:
    """GetOpenIdToken: a 10-minute token for the basic flow, where the app calls STS
    itself; only pools with ``AllowClassicFlow`` hand it out."""
    loaded = usable(identity_id)
    if not loaded.pool.allow_classic_flow:
        raise InvalidParameterException(CLASSIC_FLOW_DISABLED)
    validated = validate(loaded.pool, logins or {})
    with transaction.atomic():
        identity = signed_in(loaded, validated)
    return identity, openid.mint(identity, amr_of(validated))


def credentials(identity_id: str, logins: Mapping[str, Any] | None,
                custom_role_arn: str | None = None) -> tuple[Identity, sts.Credentials]:
    """GetCredentialsForIdentity: the role the pool maps this identity to, assumed through
    STS with a short-lived token of this service."""
    loaded = usable(identity_id)
    pool = loaded.pool
    validated = validate(pool, logins or {})  # providers asked over HTTP: no transaction
    with transaction.atomic():
        # A refused role (Deny, a CustomRoleArn outside the mapping, no role) changes
        # nothing: a login this request would link to the identity is rolled back.
        identity = signed_in(loaded, validated)
        role = roles.resolve(pool, validated, custom_role_arn)
    token = openid.mint(identity, amr_of(validated), lifetime=300,
                        tags=principal_tags(pool, validated))
    return identity, sts.assume_role(role, token)
