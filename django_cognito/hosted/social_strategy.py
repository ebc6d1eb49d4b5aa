"""social-core, configured from an identity provider's row rather than from settings.

social-core's backends speak OAuth 2.0 and OpenID Connect and check what the IdP answers
(state, the code exchange, the ID token's signature, issuer, audience, expiry and nonce). They
ask a *strategy* for their settings, a *session* for the per-browser state of a sign-in and a
*storage* for one-time values. Here:

- :class:`ProviderStrategy` answers settings from the ``IdentityProvider`` (client id and
  secret, scopes, endpoints), never from ``settings.SOCIAL_AUTH_*``;
- its session is a :class:`Box`: a dict in the shared cache named by a random cookie of the
  managed login's domain, so a sign-in started in one browser completes only in that browser
  (the state is bound to it) and on any app process;
- :class:`CacheStorage` keeps social-core's state nonces and OIDC nonces in the shared cache,
  each consumed by one atomic delete: a replayed state or nonce finds nothing.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from typing import Any

from django.core.cache import caches
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from social_core.exceptions import AuthResponseError
from social_core.storage import AssociationMixin, BaseStorage, NonceMixin
from social_core.strategy import BaseStrategy

from ..conf import app_settings

#: The cookie naming a browser's pending sign-ins at an IdP (path: the domain's root).
BOX_COOKIE = "cognito-idp"
#: How long a sign-in at an IdP may take (social-core's state lifetime is 30 minutes).
LIFETIME = 30 * 60
PREFIX = "django_cognito:social:"


def _cache() -> Any:
    return caches[app_settings.CACHE_ALIAS]


def _key(kind: str, *parts: object) -> str:
    digest = hashlib.sha256("\x00".join(str(p) for p in parts).encode()).hexdigest()
    return f"{PREFIX}{kind}:{digest}"


class Box:
    """A browser's sign-ins in progress at identity providers, kept server-side."""

    def __init__(self, name: str | None) -> None:
        valid = isinstance(name, str) and 20 <= len(name) <= 64 and name.isascii()
        self.name = name if valid and name else secrets.token_urlsafe(32)
        found = _cache().get(_key("box", self.name)) if valid else None
        self.data: dict[str, Any] = found if isinstance(found, dict) else {}

    def save(self) -> None:
        _cache().set(_key("box", self.name), self.data, timeout=LIFETIME)

    def set_cookie(self, response: HttpResponse, path: str, secure: bool) -> None:
        # Apple posts its answer (response_mode=form_post): a cross-site POST carries only a
        # SameSite=None cookie, which browsers accept only when Secure.
        response.set_cookie(BOX_COOKIE, self.name, max_age=LIFETIME, path=path,
                            secure=secure, httponly=True,
                            samesite="None" if secure else "Lax")


class CacheNonce(NonceMixin):
    """A one-time value in the shared cache (social-core's OAuth 2.0 state)."""

    id: str = ""

    @classmethod
    def use(cls, server_url: str, timestamp: Any, salt: str) -> bool:
        return bool(_cache().add(_key("nonce", server_url, timestamp, salt), 1,
                                 timeout=LIFETIME))

    @classmethod
    def get(cls, server_url: str, salt: str) -> None:
        return None  # never looked up: consume() is the only check

    @classmethod
    def delete(cls, nonce: Any) -> None:
        return None

    @classmethod
    def consume(cls, server_url: str, timestamp: int, salt: str) -> bool:
        # One atomic delete: of two requests presenting the same state, one wins.
        return bool(_cache().delete(_key("nonce", server_url, timestamp, salt)))


class CacheAssociation(AssociationMixin):
    """An OIDC nonce social-core stored at the start of a sign-in (its "association")."""

    id: str = ""

    @classmethod
    def of(cls, server_url: str, handle: str, values: Mapping[str, Any]) -> CacheAssociation:
        found = cls()
        found.id = _key("association", server_url, handle)
        found.server_url, found.handle = server_url, handle
        found.issued = int(values.get("issued", 0))
        found.lifetime = int(values.get("lifetime", 0))
        found.assoc_type = str(values.get("assoc_type", ""))
        return found

    @classmethod
    def store(cls, server_url: str, association: Any) -> None:
        _cache().set(_key("association", server_url, association.handle),
                     {"issued": association.issued, "lifetime": association.lifetime,
                      "assoc_type": association.assoc_type},
                     timeout=max(int(association.lifetime), 1))

    @classmethod
    def get(cls, server_url: str | None = None, handle: str | None = None
            ) -> list[CacheAssociation]:
        if server_url is None or handle is None:
            return []
        found = _cache().get(_key("association", server_url, handle))
        return [cls.of(server_url, handle, found)] if isinstance(found, dict) else []

    @classmethod
    def remove(cls, ids_to_delete: list[str]) -> None:
        for key in ids_to_delete:
            # A nonce is spent by one atomic delete: two requests presenting the same ID
            # token at once cannot both pass (OpenID Connect Core §15.5.2, replay).
            if not _cache().delete(key):
                raise AuthResponseError(None, "Incorrect id_token: nonce",
                                        code="nonce_mismatch", stage="token_validation")


class CacheStorage(BaseStorage):
    nonce = CacheNonce
    association = CacheAssociation


class ProviderStrategy(BaseStrategy[HttpResponse]):
    """social-core's view of one request, configured by ``values`` (setting name → value)."""

    def __init__(self, request: HttpRequest, box: Box, values: Mapping[str, Any]) -> None:
        self.request, self.box, self.values = request, box, dict(values)
        super().__init__(storage=CacheStorage)

    def setting(self, name: str, default: Any = None, backend: Any = None) -> Any:
        return self.values.get(name, default)

    def get_setting(self, name: str) -> Any:
        return self.values[name]

    def authenticate(self, backend: Any, *args: Any, **kwargs: Any) -> Any:
        # The IdP's answer, checked: what it says stops here. No social-core pipeline runs
        # (it would make Django users); the caller decides which pool user this is.
        return kwargs.get("response") or {}

    def get_request_data(self, merge: bool = True) -> dict[str, Any]:
        data = self.request.GET.dict()
        if self.request.method == "POST":
            data.update(self.request.POST.dict())
        # The client is the provider's, never the answer's (AppleIdAuth would take a
        # client_id from the request for its token exchange).
        data.pop("client_id", None)
        return data

    def request_host(self) -> str:
        return self.request.get_host()

    def request_is_secure(self) -> bool:
        return self.request.is_secure()

    def request_path(self) -> str:
        return self.request.path

    def build_absolute_uri(self, path: str | None = None) -> str:
        return self.request.build_absolute_uri(path)

    def redirect(self, url: str) -> HttpResponse:
        return HttpResponseRedirect(url)

    def html(self, content: str) -> HttpResponse:
        return HttpResponse(content, content_type="text/html; charset=utf-8")

    def session_get(self, name: str, default: Any = None) -> Any:
        return self.box.data.get(name, default)

    def session_set(self, name: str, value: Any) -> None:
        self.box.data[name] = value

    def session_pop(self, name: str) -> Any:
        return self.box.data.pop(name, None)
