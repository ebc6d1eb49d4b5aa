"""503 with ``Retry-After`` while the database or the shared cache is down (``outages``).

The answer reads nothing from either: no domain, pool or branding, no context processors (a
session or the messages would reach the database), so it renders during the outage itself.
A page gets a short HTML page, an OAuth or discovery endpoint the JSON of RFC 6749 §5.2
with ``temporarily_unavailable`` (§4.1.2.1's code for this condition).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string

from ..outages import RETRY_AFTER_SECONDS, is_outage

View = Callable[..., HttpResponse]
logger = logging.getLogger("django_cognito.hosted")
TEMPLATE = "django_cognito/hosted/unavailable.html"


def unavailable(request: HttpRequest, exc: BaseException, *, as_json: bool) -> HttpResponse:
    """The answer to a request that met an outage."""
    logger.warning("%s unavailable for %s %s: %s", type(exc).__name__, request.method,
                   request.path, exc)
    response: HttpResponse
    if as_json:
        response = JsonResponse({"error": "temporarily_unavailable"}, status=503)
    else:
        response = HttpResponse(render_to_string(TEMPLATE, {}), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def guarded(view: View, *, as_json: bool) -> View:
    """``view``, answering ``unavailable`` instead of raising an outage."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except Exception as exc:
            if not is_outage(exc):
                raise
            return unavailable(request, exc, as_json=as_json)

    return wrapper


def json_guarded(view: View) -> View:
    """``guarded`` for an endpoint that answers JSON."""
    return guarded(view, as_json=True)
