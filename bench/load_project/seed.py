"""Migrate and seed: one pool with a domain, a client, ``BENCH_LOAD_USERS`` users
(``user00000``...) and those named in ``BENCH_LOAD_NAMES`` (comma-separated), and an access
key for the signed operations; prints what the driver needs as JSON.

``python -m bench.load_project.seed`` with ``DJANGO_SETTINGS_MODULE=bench.load_project.settings``.
"""

import json
import os

import django

django.setup()

from django.contrib.auth.hashers import make_password  # noqa: E402
from django.core.management import call_command  # noqa: E402

from django_cognito.services import access_keys, pools, resources  # noqa: E402
from tests.factories import create_user  # noqa: E402

PASSWORD = "Load-Passw0rd!"  # noqa: S105 (a bench user's)
DOMAIN = "load-bench"
CALLBACK = "https://app.example.com/cb"

call_command("migrate", verbosity=0, interactive=False)
pool = pools.create_user_pool("load", auto_verified_attributes=["email"])
resources.create_domain(pool, DOMAIN)
client = pools.create_user_pool_client(
    pool, "app", explicit_auth_flows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH",
                                      "ALLOW_REFRESH_TOKEN_AUTH"],
    allowed_oauth_flows_user_pool_client=True, allowed_oauth_flows=["code"],
    allowed_oauth_scopes=["openid", "email"], callback_urls=[CALLBACK],
    supported_identity_providers=["COGNITO"])
users = int(os.environ.get("BENCH_LOAD_USERS", "20"))
make_password(PASSWORD)  # the hasher's first call loads it, before the loop
names = [f"user{index:05d}" for index in range(users)]
names += [name for name in os.environ.get("BENCH_LOAD_NAMES", "").split(",") if name]
pks = {name: create_user(pool, name, password=PASSWORD).pk for name in names}
key, secret = access_keys.create_access_key(description="load bench", pools=[pool])
print(json.dumps({"pool_id": pool.id, "client_id": client.id, "password": PASSWORD,
                  "domain": DOMAIN, "callback": CALLBACK, "users": users, "pks": pks,
                  "access_key_id": key.access_key_id, "secret_access_key": secret}))
