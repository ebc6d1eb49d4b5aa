"""What docs/deploy.md tells an operator to run, run as written."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from django_cognito.crypto.fields import EncryptedTextField
from django_cognito.tokens import keys
from tests import factories

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "deploy.md"


def guide_block(marker: str) -> str:
    text = GUIDE.read_text()
    start = text.index(f"<!-- {marker}:")
    match = re.search(r"```python\n(.*?)```", text[start:], flags=re.S)
    assert match, f"the {marker} block is missing"
    return textwrap.dedent(match.group(1))


def with_keys(*keys: str) -> Any:
    return override_settings(COGNITO={**settings.COGNITO, "ENCRYPTION_KEYS": list(keys)})


def read_every_secret() -> dict[str, int]:
    """Decrypt every encrypted field of every row; how many secrets each model holds."""
    seen: dict[str, int] = {}
    for model in apps.get_app_config("django_cognito").get_models():
        fields = [f.name for f in model._meta.concrete_fields
                  if isinstance(f, EncryptedTextField)]
        if fields:
            values = [getattr(row, name) for row in model.objects.all() for name in fields]
            seen[model.__name__] = sum(value is not None for value in values)
    return seen


@pytest.mark.django_db
def test_re_encryption_leaves_nothing_under_the_old_key() -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    with with_keys(old):
        pool = factories.create_pool()
        keys.ensure_keys(pool)
        factories.create_client(pool, generate_secret=True)
        factories.create_user(pool)
        factories.create_access_key("AKIAREENCRYPT0000001", "secret-of-the-key", all_pools=True)
    with with_keys(new), pytest.raises(ImproperlyConfigured, match="cannot be decrypted"):
        read_every_secret()  # the guide's warning: the old key cannot go yet
    with with_keys(new, old):
        exec(guide_block("re-encrypt"), {})  # noqa: S102 (the guide's own code)
    with with_keys(new):
        seen = read_every_secret()
    assert seen["SigningKey"] and seen["AppClient"] and seen["PoolUser"] and seen["AccessKey"]
