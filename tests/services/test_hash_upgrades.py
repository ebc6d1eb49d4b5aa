"""A right password stored under an outdated hasher is hashed again the current way (issue
11, finding 10), as Django's ModelBackend does; SRP never sees the password."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.hashers import make_password
from pycognito.aws_srp import AWSSRP

from django_cognito.exceptions import NotAuthorizedException
from django_cognito.models import AppClient, PoolUser, UserPool
from django_cognito.services import signin
from tests.factories import PASSWORD, create_user

pytestmark = pytest.mark.django_db

CURRENT = ["tests.hashers.QuickPBKDF2PasswordHasher",
           "django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def app(pool: UserPool, make_client: Any) -> AppClient:
    return make_client(pool, explicit_auth_flows=["ALLOW_USER_PASSWORD_AUTH",
                                                  "ALLOW_USER_SRP_AUTH"])


@pytest.fixture
def alice(pool: UserPool, settings: Any) -> PoolUser:
    user = create_user(pool)
    PoolUser.objects.filter(pk=user.pk).update(password=make_password(PASSWORD, hasher="md5"))
    settings.PASSWORD_HASHERS = CURRENT  # the project has moved on since
    return user


def stored(user: PoolUser) -> str:
    return PoolUser.objects.get(pk=user.pk).password


def password_sign_in(app: AppClient, password: str = PASSWORD) -> signin.AuthResult:
    return signin.initiate_auth(app, "USER_PASSWORD_AUTH",
                                {"USERNAME": "alice", "PASSWORD": password})


def test_a_password_sign_in_upgrades_the_hash(app: AppClient, alice: PoolUser) -> None:
    with pytest.raises(NotAuthorizedException):
        password_sign_in(app, "Wrong-Passw0rd")
    assert stored(alice).startswith("md5$")  # a wrong password changes nothing
    assert password_sign_in(app).tokens is not None
    assert stored(alice).startswith("pbkdf2_sha256$3$")
    assert password_sign_in(app).tokens is not None  # and it still signs in


def test_an_srp_sign_in_leaves_the_hash(app: AppClient, alice: PoolUser) -> None:
    class Client:
        def initiate_auth(self, **kwargs: Any) -> dict[str, Any]:
            result = signin.initiate_auth(app, kwargs["AuthFlow"], kwargs["AuthParameters"])
            return {"ChallengeName": result.challenge_name,
                    "ChallengeParameters": result.challenge_parameters}

        def respond_to_auth_challenge(self, **kwargs: Any) -> dict[str, Any]:
            result = signin.respond_to_auth_challenge(app, kwargs["ChallengeName"],
                                                      kwargs["ChallengeResponses"], None)
            assert result.tokens is not None
            return {"AuthenticationResult": result.tokens.as_dict()}

    aws = AWSSRP("alice", PASSWORD, app.pool.id, app.id, client=Client())
    assert aws.authenticate_user()["AuthenticationResult"]["AccessToken"]
    assert stored(alice).startswith("md5$")


def test_upgrades_can_be_turned_off(app: AppClient, alice: PoolUser, settings: Any) -> None:
    settings.COGNITO = {**settings.COGNITO, "UPGRADE_PASSWORD_HASHES": False}
    assert password_sign_in(app).tokens is not None
    assert stored(alice).startswith("md5$")
