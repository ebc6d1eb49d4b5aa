"""The verifier's cache of verified tokens: it saves the RSA check, never a claim check."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest

from django_cognito import clock
from django_cognito.verify import (
    ExpiredTokenError,
    KeyNotFoundError,
    TokenUseError,
    Verifier,
    get_verifier,
)
from django_cognito.verify import verifier as verifier_module
from tests.jwks_server import JwksServer, KeyPair, access_claims


@pytest.fixture(scope="module")
def keys() -> list[KeyPair]:
    return [KeyPair(), KeyPair()]


@pytest.fixture
def server(keys: list[KeyPair]) -> Iterator[JwksServer]:
    jwks = JwksServer(keys[0])
    yield jwks
    jwks.stop()


@pytest.fixture
def verifier(settings: Any, server: JwksServer) -> Verifier:
    settings.COGNITO = {**settings.COGNITO, "JWKS_CACHE_TTL": 600, "TRUSTED_ISSUERS": [
        {"issuer": server.issuer, "jwks_url": server.jwks_url, "client_ids": ["client-a"]}]}
    return get_verifier()


@pytest.fixture
def full_checks(monkeypatch: Any) -> list[str]:
    """Each full verification decodes the payload once; a cached one does not."""
    seen: list[str] = []
    decode = verifier_module._json_object

    def counting(segment: str, what: str) -> dict[str, Any]:
        seen.append(what)
        return decode(segment, what)
    monkeypatch.setattr(verifier_module, "_json_object", counting)
    return seen


def test_a_repeated_token_is_checked_in_full_once(verifier: Verifier, server: JwksServer,
                                                  keys: list[KeyPair], full_checks: list[str]):
    token = keys[0].sign(access_claims(server.issuer))
    first = verifier.verify(token)
    first["username"] = "mallory"  # a caller's change must not reach the next caller
    second = verifier.verify(token)
    assert second["username"] == "alice"
    assert second.trusted_issuer is first.trusted_issuer
    assert full_checks == ["payload"]


def test_a_cached_token_still_expires(verifier: Verifier, server: JwksServer,
                                      keys: list[KeyPair]):
    token = keys[0].sign(access_claims(server.issuer))
    verifier.verify(token)
    clock.advance(dt.timedelta(seconds=3600))
    with pytest.raises(ExpiredTokenError, match="^token expired$"):
        verifier.verify(token)


def test_a_cached_token_is_still_checked_for_its_use(verifier: Verifier, server: JwksServer,
                                                     keys: list[KeyPair]):
    token = keys[0].sign(access_claims(server.issuer))
    verifier.verify(token)
    with pytest.raises(TokenUseError, match="^token_use is access, expected id$"):
        verifier.verify(token, token_use="id")


def test_a_refetched_jwks_without_the_key_refuses_a_cached_token(
        verifier: Verifier, server: JwksServer, keys: list[KeyPair], full_checks: list[str]):
    token = keys[0].sign(access_claims(server.issuer))
    verifier.verify(token)
    server.set_keys(keys[1])
    clock.advance(dt.timedelta(seconds=601))  # the key set is stale: the next use refetches
    with pytest.raises(KeyNotFoundError, match="not found in the issuer's JWKS"):
        verifier.verify(token)
    assert server.fetches() == 2


def test_a_refetch_sends_cached_tokens_through_the_full_check(
        verifier: Verifier, server: JwksServer, keys: list[KeyPair], full_checks: list[str]):
    token = keys[0].sign(access_claims(server.issuer))
    verifier.verify(token)
    server.set_keys(keys[0], keys[1])
    verifier.verify(keys[1].sign(access_claims(server.issuer)))  # unknown kid: refetch
    verifier.verify(token)
    assert full_checks == ["payload", "payload", "payload"]
    verifier.verify(token)
    assert full_checks == ["payload", "payload", "payload"]
