"""CPU meters inside the bench server: what its requests, the hasher, the SRP arithmetic and
the token signatures cost in the process that serves the sign-ins.

The target deducts the hasher and the SRP arithmetic from what the server spends. Timed in
the bench's own process, with hot caches, they come out cheaper than inside a server whose
caches the client's work between requests keeps cold (the SRP arithmetic by about half
again), so deducting those figures would charge the server for their cold-cache cost. The
meters time the same calls where they run, with ``time.thread_time`` (CPU of the serving
thread only), and ``GET /__meter__`` returns the totals. The meter's own requests are not
counted.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse

PATH = "/__meter__"
TOTALS: dict[str, float] = {"requests": 0, "request_cpu": 0.0, "hasher_cpu": 0.0,
                            "srp_math_cpu": 0.0, "signing_cpu": 0.0}
# The server's SRP arithmetic of a sign-in: B, u, S (two exponentiations), K, the signature.
SRP_FUNCTIONS = ("server_public", "scrambler", "server_secret", "session_key", "signature")


def _metered(function: Callable[..., Any], total: str) -> Callable[..., Any]:
    @functools.wraps(function)
    def metered(*args: Any, **kwargs: Any) -> Any:
        start = time.thread_time()
        try:
            return function(*args, **kwargs)
        finally:
            TOTALS[total] += time.thread_time() - start
    return metered


def install() -> None:
    """Wrap the metered functions where django_cognito looks them up at call time."""
    from django_cognito.crypto import srp
    from django_cognito.services import passwords
    from django_cognito.tokens import minting

    for name in SRP_FUNCTIONS:
        setattr(srp, name, _metered(getattr(srp, name), "srp_math_cpu"))
    passwords.check_password = _metered(passwords.check_password, "hasher_cpu")
    passwords.make_password = _metered(passwords.make_password, "hasher_cpu")
    minting.sign = _metered(minting.sign, "signing_cpu")


def middleware(get_response: Callable[[HttpRequest], HttpResponse]
               ) -> Callable[[HttpRequest], HttpResponse]:
    """The CPU of every request Django serves (the first middleware: all of Django's part)."""
    def timed(request: HttpRequest) -> HttpResponse:
        if request.path == PATH:
            return JsonResponse(TOTALS)
        start = time.thread_time()
        try:
            return get_response(request)
        finally:
            TOTALS["request_cpu"] += time.thread_time() - start
            TOTALS["requests"] += 1
    return timed
