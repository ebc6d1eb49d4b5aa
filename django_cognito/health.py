"""``GET <prefix>/health``: the databases and the shared cache, for load balancers.

Unauthenticated, like any load balancer's target check, so it says only "ok" or
"unavailable" per part: no versions, host names or error text.
"""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_safe

from .services import health as checks


@require_safe
def health(request: HttpRequest) -> JsonResponse:
    """200 when every database and the shared cache answer, else 503 naming the failing part."""
    healthy, body = checks.report()
    response = JsonResponse(body, status=200 if healthy else 503)
    # An intermediary that cached a 200 would keep a broken instance in rotation.
    add_never_cache_headers(response)
    return response
