"""Remembered devices: tracking, ConfirmDevice and the device operations.

On a pool with a DeviceConfiguration every sign-in is tied to a device: the DEVICE_KEY the
client presents when it names a confirmed device of the user, else a new device whose
NewDeviceMetadata comes back with the tokens (reference §1.3). ConfirmDevice stores the
SRP verifier the client derived from a device password it keeps; a remembered device then
proves itself in the sign-in (``services.signin.device``: DEVICE_SRP_AUTH /
DEVICE_PASSWORD_VERIFIER), which takes the place of MFA when the pool sets
ChallengeRequiredOnNewDevice.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import re
import secrets
import string
import uuid
from collections.abc import Mapping
from typing import Any

from ..clock import now
from ..crypto import srp
from ..exceptions import InvalidParameterException, ResourceNotFoundException
from ..models import AppClient, Device, DeviceStatus, PoolUser, UserPool
from .pagination import Page, paginate
from .pool_config import settings_of
from .schema import storable

# A device handed out but never confirmed is dropped after this long.
PENDING_LIFETIME = dt.timedelta(days=1)
GROUP_KEY_LENGTH = 9
MAX_SALT_BYTES = 128
_ALPHABET = string.ascii_letters + string.digits
NO_DEVICE = "Device does not exist."
_KEY = re.compile(r"[\w-]+_[0-9a-f-]+")


def configuration(pool: UserPool) -> dict[str, Any] | None:
    """The pool's DeviceConfiguration; ``None`` when it does not track devices."""
    config = settings_of(pool).extra.get("DeviceConfiguration")
    return config if isinstance(config, dict) else None


def flag(pool: UserPool, name: str) -> bool:
    """A boolean member of the pool's DeviceConfiguration."""
    return bool((configuration(pool) or {}).get(name))


def _well_formed(key: object) -> bool:
    """Whether ``key`` has the DeviceKeyType shape (which also keeps NUL out of queries)."""
    return isinstance(key, str) and len(key) <= 55 and _KEY.fullmatch(key) is not None


def confirmed(user: PoolUser, key: object) -> Device | None:
    """The confirmed device ``key`` of ``user``."""
    if not _well_formed(key):
        return None
    device = Device.objects.filter(user=user, device_key=key).first()
    return device if device is not None and device.confirmed else None


def device_for_tokens(client: AppClient, user: PoolUser, presented_key: str
                      ) -> tuple[str, dict[str, str] | None]:
    """The device key new tokens carry, and NewDeviceMetadata when the device is new.

    Without device tracking both are empty. A presented key of a confirmed device of the
    user is reused; anything else (no key, a forgotten or foreign one) starts a new device.
    """
    if configuration(client.pool) is None:
        return "", None
    device = confirmed(user, presented_key)
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


# Device operations (reference §1.1: AccessToken operations and their Admin variants).

def _device_of(user: PoolUser, key: object) -> Device:
    """The confirmed device ``key`` of ``user`` or ResourceNotFoundException."""
    if not isinstance(key, str) or not key:
        raise InvalidParameterException("DeviceKey is required.")
    device = confirmed(user, key)
    if device is None:
        raise ResourceNotFoundException(NO_DEVICE)
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
        raise ResourceNotFoundException(NO_DEVICE)
    prompt = flag(user.pool, "DeviceOnlyRememberedOnUserPrompt")
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
