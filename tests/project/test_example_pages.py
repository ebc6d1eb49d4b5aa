"""The example project's development pages with the demo data of ``manage.py cognito_demo``.

TOTP enrolment on ``/dev/totp/`` (sign in, QR code, verify, preferred MFA) and the seed's
passwordless use case: a one-time code texted to the demo user, read on ``/dev/sms/``.
"""

from __future__ import annotations

import html
import re
import time
from io import StringIO
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import pyotp
import pytest
from django.core.management import call_command
from django.test import Client

from django_cognito.api.shapes import mfa_settings
from django_cognito.management.base import create_user
from django_cognito.management.commands import cognito_demo
from django_cognito.models import AppClient, PoolUser, SoftwareToken, UserPool
from django_cognito.services import delivery, mfa, signin
from example_project import totp as totp_page

pytestmark = [pytest.mark.django_db, pytest.mark.urls("example_project.urls")]

PAGE = "/dev/totp/"
PASSWORD = cognito_demo.DEFAULTS["USER_PASSWORD"]


@pytest.fixture(autouse=True)
def _debug(settings: Any) -> None:
    settings.DEBUG = True
    settings.COGNITO_DEMO = {}


@pytest.fixture
def demo() -> AppClient:
    """The demo pool, client and user, as ``manage.py cognito_demo --force`` seeds them."""
    call_command("cognito_demo", force=True, stdout=StringIO())
    return AppClient.objects.get(name="demo-app")


def demo_user() -> PoolUser:
    return PoolUser.objects.get(username="demo")


def secret_of(page: str) -> str:
    found = re.search(r'<code class="secret">([A-Z2-7]+)</code>', page)
    assert found is not None, page
    return found.group(1)


def uri_of(page: str) -> str:
    found = re.search(r'<code class="uri">([^<]+)</code>', page)
    assert found is not None, page
    return html.unescape(found.group(1))


def wrong_code(secret: str) -> str:
    """Six digits no step within the verification tolerance produces."""
    generator = pyotp.TOTP(secret)
    now = time.time()
    valid = {generator.at(now + 30 * k) for k in range(-2, 3)}
    return next(c for c in (f"{n:06d}" for n in range(1_000_000)) if c not in valid)


def start(browser: Client, username: str = "demo", password: str = PASSWORD) -> Any:
    return browser.post(PAGE, {"username": username, "password": password})


# --- TOTP enrolment --------------------------------------------------------------------------

def test_page_exists_only_with_debug(settings: Any, demo: AppClient) -> None:
    settings.DEBUG = False
    assert Client().get(PAGE).status_code == 404
    assert start(Client()).status_code == 404
    assert not SoftwareToken.objects.exists()


def test_page_without_demo_data_says_how_to_seed_it(db: Any) -> None:
    response = Client().get(PAGE)
    assert response.status_code == 404
    assert "run <code>manage.py cognito_demo</code>" in response.content.decode()


def test_get_shows_the_sign_in_form(demo: AppClient) -> None:
    response = Client().get(PAGE)
    assert response.status_code == 200
    page = response.content.decode()
    assert '<form method="post">' in page and 'name="csrfmiddlewaretoken"' in page
    assert 'name="username"' in page and 'type="password"' in page


def test_forms_are_csrf_protected(demo: AppClient) -> None:
    browser = Client(enforce_csrf_checks=True)
    assert start(browser).status_code == 403
    assert not SoftwareToken.objects.exists()
    page = browser.get(PAGE).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token is not None
    response = browser.post(PAGE, {"username": "demo", "password": PASSWORD,
                                   "csrfmiddlewaretoken": token.group(1)})
    assert response.status_code == 200
    assert secret_of(response.content.decode())


def test_enrolment_end_to_end(demo: AppClient) -> None:
    browser = Client()
    response = start(browser)
    assert response.status_code == 200
    page = response.content.decode()
    secret = secret_of(page)
    assert len(secret) == 32
    # The QR code is inline SVG and the URI names the issuer, the account and the secret.
    assert re.search(r'<div class="qr"><svg[^>]*xmlns="http://www.w3.org/2000/svg"', page)
    assert "<?xml" not in page
    uri = urlsplit(uri_of(page))
    assert (uri.scheme, uri.netloc, unquote(uri.path)) == ("otpauth", "totp", "/demo:demo")
    assert parse_qs(uri.query) == {"secret": [secret], "issuer": ["demo"]}
    user = demo_user()
    token = SoftwareToken.objects.get(user=user)
    assert token.pending_secret == secret and token.secret is None

    rejected = browser.post(PAGE, {"code": wrong_code(secret)})
    assert rejected.status_code == 400
    assert ("EnableSoftwareTokenMFAException: Code mismatch and fail enable Software Token "
            "MFA") in rejected.content.decode()
    assert mfa.confirmed_token(user) is None and mfa.enabled_for(user) == []

    done = browser.post(PAGE, {"code": pyotp.TOTP(secret).now()})
    assert done.status_code == 200
    assert "TOTP is now the preferred MFA of <strong>demo</strong>" in done.content.decode()
    assert mfa_settings(user) == {"UserMFASettingList": ["SOFTWARE_TOKEN_MFA"],
                                      "PreferredMfaSetting": "SOFTWARE_TOKEN_MFA"}
    token.refresh_from_db()
    assert token.secret == secret and token.pending_secret is None

    assert demo.pool.mfa_configuration == "OPTIONAL"
    result = signin.initiate_auth(demo, "ADMIN_USER_PASSWORD_AUTH",
                                {"USERNAME": "demo", "PASSWORD": PASSWORD}, admin=True)
    assert result.tokens is None and result.challenge_name == "SOFTWARE_TOKEN_MFA"
    # The enrolment has ended: a code without a new sign-in starts over.
    again = browser.post(PAGE, {"code": pyotp.TOTP(secret).now()})
    assert again.status_code == 400 and "sign in\n    again" in again.content.decode()


