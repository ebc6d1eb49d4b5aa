"""Per-pool signing keys in the database: creation, the published JWKS, rotation and purging.

Each pool has, per purpose (ID and access tokens, reference §3.1), one *active* key that
signs and one *next* key that is already published, so consumers holding a cached JWKS
know a key before it signs. Rotation makes the next key active and retires the active
one, which stays published until every token it signed has expired.
"""

from __future__ import annotations

import datetime as dt
import time

from cryptography.hazmat.primitives.asymmetric import rsa
from django.db import IntegrityError, transaction
from django.db.models import Q

from ..clock import now
from ..conf import app_settings
from ..crypto import keys as rsa_keys
from ..models import AppClient, KeyPurpose, KeyState, SigningKey, UserPool, validity_seconds
from .claims import MAX_LIFETIME

PURPOSES = (KeyPurpose.ID, KeyPurpose.ACCESS)
# Tokens may be signed by a process that read the active key just before a rotation; the
# retired key stays published this much longer than its longest token so those verify too.
RETIREMENT_GRACE = dt.timedelta(minutes=5)
_VALIDITY_FIELDS = {KeyPurpose.ID: ("id_token_validity", "IdToken"),
                    KeyPurpose.ACCESS: ("access_token_validity", "AccessToken")}
_CACHE_LIMIT = 1024
_private_keys: dict[str, rsa.RSAPrivateKey] = {}
# (pool id, purpose) -> (active key, time.monotonic() when read); see active_key().
_active: dict[tuple[str, str], tuple[SigningKey, float]] = {}
_ACTIVE_TTL = 30.0


def _new_key(pool: UserPool, purpose: str, state: str) -> SigningKey:
    private = rsa_keys.generate_private_key()
    jwk = rsa_keys.public_jwk(private.public_key())
    moment = now()
    key = SigningKey(pool=pool, kid=rsa_keys.key_id(jwk), purpose=purpose, state=state,
                     private_key=rsa_keys.private_pem(private), public_jwk=jwk,
                     created_at=moment,
                     activated_at=moment if state == KeyState.ACTIVE else None)
    key.save(force_insert=True)
    _remember(key.kid, private)
    return key


def _remember(kid: str, private: rsa.RSAPrivateKey) -> None:
    if len(_private_keys) >= _CACHE_LIMIT:
        _private_keys.clear()
    _private_keys[kid] = private


def _missing(pool: UserPool) -> list[tuple[str, str]]:
    """The (purpose, state) slots of ``pool`` with no active or next key."""
    present = set(SigningKey.objects.filter(
        pool=pool, state__in=[KeyState.ACTIVE, KeyState.NEXT]).values_list("purpose", "state"))
    return [(purpose, state) for purpose in PURPOSES for state in (KeyState.ACTIVE, KeyState.NEXT)
            if (purpose, state) not in present]


def ensure_keys(pool: UserPool) -> None:
    """Create whichever active and next keys ``pool`` lacks (keys are made on first need)."""
    for purpose, state in _missing(pool):
        try:
            with transaction.atomic():
                _new_key(pool, purpose, state)
        except IntegrityError:
            # Another process filled the slot first; the partial unique constraint kept one.
            continue


def _rotation_due(key: SigningKey) -> bool:
    days = app_settings.KEY_ROTATION_DAYS
    if not days or key.activated_at is None:
        return False
    return bool(key.activated_at + dt.timedelta(days=days) <= now())


def active_key(pool: UserPool, purpose: str) -> SigningKey:
    """The key that signs ``purpose`` tokens of ``pool`` now, created or rotated as needed.

    The answer is kept for ``_ACTIVE_TTL`` seconds per process: a key retired meanwhile by
    another process stays published for longer than any token it may still sign then.
    """
    cached = _active.get((pool.pk, purpose))
    if cached is not None and time.monotonic() - cached[1] < _ACTIVE_TTL and \
            not _rotation_due(cached[0]):
        return cached[0]
    key = _load_active(pool, purpose)
    _active[(pool.pk, purpose)] = (key, time.monotonic())
    return key


def _load_active(pool: UserPool, purpose: str) -> SigningKey:
    for _ in range(3):
        key = (SigningKey.objects.filter(pool=pool, purpose=purpose, state=KeyState.ACTIVE)
               .defer("private_key").first())
        if key is None:
            ensure_keys(pool)
        elif _rotation_due(key):
            rotate(pool, only_if_due=True)
        else:
            return key
    raise RuntimeError(f"No active {purpose} key for pool {pool.id}.")  # pragma: no cover


