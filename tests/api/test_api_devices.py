"""Remembered devices over real HTTP with boto3: NewDeviceMetadata, ConfirmDevice, device SRP,
GetDevice, ListDevices, UpdateDeviceStatus, ForgetDevice, their Admin variants and refresh.

Every 200 response is checked against botocore's output shape by the clients of ``live_api``;
pycognito (on the same boto3 client) computes the device secret and the device proof.
"""

from __future__ import annotations

from typing import Any

import pytest

pytest.register_assert_rewrite("tests.api_fixtures", "tests.live_api")

from botocore.exceptions import ClientError  # noqa: E402
from pycognito.aws_srp import AWSSRP, generate_hash_device  # noqa: E402

from django_cognito import signals  # noqa: E402
from django_cognito.models import AppClient, Device, UserPool  # noqa: E402
from django_cognito.services import pool_config  # noqa: E402
from tests.api_fixtures import error as _error  # noqa: E402
from tests.factories import PASSWORD  # noqa: E402
from tests.factories import create_user as make_user  # noqa: E402
from tests.live_api import ALL_FLOWS, sign_in, verify_with_pyjwt  # noqa: E402
from tests.node_scripts import run_node  # noqa: E402

pytest_plugins = ["tests.api_fixtures", "tests.live_api"]
pytestmark = pytest.mark.django_db(transaction=True)

NO_DEVICE = ("ResourceNotFoundException", "Device does not exist.")


@pytest.fixture
def tracked_pool(admin_idp: Any) -> UserPool:
    """A pool created over the API with DeviceConfiguration (device tracking on)."""
    answer = admin_idp.create_user_pool(PoolName="devices", DeviceConfiguration={
        "ChallengeRequiredOnNewDevice": True, "DeviceOnlyRememberedOnUserPrompt": False})
    assert answer["UserPool"]["DeviceConfiguration"]["ChallengeRequiredOnNewDevice"] is True
    return UserPool.objects.get(pk=answer["UserPool"]["Id"])


@pytest.fixture
def app(tracked_pool: UserPool, make_client: Any) -> AppClient:
    client: AppClient = make_client(tracked_pool, explicit_auth_flows=ALL_FLOWS)
    return client


@pytest.fixture
def alice(tracked_pool: UserPool) -> Any:
    return make_user(tracked_pool, "alice")


class ConfirmedDevice:
    """A device of alice confirmed over the API, with the secret pycognito derived for it."""

    def __init__(self, idp: Any, app: AppClient, name: str = "phone") -> None:
        self.first = sign_in(idp, app, "alice")
        metadata = self.first["NewDeviceMetadata"]
        self.key, self.group_key = metadata["DeviceKey"], metadata["DeviceGroupKey"]
        self.password, config = generate_hash_device(self.group_key, self.key)
        self.confirmation = idp.confirm_device(
            AccessToken=self.first["AccessToken"], DeviceKey=self.key,
            DeviceSecretVerifierConfig=config, DeviceName=name)
        self.access = self.first["AccessToken"]

    def srp(self, idp: Any, app: AppClient) -> AWSSRP:
        return AWSSRP(username="alice", password=PASSWORD, pool_id=app.pool_id,
                      client_id=app.id, client=idp, device_key=self.key,
                      device_group_key=self.group_key, device_password=self.password)


def test_sign_in_tracks_a_new_device_and_confirm_device_remembers_it(
        api_url: str, idp: Any, app: AppClient, alice: Any, tracked_pool: UserPool) -> None:
    device = ConfirmedDevice(idp, app)
    assert device.confirmation["UserConfirmationNecessary"] is False
    claims = verify_with_pyjwt(api_url, tracked_pool, app, device.access, "access")
    assert claims["device_key"] == device.key
    answer = idp.get_device(AccessToken=device.access, DeviceKey=device.key)["Device"]
    assert answer["DeviceKey"] == device.key
    attributes = {a["Name"]: a["Value"] for a in answer["DeviceAttributes"]}
    assert attributes["device_name"] == "phone"
    assert attributes["dev:device_remembered_status"] == "remembered"
    assert {"DeviceCreateDate", "DeviceLastModifiedDate",
            "DeviceLastAuthenticatedDate"} <= set(answer)
    listed = idp.list_devices(AccessToken=device.access)
    assert [d["DeviceKey"] for d in listed["Devices"]] == [device.key]
    assert "PaginationToken" not in listed


