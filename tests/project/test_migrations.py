"""Data migrations, run forward on rows stored under the previous schema."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from django_cognito.models import AccessKey

BEFORE = [("django_cognito", "0008_devices")]
AFTER = [("django_cognito", "0009_access_key_all_pools")]


@pytest.mark.django_db(transaction=True)
def test_keys_stored_without_pools_keep_every_pool_and_scoped_keys_stay_scoped() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    pool = old.get_model("django_cognito", "UserPool").objects.create(
        id="us-east-1_Migrate01", name="migrated")
    keys = old.get_model("django_cognito", "AccessKey").objects
    keys.create(access_key_id="AKIAUNSCOPED00000001", secret="s" * 40)
    keys.create(access_key_id="AKIASCOPED0000000001", secret="s" * 40).pools.add(pool)

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    unscoped = AccessKey.objects.get(access_key_id="AKIAUNSCOPED00000001")
    scoped = AccessKey.objects.get(access_key_id="AKIASCOPED0000000001")
    assert unscoped.all_pools and unscoped.allows(None)
    assert not scoped.all_pools and scoped.allows(pool.id) and not scoped.allows(None)
    assert not scoped.allows("us-east-1_Elsewhere1")
