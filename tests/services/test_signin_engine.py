"""The sign-in engine: a Django login runs the same pipeline as the API, and what the engine
decrypts it still checks."""

from __future__ import annotations

import base64
import json
import re
from typing import Any

import pytest
from django.contrib.auth import authenticate
from django.test import override_settings

from django_cognito import clock, signals
from django_cognito.crypto import srp
from django_cognito.crypto.fields import fernet
from django_cognito.exceptions import NotAuthorizedException, TriggerRejected
from django_cognito.models import AuthChallenge, PoolUser, RefreshToken, UserPool
from django_cognito.services import admin_users, passwords, pool_config, signin
from django_cognito.services.signin import once, sessions
from django_cognito.services.signin import srp as signin_srp
from tests.factories import PASSWORD, create_user

BACKEND = ["django_cognito.backends.CognitoPasswordBackend"]


@pytest.fixture
def alice(pool: UserPool) -> PoolUser:
    return create_user(pool)


def login(pool: UserPool, username: str = "alice", password: str = PASSWORD) -> Any:
    with override_settings(AUTHENTICATION_BACKENDS=BACKEND):
        return authenticate(None, username=username, password=password, pool_id=pool.id)


def test_a_django_login_runs_pre_and_post_authentication(pool: UserPool, alice: PoolUser,
                                                         record: Any) -> None:
    before = record(signals.pre_authentication)
    after = record(signals.post_authentication)
    assert login(pool) == PoolUser.objects.get(pk=alice.pk).user
    assert [e["triggerSource"] for e in before] == ["PreAuthentication_Authentication"]
    assert [e["triggerSource"] for e in after] == ["PostAuthentication_Authentication"]
    # No app client stands behind a Django login.
    assert after[0]["callerContext"]["clientId"] == "CLIENT_ID_NOT_APPLICABLE"
    assert not RefreshToken.objects.exists()  # signed in to Django, no tokens issued


def test_pre_authentication_can_refuse_a_django_login(pool: UserPool, alice: PoolUser,
                                                      connect: Any) -> None:
    def refuse(sender: Any, event: dict[str, Any], **kwargs: Any) -> None:
        raise TriggerRejected("not today")

    connect(signals.pre_authentication, refuse)
    after: list[Any] = []
    connect(signals.post_authentication, lambda sender, event, **kw: after.append(event))
    assert login(pool) is None
    assert after == []


def test_a_django_login_migrates_an_unknown_user(pool: UserPool, record: Any) -> None:
    def found(event: dict[str, Any]) -> None:
        event["response"]["userAttributes"] = {"email": "legacy@example.com",
                                               "email_verified": "true"}
        event["response"]["finalUserStatus"] = "CONFIRMED"

    events = record(signals.user_migration, found)
    django_user = login(pool, "legacy")
    assert django_user is not None
    migrated = PoolUser.objects.get(pool=pool, username="legacy")
    assert django_user == migrated.user
    assert [e["triggerSource"] for e in events] == ["UserMigration_Authentication"]
    assert events[0]["request"]["password"] == PASSWORD
    assert login(pool, "legacy") == django_user  # the second time, the user is there


