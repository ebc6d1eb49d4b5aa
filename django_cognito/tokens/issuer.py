"""Where the app is mounted, and the issuer (``iss``) of each pool's tokens.

The issuer is ``PUBLIC_BASE_URL`` + the path at which ROOT_URLCONF includes the app's URLs +
the pool id (reference §3). Both parts come from settings: the base URL is never taken from
a request's Host header, which a client controls, and the include path is read from the
URLconf itself, not from the names of the views mounted there.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.urls import URLResolver, get_resolver, get_urlconf
from django.utils.http import RFC3986_SUBDELIMS
from django.utils.regex_helper import normalize

from ..conf import app_settings
from ..models import UserPool

# The application namespace under which a project includes django_cognito.urls.
APP_NAMESPACE = "django_cognito"
# The include path of the app per URLconf: every token needs it.
_prefixes: dict[str, str] = {}


def _fixed_path(pattern: Any) -> str | None:
    """The one path a URL pattern matches, quoted as reverse() would, or ``None`` if it
    takes parameters."""
    possibilities = normalize(pattern.regex.pattern)
    if len(possibilities) == 1 and not possibilities[0][1]:
        return quote(possibilities[0][0], safe=RFC3986_SUBDELIMS + "/~:@")
    return None


def _include_path(patterns: Iterable[Any], above: str) -> str | None:
    for entry in patterns:
        if not isinstance(entry, URLResolver):
            continue
        path = _fixed_path(entry.pattern)
        if path is None:
            continue
        if entry.app_name == APP_NAMESPACE:
            return above + path
        found = _include_path(entry.url_patterns, above + path)
        if found is not None:
            return found
    return None


def mount_prefix() -> str:
    """The path at which the URLconf includes django_cognito.urls: ``""``, ``"cognito/"``…

    It is relative to the script prefix: SCRIPT_NAME may vary per request and the issuer
    must not, so a deployment path belongs in ``PUBLIC_BASE_URL`` instead.
    """
    urlconf = str(get_urlconf() or settings.ROOT_URLCONF)
    prefix = _prefixes.get(urlconf)
    if prefix is None:
        prefix = _include_path(get_resolver(urlconf).url_patterns, "")
        if prefix is None and urlconf != settings.ROOT_URLCONF:
            # A request for a pool's domain is resolved with the domain's URLconf; tokens
            # issued there still name the app where ROOT_URLCONF mounts it.
            prefix = _include_path(get_resolver(settings.ROOT_URLCONF).url_patterns, "")
        if prefix is None:
            raise ImproperlyConfigured(
                f"django_cognito.urls is not included in ROOT_URLCONF (with its "
                f"'{APP_NAMESPACE}' namespace) at a fixed path: token issuers are built from "
                "where it is mounted.")
        _prefixes[urlconf] = prefix
    return prefix


def app_base_url() -> str:
    """The public URL django_cognito.urls answers at, ending in ``/``."""
    base = app_settings.PUBLIC_BASE_URL
    if not base:
        raise ImproperlyConfigured(
            "COGNITO['PUBLIC_BASE_URL'] must be set to issue tokens: the issuer is built from "
            "it and never from the request's Host header, which a client controls.")
    return f"{base.rstrip('/')}/{mount_prefix()}"


def issuer_for(pool: UserPool | str) -> str:
    """``PUBLIC_BASE_URL`` + the app's include path + pool id: the ``iss`` of its tokens."""
    return app_base_url() + (pool if isinstance(pool, str) else pool.id)
