"""Which pool domain a request is for, and where each domain is served (reference §5).

A prefix domain answers at ``HOSTED_DOMAIN_URL`` with its prefix in place of ``{domain}``, a
custom domain at its own name (same scheme and port), and every domain also under
``<app>/domains/<domain>/``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from django.db.models import QuerySet

from .. import prepared
from ..conf import app_settings
from ..exceptions import ResourceNotFoundException
from ..models import UserPoolDomain
from ..tokens import app_base_url
from . import config_cache
from .schema import storable

PLACEHOLDER = "{domain}"


def _by_name(args: Sequence[Any]) -> QuerySet[UserPoolDomain]:
    return UserPoolDomain.objects.filter(domain=args[0])


def find(name: object) -> UserPoolDomain | None:
    """The domain named ``name`` (a prefix, or a custom domain's host name) with its pool.

    The domain's row is read on every call, so a domain deleted or given to another pool
    answers for it at once; its SQL is compiled once (``prepared``). The pool is the copy
    sign-in reads (``config_cache``: loaded again whenever the pool's stamp moves), shared
    between requests and never changed by them.
    """
    if not isinstance(name, str) or not 1 <= len(name) <= 63 or not storable(name):
        return None
    found = prepared.fetch("domain.by_name", UserPoolDomain, _by_name, [name.lower()])
    if not found:
        return None
    domain = found[0]
    try:
        domain.pool = config_cache.pool(domain.pool_id)
    except ResourceNotFoundException:  # the pool went between the two reads
        return None
    return domain


def _template() -> tuple[str, str, str] | None:
    """``(scheme, host suffix after the prefix, port part)`` of HOSTED_DOMAIN_URL."""
    template = app_settings.HOSTED_DOMAIN_URL
    if not template or PLACEHOLDER not in template:
        return None
    parts = urlsplit(template.replace(PLACEHOLDER, "prefix"))
    netloc = parts.netloc.lower()
    host, _, port = netloc.partition(":")
    return parts.scheme, host[len("prefix"):], f":{port}" if port else ""


class Unknown(Exception):
    """A host under the prefix domains' suffix that names no domain."""


def for_host(host: str) -> UserPoolDomain | None:
    """The domain a request's Host names; ``None`` for the project's own hosts.

    Raises :class:`Unknown` for a name under the prefix domains' suffix that is no domain.
    """
    template = _template()
    if template is None:
        return None
    _, suffix, port = template
    host = host.lower()
    name, _, host_port = host.partition(":")
    if (f":{host_port}" if host_port else "") != port:
        return None
    if name.endswith(suffix) and len(name) > len(suffix):
        domain = find(name[: -len(suffix)])
        if domain is None or domain.is_custom:
            raise Unknown(host)
        return domain
    if name == (urlsplit(str(app_settings.PUBLIC_BASE_URL or "")).hostname or ""):
        return None  # the project's own host: its requests (sign-ins among them) read nothing
    domain = find(name)
    return domain if domain is not None and domain.is_custom else None


def base_url(domain: UserPoolDomain) -> str:
    """The public URL at which ``domain``'s endpoints answer, ending in ``/``."""
    template = _template()
    if template is None:
        return f"{app_base_url()}domains/{domain.domain}/"
    scheme, suffix, port = template
    host = domain.domain if domain.is_custom else domain.domain + suffix
    return f"{scheme}://{host}{port}/"


def served_domain(pool_id: str) -> UserPoolDomain | None:
    """The domain a pool's discovery document advertises (the custom one when it has one)."""
    domains = list(UserPoolDomain.objects.filter(pool_id=pool_id))
    domains.sort(key=lambda d: not d.is_custom)
    return domains[0] if domains else None
