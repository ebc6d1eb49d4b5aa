"""Operation handlers of the JSON API, registered by name."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..models import AccessKey

Handler = Callable[["Call"], dict[str, Any]]


@dataclass
class Call:
    """One API call: the operation, its validated input and who signed it."""

    service: str
    operation: str
    params: dict[str, Any]
    request_id: str
    access_key: AccessKey | None = None
    extra: dict[str, Any] = field(default_factory=dict)


HANDLERS: dict[tuple[str, str], Handler] = {}


def operation(name: str, service: str = "cognito-idp") -> Callable[[Handler], Handler]:
    """Register ``handler`` for the operation ``name``."""
    def register(handler: Handler) -> Handler:
        HANDLERS[(service, name)] = handler
        return handler
    return register