def test_a_remembered_device_signs_in_with_device_srp(
        api_url: str, idp: Any, app: AppClient, alice: Any, tracked_pool: UserPool) -> None:
    device = ConfirmedDevice(idp, app)
    tokens = device.srp(idp, app).authenticate_user()["AuthenticationResult"]
    assert "NewDeviceMetadata" not in tokens
    claims = verify_with_pyjwt(api_url, tracked_pool, app, tokens["AccessToken"], "access")
    assert claims["device_key"] == device.key


def test_a_wrong_device_proof_is_refused_over_http(idp: Any, app: AppClient,
                                                   alice: Any) -> None:
    device = ConfirmedDevice(idp, app)
    device.password = "guessed"
    with pytest.raises(ClientError) as refused:
        device.srp(idp, app).authenticate_user()
    assert _error(refused) == ("NotAuthorizedException", "Incorrect username or password.")


def test_a_remembered_device_skips_mfa_and_a_forgotten_one_does_not(
        idp: Any, admin_idp: Any, app: AppClient, alice: Any, tracked_pool: UserPool) -> None:
    device = ConfirmedDevice(idp, app)
    admin_idp.set_user_pool_mfa_config(UserPoolId=tracked_pool.id, MfaConfiguration="ON",
                                       EmailMfaConfiguration={"Message": "Code {####}",
                                                              "Subject": "Code"})
    first = idp.initiate_auth(ClientId=app.id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={
        "USERNAME": "alice", "PASSWORD": PASSWORD, "DEVICE_KEY": device.key})
    assert first["ChallengeName"] == "DEVICE_SRP_AUTH" and first["Session"]
    tokens = device.srp(idp, app).authenticate_user()["AuthenticationResult"]
    assert tokens["AccessToken"]
    idp.forget_device(AccessToken=device.access, DeviceKey=device.key)
    again = idp.initiate_auth(ClientId=app.id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={
        "USERNAME": "alice", "PASSWORD": PASSWORD, "DEVICE_KEY": device.key})
    assert again["ChallengeName"] == "EMAIL_OTP"


def test_device_status_and_forget(idp: Any, app: AppClient, alice: Any) -> None:
    device = ConfirmedDevice(idp, app)
    assert idp.update_device_status(AccessToken=device.access, DeviceKey=device.key,
                                    DeviceRememberedStatus="not_remembered") is not None
    answer = idp.get_device(AccessToken=device.access, DeviceKey=device.key)["Device"]
    assert {"Name": "dev:device_remembered_status", "Value": "not_remembered"} in \
        answer["DeviceAttributes"]
    plain = idp.initiate_auth(ClientId=app.id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={
        "USERNAME": "alice", "PASSWORD": PASSWORD, "DEVICE_KEY": device.key})
    assert "NewDeviceMetadata" not in plain["AuthenticationResult"]
    with pytest.raises(ClientError) as bad:
        idp.update_device_status(AccessToken=device.access, DeviceKey=device.key,
                                 DeviceRememberedStatus="forever")
    assert _error(bad)[0] == "InvalidParameterException"
    idp.forget_device(AccessToken=device.access, DeviceKey=device.key)
    assert not Device.objects.filter(device_key=device.key).exists()
    for call in (lambda: idp.get_device(AccessToken=device.access, DeviceKey=device.key),
                 lambda: idp.forget_device(AccessToken=device.access, DeviceKey=device.key)):
        with pytest.raises(ClientError) as missing:
            call()
        assert _error(missing) == NO_DEVICE


