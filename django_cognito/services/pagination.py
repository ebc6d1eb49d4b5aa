"""Keyset pagination with opaque, signed, expiring tokens."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.core import signing
from django.db.models import Model, Q, QuerySet

from ..clock import now
from ..conf import app_settings
from ..exceptions import InvalidParameterException

T = TypeVar("T", bound=Model)
MAX_PAGE = 60
_SALT = "django_cognito.pagination"


@dataclass
class Page(Generic[T]):
    """One page of results and the token for the next page (``None`` at the end)."""

    items: list[T]
    next_token: str | None


def check_limit(limit: object, default: int = MAX_PAGE, maximum: int = MAX_PAGE) -> int:
    """Validate a Limit/MaxResults member."""
    if limit is None:
        return default
    if not isinstance(limit, int) or isinstance(limit, bool) or not 0 <= limit <= maximum:
        raise InvalidParameterException(f"Limit must be between 0 and {maximum}.")
    return limit or default


def make_token(scope: str, position: list[Any]) -> str:
    """Sign a position so a client can't forge or reuse it for another listing."""
    # The issue time comes from the clock seam, not signing's wall clock, so expiry follows
    # the same time as every other lifetime in the app (and tests can move it).
    return signing.dumps({"s": scope, "p": position, "t": now().timestamp()}, salt=_SALT,
                         compress=True)


def read_token(scope: str, token: object) -> list[Any]:
    """The position in ``token``; a forged, foreign or expired token is an invalid parameter."""
    if not isinstance(token, str) or len(token) > 4096:
        raise InvalidParameterException("Invalid pagination token.")
    try:
        data = signing.loads(token, salt=_SALT)
    except signing.BadSignature:
        raise InvalidParameterException("Invalid pagination token.") from None
    if not isinstance(data, dict) or data.get("s") != scope or not isinstance(data.get("p"), list):
        raise InvalidParameterException("Invalid pagination token.")
    issued = data.get("t")
    if not isinstance(issued, int | float) or \
            now().timestamp() - issued > app_settings.PAGINATION_TOKEN_TTL:
        raise InvalidParameterException("Invalid pagination token.")
    position: list[Any] = data["p"]
    return position


def after(fields: list[str], values: list[Any]) -> Q:
    """``(f1, f2, ...) > (v1, v2, ...)`` as a filter on ascending fields.

    The redundant ``f1 >= v1`` lets an index on ``(f1, f2)`` start at the position.
    """
    query = Q()
    for i, field in enumerate(fields):
        step = Q(**{f"{field}__gt": values[i]})
        for prior, value in zip(fields[:i], values[:i], strict=True):
            step &= Q(**{prior: value})
        query |= step
    return Q(**{f"{fields[0]}__gte": values[0]}) & query


def paginate(queryset: QuerySet[T], field: str, limit: object, token: object, *,
             scope: str, fields: list[str] | None = None) -> Page[T]:
    """Return the page after ``token`` ordered by ``fields`` (default ``[field, "pk"]``)."""
    size = check_limit(limit)
    order = fields or ([field] if field in ("id", "pk") else [field, "pk"])
    if token is not None:
        position = read_token(scope, token)
        if len(position) != len(order):
            raise InvalidParameterException("Invalid pagination token.")
        queryset = queryset.filter(after(order, position))
    items = list(queryset.order_by(*order)[:size + 1])
    if len(items) <= size:
        return Page(items, None)
    items = items[:size]
    last = items[-1]
    position = [getattr(last, "pk" if f == "pk" else f) for f in order]
    return Page(items, make_token(scope, position))
