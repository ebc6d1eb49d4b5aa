"""Remembered devices: tracking, ConfirmDevice, device SRP and the device operations.

On a pool with a DeviceConfiguration every sign-in is tied to a device: the DEVICE_KEY the
client presents when it names a confirmed device of the user, else a new device whose
NewDeviceMetadata comes back with the tokens (reference §1.3). ConfirmDevice stores the
SRP verifier the client derived from a device password it keeps; a remembered device then
proves itself with DEVICE_SRP_AUTH / DEVICE_PASSWORD_VERIFIER (reference §1.5, §6), which
takes the place of MFA when the pool sets ChallengeRequiredOnNewDevice.

The DEVICE_KEY a sign-in call presents reaches the post-first-factor step and the token
issue through :data:`PRESENTED_DEVICE_KEY`, set by :func:`presenting` around
InitiateAuth and RespondToAuthChallenge.
"""

from __future__ import annotations

import base64
import binascii
import contextvars
import datetime as dt
import hmac
import json
import re
import secrets
import string
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from cryptography.fernet import InvalidToken
from django.core.cache import caches

from ..clock import now
from ..conf import app_settings
from ..crypto import srp
from ..crypto.fields import fernet
from ..exceptions import (
    InvalidParameterException,
    NotAuthorizedException,
    ResourceNotFoundException,
)
from ..models import AppClient, Device, DeviceStatus, PoolUser, UserPool
from . import auth, lockout, sessions, srp_auth
from .clients import check_secret_hash
from .pagination import Page, paginate
from .pool_config import settings_of
from .schema import storable
from .users import find_user

DEVICE_SRP_AUTH = "DEVICE_SRP_AUTH"
DEVICE_PASSWORD_VERIFIER = "DEVICE_PASSWORD_VERIFIER"
DEVICE_SOURCE = "TokenGeneration_AuthenticateDevice"
# A device handed out but never confirmed is dropped after this long.
PENDING_LIFETIME = dt.timedelta(days=1)
GROUP_KEY_LENGTH = 9
MAX_SALT_BYTES = 128
_ALPHABET = string.ascii_letters + string.digits
_WRONG = "Incorrect username or password."
_NO_DEVICE = "Device does not exist."
_KEY = re.compile(r"[\w-]+_[0-9a-f-]+")

#: The DEVICE_KEY presented by the sign-in call being served ("" when none).
PRESENTED_DEVICE_KEY: contextvars.ContextVar[str] = contextvars.ContextVar(
    "django_cognito_presented_device_key", default="")


@contextmanager
def presenting(parameters: object) -> Iterator[None]:
    """Make the DEVICE_KEY of AuthParameters / ChallengeResponses visible while it runs."""
    key = parameters.get("DEVICE_KEY") if isinstance(parameters, Mapping) else None
    token = PRESENTED_DEVICE_KEY.set(key if isinstance(key, str) else "")
    try:
        yield
    finally:
        PRESENTED_DEVICE_KEY.reset(token)


def configuration(pool: UserPool) -> dict[str, Any] | None:
    """The pool's DeviceConfiguration; ``None`` when it does not track devices."""
    config = settings_of(pool).extra.get("DeviceConfiguration")
    return config if isinstance(config, dict) else None


def _flag(pool: UserPool, name: str) -> bool:
    return bool((configuration(pool) or {}).get(name))


def _well_formed(key: object) -> bool:
    """Whether ``key`` has the DeviceKeyType shape (which also keeps NUL out of queries)."""
    return isinstance(key, str) and len(key) <= 55 and _KEY.fullmatch(key) is not None


def _confirmed(user: PoolUser, key: object) -> Device | None:
    """The confirmed device ``key`` of ``user``."""
    if not _well_formed(key):
        return None
    device = Device.objects.filter(user=user, device_key=key).first()
    return device if device is not None and device.confirmed else None


