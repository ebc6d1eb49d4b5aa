"""Remembered devices in a sign-in: DEVICE_SRP_AUTH and DEVICE_PASSWORD_VERIFIER
(reference §1.5, §6).

After the first factor, a remembered device the call names (DEVICE_KEY) is asked to prove
itself with its own SRP exchange; with ChallengeRequiredOnNewDevice that proof takes the
place of MFA, otherwise MFA still follows it.
"""

from __future__ import annotations

from django.core.cache import caches

from ...clock import now
from ...conf import app_settings
from ...crypto.srp import hexstr
from ...exceptions import NotAuthorizedException, ResourceNotFoundException
from ...models import AppClient, Device, PoolUser
from .. import devices, lockout
from ..clients import check_secret_hash
from ..triggers import TOKEN_AUTHENTICATE_DEVICE
from ..users import find_user
from . import sessions, srp
from .results import INVALID_SESSION, WRONG_PASSWORD, AuthResult, Proceed, SignIn

DEVICE_SRP_AUTH = "DEVICE_SRP_AUTH"
DEVICE_PASSWORD_VERIFIER = "DEVICE_PASSWORD_VERIFIER"


def remembered_device_step(signin: SignIn) -> AuthResult | None:
    """A remembered device named by the call is asked to prove itself (DEVICE_SRP_AUTH)."""
    user = signin.found()
    if signin.passwordless or devices.configuration(signin.pool) is None:
        return None
    device = devices.confirmed(user, signin.device_key)
    if device is None or not device.remembered:
        return None
    client = signin.answering_client(DEVICE_SRP_AUTH)
    session = sessions.issue(client, user.pk, DEVICE_SRP_AUTH, user.username,
                             device=device.device_key, s=signin.source)
    # Some clients (pycognito) answer without the Session: the server remembers the
    # challenge too, for as long as the Session would be valid, to be answered once.
    caches[app_settings.CACHE_ALIAS].set(_pending_key(client, user, device.device_key),
                                         signin.source, timeout=client.auth_session_validity * 60)
    return AuthResult(challenge_name=DEVICE_SRP_AUTH, session=session,
                      challenge_parameters={"USERNAME": user.username})


def _pending_key(client: AppClient, user: PoolUser, device_key: str) -> str:
    return f"django_cognito:device-srp:{client.pk}:{user.pk}:{device_key}"


def _challenged(client: AppClient, session: object, username: str, key: str
                ) -> tuple[PoolUser, str]:
    """The user a DEVICE_SRP_AUTH challenge was issued to for ``key``, and its source.

    The challenge is spent here, so one first factor allows one device exchange.
    """
    invalid = NotAuthorizedException(INVALID_SESSION)
    cache = caches[app_settings.CACHE_ALIAS]
    source = None
    if session is not None:
        state = sessions.read(client, session, DEVICE_SRP_AUTH)
        user = srp.user_named(client.pool, state.user_id, username)
        if user is None or state.data.get("device") != key:
            raise invalid
        source = str(state.data.get("s") or TOKEN_AUTHENTICATE_DEVICE)
    else:
        found = find_user(client.pool, username)
        if found is None:
            raise invalid
        user = found
    pending = cache.get(_pending_key(client, user, key))
    if not isinstance(pending, str) or not cache.delete(_pending_key(client, user, key)):
        raise invalid
    return user, source if source is not None else pending


def _device(user: PoolUser, key: str) -> Device:
    device = devices.confirmed(user, key)
    if device is None:  # forgotten since the challenge was issued
        raise ResourceNotFoundException(devices.NO_DEVICE)
    return device


def answer_device_srp(signin: SignIn) -> AuthResult:
    """DEVICE_SRP_AUTH {USERNAME, DEVICE_KEY, SRP_A} → DEVICE_PASSWORD_VERIFIER."""
    client = signin.answering_client(DEVICE_SRP_AUTH)
    username = signin.require("USERNAME")
    key = signin.require("DEVICE_KEY")
    srp_a = signin.require("SRP_A")
    check_secret_hash(client, username, signin.presented.get("SECRET_HASH"))
    big_a = srp.parse_a(srp_a)
    user, source = _challenged(client, signin.session, username, key)
    device = _device(user, key)
    b, big_b = srp.server_challenge(int(device.verifier or "0", 16), big_a)
    block = srp.Block(pool_id=client.pool.id, client_id=client.id, who=user.pk, name=key,
                      big_a=big_a, big_b=big_b, b=b, issued=now().timestamp(),
                      admin=signin.admin, source=source)
    return AuthResult(
        challenge_name=DEVICE_PASSWORD_VERIFIER,
        session=sessions.issue(client, user.pk, DEVICE_PASSWORD_VERIFIER, user.username,
                               device=key),
        challenge_parameters={"SALT": device.salt, "SRP_B": hexstr(big_b),
                              "SECRET_BLOCK": srp.seal(srp.DEVICE, block),
                              "USERNAME": user.username, "DEVICE_KEY": key})


def answer_device_verifier(signin: SignIn) -> Proceed:
    """DEVICE_PASSWORD_VERIFIER: check the device's proof, then tokens (or MFA, see module)."""
    client = signin.answering_client(DEVICE_PASSWORD_VERIFIER)
    pool = signin.pool
    signin.require("USERNAME")
    key = signin.require("DEVICE_KEY")
    presented = srp.VerifierAnswer.of(signin)
    check_secret_hash(client, presented.username, signin.presented.get("SECRET_HASH"))
    block, raw = srp.open_block(srp.DEVICE, presented.block_text)
    if block.pool_id != pool.id or block.client_id != client.id or \
            block.admin != signin.admin or block.name != key:
        raise NotAuthorizedException(INVALID_SESSION)
    moment = srp.answer_time(block, presented.timestamp)
    user = srp.user_named(pool, block.user_pk, presented.username)
    if user is None:
        raise NotAuthorizedException(INVALID_SESSION)
    lockout.check(user)
    device = _device(user, key)
    expected = srp.expected_signature(block, int(device.verifier or "0", 16),
                                      device.device_group_key, device.device_key, raw,
                                      presented.timestamp)
    if srp.stale(moment) or not srp.spend(srp.DEVICE, raw) or \
            not srp.signature_matches(expected, presented.claim):
        lockout.failed(user)
        raise NotAuthorizedException(WRONG_PASSWORD)
    Device.objects.filter(pk=device.pk).update(last_authenticated_at=now())
    signin.user = user
    if devices.flag(pool, "ChallengeRequiredOnNewDevice"):
        return Proceed(signin, after="mfa", final_source=TOKEN_AUTHENTICATE_DEVICE)
    # Without ChallengeRequiredOnNewDevice the device proof does not replace MFA (§1.5).
    signin.source = block.source
    return Proceed(signin, after="device", final_source=TOKEN_AUTHENTICATE_DEVICE)
