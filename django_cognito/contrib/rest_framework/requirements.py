"""What a view's permissions ask of a token (Cognito scopes and groups), for its documentation.

Permissions are read as DRF combines them: the classes of ``permission_classes`` all hold,
``&`` joins and ``|`` offers a choice. A permission that is neither :class:`ScopePermission` nor
:class:`GroupPermission` (``IsAuthenticated``, a ``~`` negation) asks nothing of either, so a
choice with one on either side asks for no scope or group at all.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from rest_framework.permissions import AND, OR

from .permissions import GroupPermission, ScopePermission


@dataclass(frozen=True)
class GroupNeed:
    """Membership in one of ``groups`` (of the user pool ``pool``, when named)."""

    groups: tuple[str, ...]
    pool: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """The ``x-cognito-groups`` entry."""
        entry: dict[str, Any] = {"anyOf": list(self.groups)}
        if self.pool is not None:
            entry["userPoolId"] = self.pool
        return entry

    def __str__(self) -> str:
        names = " or ".join(f"`{group}`" for group in self.groups)
        text = f"membership in the group {names}" if len(self.groups) == 1 else \
            f"membership in one of the groups {names}"
        return text if self.pool is None else f"{text} of user pool `{self.pool}`"


@dataclass(frozen=True)
class Way:
    """One way through a view's permissions: every scope of ``scopes``, every group need."""

    scopes: tuple[str, ...] = ()
    groups: tuple[GroupNeed, ...] = ()

    def __and__(self, other: Way) -> Way:
        return Way(_union(self.scopes, other.scopes), _union(self.groups, other.groups))

    def key(self) -> tuple[frozenset[str], frozenset[GroupNeed]]:
        """What the way asks, regardless of the order it was declared in."""
        return frozenset(self.scopes), frozenset(self.groups)

    def __str__(self) -> str:
        parts = [str(need) for need in self.groups]
        if self.scopes:
            names = " and ".join(f"`{scope}`" for scope in self.scopes)
            parts.insert(0, f"the scope {names}" if len(self.scopes) == 1 else
                         f"the scopes {names}")
        return " and ".join(parts)


def ways(permissions: Iterable[Any]) -> list[Way]:
    """The least a token must carry to pass all of ``permissions`` (instances), one
    :class:`Way` per choice; ``[Way()]`` when they ask for no scope or group."""
    found = [Way()]
    for permission in permissions:
        found = _both(found, _ways(permission))
    return _least(found)


def scope_sets(found: list[Way]) -> list[tuple[str, ...]]:
    """The scopes of each way, without a set that another one's subset makes needless."""
    return [way.scopes for way in _least([Way(scopes=way.scopes) for way in found])]


def group_needs(found: list[Way]) -> list[GroupNeed]:
    """The group needs every way has: those a token needs whichever way it passes."""
    first, *others = found
    return [need for need in first.groups if all(need in way.groups for way in others)]


def describe(found: list[Way]) -> str:
    """A sentence for an operation's description, or ``""`` when nothing is asked."""
    asked = [str(way) for way in found if way.key() != Way().key()]
    return f"Requires {' or '.join(asked)}." if asked else ""


def _ways(permission: Any) -> list[Way]:
    if isinstance(permission, ScopePermission):
        if permission.any_of:
            return [Way(scopes=(scope,)) for scope in permission.scopes]
        return [Way(scopes=tuple(permission.scopes))]
    if isinstance(permission, GroupPermission):
        pool = permission.pool() if callable(permission.pool) else permission.pool
        return [Way(groups=(GroupNeed(tuple(permission.groups), pool),))]
    if isinstance(permission, AND):
        return _both(_ways(permission.op1), _ways(permission.op2))
    if isinstance(permission, OR):
        return _ways(permission.op1) + _ways(permission.op2)
    return [Way()]


def _both(left: list[Way], right: list[Way]) -> list[Way]:
    return [one & other for one in left for other in right]


def _least(found: list[Way]) -> list[Way]:
    """``found`` without repeats and without a way that asks more than another one."""
    unique: dict[tuple[frozenset[str], frozenset[GroupNeed]], Way] = {}
    for way in found:
        unique.setdefault(way.key(), way)
    return [way for (scopes, groups), way in unique.items() if not any(
        (other_scopes, other_groups) != (scopes, groups)
        and other_scopes <= scopes and other_groups <= groups
        for other_scopes, other_groups in unique)]


def _union(first: tuple[Any, ...], second: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple(dict.fromkeys((*first, *second)))