def device_for_tokens(client: AppClient, user: PoolUser) -> tuple[str, dict[str, str] | None]:
    """The device key new tokens carry, and NewDeviceMetadata when the device is new.

    Without device tracking both are empty. A presented key of a confirmed device of the
    user is reused; anything else (no key, a forgotten or foreign one) starts a new device.
    """
    if configuration(client.pool) is None:
        return "", None
    device = _confirmed(user, PRESENTED_DEVICE_KEY.get())
    if device is not None:
        return device.device_key, None
    Device.objects.filter(user=user, confirmed_at=None,
                          created_at__lte=now() - PENDING_LIFETIME).delete()
    device = Device.objects.create(
        user=user, device_key=f"{user.pool.region}_{uuid.uuid4()}",
        device_group_key="-" + "".join(secrets.choice(_ALPHABET)
                                       for _ in range(GROUP_KEY_LENGTH)))
    return device.device_key, {"DeviceKey": device.device_key,
                               "DeviceGroupKey": device.device_group_key}


def remembered_device_step(client: AppClient, user: PoolUser, metadata: dict[str, str],
                           source: str) -> auth.AuthResult | None:
    """After the first factor: a remembered device is asked to prove itself (DEVICE_SRP_AUTH)."""
    if configuration(client.pool) is None:
        return None
    device = _confirmed(user, PRESENTED_DEVICE_KEY.get())
    if device is None or not device.remembered:
        return None
    session = sessions.issue(client, user.pk, DEVICE_SRP_AUTH, user.username,
                             device=device.device_key, s=source)
    # Some clients (pycognito) answer without the Session: the server remembers the
    # challenge too, for as long as the Session would be valid, to be answered once.
    caches[app_settings.CACHE_ALIAS].set(_pending_key(client, user, device.device_key), source,
                                         timeout=client.auth_session_validity * 60)
    return auth.AuthResult(challenge_name=DEVICE_SRP_AUTH, session=session,
                           challenge_parameters={"USERNAME": user.username})


def _pending_key(client: AppClient, user: PoolUser, device_key: str) -> str:
    return f"django_cognito:device-srp:{client.pk}:{user.pk}:{device_key}"


def _challenged(client: AppClient, session: object, username: str, key: str
                ) -> tuple[PoolUser, str]:
    """The user a DEVICE_SRP_AUTH challenge was issued to for ``key``, and its source.

    The challenge is spent here, so one first factor allows one device exchange.
    """
    invalid = NotAuthorizedException("Invalid session for the user.")
    cache = caches[app_settings.CACHE_ALIAS]
    if session is not None:
        state = sessions.read(client, session, DEVICE_SRP_AUTH)
        user = _user_named(client.pool, state.user_id, username)
        if user is None or state.data.get("device") != key:
            raise invalid
        source = str(state.data.get("s") or DEVICE_SOURCE)
    else:
        found = find_user(client.pool, username)
        if found is None:
            raise invalid
        user = found
    pending = cache.get(_pending_key(client, user, key))
    if not isinstance(pending, str) or not cache.delete(_pending_key(client, user, key)):
        raise invalid
    return user, source if session is not None else pending


def _required(params: Mapping[str, str], name: str) -> str:
    value = params.get(name)
    if not value:
        raise InvalidParameterException(f"Missing required parameter {name}")
    return value


def _user_named(pool: UserPool, user_pk: int, username: str) -> PoolUser | None:
    """The user ``user_pk`` if ``username`` names it (its username or an alias)."""
    user = PoolUser.objects.select_related("pool").filter(pk=user_pk, pool=pool).first()
    if user is None or (username != user.username and find_user(pool, username) != user):
        return None
    return user


@dataclass
class _Block:
    """The server's half of a device SRP exchange, carried sealed in SECRET_BLOCK."""

    pool_id: str
    client_id: str
    user_pk: int
    device_key: str
    big_a: int
    big_b: int
    b: int
    issued: float
    admin: bool
    source: str


