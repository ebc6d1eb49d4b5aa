"""Column types shared by the models."""

from __future__ import annotations

from typing import Any

from django.db import models


class KeyField(models.CharField):
    """A lookup key compared bytewise on every backend.

    On PostgreSQL the column uses the ``C`` collation so that one btree index serves
    equality, prefix ranges and ordering; SQLite's default BINARY collation already does.
    """

    def db_parameters(self, connection: Any) -> dict[str, Any]:
        params = super().db_parameters(connection)
        if connection.vendor == "postgresql":
            params["collation"] = "C"
        return params