def test_device_operations_need_a_valid_access_token(idp: Any, app: AppClient,
                                                     alice: Any) -> None:
    device = ConfirmedDevice(idp, app)
    for call in (lambda: idp.get_device(DeviceKey=device.key),
                 lambda: idp.get_device(AccessToken="not-a-token", DeviceKey=device.key),
                 lambda: idp.list_devices(AccessToken=device.access[:-8]),
                 lambda: idp.forget_device(DeviceKey=device.key)):
        with pytest.raises(ClientError) as refused:
            call()
        assert _error(refused) == ("NotAuthorizedException", "Invalid Access Token")
    assert Device.objects.filter(device_key=device.key).exists()


def test_confirm_device_on_user_prompt(idp: Any, admin_idp: Any, app: AppClient, alice: Any,
                                       tracked_pool: UserPool) -> None:
    pool_config.save_extra(tracked_pool, {"DeviceConfiguration": {
        "ChallengeRequiredOnNewDevice": True, "DeviceOnlyRememberedOnUserPrompt": True}})
    device = ConfirmedDevice(idp, app)
    assert device.confirmation["UserConfirmationNecessary"] is True
    stored = Device.objects.get(device_key=device.key)
    assert stored.remembered_status == "not_remembered"
    admin_idp.admin_update_device_status(UserPoolId=tracked_pool.id, Username="alice",
                                         DeviceKey=device.key,
                                         DeviceRememberedStatus="remembered")
    assert Device.objects.get(device_key=device.key).remembered


def test_confirm_device_errors(idp: Any, app: AppClient, alice: Any) -> None:
    tokens = sign_in(idp, app, "alice")
    key = tokens["NewDeviceMetadata"]["DeviceKey"]
    _, config = generate_hash_device("-group", "us-east-1_x")
    with pytest.raises(ClientError) as unknown:
        idp.confirm_device(AccessToken=tokens["AccessToken"],
                           DeviceKey="us-east-1_00000000-0000-0000-0000-000000000000",
                           DeviceSecretVerifierConfig=config)
    assert _error(unknown) == NO_DEVICE
    with pytest.raises(ClientError) as malformed:
        idp.confirm_device(AccessToken=tokens["AccessToken"], DeviceKey=key,
                           DeviceSecretVerifierConfig={"PasswordVerifier": "AQ==",
                                                       "Salt": "AAE="})
    assert _error(malformed) == ("InvalidParameterException", "PasswordVerifier is invalid.")
    assert not Device.objects.get(device_key=key).confirmed


def test_admin_device_operations_are_signed(admin_idp: Any, unsigned_idp: Any, idp: Any,
                                            app: AppClient, alice: Any,
                                            tracked_pool: UserPool) -> None:
    first, second = ConfirmedDevice(idp, app, "one"), ConfirmedDevice(idp, app, "two")
    pool_id = tracked_pool.id
    page = admin_idp.admin_list_devices(UserPoolId=pool_id, Username="alice", Limit=1)
    assert [d["DeviceKey"] for d in page["Devices"]] == [first.key]
    rest = admin_idp.admin_list_devices(UserPoolId=pool_id, Username="alice", Limit=1,
                                        PaginationToken=page["PaginationToken"])
    assert [d["DeviceKey"] for d in rest["Devices"]] == [second.key]
    assert "PaginationToken" not in rest
    got = admin_idp.admin_get_device(UserPoolId=pool_id, Username="alice",
                                     DeviceKey=second.key)["Device"]
    assert {"Name": "device_name", "Value": "two"} in got["DeviceAttributes"]
    admin_idp.admin_update_device_status(UserPoolId=pool_id, Username="alice",
                                         DeviceKey=second.key,
                                         DeviceRememberedStatus="not_remembered")
    assert Device.objects.get(device_key=second.key).remembered_status == "not_remembered"
    with pytest.raises(ClientError) as unsigned:
        unsigned_idp.admin_forget_device(UserPoolId=pool_id, Username="alice",
                                         DeviceKey=first.key)
    assert _error(unsigned)[0] == "MissingAuthenticationTokenException"
    assert Device.objects.filter(device_key=first.key).exists()
    admin_idp.admin_forget_device(UserPoolId=pool_id, Username="alice", DeviceKey=first.key)
    assert not Device.objects.filter(device_key=first.key).exists()
    make_user(tracked_pool, "bob")
    for call in (lambda: admin_idp.admin_get_device(UserPoolId=pool_id, Username="bob",
                                                    DeviceKey=second.key),
                 lambda: admin_idp.admin_forget_device(UserPoolId=pool_id, Username="bob",
                                                       DeviceKey=second.key)):
        with pytest.raises(ClientError) as foreign:
            call()
        assert _error(foreign) == NO_DEVICE
    with pytest.raises(ClientError) as nobody:
        admin_idp.admin_list_devices(UserPoolId=pool_id, Username="nobody")
    assert _error(nobody)[0] == "UserNotFoundException"


