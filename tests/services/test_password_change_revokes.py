"""A password change or reset ends the user's other sessions (issue 11, finding 6), where the
pool says so (``revoke_tokens_on_password_change``, on by default)."""

from __future__ import annotations

from typing import Any

import pytest

from django_cognito.exceptions import NotAuthorizedException
from django_cognito.models import AppClient, PoolUser, UserPool
from django_cognito.services import access, admin_users, recovery, signin, tokens
from django_cognito.services.tokens import TokenSet
from tests.effects import last_code
from tests.factories import NEW_PASSWORD, PASSWORD, create_user

pytestmark = pytest.mark.django_db

FLOWS = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]


@pytest.fixture
def app(pool: UserPool, make_client: Any) -> AppClient:
    return make_client(pool, explicit_auth_flows=FLOWS)


@pytest.fixture
def alice(pool: UserPool) -> PoolUser:
    return create_user(pool)


def sign_in(app: AppClient, password: str = PASSWORD) -> TokenSet:
    result = signin.initiate_auth(app, "USER_PASSWORD_AUTH",
                                  {"USERNAME": "alice", "PASSWORD": password})
    assert result.tokens is not None
    return result.tokens


def live(app: AppClient, session: TokenSet) -> bool:
    """Whether both halves of a session still work: its access and its refresh token."""
    try:
        access.user_for_access_token(session.access_token)
    except NotAuthorizedException as refused:
        assert refused.message == "Access Token has been revoked"
        with pytest.raises(NotAuthorizedException, match="Refresh Token has been revoked"):
            tokens.refresh(app, session.refresh_token)
        return False
    assert tokens.refresh(app, session.refresh_token).access_token
    return True


def origin(session: TokenSet) -> str:
    return str(access.user_for_access_token(session.access_token)[1]["origin_jti"])


def test_change_password_keeps_the_session_that_made_it(app: AppClient, alice: PoolUser) -> None:
    mine, other = sign_in(app), sign_in(app)
    recovery.change_password(alice, PASSWORD, NEW_PASSWORD, session=origin(mine))
    assert live(app, mine) and not live(app, other)
    assert live(app, sign_in(app, NEW_PASSWORD))


def reset_by_code(app: AppClient) -> None:
    recovery.forgot_password(app, "alice")
    recovery.confirm_forgot_password(app, "alice", last_code(), NEW_PASSWORD)


@pytest.mark.parametrize("change", ["admin_set_user_password", "admin_reset_user_password",
                                    "confirm_forgot_password"])
def test_a_password_set_or_reset_ends_every_session(app: AppClient, alice: PoolUser,
                                                    change: str) -> None:
    sessions = [sign_in(app), sign_in(app)]
    if change == "admin_set_user_password":
        admin_users.admin_set_user_password(alice, NEW_PASSWORD, permanent=True)
    elif change == "admin_reset_user_password":
        recovery.admin_reset_user_password(alice)
    else:
        reset_by_code(app)
    assert not any(live(app, session) for session in sessions)


def test_the_pool_setting_keeps_other_sessions(app: AppClient, alice: PoolUser,
                                               pool: UserPool) -> None:
    UserPool.objects.filter(pk=pool.pk).update(revoke_tokens_on_password_change=False)
    alice = PoolUser.objects.select_related("pool").get(pk=alice.pk)
    mine, other = sign_in(app), sign_in(app)
    recovery.change_password(alice, PASSWORD, NEW_PASSWORD, session=origin(mine))
    admin_users.admin_set_user_password(alice, PASSWORD, permanent=True)
    assert live(app, mine) and live(app, other)
