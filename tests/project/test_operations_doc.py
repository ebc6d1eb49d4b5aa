"""docs/operations.md says what the JSON API serves: it must match the registry."""

from __future__ import annotations

from pathlib import Path

from django_cognito.api.catalog import render
from django_cognito.api.registry import HANDLERS

DOC = Path(__file__).resolve().parents[2] / "docs" / "operations.md"


def test_the_operations_doc_is_current() -> None:
    assert DOC.read_text() == render(), "docs/operations.md is stale: run `make docs`"


def test_every_registered_operation_is_listed_as_served() -> None:
    text = DOC.read_text()
    for _, name in HANDLERS:
        assert f"| `{name}` | yes |" in text
