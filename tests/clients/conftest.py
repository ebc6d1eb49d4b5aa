"""Fixtures of the client tests: pycognito ``Cognito`` objects on the live server."""

from __future__ import annotations

from typing import Any

import pytest

pytest.register_assert_rewrite("tests.api_fixtures", "tests.live_api")

from botocore.config import Config  # noqa: E402
from pycognito import Cognito  # noqa: E402

from django_cognito.models import AppClient, UserPool  # noqa: E402
from tests.live_api import instrument  # noqa: E402


@pytest.fixture
def cognito(api_url: str, pool: UserPool, app: AppClient) -> Any:
    """A factory of pycognito ``Cognito`` objects for ``app`` pointed at the live server.

    Here ``cognito`` is pycognito's client; elsewhere it is api_fixtures' boto3 client.
    """
    def factory(username: str | None = None, **options: Any) -> Cognito:
        user = Cognito(pool.id, app.id, username=username,
                       botocore_config=Config(retries={"max_attempts": 1, "mode": "standard"}),
                       boto3_client_kwargs={"endpoint_url": api_url}, **options)
        instrument(user.client)
        return user
    return factory
