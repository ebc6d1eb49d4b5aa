"""The token verifier against AWS-shaped tokens served from a loopback JWKS."""

from __future__ import annotations

import datetime as dt
import re
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured

from django_cognito import clock
from django_cognito.verify import (
    ClaimError,
    Claims,
    ClientNotAllowedError,
    ExpiredTokenError,
    HeaderError,
    ImmatureTokenError,
    InvalidSignatureError,
    IssuerNotTrustedError,
    JwksError,
    KeyNotFoundError,
    MalformedTokenError,
    MissingGroupError,
    MissingScopeError,
    RevokedTokenError,
    TokenError,
    TokenUseError,
    TrustedIssuer,
    Verifier,
    get_verifier,
    register_issuer_resolver,
    unregister_issuer_resolver,
    verify_token,
)
from django_cognito.verify import verifier as verifier_module
from tests.jwks_server import (
    JWKS_PATH,
    JwksServer,
    KeyPair,
    access_claims,
    b64json,
    b64url,
    hs256,
    id_claims,
    unsigned,
)


@pytest.fixture(scope="module")
def keys() -> list[KeyPair]:
    """Two pool keys (Cognito signs ID and access tokens with different ones) and a spare."""
    return [KeyPair(), KeyPair(), KeyPair()]


@pytest.fixture(scope="module")
def foreign() -> KeyPair:
    return KeyPair()


@pytest.fixture
def server(keys: list[KeyPair]) -> Iterator[JwksServer]:
    jwks = JwksServer(keys[0], keys[1])
    yield jwks
    jwks.stop()


@pytest.fixture
def configure(settings: Any, server: JwksServer) -> Any:
    def apply(**extra: Any) -> Verifier:
        entry = {"issuer": server.issuer, "jwks_url": server.jwks_url,
                 "client_ids": ["client-a"]}
        entry.update(extra.pop("entry", {}))
        settings.COGNITO = {**settings.COGNITO, "TRUSTED_ISSUERS": [entry], **extra}
        return get_verifier()
    return apply


@pytest.fixture
def verifier(configure: Any) -> Verifier:
    return configure()


# -- accepted tokens ---------------------------------------------------------------------


def test_access_token_verifies(verifier: Verifier, server: JwksServer, keys: list[KeyPair]):
    payload = access_claims(server.issuer)
    claims = verifier.verify(keys[1].sign(payload))
    assert isinstance(claims, Claims)
    assert claims == payload
    assert claims.token_use == "access"
    assert claims.client_id == "client-a"
    assert claims.username == "alice"
    assert claims.groups == {"admin", "staff"}
    assert claims.scopes == {"aws.cognito.signin.user.admin"}
    assert claims.trusted_issuer is not None
    assert claims.trusted_issuer.issuer == server.issuer
    assert server.fetches() == 1


def test_id_token_verifies_with_types_intact(verifier: Verifier, server: JwksServer,
                                              keys: list[KeyPair]):
    payload = id_claims(server.issuer)
    claims = verify_token(keys[0].sign(payload), token_use="id")
    assert claims == payload
    assert claims["email_verified"] is True
    assert claims.client_id == "client-a"
    assert claims.username == "alice"


def test_warm_cache_does_not_refetch(verifier: Verifier, server: JwksServer,
                                     keys: list[KeyPair]):
    for _ in range(5):
        verifier.verify(keys[0].sign(access_claims(server.issuer)))
        verifier.verify(keys[1].sign(id_claims(server.issuer)), token_use="id")
    assert server.fetches() == 1


def test_any_client_when_client_ids_omitted(configure: Any, server: JwksServer,
                                            keys: list[KeyPair]):
    verifier = configure(entry={"client_ids": None})
    verifier.verify(keys[0].sign(access_claims(server.issuer, client_id="other")))
    verifier.verify(keys[0].sign(id_claims(server.issuer, client_id="other")), token_use="id")


def test_leeway_accepts_small_skew(configure: Any, server: JwksServer, keys: list[KeyPair]):
    verifier = configure(VERIFY_LEEWAY=30)
    now = int(clock.now().timestamp())
    verifier.verify(keys[0].sign(access_claims(server.issuer, exp=now - 20)))
    verifier.verify(keys[0].sign(access_claims(server.issuer, iat=now + 20, nbf=now + 20)))
    with pytest.raises(ExpiredTokenError, match="^token expired$"):
        verifier.verify(keys[0].sign(access_claims(server.issuer, exp=now - 40)))


