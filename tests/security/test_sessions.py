"""Sessions after each revocation event, over HTTP (issue 11, finding 6).

alice signs in twice with boto3 (two token families) and logs two browsers into the example
project's Django session from the ID tokens (``/session/login/``, ``login_with_token``). After
each event, old access tokens are refused by GetUser, old refresh tokens by
InitiateAuth(REFRESH_TOKEN_AUTH), and the browser sessions made from them are logged out.
Only the family the event spares survives: the caller's own on ChangePassword, the other one
on RevokeToken.
"""

from __future__ import annotations

from http.cookiejar import CookieJar
from types import SimpleNamespace
from typing import Any
from urllib.error import HTTPError
from urllib.parse import urlencode
from urllib.request import HTTPCookieProcessor, HTTPRedirectHandler, Request, build_opener

import pytest

from django_cognito.models import AppClient, PoolUser, UserPool
from tests.effects import last_code
from tests.factories import NEW_PASSWORD, PASSWORD
from tests.live_api import sign_in

pytest_plugins = ["tests.api_fixtures", "tests.live_api"]
pytestmark = pytest.mark.urls("example_project.urls")


class _Stay(HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # a redirect (to the login page) is the answer itself


class Browser:
    """A browser with its own cookies; redirects are not followed."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.cookies = CookieJar()
        self.opener = build_opener(HTTPCookieProcessor(self.cookies), _Stay())

    def open(self, path: str, form: dict[str, str] | None = None) -> int:
        data, headers = None, {"Connection": "close"}
        if form is not None:
            data = urlencode(form).encode()
            csrf = next((c.value for c in self.cookies if c.name == "csrftoken"), "")
            headers["X-CSRFToken"] = csrf or ""
        request = Request(self.base + path, data=data, headers=headers)  # noqa: S310
        try:
            with self.opener.open(request, timeout=30) as response:
                return int(response.status)
        except HTTPError as answer:
            return answer.code

    def log_in(self, id_token: str) -> None:
        self.open("/admin/login/")  # any page that sets the CSRF cookie
        assert self.open("/session/login/", {"id_token": id_token}) == 200
        assert self.logged_in()

    def logged_in(self) -> bool:
        status = self.open("/session/me/")
        assert status in (200, 302)
        return status == 200


@pytest.fixture
def sessions(api_url: str, settings: Any) -> Any:
    settings.AUTHENTICATION_BACKENDS = ["django_cognito.backends.CognitoTokenBackend"]
    return lambda: Browser(api_url)


def alive(idp: Any, app: AppClient, tokens: dict[str, Any]) -> bool:
    """Whether a family still works: its access token and its refresh token agree."""
    try:
        idp.get_user(AccessToken=tokens["AccessToken"])
    except idp.exceptions.NotAuthorizedException:
        with pytest.raises(idp.exceptions.NotAuthorizedException):
            idp.initiate_auth(ClientId=app.id, AuthFlow="REFRESH_TOKEN_AUTH",
                              AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]})
        return False
    refreshed = idp.initiate_auth(ClientId=app.id, AuthFlow="REFRESH_TOKEN_AUTH",
                                  AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]})
    return bool(refreshed["AuthenticationResult"]["AccessToken"])


def global_sign_out(w: Any) -> None:
    w.idp.global_sign_out(AccessToken=w.mine["AccessToken"])


def admin_user_global_sign_out(w: Any) -> None:
    w.admin.admin_user_global_sign_out(UserPoolId=w.pool.id, Username="alice")


def revoke_token(w: Any) -> None:
    w.idp.revoke_token(ClientId=w.app.id, Token=w.other["RefreshToken"])


def change_password(w: Any) -> None:
    w.idp.change_password(AccessToken=w.mine["AccessToken"], PreviousPassword=PASSWORD,
                          ProposedPassword=NEW_PASSWORD)


def admin_set_user_password(w: Any) -> None:
    w.admin.admin_set_user_password(UserPoolId=w.pool.id, Username="alice",
                                    Password=NEW_PASSWORD, Permanent=True)


def admin_reset_user_password(w: Any) -> None:
    w.admin.admin_reset_user_password(UserPoolId=w.pool.id, Username="alice")


def confirm_forgot_password(w: Any) -> None:
    w.idp.forgot_password(ClientId=w.app.id, Username="alice")
    w.idp.confirm_forgot_password(ClientId=w.app.id, Username="alice",
                                  ConfirmationCode=last_code(), Password=NEW_PASSWORD)


def admin_disable_user(w: Any) -> None:
    w.admin.admin_disable_user(UserPoolId=w.pool.id, Username="alice")


def admin_disable_then_enable(w: Any) -> None:
    admin_disable_user(w)
    w.admin.admin_enable_user(UserPoolId=w.pool.id, Username="alice")


def admin_delete_user(w: Any) -> None:
    w.admin.admin_delete_user(UserPoolId=w.pool.id, Username="alice")


#: event, the family it spares ("mine": the caller's; "other") and the password after it
#: (None: alice cannot sign in again).
EVENTS = [
    (global_sign_out, None, PASSWORD),
    (admin_user_global_sign_out, None, PASSWORD),
    (revoke_token, "mine", PASSWORD),
    (change_password, "mine", NEW_PASSWORD),
    (admin_set_user_password, None, NEW_PASSWORD),
    (admin_reset_user_password, None, None),
    (confirm_forgot_password, None, NEW_PASSWORD),
    (admin_disable_user, None, None),
    (admin_disable_then_enable, None, PASSWORD),
    (admin_delete_user, None, None),
]


@pytest.mark.parametrize(("event", "spared", "password"), EVENTS,
                         ids=[event.__name__ for event, _, _ in EVENTS])
def test_sessions_end_with_the_event(idp: Any, admin_idp: Any, pool: UserPool, app: AppClient,
                                     alice: PoolUser, sessions: Any, event: Any,
                                     spared: str | None, password: str | None) -> None:
    w = SimpleNamespace(idp=idp, admin=admin_idp, pool=pool, app=app,
                        mine=sign_in(idp, app, "alice"), other=sign_in(idp, app, "alice"))
    browsers = {"mine": sessions(), "other": sessions()}
    for name, browser in browsers.items():
        browser.log_in(getattr(w, name)["IdToken"])
    event(w)
    for name, browser in browsers.items():
        assert alive(idp, app, getattr(w, name)) is (name == spared), name
        assert browser.logged_in() is (name == spared), name
        assert browser.logged_in() is (name == spared), name  # and stays so
    if password is not None:  # alice herself may sign in again, and only with the new one
        if password != PASSWORD:
            with pytest.raises(idp.exceptions.NotAuthorizedException):
                sign_in(idp, app, "alice", PASSWORD)
        fresh = sign_in(idp, app, "alice", password)
        assert alive(idp, app, fresh)
        browser = sessions()
        browser.log_in(fresh["IdToken"])
