"""Fixtures of the project tests."""

from __future__ import annotations

import pytest


@pytest.fixture
def example_env() -> dict[str, str]:
    """More environment for the example project that ``test_example_rp.example`` serves (a
    module overrides it: test_example_aws.py points the AWS page at moto_server)."""
    return {}