def test_refresh_of_a_device_family_requires_its_device_key(
        api_url: str, idp: Any, app: AppClient, alice: Any, tracked_pool: UserPool) -> None:
    tokens = sign_in(idp, app, "alice")
    key = tokens["NewDeviceMetadata"]["DeviceKey"]
    with pytest.raises(ClientError) as missing:
        idp.initiate_auth(ClientId=app.id, AuthFlow="REFRESH_TOKEN_AUTH",
                          AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]})
    assert _error(missing) == ("NotAuthorizedException", "Invalid Refresh Token")
    refreshed = idp.initiate_auth(ClientId=app.id, AuthFlow="REFRESH_TOKEN_AUTH", AuthParameters={
        "REFRESH_TOKEN": tokens["RefreshToken"], "DEVICE_KEY": key})["AuthenticationResult"]
    claims = verify_with_pyjwt(api_url, tracked_pool, app, refreshed["AccessToken"], "access")
    assert claims["device_key"] == key
    with pytest.raises(ClientError) as rotated_without:
        idp.get_tokens_from_refresh_token(ClientId=app.id, RefreshToken=tokens["RefreshToken"])
    assert _error(rotated_without) == ("NotAuthorizedException", "Invalid Refresh Token")
    via_rotation = idp.get_tokens_from_refresh_token(
        ClientId=app.id, RefreshToken=tokens["RefreshToken"], DeviceKey=key)
    assert via_rotation["AuthenticationResult"]["AccessToken"]


def test_amazon_cognito_identity_js_remembers_and_proves_its_device(
        api_url: str, app: AppClient, alice: Any, tracked_pool: UserPool) -> None:
    sources: list[str] = []

    def receiver(sender: Any, event: dict[str, Any], **_: Any) -> None:
        sources.append(event["triggerSource"])

    signals.pre_token_generation.connect(receiver)
    try:
        result = run_node("identity-js-devices.mjs", USERNAME="alice", PASSWORD=PASSWORD,
                          ENDPOINT=api_url, POOL_ID=tracked_pool.id, CLIENT_ID=app.id,
                          AWS_REGION="us-east-1", NODE_NO_WARNINGS="1")
    finally:
        signals.pre_token_generation.disconnect(receiver)
    key = result["deviceKey"]
    assert key.startswith("us-east-1_") and result["confirmationNecessary"] is False
    # The second sign-in presented the confirmed device and proved it with device SRP.
    assert sources == ["TokenGeneration_Authentication", "TokenGeneration_AuthenticateDevice",
                       "TokenGeneration_RefreshTokens"]
    for token in ("firstAccessToken", "secondAccessToken", "refreshedAccessToken"):
        claims = verify_with_pyjwt(api_url, tracked_pool, app, result[token], "access")
        assert claims["device_key"] == key
    assert result["device"]["DeviceKey"] == key and result["listed"] == [key]
    assert {"Name": "dev:device_remembered_status", "Value": "not_remembered"} in \
        result["afterStatus"]["DeviceAttributes"]
    assert result["forgotten"] == "SUCCESS"
    assert not Device.objects.exists()
