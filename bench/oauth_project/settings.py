"""Settings of the OAuth benchmark project: the sign-in bench's project
(``bench.auth_project.settings``: ``DEBUG`` off, its CPU meter, SQLite in WAL mode, the
local-memory cache, django_cognito's URLs at the root) with a password hasher that costs
nothing (``hashers.PlainPasswordHasher``), so the baseline sign-in is a sign-in with the
hasher removed. Filled in by ``bench.oauth_bench`` through the same environment variables.
"""

from bench.auth_project.settings import *  # noqa: F403

# Only this bench project stores plain passwords; the hasher is first, so the bench user's
# password is set through the service as any other and stays plain (no upgrade on sign-in).
PASSWORD_HASHERS = ["bench.oauth_project.hashers.PlainPasswordHasher"]