# -- AWS pools by region and pool id ----------------------------------------------------------


def test_aws_pool_entry_derives_issuer_and_jwks_url(settings: Any, monkeypatch: Any,
                                                    keys: list[KeyPair]):
    fetched: list[str] = []

    def fake_fetch(url: str, *, timeout: float, max_bytes: int) -> dict[str, Any]:
        fetched.append(url)
        return {"keys": [keys[0].jwk(), keys[1].jwk()]}

    monkeypatch.setattr(verifier_module, "fetch_jwks", fake_fetch)
    settings.COGNITO = {**settings.COGNITO, "TRUSTED_ISSUERS": [
        {"region": "eu-west-1", "user_pool_id": "eu-west-1_AbC123", "client_ids": ["c1"]}]}
    issuer = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123"
    claims = verify_token(keys[1].sign(access_claims(issuer, client_id="c1")))
    assert claims["iss"] == issuer
    assert claims.trusted_issuer is not None
    assert claims.trusted_issuer.user_pool_id == "eu-west-1_AbC123"
    assert fetched == [issuer + "/.well-known/jwks.json"]
    with pytest.raises(IssuerNotTrustedError):
        verify_token(keys[1].sign(access_claims(
            "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Other", client_id="c1")))


@pytest.mark.parametrize("entry", [
    {"region": "eu-west-1", "user_pool_id": "us-east-1_AbC"},
    {"region": "eu-west-1"},
    {"region": "Europe", "user_pool_id": "Europe_AbC"},
    {"issuer": "https://idp.example"},
    {"issuer": "https://idp.example", "jwks_url": "http://idp.example/jwks.json"},
    {"issuer": "https://idp.example", "jwks_url": "https://idp.example/j", "client_ids": "c1"},
    {"issuer": "https://idp.example", "jwks_url": "https://idp.example/j", "audience": "x"},
])
def test_bad_trusted_issuer_entries_are_config_errors(settings: Any, entry: dict[str, Any]):
    settings.COGNITO = {**settings.COGNITO, "TRUSTED_ISSUERS": [entry]}
    with pytest.raises(ImproperlyConfigured):
        get_verifier()


# -- JWKS caching, rotation and refetch ---------------------------------------------------------


def test_key_rotation_refetches_and_accepts_new_kid(verifier: Verifier, server: JwksServer,
                                                    keys: list[KeyPair]):
    verifier.verify(keys[0].sign(access_claims(server.issuer)))
    server.set_keys(keys[2])
    claims = verifier.verify(keys[2].sign(access_claims(server.issuer)))
    assert claims["iss"] == server.issuer
    assert server.fetches() == 2
    # The retired key left the JWKS, so its tokens stop verifying, without another fetch.
    with pytest.raises(KeyNotFoundError, match=re.escape(f"kid '{keys[0].kid}' not found")):
        verifier.verify(keys[0].sign(access_claims(server.issuer)))
    assert server.fetches() == 2


def test_unknown_kid_refetches_once_per_cooldown(configure: Any, server: JwksServer,
                                                 keys: list[KeyPair]):
    verifier = configure(JWKS_REFETCH_COOLDOWN=30)
    verifier.verify(keys[0].sign(access_claims(server.issuer)))
    assert server.fetches() == 1
    for kid in ("unknown-1", "unknown-2", "unknown-3"):
        token = keys[0].sign(access_claims(server.issuer), {"kid": kid, "alg": "RS256"})
        with pytest.raises(KeyNotFoundError, match=f"^kid '{kid}' not found in the issuer's JWKS$"):
            verifier.verify(token)
    assert server.fetches() == 2
    clock.advance(dt.timedelta(seconds=29))
    server.set_keys(keys[0], keys[2])
    with pytest.raises(KeyNotFoundError):
        verifier.verify(keys[2].sign(access_claims(server.issuer)))
    assert server.fetches() == 2
    clock.advance(dt.timedelta(seconds=2))
    verifier.verify(keys[2].sign(access_claims(server.issuer)))
    assert server.fetches() == 3