def _seal(block: _Block) -> str:
    payload = {"p": block.pool_id, "c": block.client_id, "u": block.user_pk,
               "d": block.device_key, "a": srp.hexstr(block.big_a),
               "B": srp.hexstr(block.big_b), "b": srp.hexstr(block.b), "t": block.issued,
               "m": block.admin, "s": block.source}
    token = fernet("device-srp-block").encrypt(json.dumps(payload, separators=(",", ":")).encode())
    return base64.b64encode(base64.urlsafe_b64decode(token)).decode()


def _open(text: str) -> tuple[_Block, bytes]:
    invalid = NotAuthorizedException("Invalid session for the user.")
    if len(text) > srp_auth.MAX_BLOCK_LENGTH:
        raise invalid
    try:
        raw = base64.b64decode(text, validate=True)
        payload: Any = json.loads(fernet("device-srp-block").decrypt(base64.urlsafe_b64encode(raw)))
        block = _Block(
            pool_id=str(payload["p"]), client_id=str(payload["c"]), user_pk=int(payload["u"]),
            device_key=str(payload["d"]), big_a=int(payload["a"], 16),
            big_b=int(payload["B"], 16), b=int(payload["b"], 16), issued=float(payload["t"]),
            admin=bool(payload["m"]), source=str(payload["s"]))
    except (InvalidToken, ValueError, TypeError, KeyError):
        raise invalid from None
    return block, raw


@auth.challenge_handler(DEVICE_SRP_AUTH)
def _answer_device_srp(client: AppClient, answers: dict[str, str], session: object,
                       metadata: dict[str, str], admin: bool) -> auth.AuthResult:
    """DEVICE_SRP_AUTH {USERNAME, DEVICE_KEY, SRP_A} → DEVICE_PASSWORD_VERIFIER."""
    username = _required(answers, "USERNAME")
    key = _required(answers, "DEVICE_KEY")
    srp_a = _required(answers, "SRP_A")
    check_secret_hash(client, username, answers.get("SECRET_HASH"))
    big_a = srp.parse_public(srp_a)
    if big_a is None:
        raise InvalidParameterException("SRP_A must be hex and not 0 mod N.")
    user, source = _challenged(client, session, username, key)
    device = _confirmed(user, key)
    if device is None:  # forgotten since the challenge was issued
        raise ResourceNotFoundException(_NO_DEVICE)
    verifier = int(device.verifier or "0", 16)
    b = srp.new_private()
    big_b = srp.server_public(verifier, b)
    while big_b == 0 or srp.scrambler(big_a, big_b) == 0:  # RFC 5054 §2.5.3, u ≠ 0
        b = srp.new_private()
        big_b = srp.server_public(verifier, b)
    block = _Block(pool_id=client.pool.id, client_id=client.id, user_pk=user.pk,
                   device_key=key, big_a=big_a, big_b=big_b, b=b, issued=now().timestamp(),
                   admin=admin, source=source)
    return auth.AuthResult(
        challenge_name=DEVICE_PASSWORD_VERIFIER,
        session=sessions.issue(client, user.pk, DEVICE_PASSWORD_VERIFIER, user.username,
                               device=key),
        challenge_parameters={"SALT": device.salt, "SRP_B": srp.hexstr(big_b),
                              "SECRET_BLOCK": _seal(block), "USERNAME": user.username,
                              "DEVICE_KEY": key})


