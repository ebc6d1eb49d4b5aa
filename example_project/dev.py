"""Development pages of the example project: the SMS outbox (DEBUG only)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.template import Context, Engine

from django_cognito.services import delivery

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"


@cache
def example_templates() -> Engine:
    # The example's own templates, whatever TEMPLATES the running settings configure.
    return Engine(dirs=[str(TEMPLATES_DIR)], autoescape=True)


def sms_outbox(request: HttpRequest) -> HttpResponse:
    """The text messages the development SMS sender logged, newest first."""
    if not settings.DEBUG:  # codes of real users must never be shown on a web page
        raise Http404("The SMS outbox exists only with DEBUG=True.")
    template = example_templates().get_template("example_project/sms_outbox.html")
    html = template.render(Context({"messages": list(reversed(delivery.outbox))}))
    return HttpResponse(html)
