"""What every view of a domain knows: the domain, its pool, where it is served, and the
headers every answer carries."""

from __future__ import annotations

import contextlib
import functools
from dataclasses import dataclass
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils import translation

from ..models import UserPool, UserPoolDomain
from ..services import domains
from .server import Server
from .unavailable import View, guarded

#: The managed login's session cookie (one per domain; its path is the domain's root).
COOKIE = "cognito"


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


def page_language(request: HttpRequest) -> str | None:
    """The ``lang`` of the authorization request (Cognito's managed login takes it on
    ``/oauth2/authorize`` and ``/login``), if the project offers that language; ``None``
    keeps Django's choice (LocaleMiddleware, or LANGUAGE_CODE)."""
    lang = request.GET.get("lang")
    if lang is None and request.method == "POST":
        lang = QueryDict(request.POST.get("query", "")[:4096]).get("lang")
    if not lang or len(lang) > 16:
        return None
    try:
        code = translation.get_supported_language_variant(lang)
    except LookupError:
        return None
    return code


def hosted(view: View, *, as_json: bool = False) -> View:
    """Resolve the domain (from the Host, or the ``domain`` of ``<app>/domains/<domain>/``),
    refuse framing and caching, and answer 404 for a name that is no domain. While the
    database or the shared cache is down, answer 503 (JSON with ``as_json``), never a
    traceback nor a sign-in that skipped the lockout (``outages``)."""

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
        lang = page_language(request)
        with translation.override(lang) if lang else contextlib.nullcontext():
            response = view(request, *args, **kwargs)
        response.headers.setdefault("Cache-Control", "no-store")
        response.headers["X-Frame-Options"] = "DENY"
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'none'; style-src 'self'; img-src 'self' data:; "
            "frame-ancestors 'none'; base-uri 'none'")
        # No Referer (the authorization request's URL) to another site; same-origin keeps
        # the Origin a browser sends with the pages' forms, which CSRF checks ("no-referrer"
        # makes Chromium send "Origin: null", and every sign-in fails with a 403).
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response

    return guarded(wrapper, as_json=as_json)


def hosted_json(view: View) -> View:
    """``hosted`` for an OAuth endpoint: its outage answer is JSON."""
    return hosted(view, as_json=True)


def error_page(request: HttpRequest, error: str, description: str = "",
               status: int = 400) -> HttpResponse:
    """A request that cannot be sent back to a client: shown, never redirected."""
    return render(request, "django_cognito/hosted/error.html",
                  {"site": site_of(request), "error": error, "description": description},
                  status=status)