def test_jwks_ttl_expiry_refetches(configure: Any, server: JwksServer, keys: list[KeyPair]):
    verifier = configure(JWKS_CACHE_TTL=600)
    verifier.verify(keys[0].sign(access_claims(server.issuer)))
    clock.advance(dt.timedelta(seconds=599))
    verifier.verify(keys[0].sign(access_claims(server.issuer)))
    assert server.fetches() == 1
    clock.advance(dt.timedelta(seconds=2))
    verifier.verify(keys[0].sign(access_claims(server.issuer)))
    assert server.fetches() == 2


def test_stale_keys_survive_an_unreachable_issuer(configure: Any, server: JwksServer,
                                                  keys: list[KeyPair]):
    verifier = configure(JWKS_CACHE_TTL=600)
    verifier.verify(keys[0].sign(access_claims(server.issuer)))
    server.respond(JWKS_PATH, 503, b"unavailable")
    clock.advance(dt.timedelta(seconds=601))
    verifier.verify(keys[0].sign(access_claims(server.issuer)))
    verifier.verify(keys[0].sign(access_claims(server.issuer)))
    assert server.fetches() == 2  # one failed refresh, then the cool-down holds


def test_concurrent_cold_fetches_are_deduplicated(verifier: Verifier, server: JwksServer,
                                                  keys: list[KeyPair]):
    server.delay = 0.2
    tokens = [keys[i % 2].sign(access_claims(server.issuer)) for i in range(8)]
    results: list[Any] = []
    barrier = threading.Barrier(len(tokens))

    def run(token: str) -> None:
        barrier.wait()
        try:
            results.append(verifier.verify(token)["iss"])
        except Exception as exc:  # noqa: BLE001 (the assertion below reports it)
            results.append(exc)

    threads = [threading.Thread(target=run, args=(token,)) for token in tokens]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert results == [server.issuer] * len(tokens)
    assert server.fetches() == 1


def test_stale_key_is_served_while_another_thread_refreshes(configure: Any, server: JwksServer,
                                                            keys: list[KeyPair]):
    verifier = configure(JWKS_CACHE_TTL=600)
    token = keys[0].sign(access_claims(server.issuer))
    verifier.verify(token)
    clock.advance(dt.timedelta(seconds=601))
    (cache,) = verifier._caches.values()
    results: list[Any] = []
    with cache._lock:  # stands for a refresh in progress in another thread
        worker = threading.Thread(target=lambda: results.append(verifier.verify(token)["iss"]))
        worker.start()
        worker.join(timeout=5)
        assert not worker.is_alive()
    assert results == [server.issuer]
    assert server.fetches() == 1


@pytest.mark.parametrize(("status", "body", "headers", "message"), [
    (500, b"boom", {}, "JWKS fetch from .* failed: HTTP Error 500"),
    (200, b"not json", {}, "JWKS from .* is not JSON"),
    (200, b'{"keys": {}}', {}, "JWKS is not a JSON object with a 'keys' array"),
    (200, b'{"keys": [' + b'{"kid": "x"},' * 9000 + b"{}]}", {}, "exceeds 65536 bytes"),
    (302, b"", {"Location": "/elsewhere.json"}, "HTTP Error 302"),
])
def test_jwks_fetch_failures(verifier: Verifier, server: JwksServer, keys: list[KeyPair],
                             status: int, body: bytes, headers: dict[str, str], message: str):
    server.respond(JWKS_PATH, status, body, headers)
    with pytest.raises(JwksError, match=message):
        verifier.verify(keys[0].sign(access_claims(server.issuer)))
    assert "/elsewhere.json" not in server.requests
    # A failed cold fetch pauses for the cool-down instead of retrying on every request.
    with pytest.raises(JwksError, match="retrying after a pause"):
        verifier.verify(keys[0].sign(access_claims(server.issuer)))
    assert server.fetches() == 1


