"""Remembered devices at the service level (reference §1.3, §1.5, §3.4, §6 "Device SRP").

The client side of device SRP is pycognito's: ``generate_hash_device`` derives the verifier
that ConfirmDevice stores and ``AWSSRP`` answers DEVICE_PASSWORD_VERIFIER, both written
against AWS, so the server's math is checked against an independent implementation.
"""

from __future__ import annotations

import base64
import datetime as dt
import re
import uuid
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import jwt
import pytest
from botocore.exceptions import ClientError
from django.db import connection
from pycognito import aws_srp
from pycognito.aws_srp import AWSSRP, generate_hash_device

from django_cognito import clock, signals
from django_cognito.api.ops.devices import device_type
from django_cognito.crypto import srp
from django_cognito.crypto.fields import decrypt
from django_cognito.exceptions import (
    CognitoError,
    InvalidParameterException,
    NotAuthorizedException,
    ResourceNotFoundException,
)
from django_cognito.models import AppClient, Device, PoolUser, RefreshToken, UserPool
from django_cognito.services import devices, pool_config, signin, tokens
from tests.factories import PASSWORD
from tests.factories import create_user as create

FLOWS = ["ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
INCORRECT = "Incorrect username or password."
INVALID_SESSION = "Invalid session for the user."


class _ClientClock(dt.datetime):
    """pycognito's view of the time: the clock seam."""

    @classmethod
    def utcnow(cls) -> dt.datetime:  # type: ignore[override]
        return clock.now().replace(tzinfo=None)


@pytest.fixture(autouse=True)
def _client_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(aws_srp, "datetime", SimpleNamespace(datetime=_ClientClock))


class Cognito:
    """A boto3-shaped client calling the services, for pycognito's ``authenticate_user``."""

    @staticmethod
    def _call(operation: str, run: Callable[[], signin.AuthResult]) -> dict[str, Any]:
        try:
            return as_response(run())
        except CognitoError as exc:
            raise ClientError({"Error": {"Code": exc.code, "Message": exc.message}},
                              operation) from exc

    def initiate_auth(self, *, ClientId: str, AuthFlow: str,  # noqa: N803 - boto3 names
                      AuthParameters: dict[str, str]) -> dict[str, Any]:  # noqa: N803
        client = AppClient.objects.select_related("pool").get(pk=ClientId)
        return self._call("InitiateAuth",
                          lambda: signin.initiate_auth(client, AuthFlow, AuthParameters))

    def respond_to_auth_challenge(self, *, ClientId: str, ChallengeName: str,  # noqa: N803
                                  ChallengeResponses: dict[str, str],  # noqa: N803
                                  Session: str | None = None) -> dict[str, Any]:  # noqa: N803
        client = AppClient.objects.select_related("pool").get(pk=ClientId)
        return self._call("RespondToAuthChallenge", lambda: signin.respond_to_auth_challenge(
            client, ChallengeName, ChallengeResponses, Session))


def as_response(result: signin.AuthResult) -> dict[str, Any]:
    if result.tokens is not None:
        return {"AuthenticationResult": result.tokens.as_dict()}
    response: dict[str, Any] = {"ChallengeName": result.challenge_name,
                                "ChallengeParameters": result.challenge_parameters}
    if result.session:
        response["Session"] = result.session
    return response


def claims(token: str) -> dict[str, Any]:
    decoded: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    return decoded


def track(pool: UserPool, **config: bool) -> None:
    """Turn device tracking on with DeviceConfiguration ``config``."""
    pool_config.save_extra(pool, {"DeviceConfiguration": {
        "ChallengeRequiredOnNewDevice": config.get("challenge", True),
        "DeviceOnlyRememberedOnUserPrompt": config.get("prompt", False)}})


def password_sign_in(client: AppClient, username: str = "alice", device_key: str | None = None
                     ) -> signin.AuthResult:
    params = {"USERNAME": username, "PASSWORD": PASSWORD}
    if device_key is not None:
        params["DEVICE_KEY"] = device_key
    return signin.initiate_auth(client, "USER_PASSWORD_AUTH", params)


def token_set(result: signin.AuthResult) -> tokens.TokenSet:
    assert result.tokens is not None, result.challenge_name
    return result.tokens


class RememberedDevice:
    """A device signed in on once and confirmed, with the secret pycognito keeps for it."""

    def __init__(self, client: AppClient, user: PoolUser) -> None:
        self.client, self.user = client, user
        first = token_set(password_sign_in(client, user.username))
        assert first.new_device is not None
        self.key = first.new_device["DeviceKey"]
        self.group_key = first.new_device["DeviceGroupKey"]
        self.password, self.config = generate_hash_device(self.group_key, self.key)
        self.user_confirmation = devices.confirm_device(user, self.key, self.config, "laptop")

    def srp(self) -> AWSSRP:
        return AWSSRP(username=self.user.username, password=PASSWORD,
                      pool_id=self.client.pool_id, client_id=self.client.id, client=Cognito(),
                      device_key=self.key, device_group_key=self.group_key,
                      device_password=self.password)

    def device_challenge(self, result: signin.AuthResult, aws: AWSSRP | None = None
                         ) -> tuple[AWSSRP, dict[str, Any]]:
        """Answer DEVICE_SRP_AUTH; returns the client and the DEVICE_PASSWORD_VERIFIER step."""
        assert result.challenge_name == "DEVICE_SRP_AUTH"
        aws = aws or self.srp()
        step = as_response(signin.respond_to_auth_challenge(
            self.client, "DEVICE_SRP_AUTH",
            {"USERNAME": self.user.username, "DEVICE_KEY": self.key,
             "SRP_A": srp.hexstr(aws.large_a_value)}, result.session))
        assert step["ChallengeName"] == "DEVICE_PASSWORD_VERIFIER"
        return aws, step

    def verify(self, aws: AWSSRP, step: dict[str, Any]) -> signin.AuthResult:
        answers = aws.process_device_challenge(step["ChallengeParameters"])
        return signin.respond_to_auth_challenge(self.client, "DEVICE_PASSWORD_VERIFIER",
                                              answers, step.get("Session"))


@pytest.fixture
def client(pool: UserPool, make_client: Any) -> AppClient:
    return make_client(pool, explicit_auth_flows=FLOWS)


# Tracking and NewDeviceMetadata ------------------------------------------------------------

def test_without_device_configuration_nothing_is_tracked(pool: UserPool, client: AppClient,
                                                         alice: PoolUser) -> None:
    result = token_set(password_sign_in(client))
    assert "NewDeviceMetadata" not in result.as_dict()
    assert "device_key" not in claims(result.access_token)
    assert not Device.objects.exists()
    assert RefreshToken.objects.get().device_key == ""


def test_a_tracked_sign_in_returns_new_device_metadata(pool: UserPool, client: AppClient,
                                                       alice: PoolUser) -> None:
    track(pool)
    result = token_set(password_sign_in(client)).as_dict()
    metadata = result["NewDeviceMetadata"]
    assert set(metadata) == {"DeviceKey", "DeviceGroupKey"}
    region, _, rest = metadata["DeviceKey"].partition("_")
    assert region == pool.region == pool.id.split("_")[0]
    assert str(uuid.UUID(rest)) == rest
    assert re.fullmatch(r"-[A-Za-z0-9]{9}", metadata["DeviceGroupKey"])
    assert claims(result["AccessToken"])["device_key"] == metadata["DeviceKey"]
    assert "device_key" not in claims(result["IdToken"])
    device = Device.objects.get()
    assert (device.user_id, device.device_key, device.device_group_key) == (
        alice.pk, metadata["DeviceKey"], metadata["DeviceGroupKey"])
    assert not device.confirmed
    assert RefreshToken.objects.get().device_key == metadata["DeviceKey"]
    # An unconfirmed device is not one of the user's devices yet.
    assert devices.list_devices(alice).items == []
    with pytest.raises(ResourceNotFoundException):
        devices.get_device(alice, metadata["DeviceKey"])


def test_every_untracked_sign_in_gets_its_own_device(pool: UserPool, client: AppClient,
                                                     alice: PoolUser) -> None:
    track(pool)
    first = token_set(password_sign_in(client)).new_device
    second = token_set(password_sign_in(client, device_key="us-east-1_unknown")).new_device
    assert first and second and first["DeviceKey"] != second["DeviceKey"]
    assert Device.objects.count() == 2


def test_stale_unconfirmed_devices_are_dropped(pool: UserPool, client: AppClient,
                                               alice: PoolUser) -> None:
    track(pool)
    password_sign_in(client)
    clock.advance(devices.PENDING_LIFETIME + dt.timedelta(minutes=1))
    latest = token_set(password_sign_in(client)).new_device
    assert latest is not None
    assert list(Device.objects.values_list("device_key", flat=True)) == [latest["DeviceKey"]]


# ConfirmDevice and the device operations -----------------------------------------------------

def test_confirm_device_stores_the_verifier_encrypted(pool: UserPool, client: AppClient,
                                                      alice: PoolUser) -> None:
    track(pool)
    device = RememberedDevice(client, alice)
    assert device.user_confirmation is False
    stored = Device.objects.get(device_key=device.key)
    assert stored.confirmed and stored.remembered and stored.name == "laptop"
    expected = int.from_bytes(base64.b64decode(
        device.config["PasswordVerifier"]), "big")
    assert int(stored.verifier, 16) == expected
    with connection.cursor() as cursor:
        cursor.execute("SELECT verifier FROM django_cognito_device WHERE id = %s", [stored.pk])
        raw = cursor.fetchone()[0]
    assert stored.verifier not in raw and int(decrypt(raw), 16) == expected
    shape = device_type(devices.get_device(alice, device.key))
    assert shape["DeviceKey"] == device.key
    assert {"Name": "device_name", "Value": "laptop"} in shape["DeviceAttributes"]
    assert {"Name": "dev:device_remembered_status", "Value": "remembered"} in \
        shape["DeviceAttributes"]
    assert shape["DeviceCreateDate"] <= shape["DeviceLastModifiedDate"]
    assert "DeviceLastAuthenticatedDate" in shape


def test_on_user_prompt_a_confirmed_device_waits_to_be_remembered(
        pool: UserPool, client: AppClient, alice: PoolUser) -> None:
    track(pool, prompt=True)
    device = RememberedDevice(client, alice)
    assert device.user_confirmation is True
    assert Device.objects.get(device_key=device.key).remembered_status == "not_remembered"
    # A tracked device that is not remembered keeps its key but proves nothing.
    result = token_set(password_sign_in(client, device_key=device.key))
    assert result.new_device is None
    assert claims(result.access_token)["device_key"] == device.key
    devices.update_device_status(alice, device.key, "remembered")
    assert password_sign_in(client, device_key=device.key).challenge_name == "DEVICE_SRP_AUTH"
    devices.update_device_status(alice, device.key, "not_remembered")
    assert password_sign_in(client, device_key=device.key).tokens is not None


@pytest.mark.parametrize(("config", "message"), [
    (None, "DeviceSecretVerifierConfig is required."),
    ({"Salt": "AAEC"}, "PasswordVerifier is invalid."),
    ({"PasswordVerifier": "not base64!", "Salt": "AAEC"}, "PasswordVerifier is invalid."),
    ({"PasswordVerifier": "AQ==", "Salt": "AAEC"}, "PasswordVerifier is invalid."),
    ({"PasswordVerifier": "AAEC", "Salt": ""}, "Salt is invalid."),
])
def test_confirm_device_refuses_malformed_verifiers(pool: UserPool, client: AppClient,
                                                    alice: PoolUser, config: Any,
                                                    message: str) -> None:
    track(pool)
    key = token_set(password_sign_in(client)).new_device["DeviceKey"]  # type: ignore[index]
    with pytest.raises(InvalidParameterException) as caught:
        devices.confirm_device(alice, key, config)
    assert caught.value.message == message
    assert not Device.objects.get(device_key=key).confirmed


def test_devices_of_other_users_are_not_found(pool: UserPool, client: AppClient,
                                              alice: PoolUser) -> None:
    track(pool)
    bob = create(pool, "bob")
    device = RememberedDevice(client, alice)
    _, config = generate_hash_device(device.group_key, device.key)
    for call in (lambda: devices.confirm_device(bob, device.key, config),
                 lambda: devices.get_device(bob, device.key),
                 lambda: devices.forget_device(bob, device.key),
                 lambda: devices.update_device_status(bob, device.key, "not_remembered")):
        with pytest.raises(ResourceNotFoundException) as caught:
            call()
        assert caught.value.message == "Device does not exist."
    stored = Device.objects.get(device_key=device.key)
    assert stored.remembered and int(stored.verifier, 16) != 0


def test_update_device_status_refuses_unknown_values(pool: UserPool, client: AppClient,
                                                     alice: PoolUser) -> None:
    track(pool)
    device = RememberedDevice(client, alice)
    with pytest.raises(InvalidParameterException):
        devices.update_device_status(alice, device.key, "forever")
    assert Device.objects.get(device_key=device.key).remembered_status == "remembered"


def test_list_devices_pages_oldest_first(pool: UserPool, client: AppClient,
                                         alice: PoolUser) -> None:
    track(pool)
    keys = []
    for _ in range(3):
        keys.append(RememberedDevice(client, alice).key)
        clock.advance(dt.timedelta(seconds=1))
    first = devices.list_devices(alice, 2)
    assert [d.device_key for d in first.items] == keys[:2] and first.next_token
    second = devices.list_devices(alice, 2, first.next_token)
    assert [d.device_key for d in second.items] == keys[2:] and second.next_token is None
    with pytest.raises(InvalidParameterException):
        devices.list_devices(create(pool, "bob"), 2, first.next_token)


def test_forget_device_removes_it(pool: UserPool, client: AppClient, alice: PoolUser) -> None:
    track(pool)
    device = RememberedDevice(client, alice)
    devices.forget_device(alice, device.key)
    assert not Device.objects.filter(device_key=device.key).exists()
    with pytest.raises(ResourceNotFoundException):
        devices.forget_device(alice, device.key)
    # A forgotten device signs in as a new one.
    result = token_set(password_sign_in(client, device_key=device.key))
    assert result.new_device is not None and result.new_device["DeviceKey"] != device.key


# Device SRP ----------------------------------------------------------------------------------

def test_a_remembered_device_proves_itself_with_device_srp(pool: UserPool, client: AppClient,
                                                           alice: PoolUser) -> None:
    track(pool)
    device = RememberedDevice(client, alice)
    before = Device.objects.get(device_key=device.key).last_authenticated_at
    clock.advance(dt.timedelta(minutes=1))
    first = password_sign_in(client, device_key=device.key)
    assert first.challenge_parameters == {"USERNAME": "alice"} and first.session
    aws, step = device.device_challenge(first)
    parameters = step["ChallengeParameters"]
    assert set(parameters) == {"SALT", "SRP_B", "SECRET_BLOCK", "USERNAME", "DEVICE_KEY"}
    assert parameters["DEVICE_KEY"] == device.key and parameters["USERNAME"] == "alice"
    result = token_set(device.verify(aws, step))
    assert result.new_device is None and result.refresh_token
    assert claims(result.access_token)["device_key"] == device.key
    after = Device.objects.get(device_key=device.key).last_authenticated_at
    assert before is not None and after is not None and after > before


def test_pycognito_signs_in_with_srp_and_its_remembered_device(
        pool: UserPool, client: AppClient, alice: PoolUser) -> None:
    track(pool)
    device = RememberedDevice(client, alice)
    answer = device.srp().authenticate_user()
    result = answer["AuthenticationResult"]
    assert "NewDeviceMetadata" not in result
    assert claims(result["AccessToken"])["device_key"] == device.key


def test_pre_token_generation_sees_the_device_source(pool: UserPool, client: AppClient,
                                                     alice: PoolUser) -> None:
    track(pool)
    device = RememberedDevice(client, alice)
    sources: list[str] = []

    def receiver(sender: Any, event: dict[str, Any], **_: Any) -> None:
        sources.append(event["triggerSource"])

    signals.pre_token_generation.connect(receiver)
    try:
        aws, step = device.device_challenge(password_sign_in(client, device_key=device.key))
        token_set(device.verify(aws, step))
    finally:
        signals.pre_token_generation.disconnect(receiver)
    assert sources == ["TokenGeneration_AuthenticateDevice"]


def test_a_wrong_device_secret_is_refused(pool: UserPool, client: AppClient,
                                          alice: PoolUser) -> None:
    track(pool)
    device = RememberedDevice(client, alice)
    device.password = "not-the-device-password"
    aws, step = device.device_challenge(password_sign_in(client, device_key=device.key))
    with pytest.raises(NotAuthorizedException) as caught:
        device.verify(aws, step)
    assert caught.value.message == INCORRECT
    assert RefreshToken.objects.filter(device_key=device.key).count() == 1  # the first only


def test_a_device_answer_is_accepted_once(pool: UserPool, client: AppClient,
                                          alice: PoolUser) -> None:
    track(pool)
    device = RememberedDevice(client, alice)
    first = password_sign_in(client, device_key=device.key)
    aws, step = device.device_challenge(first)
    answers = aws.process_device_challenge(step["ChallengeParameters"])
    token_set(signin.respond_to_auth_challenge(client, "DEVICE_PASSWORD_VERIFIER", answers, None))
    with pytest.raises(NotAuthorizedException) as caught:
        signin.respond_to_auth_challenge(client, "DEVICE_PASSWORD_VERIFIER", answers, None)
    assert caught.value.message == INCORRECT
    # The DEVICE_SRP_AUTH challenge is spent too: the device alone cannot start again.
    with pytest.raises(NotAuthorizedException) as caught:
        device.device_challenge(first)
    assert caught.value.message == INVALID_SESSION


def test_device_srp_needs_a_first_factor(pool: UserPool, client: AppClient,
                                         alice: PoolUser) -> None:
    track(pool)
    device = RememberedDevice(client, alice)
    aws = device.srp()
    with pytest.raises(NotAuthorizedException) as caught:
        signin.respond_to_auth_challenge(client, "DEVICE_SRP_AUTH", {
            "USERNAME": "alice", "DEVICE_KEY": device.key,
            "SRP_A": srp.hexstr(aws.large_a_value)}, None)
    assert caught.value.message == INVALID_SESSION


def test_a_device_verifier_answer_expires(pool: UserPool, client: AppClient,
                                          alice: PoolUser) -> None:
    track(pool)
    device = RememberedDevice(client, alice)
    aws, step = device.device_challenge(password_sign_in(client, device_key=device.key))
    clock.advance(dt.timedelta(minutes=6))
    with pytest.raises(NotAuthorizedException) as caught:
        device.verify(aws, step)
    assert caught.value.message == "Invalid session for the user, session is expired."


def test_a_device_forgotten_during_the_challenge_is_not_found(
        pool: UserPool, client: AppClient, alice: PoolUser) -> None:
    track(pool)
    device = RememberedDevice(client, alice)
    aws, step = device.device_challenge(password_sign_in(client, device_key=device.key))
    devices.forget_device(alice, device.key)
    with pytest.raises(ResourceNotFoundException):
        device.verify(aws, step)


# MFA -----------------------------------------------------------------------------------------

def _require_email_mfa(pool: UserPool) -> None:
    pool_config.set_mfa_config(pool, "ON", {"EmailMfaConfiguration": {}})
    pool.refresh_from_db()


def test_a_remembered_device_replaces_mfa(pool: UserPool, client: AppClient,
                                          alice: PoolUser) -> None:
    track(pool)
    device = RememberedDevice(client, alice)  # confirmed before MFA was required
    _require_email_mfa(pool)
    aws, step = device.device_challenge(password_sign_in(client, device_key=device.key))
    result = token_set(device.verify(aws, step))
    assert claims(result.access_token)["device_key"] == device.key
    # A forgotten device is back to MFA.
    devices.forget_device(alice, device.key)
    assert password_sign_in(client, device_key=device.key).challenge_name == "EMAIL_OTP"


def test_without_challenge_required_on_new_device_mfa_follows_the_device(
        pool: UserPool, client: AppClient, alice: PoolUser) -> None:
    track(pool, challenge=False)
    device = RememberedDevice(client, alice)
    _require_email_mfa(pool)
    aws, step = device.device_challenge(password_sign_in(client, device_key=device.key))
    assert device.verify(aws, step).challenge_name == "EMAIL_OTP"


# Refresh -------------------------------------------------------------------------------------

def test_refreshing_a_device_family_needs_its_device_key(pool: UserPool, client: AppClient,
                                                         alice: PoolUser) -> None:
    track(pool)
    first = token_set(password_sign_in(client))
    assert first.new_device is not None and first.refresh_token
    key = first.new_device["DeviceKey"]
    for presented in (None, "", "us-east-1_" + str(uuid.uuid4())):
        params = {"REFRESH_TOKEN": first.refresh_token}
        if presented is not None:
            params["DEVICE_KEY"] = presented
        with pytest.raises(NotAuthorizedException) as caught:
            signin.initiate_auth(client, "REFRESH_TOKEN_AUTH", params)
        assert caught.value.message == "Invalid Refresh Token"
    refreshed = token_set(signin.initiate_auth(
        client, "REFRESH_TOKEN_AUTH", {"REFRESH_TOKEN": first.refresh_token, "DEVICE_KEY": key}))
    assert refreshed.new_device is None and refreshed.refresh_token is None
    assert claims(refreshed.access_token)["device_key"] == key
    with pytest.raises(NotAuthorizedException):
        tokens.refresh(client, first.refresh_token, client_secret="", rotate=True)


def test_unstorable_names_and_keys_are_refused_without_a_query_error(
        pool: UserPool, client: AppClient, alice: PoolUser) -> None:
    track(pool)
    metadata = token_set(password_sign_in(client)).new_device
    assert metadata is not None
    _, config = generate_hash_device(metadata["DeviceGroupKey"], metadata["DeviceKey"])
    with pytest.raises(InvalidParameterException) as caught:
        devices.confirm_device(alice, metadata["DeviceKey"], config, "bad\x00name")
    assert caught.value.message == "DeviceName is invalid."
    with pytest.raises(ResourceNotFoundException):
        devices.confirm_device(alice, "us-east-1_\x00", config)
    with pytest.raises(ResourceNotFoundException):
        devices.get_device(alice, "us-east-1_\x00")
    result = token_set(password_sign_in(client, device_key="us-east-1_not-a-key"))
    assert result.new_device is not None
    assert not Device.objects.get(device_key=metadata["DeviceKey"]).confirmed


def test_post_authentication_is_told_when_a_device_is_new(pool: UserPool, client: AppClient,
                                                         alice: PoolUser) -> None:
    track(pool)
    device = RememberedDevice(client, alice)
    seen: list[bool] = []

    def receiver(sender: Any, event: dict[str, Any], **_: Any) -> None:
        seen.append(event["request"]["newDeviceUsed"])

    signals.post_authentication.connect(receiver)
    try:
        token_set(password_sign_in(client))
        aws, step = device.device_challenge(password_sign_in(client, device_key=device.key))
        token_set(device.verify(aws, step))
    finally:
        signals.post_authentication.disconnect(receiver)
    assert seen == [True, False]
