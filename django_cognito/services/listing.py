"""ListUsers: Cognito's filter grammar over indexed columns, with keyset pagination (§1.7)."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

from django.db.models import Q

from ..exceptions import InvalidParameterException
from ..models import SEARCH_COLUMNS, PoolUser, UserPool
from ..models.user import SEARCH_KEY_LENGTH
from .pagination import Page, paginate
from .schema import storable

FILTER_RE = re.compile(r'^\s*([\w:-]+)\s*(\^=|=)\s*"((?:[^"\\]|\\.)*)"\s*$', re.DOTALL)
MAX_FILTER_LENGTH = 256


@dataclass(frozen=True)
class UserFilter:
    """A parsed filter: the model column, the operator and the normalised value."""

    attribute: str
    column: str
    prefix: bool
    value: object


def parse_filter(pool: UserPool, text: object) -> UserFilter | None:
    """Parse ``attr = "v"`` / ``attr ^= "v"``; ``None`` for an empty filter."""
    if text is None or text == "":
        return None
    if not isinstance(text, str) or len(text) > MAX_FILTER_LENGTH or not storable(text):
        raise InvalidParameterException("Error while parsing filter.")
    match = FILTER_RE.match(text)
    if not match:
        raise InvalidParameterException("Error while parsing filter.")
    attribute, operator, raw = match.groups()
    value = re.sub(r"\\(.)", r"\1", raw)
    prefix = operator == "^="
    if attribute in SEARCH_COLUMNS:
        return UserFilter(attribute, SEARCH_COLUMNS[attribute], prefix,
                          value.lower()[:SEARCH_KEY_LENGTH])
    if attribute == "username":
        return UserFilter(attribute, "username_key", prefix,
                          value if pool.case_sensitive else value.lower())
    if attribute == "cognito:user_status":
        return UserFilter(attribute, "status", prefix, value.upper())
    if attribute == "status":
        if prefix or value not in ("Enabled", "Disabled"):
            return UserFilter(attribute, "enabled", False, None)
        return UserFilter(attribute, "enabled", False, value == "Enabled")
    if attribute == "sub":
        return UserFilter(attribute, "sub", prefix, value.lower())
    raise InvalidParameterException(f"Invalid search attribute: {attribute}")


def prefix_range(column: str, value: str) -> Q:
    """Prefix match as a half-open range, which a bytewise-collated btree index serves."""
    upper = _successor(value)
    if upper is None:
        return Q(**{f"{column}__gte": value})
    return Q(**{f"{column}__gte": value, f"{column}__lt": upper})


def _successor(value: str) -> str | None:
    """The least string above every string starting with ``value``; ``None`` if unbounded.

    Skips the surrogate block, which no database can store, and carries past U+10FFFF.
    """
    while value:
        code = ord(value[-1]) + 1
        if code == 0xD800:
            code = 0xE000
        if code <= 0x10FFFF:
            return value[:-1] + chr(code)
        value = value[:-1]
    return None


def list_users(pool: UserPool, *, filter: object = None, limit: object = None,
               token: object = None) -> Page[PoolUser]:
    """One page of the pool's users matching ``filter``; pages never skip nor repeat users."""
    page = _matching_page(pool, filter, limit, token)
    # Every user on the page belongs to ``pool``: sharing it beats joining the pool row and
    # decoding a copy of its JSON columns per user (a third of a page's cost at 60 users).
    for user in page.items:
        user.pool = pool
    return page


def _matching_page(pool: UserPool, filter: object, limit: object,
                   token: object) -> Page[PoolUser]:
    parsed = parse_filter(pool, filter)
    # Listings never need the SRP verifier: leave it encrypted in the database.
    users = PoolUser.objects.filter(pool=pool).defer("srp_verifier")
    scope = f"users:{pool.pk}:{filter or ''}"
    if parsed is None:
        return paginate(users, "id", limit, token, scope=scope)
    if parsed.column == "enabled":
        if parsed.value is None:
            users = users.none()
        else:
            users = users.filter(enabled=bool(parsed.value))
        return paginate(users, "id", limit, token, scope=scope)
    if parsed.column == "sub":
        if parsed.prefix:
            users = users.filter(sub__startswith=str(parsed.value))
        else:
            try:
                users = users.filter(sub=uuid.UUID(str(parsed.value)))
            except ValueError:
                users = users.none()
        return paginate(users, "id", limit, token, scope=scope)
    if not parsed.prefix:
        return paginate(users.filter(**{parsed.column: parsed.value}), "id", limit, token,
                        scope=scope)
    users = users.filter(prefix_range(parsed.column, str(parsed.value)))
    return paginate(users, parsed.column, limit, token, scope=scope,
                    fields=[parsed.column, "id"])
