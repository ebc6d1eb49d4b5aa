"""Spend once: a token (an SRP block, a Session) that may be answered a single time."""

from __future__ import annotations

import hashlib

from django.core.cache import caches

from ...conf import app_settings

#: Longer than any Session or SRP block lives (AuthSessionValidity is at most 15 minutes).
LIFETIME = 16 * 60


def spend(kind: str, token: str | bytes, timeout: int = LIFETIME) -> bool:
    """Mark ``token`` used; ``False`` when it was used before (a replay).

    One atomic ``add`` in the shared cache, so two processes answering the same token at
    once cannot both win.
    """
    data = token.encode() if isinstance(token, str) else token
    key = f"django_cognito:spent:{kind}:" + hashlib.sha256(data).hexdigest()
    return bool(caches[app_settings.CACHE_ALIAS].add(key, 1, timeout=timeout))
