"""What the management commands share: Cognito errors as CommandError, JSON, user creation."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from ..exceptions import CognitoError
from ..models import PoolUser, UserPool
from ..services import admin_users


class CognitoCommand(BaseCommand):
    """A command whose CognitoErrors end it as ``CommandError("<__type>: <message>")``.

    ``manage.py`` prints a CommandError on stderr and exits with status 1, without a
    traceback unless ``--traceback`` is given.
    """

    def execute(self, *args: Any, **options: Any) -> str | None:
        try:
            return super().execute(*args, **options)
        except CognitoError as exc:
            raise CommandError(f"{exc.code}: {exc.message}") from exc

    def write_json(self, data: Mapping[str, Any]) -> None:
        """Write ``data`` as one JSON object on stdout."""
        self.stdout.write(json.dumps(data, indent=2))

    def write_fields(self, fields: Iterable[tuple[str, object]]) -> None:
        """Write ``label: value`` lines, values aligned."""
        rows = list(fields)
        width = max(len(label) for label, _ in rows) + 1
        for label, value in rows:
            self.stdout.write(f"{label + ':':<{width}} {value}")


def parse_attributes(items: Iterable[str]) -> dict[str, str]:
    """Turn ``name=value`` arguments into an attribute dict (the value may contain ``=``)."""
    attributes: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise CommandError(f"Invalid attribute {item!r}: expected name=value.")
        attributes[name] = value
    return attributes


def create_user(pool: UserPool, username: str, *, attributes: Mapping[str, str],
                password: str | None = None, permanent: bool = False,
                delivery_mediums: Iterable[str] | None = None,
                suppress: bool = False) -> PoolUser:
    """AdminCreateUser, then AdminSetUserPassword(Permanent) when ``permanent``, atomically.

    A permanent password makes an invitation pointless, so none is sent. Without explicit
    mediums the invitation goes to the email and phone number given; a user with neither
    gets none, as nothing could carry it.
    """
    if permanent and not password:
        raise CommandError("A permanent password needs --password.")
    mediums = list(delivery_mediums or [])
    if not mediums:
        mediums = [medium for medium, name in (("EMAIL", "email"), ("SMS", "phone_number"))
                   if attributes.get(name)]
    quiet = suppress or permanent or not mediums
    with transaction.atomic():
        # The temporary password is generated when permanent: reusing the permanent one
        # would count as a repeat under a pool's PasswordHistorySize.
        user = admin_users.admin_create_user(
            pool, username, attributes=dict(attributes),
            temporary_password=None if permanent else password,
            message_action="SUPPRESS" if quiet else None,
            desired_delivery_mediums=mediums or None)
        if permanent:
            admin_users.admin_set_user_password(user, password, permanent=True)
    return user
