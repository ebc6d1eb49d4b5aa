"""A pool user's TOTP authenticator is a django-otp device of the linked Django user (issue
12, item 7): django-otp's match_token, OTPMiddleware and otp_required accept it."""

from __future__ import annotations

from typing import Any

import django_otp
import pytest
from django.conf import settings
from django.contrib.auth import login
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.sessions.middleware import SessionMiddleware
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory
from django_otp.decorators import otp_required
from django_otp.middleware import OTPMiddleware

from django_cognito import django_users
from django_cognito.crypto import totp
from django_cognito.models import PoolTOTPDevice, PoolUser, UserPool
from django_cognito.services import mfa, pool_config
from tests.factories import create_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def pool(make_pool: Any) -> UserPool:
    pool = make_pool()
    pool_config.set_mfa_config(pool, "OPTIONAL",
                               {"SoftwareTokenMfaConfiguration": {"Enabled": True}})
    pool.refresh_from_db()
    return pool


def enrol(user: PoolUser) -> str:
    secret = mfa.associate_software_token(user)
    mfa.verify_software_token(user, totp.code_at(secret, -1), "phone")
    return secret


@otp_required
def secret_page(request: HttpRequest) -> HttpResponse:
    return HttpResponse("for verified users only")


def browser_request(django_user: Any, session_key: str | None = None) -> HttpRequest:
    """A request through Django's session and auth middleware and django-otp's: logged in
    afresh, or carrying the session ``session_key``."""
    request = RequestFactory().get("/secret/")
    if session_key:
        request.COOKIES[settings.SESSION_COOKIE_NAME] = session_key
    SessionMiddleware(lambda r: HttpResponse()).process_request(request)
    if not session_key:
        login(request, django_user, backend="django.contrib.auth.backends.ModelBackend")
    AuthenticationMiddleware(lambda r: HttpResponse()).process_request(request)
    OTPMiddleware(lambda r: HttpResponse())(request)
    return request


def test_an_enrolled_pool_user_passes_otp_required(pool: UserPool) -> None:
    alice = create_user(pool)
    secret = enrol(alice)
    django_user = django_users.linked(PoolUser.objects.get(pk=alice.pk))
    [device] = list(django_otp.devices_for_user(django_user))
    assert isinstance(device, PoolTOTPDevice) and device.name == "phone"
    request = browser_request(django_user)
    assert secret_page(request).status_code == 302  # signed in, not verified yet
    code = totp.code_at(secret)
    matched = django_otp.match_token(django_user, code)
    assert matched == device
    assert django_otp.match_token(django_user, code) is None  # each step once
    django_otp.login(request, matched)  # as django-otp's login form does
    request.session.save()
    assert secret_page(browser_request(django_user, request.session.session_key)
                       ).status_code == 200


def test_a_pool_user_without_a_device_is_refused(pool: UserPool) -> None:
    bob = create_user(pool, "bob")
    django_user = django_users.linked(PoolUser.objects.get(pk=bob.pk))
    assert list(django_otp.devices_for_user(django_user)) == []
    assert django_otp.match_token(django_user, "123456") is None
    assert secret_page(browser_request(django_user)).status_code == 302
