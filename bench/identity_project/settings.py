"""Settings of the identity-pool benchmark project: the sign-in bench's project
(``bench.auth_project.settings``: ``DEBUG`` off, its CPU meter, SQLite in WAL mode, the
local-memory cache, django_cognito's URLs at the root) whose STS is ``moto_server``'s, named by
``BENCH_STS_URL`` (filled in by ``bench.identity_bench``, inherited by gunicorn).
"""

import os

from bench.auth_project.settings import *  # noqa: F403
from bench.auth_project.settings import COGNITO as _SIGN_IN

COGNITO = {**_SIGN_IN, "STS_ENDPOINT_URL": os.environ.get("BENCH_STS_URL") or None,
           "STS_REGION": "us-east-1"}