@auth.challenge_handler(DEVICE_PASSWORD_VERIFIER)
def _answer_device_verifier(client: AppClient, answers: dict[str, str], session: object,
                            metadata: dict[str, str], admin: bool) -> auth.AuthResult:
    """DEVICE_PASSWORD_VERIFIER: check the device's proof, then tokens (or MFA, see module)."""
    pool = client.pool
    username = _required(answers, "USERNAME")
    key = _required(answers, "DEVICE_KEY")
    block_text = _required(answers, "PASSWORD_CLAIM_SECRET_BLOCK")
    claim = _required(answers, "PASSWORD_CLAIM_SIGNATURE")
    timestamp = _required(answers, "TIMESTAMP")
    check_secret_hash(client, username, answers.get("SECRET_HASH"))
    block, raw = _open(block_text)
    if block.pool_id != pool.id or block.client_id != client.id or block.admin != admin or \
            block.device_key != key:
        raise NotAuthorizedException("Invalid session for the user.")
    moment = srp.parse_timestamp(timestamp)
    if moment is None:
        raise InvalidParameterException(
            "TIMESTAMP format should be EEE MMM d HH:mm:ss z yyyy in english.")
    current = now()
    if current.timestamp() - block.issued > srp_auth.BLOCK_VALIDITY.total_seconds():
        raise NotAuthorizedException("Invalid session for the user, session is expired.")
    user = _user_named(pool, block.user_pk, username)
    if user is None:
        raise NotAuthorizedException("Invalid session for the user.")
    lockout.check(user)
    device = _confirmed(user, key)
    if device is None:
        raise ResourceNotFoundException(_NO_DEVICE)
    if abs(current - moment) > srp_auth.TIMESTAMP_SKEW or not _spend(raw) or \
            not _proof_holds(device, block, raw, timestamp, claim):
        lockout.failed(user)
        raise NotAuthorizedException(_WRONG)
    Device.objects.filter(pk=device.pk).update(last_authenticated_at=current)
    if _flag(pool, "ChallengeRequiredOnNewDevice"):
        return auth.finish(client, user, DEVICE_SOURCE, metadata)
    # Without ChallengeRequiredOnNewDevice the device proof does not replace MFA (§1.5).
    for step in auth.POST_FIRST_FACTOR_STEPS:
        if step is not remembered_device_step:
            result = step(client, user, metadata, block.source)
            if result is not None:
                return result
    return auth.finish(client, user, DEVICE_SOURCE, metadata)


def _spend(raw: bytes) -> bool:
    """Mark a device SECRET_BLOCK used; ``False`` when it was answered before (replay)."""
    return srp_auth._spend(b"device:" + raw)


def _proof_holds(device: Device, block: _Block, raw: bytes, timestamp: str, claim: str) -> bool:
    """Recompute the device's signature from its verifier; compare in constant time."""
    u = srp.scrambler(block.big_a, block.big_b)
    verifier = int(device.verifier or "0", 16)
    key = srp.session_key(srp.server_secret(block.big_a, verifier, u, block.b), u)
    expected = srp.signature(key, device.device_group_key, device.device_key, raw, timestamp)
    try:
        presented = base64.b64decode(claim, validate=True)
    except (ValueError, binascii.Error):
        return False
    return hmac.compare_digest(expected, presented)


# Device operations (reference §1.1: AccessToken operations and their Admin variants).

def _device_of(user: PoolUser, key: object) -> Device:
    """The confirmed device ``key`` of ``user`` or ResourceNotFoundException."""
    if not isinstance(key, str) or not key:
        raise InvalidParameterException("DeviceKey is required.")
    device = _confirmed(user, key)
    if device is None:
        raise ResourceNotFoundException(_NO_DEVICE)
    return device


def _decode(value: object, name: str) -> bytes:
    if not isinstance(value, str) or not value or len(value) > 4096:
        raise InvalidParameterException(f"{name} is invalid.")
    try:
        return base64.b64decode(value, validate=True)
    except (ValueError, binascii.Error):
        raise InvalidParameterException(f"{name} is invalid.") from None


