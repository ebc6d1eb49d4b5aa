"""Migrate the shared database and seed it; prints the ids the test needs as JSON.

Run as ``python -m tests.shared_cache.seed`` with ``DJANGO_SETTINGS_MODULE`` =
``tests.shared_cache.settings``.
"""

import json

import django

django.setup()

from django.core.management import call_command  # noqa: E402

from django_cognito.services import access_keys, pools  # noqa: E402
from tests.factories import create_user  # noqa: E402

PASSWORD = "Shared-Passw0rd!"  # noqa: S105 (a test user's)

call_command("migrate", verbosity=0, interactive=False)
pool = pools.create_user_pool("shared")
client = pools.create_user_pool_client(pool, "app", explicit_auth_flows=[
    "ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])
for username in ("alice", "bob", "carol"):
    create_user(pool, username, attributes={}, password=PASSWORD)
key, secret = access_keys.create_access_key(description="shared-cache test", pools=[pool])
print(json.dumps({"pool_id": pool.id, "client_id": client.id, "password": PASSWORD,
                  "access_key_id": key.access_key_id, "secret_access_key": secret}))