def private_key(key: SigningKey) -> rsa.RSAPrivateKey:
    """The loaded private key of ``key``, decrypted and parsed once per process."""
    loaded = _private_keys.get(key.kid)
    if loaded is None:
        if "private_key" in key.get_deferred_fields():
            key.refresh_from_db(fields=["private_key"])
        loaded = rsa_keys.load_private_pem(key.private_key, key.kid)
        _remember(key.kid, loaded)
    return loaded


def record_lifetime(key: SigningKey, seconds: int) -> None:
    """Note that ``key`` signs a token living ``seconds``, before the token is handed out."""
    if seconds > key.max_lifetime:
        SigningKey.objects.filter(pk=key.pk, max_lifetime__lt=seconds).update(
            max_lifetime=seconds)
        key.max_lifetime = seconds


def jwk(key: SigningKey) -> dict[str, str]:
    """The published JWK of ``key`` (members in the order AWS lists them)."""
    public = key.public_jwk
    return {"alg": "RS256", "e": public["e"], "kid": key.kid, "kty": "RSA", "n": public["n"],
            "use": "sig"}


def publish_keys(pool: UserPool) -> list[dict[str, str]]:
    """The JWKS ``keys``: active, next and retired keys whose tokens may still be alive."""
    ensure_keys(pool)
    order = {KeyState.ACTIVE: 0, KeyState.NEXT: 1, KeyState.RETIRED: 2}
    keys = SigningKey.objects.filter(pool=pool).filter(
        Q(state__in=[KeyState.ACTIVE, KeyState.NEXT]) | Q(expires_at__gt=now())
    ).defer("private_key")
    ranked = sorted(keys, key=lambda k: (order[KeyState(k.state)],
                                         PURPOSES.index(KeyPurpose(k.purpose)), k.created_at))
    return [jwk(k) for k in ranked]


def _client_lifetime(pool: UserPool, purpose: str) -> int:
    """The longest ``purpose`` token lifetime any client of ``pool`` is configured for."""
    field, token = _VALIDITY_FIELDS[KeyPurpose(purpose)]
    longest = 0
    for value, units in AppClient.objects.filter(pool=pool).values_list(
            field, "token_validity_units"):
        longest = max(longest, validity_seconds(value, units, token))
    # Minting caps ID and access tokens at Cognito's one day (reference §3.1).
    return min(longest, MAX_LIFETIME)


def _retire(key: SigningKey, moment: dt.datetime) -> None:
    lifetime = max(key.max_lifetime, _client_lifetime(key.pool, key.purpose))
    key.state = KeyState.RETIRED
    key.retired_at = moment
    key.expires_at = moment + dt.timedelta(seconds=lifetime) + RETIREMENT_GRACE
    key.save(update_fields=["state", "retired_at", "expires_at"])


def rotate(pool: UserPool, *, only_if_due: bool = False) -> dict[str, tuple[SigningKey,
                                                                             SigningKey]]:
    """Retire the active keys, activate the next ones and publish new next keys.

    Returns ``{purpose: (active, next)}``. With ``only_if_due`` (the schedule), nothing
    happens unless a ``KEY_ROTATION_DAYS`` rotation is still due once the pool is locked,
    so concurrent requests rotate once.
    """
    ensure_keys(pool)
    for purpose in PURPOSES:
        _active.pop((pool.pk, purpose), None)
    result: dict[str, tuple[SigningKey, SigningKey]] = {}
    with transaction.atomic():
        UserPool.objects.select_for_update().filter(pk=pool.pk).exists()
        current = {(k.purpose, k.state): k for k in SigningKey.objects.select_related("pool")
                   .filter(pool=pool, state__in=[KeyState.ACTIVE, KeyState.NEXT])
                   .defer("private_key")}
        if only_if_due and not any(_rotation_due(k) for k in current.values()
                                   if k.state == KeyState.ACTIVE):
            return result
        moment = now()
        for purpose in PURPOSES:
            old, successor = current[(purpose, KeyState.ACTIVE)], current[(purpose, KeyState.NEXT)]
            _retire(old, moment)
            successor.state = KeyState.ACTIVE
            successor.activated_at = moment
            successor.save(update_fields=["state", "activated_at"])
            result[purpose] = (successor, _new_key(pool, purpose, KeyState.NEXT))
    return result


def purge(pool: UserPool | None = None) -> int:
    """Delete retired keys whose tokens have all expired; returns how many."""
    expired = SigningKey.objects.filter(state=KeyState.RETIRED, expires_at__lte=now())
    if pool is not None:
        expired = expired.filter(pool=pool)
    kids = list(expired.values_list("kid", flat=True))
    deleted, _ = SigningKey.objects.filter(kid__in=kids).delete()
    for kid in kids:
        _private_keys.pop(kid, None)
    return deleted