@pytest.mark.parametrize(("overrides", "reason"), [
    ({"kty": "EC"}, "JWK kty is 'EC', expected 'RSA'"),
    ({"use": "enc"}, "JWK use is 'enc', expected 'sig'"),
    ({"alg": "RS512"}, "JWK alg is 'RS512', expected 'RS256'"),
    ({"n": None}, "not a base64url string"),
])
def test_unusable_jwk_is_refused(verifier: Verifier, server: JwksServer, keys: list[KeyPair],
                                 overrides: dict[str, Any], reason: str):
    server.publish({"keys": [keys[0].jwk(**overrides)]})
    with pytest.raises(KeyNotFoundError, match=f"is not usable: {reason}"):
        verifier.verify(keys[0].sign(access_claims(server.issuer)))


def test_jwk_without_optional_members_is_accepted(verifier: Verifier, server: JwksServer,
                                                  keys: list[KeyPair]):
    server.publish({"keys": [keys[0].jwk(use=None, alg=None)]})
    verifier.verify(keys[0].sign(access_claims(server.issuer)))


def test_short_rsa_key_is_refused(verifier: Verifier, server: JwksServer):
    weak = KeyPair(bits=1024)
    server.set_keys(weak)
    with pytest.raises(KeyNotFoundError, match="1024-bit RSA key, at least 2048 needed"):
        verifier.verify(weak.sign(access_claims(server.issuer)))


# -- rejected tokens --------------------------------------------------------------------------


@pytest.mark.parametrize("alg", ["none", "None", "NONE", "nOnE"])
def test_alg_none_is_refused_in_any_casing(verifier: Verifier, server: JwksServer,
                                           keys: list[KeyPair], alg: str):
    token = unsigned(access_claims(server.issuer), {"kid": keys[0].kid, "alg": alg})
    with pytest.raises(HeaderError, match="^alg none is not allowed$"):
        verifier.verify(token)
    assert server.requests == []


def test_hs256_signed_with_the_public_key_is_refused(verifier: Verifier, server: JwksServer,
                                                     keys: list[KeyPair]):
    token = hs256(access_claims(server.issuer), {"kid": keys[0].kid, "alg": "HS256"},
                  keys[0].public_pem())
    with pytest.raises(HeaderError, match="^alg 'HS256' is not allowed, expected RS256$"):
        verifier.verify(token)


@pytest.mark.parametrize("alg", ["RS512", "PS256", "ES256", "rs256", None, 256])
def test_other_algs_are_refused(verifier: Verifier, server: JwksServer, keys: list[KeyPair],
                                alg: Any):
    header = {"kid": keys[0].kid, "alg": alg} if alg is not None else {"kid": keys[0].kid}
    with pytest.raises(HeaderError, match="^alg "):
        verifier.verify(keys[0].sign(access_claims(server.issuer), header))


def test_foreign_key_under_the_real_kid_is_refused(verifier: Verifier, server: JwksServer,
                                                   keys: list[KeyPair], foreign: KeyPair):
    token = foreign.sign(access_claims(server.issuer), {"kid": keys[0].kid, "alg": "RS256"})
    with pytest.raises(InvalidSignatureError, match="^signature verification failed$"):
        verifier.verify(token)


@pytest.mark.parametrize("name", ["jwk", "jku", "x5u", "x5c"])
def test_embedded_or_referenced_keys_are_refused_and_never_fetched(
        verifier: Verifier, server: JwksServer, keys: list[KeyPair], foreign: KeyPair,
        name: str):
    attacker_path = "/attacker/jwks.json"
    server.set_keys(foreign, path=attacker_path)
    value: Any = {
        "jwk": foreign.jwk(),
        "jku": server.base_url + attacker_path,
        "x5u": server.base_url + attacker_path,
        "x5c": ["MIIB"],
    }[name]
    token = foreign.sign(access_claims(server.issuer),
                         {"kid": foreign.kid, "alg": "RS256", name: value})
    with pytest.raises(HeaderError, match=f"^embedded key header {name} is not allowed$"):
        verifier.verify(token)
    assert attacker_path not in server.requests
    assert server.requests == []


def test_missing_kid_is_refused(verifier: Verifier, server: JwksServer, keys: list[KeyPair]):
    with pytest.raises(KeyNotFoundError, match="^kid missing from the token header$"):
        verifier.verify(keys[0].sign(access_claims(server.issuer), {"alg": "RS256"}))
    with pytest.raises(KeyNotFoundError, match="^kid missing from the token header$"):
        verifier.verify(keys[0].sign(access_claims(server.issuer), {"alg": "RS256", "kid": 7}))