def test_wrong_code_message_shows_the_form_error_and_allows_a_retry(demo: AppClient) -> None:
    browser = Client()
    secret = secret_of(start(browser).content.decode())
    malformed = browser.post(PAGE, {"code": "12ab56"})
    assert malformed.status_code == 400
    assert "Enter the six digits the app shows." in malformed.content.decode()
    assert browser.post(PAGE, {"code": wrong_code(secret)}).status_code == 400
    assert browser.post(PAGE, {"code": pyotp.TOTP(secret).now()}).status_code == 200
    assert mfa.enabled_for(demo_user()) == ["SOFTWARE_TOKEN_MFA"]


def test_wrong_password_is_a_form_error(demo: AppClient) -> None:
    response = start(Client(), password="Wrong-Passw0rd!")
    assert response.status_code == 400
    assert response.content.decode().count(
        "NotAuthorizedException: Incorrect username or password.") == 1
    assert not SoftwareToken.objects.exists()
    incomplete = Client().post(PAGE, {"username": "demo"})
    assert incomplete.status_code == 400 and "This field is required." in \
        incomplete.content.decode()


def test_a_user_already_asked_for_mfa_is_turned_away(demo: AppClient) -> None:
    browser = Client()
    secret = secret_of(start(browser).content.decode())
    assert browser.post(PAGE, {"code": pyotp.TOTP(secret).now()}).status_code == 200
    response = start(Client())
    assert response.status_code == 400
    assert "The sign-in asks for SOFTWARE_TOKEN_MFA" in response.content.decode()
    assert SoftwareToken.objects.get().secret == secret  # nothing re-associated


def test_a_user_of_another_pool_cannot_sign_in(demo: AppClient, make_pool: Any) -> None:
    other = make_pool(name="other")
    create_user(other, "carol", attributes={}, password=PASSWORD, permanent=True)
    response = start(Client(), username="carol")
    assert response.status_code == 400
    # Looked up in the demo pool only (the demo client has PreventUserExistenceErrors LEGACY).
    assert "UserNotFoundException: User does not exist." in response.content.decode()
    assert not SoftwareToken.objects.exists()


def test_the_otpauth_uri_escapes_the_label() -> None:
    uri = totp_page.otpauth_uri("My Pool", "ann smith", "ABCDEF")
    assert uri == "otpauth://totp/My%20Pool:ann%20smith?secret=ABCDEF&issuer=My+Pool"


# --- Passwordless sign-in with the demo data -------------------------------------------------

def test_demo_passwordless_sign_in_by_sms(demo: AppClient) -> None:
    pool = UserPool.objects.get(name="demo")
    first = signin.initiate_auth(demo, "CUSTOM_AUTH", {"USERNAME": "demo"})
    assert first.tokens is None and first.challenge_name == "CUSTOM_CHALLENGE"
    assert first.challenge_parameters["CODE_DELIVERY_DELIVERY_MEDIUM"] == "SMS"
    [message] = delivery.outbox
    assert message["phone_number"] == cognito_demo.PHONE_NUMBER == "+15555550100"
    assert (message["purpose"], message["pool"]) == ("CustomAuth_SignIn", pool.id)
    code = message["message"].removeprefix("Your sign-in code is ").removesuffix(".")
    assert len(code) == 6 and code.isdigit()

    outbox_page = Client().get("/dev/sms/")
    assert outbox_page.status_code == 200
    assert f"Your sign-in code is {code}." in outbox_page.content.decode()
    assert "+15555550100" in outbox_page.content.decode()

    wrong = f"{(int(code) + 1) % 10**6:06d}"
    retry = signin.respond_to_auth_challenge(
        demo, "CUSTOM_CHALLENGE", {"USERNAME": "demo", "ANSWER": wrong}, first.session)
    assert retry.challenge_name == "CUSTOM_CHALLENGE" and retry.tokens is None
    assert retry.challenge_parameters["ATTEMPTS_LEFT"] == "2"
    assert len(delivery.outbox) == 1  # the retry keeps the code already sent
    result = signin.respond_to_auth_challenge(
        demo, "CUSTOM_CHALLENGE", {"USERNAME": "demo", "ANSWER": code}, retry.session)
    assert result.tokens is not None and result.challenge_name is None
    assert result.tokens.access_token and result.tokens.id_token
