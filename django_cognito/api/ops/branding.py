"""The managed login's UI customisation (SigV4): SetUICustomization, GetUICustomization."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from ...models import UICustomization, UserPool
from ...services import branding, domains
from ..registry import Call, operation
from .common import pool_of


def _customization(pool: UserPool, record: UICustomization | None,
                   client_id: str | None) -> dict[str, Any]:
    """UICustomizationType (an empty one names only the pool and client)."""
    shown: dict[str, Any] = {"UserPoolId": pool.id, "ClientId": client_id or branding.ALL}
    if record is None:
        return shown
    shown["ClientId"] = record.client_id or branding.ALL
    if record.css:
        shown["CSS"] = record.css
    shown["CSSVersion"] = record.css_version
    domain = domains.served_domain(pool.id)
    if record.image and domain is not None:
        query = urlencode({"client_id": shown["ClientId"], "v": record.css_version})
        shown["ImageUrl"] = f"{domains.base_url(domain)}assets/logo?{query}"
    shown["LastModifiedDate"] = record.modified_at.timestamp()
    shown["CreationDate"] = record.created_at.timestamp()
    return shown


@operation("SetUICustomization")
def set_ui_customization(call: Call) -> dict[str, Any]:
    p = call.params
    pool = pool_of(call)
    record = branding.set_ui_customization(pool, p.get("ClientId"), p.get("CSS"),
                                           p.get("ImageFile"))
    return {"UICustomization": _customization(pool, record, p.get("ClientId"))}


@operation("GetUICustomization")
def get_ui_customization(call: Call) -> dict[str, Any]:
    p = call.params
    pool = pool_of(call)
    record = branding.get_ui_customization(pool, p.get("ClientId"))
    return {"UICustomization": _customization(pool, record, p.get("ClientId"))}