@pytest.mark.parametrize("crit", [["exp"], ["b64"], [], "exp"])
def test_crit_header_is_refused(verifier: Verifier, server: JwksServer, keys: list[KeyPair],
                                crit: Any):
    token = keys[0].sign(access_claims(server.issuer),
                         {"kid": keys[0].kid, "alg": "RS256", "crit": crit, "b64": False})
    with pytest.raises(HeaderError, match="^crit header is not supported$"):
        verifier.verify(token)


def test_expired_token_is_refused(verifier: Verifier, server: JwksServer, keys: list[KeyPair]):
    token = keys[0].sign(access_claims(server.issuer))
    clock.advance(dt.timedelta(seconds=3600))
    with pytest.raises(ExpiredTokenError, match="^token expired$"):
        verifier.verify(token)


@pytest.mark.parametrize(("claim", "message"), [
    ("nbf", "^token not yet valid \\(nbf\\)$"),
    ("iat", "^token issued in the future \\(iat\\)$"),
])
def test_not_yet_valid_token_is_refused(verifier: Verifier, server: JwksServer,
                                        keys: list[KeyPair], claim: str, message: str):
    future = int(clock.now().timestamp()) + 120
    token = keys[0].sign(access_claims(server.issuer, **{claim: future}))
    with pytest.raises(ImmatureTokenError, match=message):
        verifier.verify(token)


@pytest.mark.parametrize(("overrides", "message"), [
    ({"exp": None}, "claim exp missing or not a number"),
    ({"exp": "2099-01-01"}, "claim exp missing or not a number"),
    ({"exp": True}, "claim exp missing or not a number"),
    ({"iat": None}, "claim iat missing or not a number"),
    ({"nbf": "soon"}, "claim nbf missing or not a number"),
    ({"sub": None}, "claim sub missing or not a string"),
    ({"client_id": None}, "claim client_id missing or not a string"),
    ({"client_id": ["client-a"]}, "claim client_id missing or not a string"),
])
def test_missing_or_mistyped_claims_are_refused(verifier: Verifier, server: JwksServer,
                                                keys: list[KeyPair], overrides: dict[str, Any],
                                                message: str):
    with pytest.raises(ClaimError, match=f"^{message}$"):
        verifier.verify(keys[0].sign(access_claims(server.issuer, **overrides)))


def test_wrong_issuer_is_refused_without_fetching(verifier: Verifier, server: JwksServer,
                                                  keys: list[KeyPair]):
    other = server.base_url + "/us-east-1_Other"
    message = re.escape(f"issuer not trusted: {other}")
    with pytest.raises(IssuerNotTrustedError, match=f"^{message}$"):
        verifier.verify(keys[0].sign(access_claims(other)))
    with pytest.raises(IssuerNotTrustedError, match="^claim iss missing or not a string$"):
        verifier.verify(keys[0].sign(access_claims(server.issuer, iss=None)))
    assert server.requests == []


def test_wrong_client_is_refused(verifier: Verifier, server: JwksServer, keys: list[KeyPair]):
    with pytest.raises(ClientNotAllowedError, match="^client_id client-b not allowed$"):
        verifier.verify(keys[0].sign(access_claims(server.issuer, client_id="client-b")))
    with pytest.raises(ClientNotAllowedError, match="^aud client-b not allowed$"):
        verifier.verify(keys[0].sign(id_claims(server.issuer, client_id="client-b")),
                        token_use="id")
    with pytest.raises(ClientNotAllowedError, match="^aud not allowed$"):
        verifier.verify(keys[0].sign(id_claims(server.issuer, aud=["x", "y"])), token_use="id")
    claims = verifier.verify(keys[0].sign(id_claims(server.issuer, aud=["x", "client-a"])),
                             token_use="id")
    assert claims["aud"] == ["x", "client-a"]


def test_access_token_with_only_aud_is_refused(verifier: Verifier, server: JwksServer,
                                               keys: list[KeyPair]):
    payload = access_claims(server.issuer, client_id=None, aud="client-a")
    with pytest.raises(ClaimError, match="^claim client_id missing or not a string$"):
        verifier.verify(keys[0].sign(payload))