def test_an_unknown_name_costs_a_django_login_a_hash(pool: UserPool,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    spent: list[str] = []
    monkeypatch.setattr(passwords, "spend_a_hash", spent.append)
    assert login(pool, "nobody", "Wrong-Passw0rd") is None  # "not mine": other backends try
    assert spent == ["Wrong-Passw0rd"]


def test_a_django_login_locks_out_as_the_api_does(pool: UserPool, alice: PoolUser,
                                                  make_client: Any) -> None:
    for _ in range(5):
        assert login(pool, password="Wrong-Passw0rd") is None
    api = make_client(pool, explicit_auth_flows=["ALLOW_USER_PASSWORD_AUTH"])
    with pytest.raises(NotAuthorizedException, match="Password attempts exceeded"):
        signin.initiate_auth(api, "USER_PASSWORD_AUTH",
                             {"USERNAME": "alice", "PASSWORD": PASSWORD})
    assert login(pool) is None


def test_a_django_login_never_skips_a_challenge(pool: UserPool, alice: PoolUser) -> None:
    """A password alone does not pass where the API would ask for more."""
    pool_config.set_mfa_config(pool, "ON", {"EmailMfaConfiguration": {}})
    pool.refresh_from_db()
    assert login(pool) is None
    assert not AuthChallenge.objects.exists()
    pool_config.set_mfa_config(pool, "OFF", {})
    pool.refresh_from_db()
    assert login(pool) is not None
    admin_users.admin_set_user_password(alice, "Temp-Passw0rd", permanent=False)
    assert login(pool, password="Temp-Passw0rd") is None  # NEW_PASSWORD_REQUIRED


def forged_block(pool: UserPool, client_id: str, user: PoolUser, big_a: int, b: int) -> str:
    return signin_srp.seal(signin_srp.USER, signin_srp.Block(
        pool_id=pool.id, client_id=client_id, who=user.pk, name=user.username, big_a=big_a,
        big_b=srp.server_public(int(user.srp_verifier, 16), max(b, 2)), b=b,
        issued=clock.now().timestamp(), admin=False))


def test_a_block_sealed_with_b_zero_signs_no_one_in(pool: UserPool, alice: PoolUser,
                                                    make_client: Any) -> None:
    """Whoever holds the encryption key can seal any block; with b = 0 the shared secret is 1
    and the proof needs no password. The engine checks what it decrypts."""
    client = make_client(pool, explicit_auth_flows=["ALLOW_USER_SRP_AUTH"])
    alice.refresh_from_db()
    a = srp.new_private()
    big_a = pow(srp.G, a, srp.N)
    stamp = srp.format_timestamp(clock.now())
    for b in (0, 1, srp.N, srp.N + 5):
        text = forged_block(pool, client.id, alice, big_a, b)
        raw = base64.b64decode(text)
        u = srp.scrambler(big_a, srp.server_public(int(alice.srp_verifier, 16), max(b, 2)))
        claim = srp.signature(srp.session_key(1, u), pool.pool_name_suffix, "alice", raw, stamp)
        with pytest.raises(NotAuthorizedException) as refused:
            signin.respond_to_auth_challenge(client, "PASSWORD_VERIFIER", {
                "USERNAME": "alice", "PASSWORD_CLAIM_SECRET_BLOCK": text, "TIMESTAMP": stamp,
                "PASSWORD_CLAIM_SIGNATURE": base64.b64encode(claim).decode()}, None)
        assert refused.value.message == "Invalid session for the user."
    assert not RefreshToken.objects.exists()


def test_a_token_is_spent_once_per_kind() -> None:
    assert once.spend("srp-block", b"block")
    assert not once.spend("srp-block", b"block")
    assert once.spend("device-srp-block", b"block")  # kinds never collide
    assert once.spend("srp-block", "another")


def test_the_secret_exponent_never_leaves_the_server(pool: UserPool, alice: PoolUser,
                                                     make_client: Any) -> None:
    """SECRET_BLOCK names an exchange kept in the shared cache; a block forged with the key
    can name none, and carries no b of its own choosing."""
    client = make_client(pool, explicit_auth_flows=["ALLOW_USER_SRP_AUTH"])
    big_a = pow(srp.G, srp.new_private(), srp.N)
    result = signin.initiate_auth(client, "USER_SRP_AUTH",
                                  {"USERNAME": "alice", "SRP_A": srp.hexstr(big_a)})
    text = result.challenge_parameters["SECRET_BLOCK"]
    payload = json.loads(fernet(signin_srp.USER).decrypt(
        base64.urlsafe_b64encode(base64.b64decode(text))))
    assert not {"a", "B", "b"} & set(payload)
    block, _ = signin_srp.open_block(signin_srp.USER, text)
    assert srp.hexstr(block.big_b) == result.challenge_parameters["SRP_B"]
    forged = {**payload, "x": "0" * 32, "b": "0"}
    token = fernet(signin_srp.USER).encrypt(json.dumps(forged).encode())
    with pytest.raises(NotAuthorizedException, match="Invalid session for the user."):
        signin_srp.open_block(signin_srp.USER,
                              base64.b64encode(base64.urlsafe_b64decode(token)).decode())


def test_a_custom_session_forged_with_the_key_names_no_state(pool: UserPool, alice: PoolUser,
                                                              make_client: Any) -> None:
    """A custom challenge's history and private parameters stay on the server: a Session
    sealed with the key, claiming an answer of its own choosing, opens nothing."""
    client = make_client(pool, explicit_auth_flows=["ALLOW_CUSTOM_AUTH"])
    for data in ({"a": False, "s": {"h": [], "p": {"answer": "1"}}},
                 {"a": False, "x": "0" * 32}):
        forged = sessions.issue(client, alice.pk, "CUSTOM_CHALLENGE", "alice", **data)
        with pytest.raises(NotAuthorizedException, match="Invalid session for the user."):
            signin.respond_to_auth_challenge(client, "CUSTOM_CHALLENGE",
                                             {"USERNAME": "alice", "ANSWER": "1"}, forged)


@pytest.mark.urls("example_project.urls")
@pytest.mark.parametrize("event", ["global_sign_out", "password_reset", "disable"])
def test_a_django_login_ends_with_the_sessions_of_its_user(pool: UserPool, alice: PoolUser,
                                                           event: str) -> None:
    """A session made by the password backend holds no token; it ends all the same when the
    user is signed out everywhere, their password is reset or they are disabled."""
    from django.test import Client

    from django_cognito.services import recovery, tokens

    browser = Client()
    with override_settings(AUTHENTICATION_BACKENDS=BACKEND):
        assert browser.login(username="alice", password=PASSWORD, pool_id=pool.id)
        assert browser.get("/session/me/").status_code == 200
        if event == "global_sign_out":
            tokens.global_sign_out(alice)
        elif event == "password_reset":
            recovery.admin_reset_user_password(PoolUser.objects.get(pk=alice.pk))
        else:
            admin_users.set_enabled(alice, False)
        assert browser.get("/session/me/").status_code == 302  # to the login page


def srp_start(client: Any, name: str) -> dict[str, str]:
    big_a = pow(srp.G, srp.new_private(), srp.N)
    return signin.initiate_auth(client, "USER_SRP_AUTH",
                                {"USERNAME": name, "SRP_A": srp.hexstr(big_a)}).challenge_parameters


def test_a_hidden_name_is_shown_as_a_real_one_would_be(make_pool: Any, make_client: Any,
                                                       connect: Any) -> None:
    """Under PreventUserExistenceErrors a missing name must not be echoed as typed where a
    real user's answer shows the stored name: case, width and generated usernames alike."""
    insensitive = make_pool(name="ci", case_sensitive=False, normalize_usernames=True)
    app = make_client(insensitive, explicit_auth_flows=["ALLOW_USER_SRP_AUTH"],
                      prevent_user_existence_errors="ENABLED")
    create_user(insensitive, "alice")
    assert srp_start(app, "aLiCe")["USER_ID_FOR_SRP"] == "alice"
    assert srp_start(app, "gHoSt")["USER_ID_FOR_SRP"] == "ghost"
    # Every form of one missing name is one hidden user: the same salt, as for a real one.
    assert srp_start(app, "ghost")["SALT"] == srp_start(app, "ｇｈｏｓｔ")["SALT"]
    assert srp_start(app, "alice")["SALT"] == srp_start(app, "ａｌｉｃｅ")["SALT"]
    # Where usernames are generated, a custom flow shows a UUID for both.
    by_email = make_pool(name="email", username_attributes=["email"])
    custom_app = make_client(by_email, explicit_auth_flows=["ALLOW_CUSTOM_AUTH"],
                             prevent_user_existence_errors="ENABLED")
    create_user(by_email, "real@example.com", attributes={"email": "real@example.com"})

    def define(sender: Any, event: dict[str, Any], **kwargs: Any) -> None:
        event["response"].update(challengeName="CUSTOM_CHALLENGE", issueTokens=False,
                                 failAuthentication=False)

    def create(sender: Any, event: dict[str, Any], **kwargs: Any) -> None:
        event["response"].update(publicChallengeParameters={}, privateChallengeParameters={})

    connect(signals.define_auth_challenge, define)
    connect(signals.create_auth_challenge, create)
    shown = [signin.initiate_auth(custom_app, "CUSTOM_AUTH", {"USERNAME": name})
             .challenge_parameters["USERNAME"]
             for name in ("real@example.com", "fake.person@example.com")]
    assert all(re.fullmatch(r"[0-9a-f-]{36}", name) for name in shown), shown
