"""The managed login's stylesheet, served on the domain itself (no asset from elsewhere)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_safe

from .context import hosted

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