@pytest.mark.parametrize(("token_use", "expected", "message"), [
    ("id", "access", "token_use is id, expected access"),
    ("refresh", "access", "token_use is refresh, expected access"),
    (None, "access", "token_use is missing, expected access"),
    ("access", "id", "token_use is access, expected id"),
])
def test_wrong_token_use_is_refused(verifier: Verifier, server: JwksServer, keys: list[KeyPair],
                                    token_use: Any, expected: str, message: str):
    payload = access_claims(server.issuer, token_use=token_use, aud="client-a")
    with pytest.raises(TokenUseError, match=f"^{message}$"):
        verifier.verify(keys[0].sign(payload), token_use=expected)


def test_id_token_where_access_token_required(verifier: Verifier, server: JwksServer,
                                              keys: list[KeyPair]):
    with pytest.raises(TokenUseError, match="^token_use is id, expected access$"):
        verifier.verify(keys[0].sign(id_claims(server.issuer)))


def test_unknown_token_use_parameter_is_a_programming_error(verifier: Verifier):
    with pytest.raises(ValueError, match="token_use must be"):
        verifier.verify("x.y.z", token_use="refresh")


def test_every_truncation_is_refused_cleanly(verifier: Verifier, server: JwksServer,
                                             keys: list[KeyPair]):
    token = keys[0].sign(access_claims(server.issuer))
    for length in range(len(token)):
        with pytest.raises(TokenError):
            verifier.verify(token[:length])
    with pytest.raises(MalformedTokenError, match="^token is not a compact JWS of three"):
        verifier.verify(token.rsplit(".", 1)[0])
    with pytest.raises(InvalidSignatureError):
        verifier.verify(token[:-4])


def test_oversized_token_is_refused_before_parsing(verifier: Verifier, server: JwksServer,
                                                   keys: list[KeyPair]):
    token = keys[0].sign(access_claims(server.issuer, padding="x" * 8000))
    assert len(token) > 8192
    with pytest.raises(MalformedTokenError, match="^token exceeds 8192 bytes$"):
        verifier.verify(token)
    assert server.requests == []


def test_token_size_limit_is_configurable(configure: Any, server: JwksServer,
                                          keys: list[KeyPair]):
    verifier = configure(TOKEN_MAX_BYTES=16384)
    token = keys[0].sign(access_claims(server.issuer, padding="x" * 8000))
    assert verifier.verify(token)["padding"] == "x" * 8000


@pytest.mark.parametrize(("token", "message"), [
    ("", "token is not a compact JWS of three segments"),
    ("abc", "token is not a compact JWS of three segments"),
    ("a.b.c.d", "token is not a compact JWS of three segments"),
    ("a.b.c.d.e", "encrypted \\(JWE\\) tokens are not accepted"),
    ("..", "token header is not JSON"),
    ("a.b.c", "token header is not base64url"),
    ("é.é.é", "token is not ASCII"),
    ("e30=.e30.sig", "token header is not base64url"),
    ("e3+.e30.sig", "token header is not base64url"),
    (None, "token is not a string"),
    (b"a.b.c", "token is not a string"),
    (123, "token is not a string"),
    (f"{b64json([])}.e30.sig", "token header is not a JSON object"),
    (f"{b64json('RS256')}.e30.sig", "token header is not a JSON object"),
    ("eyJhbGciOiJSUzI1NiIsImFsZyI6Im5vbmUiLCJraWQiOiJrIn0.e30.sig",
     "token header repeats a member"),
    (f"{b64json({'kid': 'k', 'alg': 'RS256'})}.{b64json([1])}.sig",
     "token payload is not a JSON object"),
    (f"{b64json({'kid': 'k', 'alg': 'RS256'})}.bm90IGpzb24.sig", "token payload is not JSON"),
    (f"{b64json({'kid': 'k', 'alg': 'RS256'})}.{'W' * 4000}.sig", "token payload is not JSON"),
])
def test_garbage_is_refused_cleanly(verifier: Verifier, token: Any, message: str):
    with pytest.raises(MalformedTokenError, match=f"^{message}$"):
        verifier.verify(token)


