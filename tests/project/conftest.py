"""Fixtures of the project tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.redis_server import private_redis


@pytest.fixture
def example_env() -> dict[str, str]:
    """More environment for the example project that ``test_example_rp.example`` serves (a
    module overrides it: test_example_aws.py points the AWS page at moto_server)."""
    return {}


@pytest.fixture(scope="module")
def redis_socket(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A private redis-server for the module; yields its Unix socket."""
    with private_redis(tmp_path_factory.mktemp("redis")) as socket_path:
        yield socket_path
