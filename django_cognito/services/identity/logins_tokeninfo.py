"""Access-token logins of Facebook and Login with Amazon, checked at the provider's own APIs
(reference §8.3): an access token is opaque, only its issuer can say whose it is and for
which app. ``SupportedLoginProviders`` holds the Facebook app id or the Amazon client id; the
APIs' base URLs come from ``IDENTITY_LOGIN_ENDPOINTS``.

- Facebook (Graph API): ``GET /app?access_token=<token>`` answers the app the token was
  issued to, ``{"id": "<app id>", "name": ...}``
  (https://developers.facebook.com/docs/graph-api/reference/application/), and
  ``GET /me?fields=id,name,email&access_token=<token>`` its user, ``{"id": "<user id>", ...}``
  (https://developers.facebook.com/docs/graph-api/reference/user/). A bad token gets HTTP 400
  ``{"error": {"type": "OAuthException", "code": 190, ...}}``. ``/debug_token`` would need the
  app secret, which an identity pool does not hold.
- Login with Amazon: ``GET /auth/o2/tokeninfo?access_token=<token>`` answers ``{"iss",
  "user_id", "aud": "<client id>", "app_id", "exp": <seconds left>, "iat"}``, and
  ``GET /user/profile`` with ``Authorization: Bearer <token>`` ``{"user_id", "name",
  "email"}``; a bad token gets HTTP 400 ``{"error": "invalid_token", ...}``
  (https://developer.amazon.com/docs/login-with-amazon/obtain-customer-profile.html). The aud
  must be the configured client id (the token-substitution attack the LWA docs warn of).
"""

from __future__ import annotations

import hmac
from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import ImproperlyConfigured

from ...conf import app_settings
from ...exceptions import ExternalServiceException, NotAuthorizedException
from ...models import IdentityPool
from ...verify import JwksError, http_get_json
from .login_types import INVALID_AUDIENCE, Login, amr, unsupported

FACEBOOK = "graph.facebook.com"
AMAZON = "www.amazon.com"
INVALID_TOKEN = "Invalid login token."
# Token-info answers are a few hundred bytes; a profile a few kilobytes.
MAX_ANSWER_BYTES = 65536


def _base_url(provider: str) -> str:
    base = app_settings.IDENTITY_LOGIN_ENDPOINTS.get(provider)
    if not isinstance(base, str) or not base:
        raise ImproperlyConfigured(
            f"COGNITO['IDENTITY_LOGIN_ENDPOINTS'][{provider!r}] must be the API's base URL.")
    return base.rstrip("/")


def _client_ids(pool: IdentityPool, provider: str, token: str) -> list[str]:
    """The ids the pool takes for ``provider``; the token must look like one (a space or
    control character could split the query or a header)."""
    configured = (pool.supported_login_providers or {}).get(provider)
    ids = [i.strip() for i in configured.split(",") if i.strip()] \
        if isinstance(configured, str) else []
    if not ids:
        raise unsupported(provider)
    if not token.isascii() or not token.isprintable() or " " in token or len(token) > 4096:
        raise NotAuthorizedException(INVALID_TOKEN)
    return ids


def _ask(provider: str, path: str, query: dict[str, str] | None = None,
         headers: dict[str, str] | None = None) -> dict[str, Any]:
    """The provider's JSON answer about a token; a refusal is NotAuthorizedException, a
    provider that does not answer ExternalServiceException."""
    url = f"{_base_url(provider)}{path}"
    if query:
        url = f"{url}?{urlencode(query)}"
    try:
        status, answer = http_get_json(url, timeout=app_settings.JWKS_FETCH_TIMEOUT,
                                       max_bytes=MAX_ANSWER_BYTES, headers=headers,
                                       what="token information")
    except JwksError:
        raise ExternalServiceException(
            f"Invalid login token. {provider} is not responding.") from None
    if status != 200 or not isinstance(answer, dict) or "error" in answer:
        raise NotAuthorizedException(INVALID_TOKEN)
    return answer


def _text(answer: dict[str, Any], name: str) -> str:
    value = answer.get(name)
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value or len(value) > 512:
        raise NotAuthorizedException(INVALID_TOKEN)
    return value


def _one_of(value: str, allowed: list[str]) -> str | None:
    # Compared in constant time, like every other credential check.
    return next((a for a in allowed if hmac.compare_digest(a.encode(), value.encode())), None)


def facebook_login(pool: IdentityPool, provider: str, token: str) -> Login:
    """A Facebook user access token issued to the pool's app."""
    app_ids = _client_ids(pool, provider, token)
    app = _ask(provider, "/app", {"access_token": token})
    app_id = _one_of(_text(app, "id"), app_ids)
    if app_id is None:
        raise NotAuthorizedException(INVALID_AUDIENCE)
    me = _ask(provider, "/me", {"fields": "id,name,email", "access_token": token})
    user_id = _text(me, "id")
    claims = {**{k: v for k, v in me.items() if isinstance(v, str)},
              "sub": user_id, "aud": app_id}
    return Login(provider, user_id, claims, mapping_key=provider,
                 amr=amr(provider, app_id, user_id))


def amazon_login(pool: IdentityPool, provider: str, token: str) -> Login:
    """A Login with Amazon access token issued to the pool's client (or app) id."""
    client_ids = _client_ids(pool, provider, token)
    info = _ask(provider, "/auth/o2/tokeninfo", {"access_token": token})
    audience = _one_of(_text(info, "aud"), client_ids)
    if audience is None and isinstance(info.get("app_id"), str):
        audience = _one_of(info["app_id"], client_ids)
    if audience is None:
        raise NotAuthorizedException(INVALID_AUDIENCE)
    profile = _ask(provider, "/user/profile", headers={"Authorization": f"Bearer {token}"})
    user_id = _text(profile, "user_id")
    if user_id != _text(info, "user_id"):
        raise NotAuthorizedException(INVALID_TOKEN)
    claims = {**{k: v for k, v in profile.items() if isinstance(v, str)},
              "sub": user_id, "aud": audience}
    return Login(provider, user_id, claims, mapping_key=provider,
                 amr=amr(provider, audience, user_id))
