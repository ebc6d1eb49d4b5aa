"""Resource servers (custom OAuth scopes) and user pool domains."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import IntegrityError, transaction

from ..exceptions import (
    InvalidParameterException,
    LimitExceededException,
    ResourceNotFoundException,
)
from ..models import AppClient, ResourceServer, UserPool, UserPoolDomain
from .groups import ROLE_ARN_RE
from .pagination import Page, paginate
from .schema import storable

MAX_RESOURCE_SERVERS = 25
MAX_SCOPES = 100
# Patterns of the botocore model (ResourceServer*Type, DomainType).
IDENTIFIER_RE = re.compile(r"[\x21\x23-\x5B\x5D-\x7E]+")
SERVER_NAME_RE = re.compile(r"[\w\s+=,.@-]+")
SCOPE_NAME_RE = re.compile(r"[\x21\x23-\x2E\x30-\x5B\x5D-\x7E]+")
PREFIX_RE = re.compile(r"[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?")
# Cognito refuses prefix domains that could pass for AWS's own ("You can't use the text
# aws, amazon, or cognito in the domain prefix": cognito-user-pools-assign-domain.html).
RESERVED_WORDS = ("aws", "amazon", "cognito")


def _check_server(identifier: object, name: object, scopes: object) -> list[dict[str, str]]:
    if not isinstance(identifier, str) or not 1 <= len(identifier) <= 256 or \
            not IDENTIFIER_RE.fullmatch(identifier):
        raise InvalidParameterException("Identifier must be 1 to 256 printable characters.")
    if not isinstance(name, str) or not 1 <= len(name) <= 256 or \
            not SERVER_NAME_RE.fullmatch(name):
        raise InvalidParameterException("Name must be 1 to 256 characters of [\\w\\s+=,.@-].")
    items = [] if scopes is None else scopes
    if not isinstance(items, list) or len(items) > MAX_SCOPES:
        raise InvalidParameterException(f"Scopes must list at most {MAX_SCOPES} scopes.")
    cleaned: list[dict[str, str]] = []
    for item in items:
        if not isinstance(item, Mapping):
            raise InvalidParameterException("Each scope needs a ScopeName and ScopeDescription.")
        scope, description = item.get("ScopeName"), item.get("ScopeDescription")
        if not isinstance(scope, str) or not 1 <= len(scope) <= 256 or \
                not SCOPE_NAME_RE.fullmatch(scope):
            raise InvalidParameterException("ScopeName must be 1 to 256 printable characters "
                                            "without '/', '\"' or '\\'.")
        if not isinstance(description, str) or not 1 <= len(description) <= 256 or \
                not storable(description):
            raise InvalidParameterException("ScopeDescription must be 1 to 256 characters.")
        if any(c["ScopeName"] == scope for c in cleaned):
            raise InvalidParameterException(f"Duplicate scope name: {scope}")
        cleaned.append({"ScopeName": scope, "ScopeDescription": description})
    return cleaned


def get_resource_server(pool: UserPool, identifier: object) -> ResourceServer:
    """The pool's resource server ``identifier`` or ResourceNotFoundException."""
    if isinstance(identifier, str) and len(identifier) <= 256 and storable(identifier):
        server = ResourceServer.objects.filter(pool=pool, identifier=identifier).first()
        if server is not None:
            return server
    raise ResourceNotFoundException(f"Resource server {str(identifier)[:256]} does not exist.")


def create_resource_server(pool: UserPool, identifier: object, name: object,
                           scopes: Iterable[Mapping[str, Any]] | None = None) -> ResourceServer:
    """CreateResourceServer: a duplicate identifier in the pool is an invalid parameter."""
    cleaned = _check_server(identifier, name, scopes)
    if ResourceServer.objects.filter(pool=pool).count() >= MAX_RESOURCE_SERVERS:
        raise LimitExceededException(
            f"A pool can have at most {MAX_RESOURCE_SERVERS} resource servers.")
    try:
        with transaction.atomic():
            return ResourceServer.objects.create(pool=pool, identifier=str(identifier),
                                                 name=str(name), scopes=cleaned)
    except IntegrityError:
        raise InvalidParameterException(
            f"{identifier} already exists in user pool {pool.pk}.") from None


def update_resource_server(server: ResourceServer, name: object,
                           scopes: Iterable[Mapping[str, Any]] | None = None) -> ResourceServer:
    """UpdateResourceServer: name and scopes replaced (omitted scopes become none).

    A scope removed here leaves the app clients that allowed it, as when the whole server
    is deleted: AWS takes the removal of a scope a client uses (it refuses nothing of the
    kind), and no client may go on granting a scope that no longer exists.
    """
    cleaned = _check_server(server.identifier, name, scopes)
    kept = {f"{server.identifier}/{s['ScopeName']}" for s in cleaned}
    with transaction.atomic():
        _drop_from_clients(server.pool_id, set(server.scope_names()) - kept)
        server.name = str(name)
        server.scopes = cleaned
        server.save(update_fields=["name", "scopes"])
    return server


