"""The URLs an identity provider's configuration names, and fetching them with limits.

Cognito takes only HTTPS on ports 443 and 80 for an OIDC issuer and its endpoints
(cognito-user-pools-oidc-idp.html, "Prerequisites"). Whoever may create a provider chooses
these URLs and the server fetches them, so nothing else is reached: no plain HTTP, no other
port, no redirect, no proxy for loopback, a timeout and a size cap. Plain HTTP to a loopback
host (an IdP on the same machine in development and tests) needs
``COGNITO["FEDERATION_LOOPBACK_HTTP"]``.
"""

from __future__ import annotations

import urllib.request
from typing import Any
from urllib.parse import urlsplit

from ...conf import app_settings
from ...exceptions import InvalidParameterException

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "::1", "localhost"})
MAX_URL_LENGTH = 2048


def check_url(url: object, what: str) -> str:
    """``url`` if the server may fetch it or send a browser to it; InvalidParameterException
    otherwise."""
    if not isinstance(url, str) or not 1 <= len(url) <= MAX_URL_LENGTH:
        raise InvalidParameterException(f"{what} must be a URL of at most {MAX_URL_LENGTH} "
                                        "characters.")
    try:
        parts = urlsplit(url)
        host, port = parts.hostname, parts.port
    except ValueError:
        raise InvalidParameterException(f"{what} {url[:200]} is not a valid URL.") from None
    if not host or parts.username is not None or parts.password is not None or \
            any(c.isspace() for c in url):
        raise InvalidParameterException(f"{what} {url[:200]} is not a valid URL.")
    if host in LOOPBACK_HOSTS and app_settings.FEDERATION_LOOPBACK_HTTP and \
            parts.scheme in ("http", "https"):
        return url
    if parts.scheme != "https":
        raise InvalidParameterException(f"{what} {url[:200]} must use https.")
    if port not in (None, 443, 80):
        raise InvalidParameterException(
            f"{what} {url[:200]} must use port 443 or 80.")
    return url


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect could lead anywhere the URL check would have refused."""

    def redirect_request(self, req: Any, fp: Any, code: int, msg: str, headers: Any,
                         newurl: str) -> None:
        return None


def fetch(url: str, what: str, *, accept: str) -> bytes:
    """GET ``url`` (checked) with the configured timeout and size cap.

    Any failure is an InvalidParameterException naming ``what``: Cognito refuses a provider
    whose documents it cannot read.
    """
    check_url(url, what)
    handlers: list[urllib.request.BaseHandler] = [_NoRedirect()]
    if urlsplit(url).hostname in LOOPBACK_HOSTS:
        # An environment proxy must neither see nor answer for a loopback request.
        handlers.append(urllib.request.ProxyHandler({}))
    opener = urllib.request.build_opener(*handlers)
    request = urllib.request.Request(  # noqa: S310 (scheme checked by check_url)
        url, headers={"Accept": accept, "User-Agent": "django-cognito"})
    limit = int(app_settings.FEDERATION_FETCH_MAX_BYTES)
    try:
        with opener.open(request, timeout=app_settings.FEDERATION_FETCH_TIMEOUT) as response:
            body: bytes = response.read(limit + 1)
    except (OSError, ValueError) as exc:
        raise InvalidParameterException(
            f"Unable to retrieve {what} from {url[:200]}: {str(exc)[:200]}") from None
    if len(body) > limit:
        raise InvalidParameterException(f"{what} at {url[:200]} exceeds {limit} bytes.")
    return body