def test_deeply_nested_payload_is_refused_cleanly(verifier: Verifier, keys: list[KeyPair]):
    header = b64json({"kid": keys[0].kid, "alg": "RS256"})
    token = f"{header}.{b64url(b'[' * 5000)}.sig"
    assert len(token) <= 8192
    with pytest.raises(MalformedTokenError, match="^token payload is not JSON$"):
        verifier.verify(token)


def test_bad_signature_encoding_is_refused(verifier: Verifier, server: JwksServer,
                                           keys: list[KeyPair]):
    token = keys[0].sign(access_claims(server.issuer))
    with pytest.raises(MalformedTokenError, match="^token signature is not base64url$"):
        verifier.verify(token[:-2] + "!!")


# -- groups and scopes ------------------------------------------------------------------------


def test_required_groups_any_of(verifier: Verifier, server: JwksServer, keys: list[KeyPair]):
    token = keys[0].sign(access_claims(server.issuer))
    assert verifier.verify(token, groups=["ops", "admin"])
    with pytest.raises(MissingGroupError, match="^user is in none of the groups ops, dev$"):
        verifier.verify(token, groups=["ops", "dev"])
    no_groups = keys[0].sign(access_claims(server.issuer, **{"cognito:groups": None}))
    with pytest.raises(MissingGroupError):
        verifier.verify(no_groups, groups=["admin"])


def test_required_scopes_all_of_and_any_of(verifier: Verifier, server: JwksServer,
                                           keys: list[KeyPair]):
    token = keys[0].sign(access_claims(server.issuer, scope="orders.read orders.write"))
    assert verifier.verify(token, scopes=["orders.read", "orders.write"])
    assert verifier.verify(token, any_scopes=["orders.read", "admin"])
    with pytest.raises(MissingScopeError, match="^token lacks scope admin$"):
        verifier.verify(token, scopes=["orders.read", "admin"])
    with pytest.raises(MissingScopeError, match="^token lacks all of the scopes a b$"):
        verifier.verify(token, any_scopes=["a", "b"])


# -- local issuers through resolvers --------------------------------------------------------


def test_registered_resolver_supplies_local_issuers(verifier: Verifier, server: JwksServer,
                                                    keys: list[KeyPair]):
    local_iss = "https://idp.example/us-east-1_Local"
    seen: list[str] = []
    revoked: set[str] = set()

    def check_revocation(claims: Claims) -> None:
        if claims["origin_jti"] in revoked:
            raise RevokedTokenError("token revoked")

    def resolver(iss: str) -> TrustedIssuer | None:
        seen.append(iss)
        if iss != local_iss:
            return None
        return TrustedIssuer(local_iss, load_jwks=lambda: {"keys": [keys[2].jwk()]},
                             client_ids=frozenset({"local-client"}),
                             user_pool_id="us-east-1_Local", check_revocation=check_revocation)

    register_issuer_resolver(resolver)
    try:
        payload = access_claims(local_iss, client_id="local-client")
        token = keys[2].sign(payload)
        assert verifier.verify(token) == payload
        # Settings issuers are matched first: their tokens never reach a resolver.
        verifier.verify(keys[0].sign(access_claims(server.issuer)))
        assert seen == [local_iss]
        revoked.add(payload["origin_jti"])
        with pytest.raises(RevokedTokenError, match="^token revoked$"):
            verifier.verify(token)
        with pytest.raises(IssuerNotTrustedError):
            verifier.verify(keys[2].sign(access_claims("https://idp.example/other")))
    finally:
        unregister_issuer_resolver(resolver)
    with pytest.raises(IssuerNotTrustedError):
        verifier.verify(token)


def test_trusted_issuer_needs_exactly_one_key_source():
    with pytest.raises(ImproperlyConfigured):
        TrustedIssuer("https://idp.example")
    with pytest.raises(ImproperlyConfigured):
        TrustedIssuer("https://idp.example", jwks_url="https://idp.example/j",
                      load_jwks=lambda: {"keys": []})


def test_settings_change_rebuilds_the_verifier(configure: Any, settings: Any):
    first = configure()
    assert get_verifier() is first
    settings.COGNITO = {**settings.COGNITO, "VERIFY_LEEWAY": 5}
    second = get_verifier()
    assert second is not first
    assert second.leeway == 5