def _drop_from_clients(pool_id: str, names: set[str]) -> None:
    """Remove the scopes ``names`` from every app client of the pool that allows them."""
    if not names:
        return
    for client in AppClient.objects.select_for_update().filter(pool_id=pool_id):
        kept = [s for s in client.allowed_oauth_scopes if s not in names]
        if kept != client.allowed_oauth_scopes:
            client.allowed_oauth_scopes = kept
            client.save(update_fields=["allowed_oauth_scopes"])


def delete_resource_server(server: ResourceServer) -> None:
    """Delete a resource server and drop its scopes from the pool's clients."""
    with transaction.atomic():
        _drop_from_clients(server.pool_id, set(server.scope_names()))
        server.delete()


def list_resource_servers(pool: UserPool, limit: object = None,
                          token: object = None) -> Page[ResourceServer]:
    """A page of the pool's resource servers by identifier."""
    return paginate(ResourceServer.objects.filter(pool=pool), "identifier", limit, token,
                    scope=f"resource-servers:{pool.pk}")


def check_domain(domain: object, custom: Mapping[str, Any] | None) -> str:
    if not isinstance(domain, str) or not 1 <= len(domain) <= 63:
        raise InvalidParameterException("Domain must be 1 to 63 characters.")
    if custom:
        labels = domain.split(".")
        if len(labels) < 2 or not all(PREFIX_RE.fullmatch(label) for label in labels):
            raise InvalidParameterException(
                "A custom domain must be a fully qualified lower-case host name.")
        arn = custom.get("CertificateArn")
        if not isinstance(arn, str) or not ROLE_ARN_RE.fullmatch(arn):
            raise InvalidParameterException("CustomDomainConfig needs a CertificateArn.")
        return domain
    if not PREFIX_RE.fullmatch(domain):
        raise InvalidParameterException(
            "Domain must be lower-case letters, numbers and hyphens, not starting or ending "
            "with a hyphen.")
    for word in RESERVED_WORDS:
        if word in domain:
            raise InvalidParameterException(f"Domain cannot contain reserved word: {word}")
    return domain


def get_domain(pool: UserPool | None, domain: object) -> UserPoolDomain:
    """The domain ``domain`` (of ``pool`` when given) or ResourceNotFoundException."""
    if isinstance(domain, str) and len(domain) <= 63 and storable(domain):
        found = UserPoolDomain.objects.filter(domain=domain).select_related("pool").first()
        if found is not None and (pool is None or found.pool_id == pool.pk):
            return found
    raise ResourceNotFoundException(f"Domain {str(domain)[:63]} does not exist.")


def find_domain(domain: object) -> UserPoolDomain | None:
    """The domain ``domain`` of any pool, or ``None`` (DescribeUserPoolDomain finds none)."""
    try:
        return get_domain(None, domain)
    except ResourceNotFoundException:
        return None


def create_domain(pool: UserPool, domain: object, *,
                  custom_domain_config: Mapping[str, Any] | None = None,
                  managed_login_version: int | None = None) -> UserPoolDomain:
    """CreateUserPoolDomain: one prefix and one custom domain per pool, unique everywhere."""
    name = check_domain(domain, custom_domain_config)
    version = _check_version(managed_login_version)
    custom = bool(custom_domain_config)
    # One of each: DescribeUserPool has room for one Domain and one CustomDomain.
    for existing in UserPoolDomain.objects.filter(pool=pool):
        if existing.is_custom == custom:
            raise InvalidParameterException(
                f"User pool {pool.pk} already has a {'custom' if custom else 'prefix'} domain.")
    try:
        with transaction.atomic():
            return UserPoolDomain.objects.create(
                pool=pool, domain=name, custom_domain_config=dict(custom_domain_config or {}),
                managed_login_version=version)
    except IntegrityError:
        raise InvalidParameterException("Domain already associated with another user pool.") \
            from None


def _check_version(version: object) -> int:
    if version is None:
        return 1
    if version not in (1, 2) or isinstance(version, bool):
        raise InvalidParameterException("ManagedLoginVersion must be 1 or 2.")
    return int(str(version))


def update_domain(domain: UserPoolDomain, *,
                  custom_domain_config: Mapping[str, Any] | None = None,
                  managed_login_version: int | None = None) -> UserPoolDomain:
    """UpdateUserPoolDomain: the certificate of a custom domain and the branding version."""
    if custom_domain_config and not domain.is_custom:
        raise InvalidParameterException("A prefix domain has no CustomDomainConfig.")
    if custom_domain_config:
        check_domain(domain.domain, custom_domain_config)
        domain.custom_domain_config = dict(custom_domain_config)
    if managed_login_version is not None:
        domain.managed_login_version = _check_version(managed_login_version)
    domain.save(update_fields=["custom_domain_config", "managed_login_version"])
    return domain


def delete_domain(domain: UserPoolDomain) -> None:
    domain.delete()
