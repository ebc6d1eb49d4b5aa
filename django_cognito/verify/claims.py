"""The verified claims of a token, and the group and scope tests shared with DRF permissions."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .issuers import TrustedIssuer


class Claims(dict[str, Any]):
    """A verified token's payload: a plain dict plus the issuer it was checked against."""

    __slots__ = ("trusted_issuer",)

    def __init__(self, payload: dict[str, Any], trusted_issuer: TrustedIssuer | None = None):
        super().__init__(payload)
        self.trusted_issuer = trusted_issuer

    @property
    def token_use(self) -> str:
        """``access`` or ``id``."""
        return str(self.get("token_use", ""))

    @property
    def sub(self) -> str:
        """The user's (or, for client credentials, the client's) stable id."""
        return str(self.get("sub", ""))

    @property
    def client_id(self) -> str:
        """The app client: ``client_id`` of an access token, ``aud`` of an ID token."""
        value = self.get("client_id") if self.token_use == "access" else self.get("aud")
        return value if isinstance(value, str) else ""

    @property
    def username(self) -> str:
        """``username`` (access) or ``cognito:username`` (ID); ``sub`` for client tokens."""
        value = self.get("username") or self.get("cognito:username") or self.sub
        return str(value)

    @property
    def groups(self) -> frozenset[str]:
        """``cognito:groups`` (absent when the user has none)."""
        return token_groups(self)

    @property
    def scopes(self) -> frozenset[str]:
        """The space-separated ``scope`` claim of an access token, as a set."""
        return token_scopes(self)


def token_groups(claims: dict[str, Any]) -> frozenset[str]:
    """``cognito:groups`` as a set; anything but a list of strings counts as no groups."""
    value = claims.get("cognito:groups")
    if not isinstance(value, list):
        return frozenset()
    return frozenset(group for group in value if isinstance(group, str))


def token_scopes(claims: dict[str, Any]) -> frozenset[str]:
    """The ``scope`` claim (RFC 8693 §4.2: space-separated) as a set."""
    value = claims.get("scope")
    return frozenset(value.split()) if isinstance(value, str) else frozenset()


def missing_scopes(claims: dict[str, Any], required: Iterable[str], *, any_of: bool) -> list[str]:
    """Required scopes the token lacks: all of them (``any_of=False``) or one of them."""
    wanted = list(dict.fromkeys(required))
    if not wanted:
        return []
    held = token_scopes(claims)
    if any_of:
        return [] if held.intersection(wanted) else wanted
    return [scope for scope in wanted if scope not in held]


def in_any_group(claims: dict[str, Any], groups: Iterable[str]) -> bool:
    """True when ``cognito:groups`` holds one of ``groups`` (aws-jwt-verify's ``groups``)."""
    return not token_groups(claims).isdisjoint(groups)
