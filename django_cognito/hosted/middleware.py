"""Routes requests for a pool's domain (by Host) to its managed login and OAuth endpoints."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseNotFound

from ..outages import is_outage
from ..services import domains
from .unavailable import unavailable

HOST_URLCONF = "django_cognito.hosted.host_urls"


class DomainMiddleware:
    """Put it first after SecurityMiddleware. A Host that is a prefix domain
    (``HOSTED_DOMAIN_URL``) or a custom domain is answered from the domain's URLs alone;
    a name under the prefix domains' suffix that is no domain gets 404, nothing of any pool.
    Hosts must also be in ALLOWED_HOSTS (e.g. ``.auth.example.com``)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            domain = domains.for_host(request.get_host())
        except domains.Unknown:
            return HttpResponseNotFound(b"Not found", content_type="text/plain")
        except Exception as exc:
            if not is_outage(exc):
                raise
            # Before any view: the OAuth endpoints (not the authorize page) answer JSON.
            as_json = "/oauth2/" in request.path and not request.path.endswith("/authorize")
            return unavailable(request, exc, as_json=as_json)
        if domain is not None:
            request.urlconf = HOST_URLCONF
            request.cognito_domain = domain  # type: ignore[attr-defined]
        return self.get_response(request)
