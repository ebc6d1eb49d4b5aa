"""Per-pool signing keys: lazy creation, encryption at rest, rotation, purging, the command."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
from io import StringIO
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, connection, transaction
from django.test import override_settings

from django_cognito import clock
from django_cognito.crypto.fields import decrypt
from django_cognito.crypto.keys import public_jwk
from django_cognito.models import AppClient, KeyState, SigningKey
from django_cognito.services import admin_users
from django_cognito.tokens import keys
from tests.signing_keys import GENERATE, reuse_rsa_keys  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reuse_rsa_keys")]


def _b64url_int(text: str) -> int:
    return int.from_bytes(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)), "big")


def _published_kids(pool: Any) -> list[str]:
    return [k["kid"] for k in keys.publish_keys(pool)]


def _keys(pool: Any, **filters: Any) -> dict[tuple[str, str], SigningKey]:
    return {(k.purpose, k.state): k for k in SigningKey.objects.filter(pool=pool, **filters)}


def _user(pool: Any) -> Any:
    return admin_users.admin_create_user(pool, "alice", attributes=[
        {"Name": "email", "Value": "alice@example.com"}], message_action="SUPPRESS")


def test_keys_are_created_on_first_need_one_pair_per_purpose(pool: Any) -> None:
    assert not SigningKey.objects.filter(pool=pool).exists()
    id_key = keys.active_key(pool, "id")
    by_state = _keys(pool)
    assert set(by_state) == {("id", "active"), ("id", "next"),
                             ("access", "active"), ("access", "next")}
    assert by_state[("id", "active")].kid == id_key.kid
    # ID and access tokens are signed with different keys (reference §3.1).
    assert len({k.kid for k in by_state.values()}) == 4
    assert by_state[("id", "active")].activated_at is not None
    assert by_state[("id", "next")].activated_at is None
    keys.ensure_keys(pool)
    assert SigningKey.objects.filter(pool=pool).count() == 4


def test_kid_is_the_rfc7638_thumbprint_in_aws_shape(pool: Any) -> None:
    key = keys.active_key(pool, "access")
    jwk = key.public_jwk
    canonical = json.dumps({"e": jwk["e"], "kty": "RSA", "n": jwk["n"]},
                           separators=(",", ":")).encode()
    assert key.kid == base64.b64encode(hashlib.sha256(canonical).digest()).decode()
    assert len(key.kid) == 44 and key.kid.endswith("=")
    private = keys.private_key(key)
    assert private.key_size == 2048
    assert GENERATE().key_size == 2048
    numbers = private.public_key().public_numbers()
    assert (_b64url_int(jwk["n"]), _b64url_int(jwk["e"])) == (numbers.n, numbers.e)
    assert jwk["e"] == "AQAB"


def test_private_key_is_encrypted_at_rest(pool: Any) -> None:
    key = keys.active_key(pool, "id")
    with connection.cursor() as cursor:
        table = connection.ops.quote_name(SigningKey._meta.db_table)
        cursor.execute(f"SELECT private_key FROM {table} WHERE kid = %s",  # noqa: S608
                       [key.kid])
        (raw,) = cursor.fetchone()
    pem = decrypt(raw)
    assert pem.startswith("-----BEGIN PRIVATE KEY-----")
    # Nothing of the PEM is stored in the clear: its header, or any of its full 64-character
    # lines (which cannot turn up in the ciphertext by chance, as a fragment as short as "MII"
    # does about once in a hundred keys).
    assert "PRIVATE KEY" not in raw
    assert not any(line in raw for line in pem.splitlines() if len(line) == 64)
    loaded = serialization.load_pem_private_key(pem.encode(), password=None)
    assert isinstance(loaded, rsa.RSAPrivateKey)
    assert public_jwk(loaded.public_key()) == key.public_jwk


def test_loaded_private_keys_are_cached_per_kid(pool: Any, monkeypatch: Any,
                                                django_assert_num_queries: Any) -> None:
    keys.active_key(pool, "id")
    keys._private_keys.clear()
    loads: list[str] = []
    real = serialization.load_pem_private_key

    def counting(data: bytes, password: Any) -> Any:
        loads.append("x")
        return real(data, password)

    monkeypatch.setattr(serialization, "load_pem_private_key", counting)
    fresh = keys.active_key(pool, "id")
    assert "private_key" in fresh.get_deferred_fields()
    first = keys.private_key(fresh)
    again = keys.active_key(pool, "id")
    with django_assert_num_queries(0):
        assert keys.private_key(again) is first
    assert loads == ["x"]


def test_one_active_and_one_next_key_per_purpose_is_enforced(pool: Any) -> None:
    keys.ensure_keys(pool)
    for state in (KeyState.ACTIVE, KeyState.NEXT):
        with pytest.raises(IntegrityError), transaction.atomic():
            keys._new_key(pool, "id", state)
    assert SigningKey.objects.filter(pool=pool).count() == 4


def test_concurrent_creation_keeps_the_first_key_of_each_slot(pool: Any,
                                                              monkeypatch: Any) -> None:
    keys.ensure_keys(pool)
    first = {k.kid for k in SigningKey.objects.filter(pool=pool)}
    # Another process created the keys between this one's look-up and its inserts.
    monkeypatch.setattr(keys, "_missing", lambda pool: [
        (p, s) for p in ("id", "access") for s in (KeyState.ACTIVE, KeyState.NEXT)])
    keys.ensure_keys(pool)
    assert {k.kid for k in SigningKey.objects.filter(pool=pool)} == first


def test_publish_keys_lists_active_then_next(pool: Any) -> None:
    published = keys.publish_keys(pool)
    by_state = _keys(pool)
    assert [k["kid"] for k in published] == [
        by_state[("id", "active")].kid, by_state[("access", "active")].kid,
        by_state[("id", "next")].kid, by_state[("access", "next")].kid]
    for item in published:
        assert list(item) == ["alg", "e", "kid", "kty", "n", "use"]
        assert (item["alg"], item["kty"], item["use"], item["e"]) == ("RS256", "RSA", "sig",
                                                                       "AQAB")


def test_rotate_promotes_next_retires_active_and_publishes_a_new_next(
        pool: Any, make_client: Any) -> None:
    make_client(pool, access_token_validity=2, token_validity_units={"AccessToken": "hours"})
    keys.ensure_keys(pool)
    before = _keys(pool)
    result = keys.rotate(pool)
    after = {(k.purpose, k.state): k for k in SigningKey.objects.filter(
        pool=pool, state__in=["active", "next"])}
    for purpose in ("id", "access"):
        active, successor = result[purpose]
        # The key that now signs was published before it signed.
        assert active.kid == before[(purpose, "next")].kid
        assert after[(purpose, "active")].kid == active.kid
        assert after[(purpose, "next")].kid == successor.kid
        assert successor.kid not in {k.kid for k in before.values()}
        old = SigningKey.objects.get(kid=before[(purpose, "active")].kid)
        assert old.state == KeyState.RETIRED
        assert old.retired_at == active.activated_at
    retired_access = SigningKey.objects.get(kid=before[("access", "active")].kid)
    assert retired_access.expires_at == (retired_access.retired_at + dt.timedelta(hours=2)
                                         + keys.RETIREMENT_GRACE)
    retired_id = SigningKey.objects.get(kid=before[("id", "active")].kid)
    # The client's ID token lifetime is Cognito's default hour.
    assert retired_id.expires_at == (retired_id.retired_at + dt.timedelta(hours=1)
                                     + keys.RETIREMENT_GRACE)
    assert set(_published_kids(pool)) == {k.kid for k in SigningKey.objects.filter(pool=pool)}
    assert len(_published_kids(pool)) == 6


def test_retired_key_is_published_until_its_tokens_expire_then_purged(
        pool: Any, make_client: Any) -> None:
    make_client(pool)
    keys.ensure_keys(pool)
    old_id = keys.active_key(pool, "id").kid
    keys.rotate(pool)
    lifetime = dt.timedelta(hours=1) + keys.RETIREMENT_GRACE
    clock.advance(lifetime - dt.timedelta(seconds=1))
    assert old_id in _published_kids(pool)
    assert keys.purge() == 0
    clock.advance(dt.timedelta(seconds=1))
    assert old_id not in _published_kids(pool)
    assert SigningKey.objects.filter(kid=old_id).exists()
    assert keys.purge() == 2
    assert not SigningKey.objects.filter(state=KeyState.RETIRED).exists()
    assert len(_published_kids(pool)) == 4


def test_retirement_covers_the_longest_token_signed_even_if_the_client_changed(
        pool: Any, make_client: Any) -> None:
    from django_cognito.tokens import mint_access_token

    client = make_client(pool, access_token_validity=1, token_validity_units={
        "AccessToken": "days"})
    user = _user(pool)
    mint_access_token(pool, client, user, auth_time=clock.now(), origin_jti="o", event_id="e")
    signer = keys.active_key(pool, "access")
    assert signer.max_lifetime == 86400
    AppClient.objects.filter(pk=client.pk).update(access_token_validity=5,
                                                  token_validity_units={"AccessToken": "minutes"})
    keys.rotate(pool)
    retired = SigningKey.objects.get(kid=signer.kid)
    assert retired.expires_at == retired.retired_at + dt.timedelta(days=1) + keys.RETIREMENT_GRACE


def test_retirement_never_waits_longer_than_cognitos_token_cap(pool: Any,
                                                               make_client: Any) -> None:
    client = make_client(pool)
    AppClient.objects.filter(pk=client.pk).update(id_token_validity=60, token_validity_units={})
    keys.ensure_keys(pool)
    old = keys.active_key(pool, "id")
    keys.rotate(pool)
    retired = SigningKey.objects.get(kid=old.kid)
    assert retired.expires_at == retired.retired_at + dt.timedelta(days=1) + keys.RETIREMENT_GRACE


def test_purge_is_scoped_to_a_pool_when_given(make_pool: Any) -> None:
    first, second = make_pool(name="one"), make_pool(name="two")
    for p in (first, second):
        keys.ensure_keys(p)
        keys.rotate(p)
    clock.advance(keys.RETIREMENT_GRACE + dt.timedelta(seconds=1))
    assert keys.purge(first) == 2
    assert SigningKey.objects.filter(pool=second, state=KeyState.RETIRED).count() == 2


def test_no_rotation_without_a_schedule(pool: Any) -> None:
    kid = keys.active_key(pool, "id").kid
    clock.advance(dt.timedelta(days=400))
    assert keys.active_key(pool, "id").kid == kid


@override_settings(COGNITO={"PUBLIC_BASE_URL": "http://testserver", "KEY_ROTATION_DAYS": 30})
def test_scheduled_rotation_happens_lazily_once_due(pool: Any) -> None:
    keys.ensure_keys(pool)
    before = _keys(pool)
    clock.advance(dt.timedelta(days=30) - dt.timedelta(seconds=1))
    assert keys.active_key(pool, "id").kid == before[("id", "active")].kid
    clock.advance(dt.timedelta(seconds=1))
    assert keys.active_key(pool, "id").kid == before[("id", "next")].kid
    # Both purposes rotated together, and only once.
    assert keys.active_key(pool, "access").kid == before[("access", "next")].kid
    assert SigningKey.objects.filter(pool=pool, state=KeyState.RETIRED).count() == 2
    assert keys.rotate(pool, only_if_due=True) == {}
    assert SigningKey.objects.filter(pool=pool).count() == 6


def test_deleting_a_pool_deletes_its_keys(pool: Any) -> None:
    keys.ensure_keys(pool)
    pool.delete()
    assert not SigningKey.objects.exists()


def test_rotate_command_prints_the_new_kids(make_pool: Any) -> None:
    first, second = make_pool(name="one"), make_pool(name="two")
    keys.ensure_keys(first)
    before = _keys(first)
    out = StringIO()
    call_command("cognito_rotate_keys", first.id, stdout=out)
    lines = out.getvalue().splitlines()
    now_signing = _keys(first, state__in=["active", "next"])
    assert lines == [
        f"{first.id} id: signing {before[('id', 'next')].kid} "
        f"next {now_signing[('id', 'next')].kid}",
        f"{first.id} access: signing {before[('access', 'next')].kid} "
        f"next {now_signing[('access', 'next')].kid}",
    ]
    assert not SigningKey.objects.filter(pool=second).exists()


def test_rotate_command_without_ids_rotates_every_pool_and_purges(make_pool: Any) -> None:
    first, second = make_pool(name="one"), make_pool(name="two")
    call_command("cognito_rotate_keys", stdout=StringIO())
    clock.advance(keys.RETIREMENT_GRACE)
    out = StringIO()
    call_command("cognito_rotate_keys", "--purge", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0] == "Purged 4 expired key(s)."
    assert {line.split()[0] for line in lines[1:]} == {first.id, second.id}
    for p in (first, second):
        assert SigningKey.objects.filter(pool=p, state=KeyState.RETIRED).count() == 2
        assert SigningKey.objects.filter(pool=p).count() == 6


def test_rotate_command_rejects_an_unknown_pool_and_rotates_nothing(pool: Any) -> None:
    keys.ensure_keys(pool)
    with pytest.raises(CommandError, match=r"^ResourceNotFoundException: User pool "
                                           r"us-east-1_missing does not exist\.$"):
        call_command("cognito_rotate_keys", pool.id, "us-east-1_missing", stdout=StringIO())
    assert not SigningKey.objects.filter(state=KeyState.RETIRED).exists()