def confirm_device(user: PoolUser, key: object, verifier_config: object,
                   name: object = None) -> bool:
    """ConfirmDevice: store the device's SRP verifier; returns UserConfirmationNecessary.

    When the pool remembers devices only on the user's word, the device stays
    not_remembered until UpdateDeviceStatus; otherwise it is remembered at once.
    """
    if not isinstance(key, str) or not key:
        raise InvalidParameterException("DeviceKey is required.")
    if not isinstance(verifier_config, Mapping):
        raise InvalidParameterException("DeviceSecretVerifierConfig is required.")
    verifier = int.from_bytes(_decode(verifier_config.get("PasswordVerifier"),
                                      "PasswordVerifier"), "big")
    salt = _decode(verifier_config.get("Salt"), "Salt")
    if not 1 < verifier < srp.N:
        raise InvalidParameterException("PasswordVerifier is invalid.")
    if not salt or len(salt) > MAX_SALT_BYTES:
        raise InvalidParameterException("Salt is invalid.")
    if name is not None and (not isinstance(name, str) or not 1 <= len(name) <= 1024 or
                             not storable(name)):
        raise InvalidParameterException("DeviceName is invalid.")
    device = Device.objects.filter(user=user, device_key=key).first() if _well_formed(key) \
        else None
    if device is None:
        raise ResourceNotFoundException(_NO_DEVICE)
    prompt = _flag(user.pool, "DeviceOnlyRememberedOnUserPrompt")
    moment = now()
    device.verifier = srp.hexstr(verifier)
    # Canonical form, as a client that parses SALT to a number and pads it hashes it.
    device.salt = srp.pad(srp.hexstr(int.from_bytes(salt, "big")))
    if name is not None:
        device.name = name
    device.remembered_status = DeviceStatus.NOT_REMEMBERED if prompt \
        else DeviceStatus.REMEMBERED
    device.confirmed_at = moment
    device.last_authenticated_at = device.last_authenticated_at or moment
    device.modified_at = moment
    device.save()
    return prompt


def get_device(user: PoolUser, key: object) -> Device:
    """GetDevice / AdminGetDevice."""
    return _device_of(user, key)


def list_devices(user: PoolUser, limit: object = None, token: object = None) -> Page[Device]:
    """ListDevices / AdminListDevices: the user's confirmed devices, oldest first."""
    return paginate(Device.objects.filter(user=user).exclude(confirmed_at=None), "id",
                    limit, token, scope=f"devices:{user.pk}")


def forget_device(user: PoolUser, key: object) -> None:
    """ForgetDevice / AdminForgetDevice: the device stops being tracked or remembered."""
    _device_of(user, key).delete()


def update_device_status(user: PoolUser, key: object, status: object) -> Device:
    """UpdateDeviceStatus / AdminUpdateDeviceStatus."""
    if status is None:
        status = DeviceStatus.NOT_REMEMBERED
    if status not in DeviceStatus.values:
        raise InvalidParameterException(
            "DeviceRememberedStatus must be remembered or not_remembered.")
    device = _device_of(user, key)
    device.remembered_status = str(status)
    device.modified_at = now()
    device.save(update_fields=["remembered_status", "modified_at"])
    return device


def device_type(device: Device) -> dict[str, Any]:
    """Cognito's DeviceType."""
    attributes = [{"Name": "device_status", "Value": "valid"},
                  {"Name": "dev:device_remembered_status", "Value": device.remembered_status}]
    if device.name:
        attributes.append({"Name": "device_name", "Value": device.name})
    attributes += [{"Name": str(k), "Value": str(v)} for k, v in device.attributes.items()]
    result: dict[str, Any] = {
        "DeviceKey": device.device_key, "DeviceAttributes": attributes,
        "DeviceCreateDate": device.created_at.timestamp(),
        "DeviceLastModifiedDate": device.modified_at.timestamp()}
    if device.last_authenticated_at is not None:
        result["DeviceLastAuthenticatedDate"] = device.last_authenticated_at.timestamp()
    return result


if remembered_device_step not in auth.POST_FIRST_FACTOR_STEPS:
    # First: a remembered device's proof comes before (and may replace) MFA.
    auth.POST_FIRST_FACTOR_STEPS.insert(0, remembered_device_step)
