"""The managed login's stylesheet, and a pool's or client's CSS and logo, served on the domain
itself (no asset from elsewhere)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_safe

from ..services import branding
from .context import hosted, site_of

STYLESHEET = Path(__file__).resolve().parent.parent / "static" / "django_cognito" / "hosted.css"


@cache
def _css() -> bytes:
    return STYLESHEET.read_bytes()


@require_safe
@hosted
def stylesheet(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(_css(), content_type="text/css; charset=utf-8")
    response["Cache-Control"] = "public, max-age=3600"
    return response


def _branding(request: HttpRequest) -> branding.Branding | None:
    client_id = request.GET.get("client_id", "")
    if not 1 <= len(client_id) <= 128:
        return None
    return branding.for_client(site_of(request).pool, client_id)


@require_safe
@hosted
def custom_stylesheet(request: HttpRequest) -> HttpResponse:
    """The pool's or client's CSS (SetUICustomization), for the pages that link it."""
    found = _branding(request)
    if found is None:
        raise Http404
    response = HttpResponse(found.record.css, content_type="text/css; charset=utf-8")
    response["Cache-Control"] = "public, max-age=300"
    return response


@require_safe
@hosted
def logo(request: HttpRequest) -> HttpResponse:
    """The pool's or client's logo (SetUICustomization's ImageFile)."""
    found = _branding(request)
    if found is None or not found.has_logo:
        raise Http404
    response = HttpResponse(bytes(found.record.image), content_type=found.record.image_type)
    response["Cache-Control"] = "public, max-age=300"
    return response
