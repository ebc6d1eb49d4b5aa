"""The example project's admin asks staff for a TOTP code (django-otp's ``OTPAdminSite``), and
``manage.py cognito_demo`` gives the demo admin a device to enrol (issue 12, item 7)."""

from __future__ import annotations

import importlib
import json
from io import StringIO
from typing import Any

import pyotp
import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

pytestmark = [pytest.mark.django_db, pytest.mark.urls("example_project.urls")]

LOGIN = "/admin/login/"
PASSWORD = "Staff-Passw0rd!"
AUTHENTICATION = "django.contrib.auth.middleware.AuthenticationMiddleware"
OTP_MIDDLEWARE = "django_otp.middleware.OTPMiddleware"


@pytest.fixture(autouse=True)
def _example_middleware(settings: Any) -> None:
    """django-otp's middleware after Django's authentication, as the example has it."""
    middleware = list(settings.MIDDLEWARE)
    middleware.insert(middleware.index(AUTHENTICATION) + 1, OTP_MIDDLEWARE)
    settings.MIDDLEWARE = middleware


@pytest.fixture
def staff() -> Any:
    return get_user_model().objects.create_user(
        "staff", password=PASSWORD, is_staff=True, is_superuser=True)


def device_of(user: Any) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


def code(device: TOTPDevice, drift: int = 0) -> str:
    """The device's code now (RFC 6238), computed from its key as an authenticator app does."""
    value = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits,
                 drift=drift)
    return f"{value:0{device.digits}d}"


def wrong_code(device: TOTPDevice) -> str:
    """Six digits no step near now produces."""
    near = {code(device, drift) for drift in range(-3, 4)}
    return next(c for c in (f"{n:06d}" for n in range(1_000_000)) if c not in near)


def log_in(browser: Client, username: str = "staff", password: str = PASSWORD,
           **otp: str) -> Any:
    # "next" as the login page's hidden field carries it
    return browser.post(LOGIN, {"username": username, "password": password, "next": "/admin/",
                                **otp})


def admitted(browser: Client) -> bool:
    response = browser.get("/admin/")
    assert response.status_code in {200, 302}
    return response.status_code == 200


def test_the_example_installs_django_otp(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DJANGO_DEBUG", "1")
    example = importlib.import_module("example_project.settings")
    assert {"django_otp", "django_otp.plugins.otp_totp"} <= set(example.INSTALLED_APPS)
    middleware = example.MIDDLEWARE
    assert middleware.index(OTP_MIDDLEWARE) > middleware.index(AUTHENTICATION)


def test_staff_need_a_valid_code_from_their_device(staff: Any, settings: Any) -> None:
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # a wrong code may be followed by a right one at once
    device = device_of(staff)
    browser = Client()
    response = log_in(browser)
    assert response.status_code == 200
    assert "Please enter your OTP token." in response.content.decode()
    assert not admitted(browser)
    response = log_in(browser, otp_device=device.persistent_id, otp_token=wrong_code(device))
    assert "Invalid token." in response.content.decode()
    assert not admitted(browser)
    response = log_in(browser, otp_token=code(device))  # which device: django-otp asks
    assert "Please select a device." in response.content.decode()
    assert not admitted(browser)
    response = log_in(browser, otp_device=device.persistent_id, otp_token=code(device))
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert admitted(browser)
    # The code is spent: replayed in another browser, it opens nothing.
    other = Client()
    response = log_in(other, otp_device=device.persistent_id, otp_token=code(device))
    assert response.status_code == 200 and not admitted(other)


def test_a_password_alone_opens_nothing(staff: Any) -> None:
    device_of(staff)
    browser = Client()
    browser.force_login(staff)  # signed in to Django, verified by no device
    response = browser.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)
    assert browser.get("/admin/auth/user/").status_code == 302


def test_staff_without_a_device_cannot_sign_in(staff: Any) -> None:
    browser = Client()
    response = log_in(browser, otp_token="123456")
    assert response.status_code == 200
    assert "Please select a device." in response.content.decode()
    assert not admitted(browser)


def test_another_users_device_does_not_verify(staff: Any) -> None:
    stranger = get_user_model().objects.create_user("stranger", password=PASSWORD)
    device = device_of(stranger)
    browser = Client()
    log_in(browser, otp_device=device.persistent_id, otp_token=code(device))
    assert not admitted(browser)


# The demo seed --------------------------------------------------------------------------------

@pytest.fixture
def demo_settings(settings: Any) -> Any:
    settings.DEBUG = True
    settings.COGNITO_DEMO = {}
    settings.OTP_TOTP_ISSUER = "django_cognito example"
    return settings


def demo(*args: str) -> str:
    out = StringIO()
    call_command("cognito_demo", *args, stdout=out)
    return out.getvalue()


def test_the_demo_admin_signs_in_with_the_printed_device(demo_settings: Any) -> None:
    data = json.loads(demo("--json"))
    device = TOTPDevice.objects.get()
    assert device.user.get_username() == data["admin_username"]
    assert device.confirmed and device.name == "cognito_demo"
    uri = data["admin_otpauth_uri"]
    assert uri == device.config_url
    assert uri.startswith("otpauth://totp/django_cognito%20example%3Aadmin?secret=")
    app = pyotp.parse_uri(uri)  # what an authenticator app reads from the QR code
    browser = Client()
    response = log_in(browser, data["admin_username"], data["admin_password"],
                      otp_device=device.persistent_id, otp_token=app.now())
    assert response.status_code == 302
    assert admitted(browser)


def test_the_demo_keeps_its_device_and_restores_it(demo_settings: Any) -> None:
    uri = json.loads(demo("--json"))["admin_otpauth_uri"]
    TOTPDevice.objects.update(confirmed=False, throttling_failure_count=5)
    assert json.loads(demo("--json"))["admin_otpauth_uri"] == uri  # an enrolled app still works
    device = TOTPDevice.objects.get()
    assert device.confirmed and device.throttling_failure_count == 0


def test_the_demo_prints_how_to_enrol_the_device(demo_settings: Any) -> None:
    output = demo()
    uri = TOTPDevice.objects.get().config_url
    lines = output.splitlines()
    [line] = [n for n, text in enumerate(lines) if text.startswith("Admin TOTP device:")]
    assert lines[line].split(None, 3)[-1] == uri
    assert "authenticator app" in lines[line - 1]
    qr = lines[line + 1:]
    assert len(qr) > 20 and all(set(row) <= set(" \xa0▀▄█") for row in qr if row)
