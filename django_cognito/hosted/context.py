"""What every view of a domain knows: the domain, its pool, where it is served, and the
headers every answer carries."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse

from ..models import UserPool, UserPoolDomain
from . import domains
from .server import Server

View = Callable[..., HttpResponse]


@dataclass
class Site:
    """The domain a request is for."""

    domain: UserPoolDomain
    #: The path the domain's endpoints answer under, ending in ``/`` (``/`` on its own host).
    root: str
    #: Whether the request came over https (the session cookie is then Secure).
    secure: bool = False

    @property
    def pool(self) -> UserPool:
        return self.domain.pool

    def path(self, name: str) -> str:
        return self.root + name

    def server(self) -> Server:
        return Server(self.pool)


def site_of(request: HttpRequest) -> Site:
    site = getattr(request, "cognito_site", None)
    if not isinstance(site, Site):
        raise Http404
    return site


def hosted(view: View) -> View:
    """Resolve the domain (from the Host, or the ``domain`` of ``<app>/domains/<domain>/``),
    refuse framing and caching, and answer 404 for a name that is no domain."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, domain: str | None = None,
                **kwargs: Any) -> HttpResponse:
        if domain is None:
            found = getattr(request, "cognito_domain", None)
            root = request.META.get("SCRIPT_NAME", "").rstrip("/") + "/"
        else:
            found = domains.find(domain)
            marker = f"/domains/{domain}/"
            root = request.path[: request.path.index(marker) + len(marker)]
        if found is None:
            raise Http404
        request.cognito_site = Site(domain=found, root=root,  # type: ignore[attr-defined]
                                    secure=request.is_secure())
        response = view(request, *args, **kwargs)
        response.headers.setdefault("Cache-Control", "no-store")
        response.headers["X-Frame-Options"] = "DENY"
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'none'; style-src 'self'; img-src 'self' data:; "
            "frame-ancestors 'none'; base-uri 'none'")
        # The authorization request's parameters in a page's URL reach no other site in a
        # Referer; same-origin, not no-referrer, because under no-referrer a browser posts
        # the sign-in form with ``Origin: null`` and Django's CSRF check refuses it.
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response

    return wrapper
