"""Device operations: the AccessToken ones a signed-in user calls, and their Admin variants."""

from __future__ import annotations

from typing import Any

from ...exceptions import NotAuthorizedException
from ...models import Device, PoolUser
from ...services import devices
from ...services.access import user_for_access_token
from ..registry import Call, operation
from .common import pool_of, user_of


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


def _caller(call: Call) -> PoolUser:
    token = call.params.get("AccessToken")
    if token is None:  # optional in the model, but these calls act for the token's user
        raise NotAuthorizedException("Invalid Access Token")
    return user_for_access_token(token)[0]


def _admin_user(call: Call) -> PoolUser:
    return user_of(call, pool_of(call))


def _page(page: Any) -> dict[str, Any]:
    result: dict[str, Any] = {"Devices": [device_type(d) for d in page.items]}
    if page.next_token:
        result["PaginationToken"] = page.next_token
    return result


@operation("ConfirmDevice")
def confirm_device(call: Call) -> dict[str, Any]:
    p = call.params
    necessary = devices.confirm_device(_caller(call), p["DeviceKey"],
                                       p.get("DeviceSecretVerifierConfig"), p.get("DeviceName"))
    return {"UserConfirmationNecessary": necessary}


@operation("GetDevice")
def get_device(call: Call) -> dict[str, Any]:
    return {"Device": device_type(devices.get_device(_caller(call),
                                                             call.params["DeviceKey"]))}


@operation("ListDevices")
def list_devices(call: Call) -> dict[str, Any]:
    p = call.params
    return _page(devices.list_devices(_caller(call), p.get("Limit"), p.get("PaginationToken")))


@operation("ForgetDevice")
def forget_device(call: Call) -> dict[str, Any]:
    devices.forget_device(_caller(call), call.params["DeviceKey"])
    return {}


@operation("UpdateDeviceStatus")
def update_device_status(call: Call) -> dict[str, Any]:
    p = call.params
    devices.update_device_status(_caller(call), p["DeviceKey"], p.get("DeviceRememberedStatus"))
    return {}


@operation("AdminGetDevice")
def admin_get_device(call: Call) -> dict[str, Any]:
    return {"Device": device_type(devices.get_device(_admin_user(call),
                                                             call.params["DeviceKey"]))}


@operation("AdminListDevices")
def admin_list_devices(call: Call) -> dict[str, Any]:
    p = call.params
    return _page(devices.list_devices(_admin_user(call), p.get("Limit"),
                                      p.get("PaginationToken")))


@operation("AdminForgetDevice")
def admin_forget_device(call: Call) -> dict[str, Any]:
    devices.forget_device(_admin_user(call), call.params["DeviceKey"])
    return {}


@operation("AdminUpdateDeviceStatus")
def admin_update_device_status(call: Call) -> dict[str, Any]:
    p = call.params
    devices.update_device_status(_admin_user(call), p["DeviceKey"],
                                 p.get("DeviceRememberedStatus"))
    return {}
