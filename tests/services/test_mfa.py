"""MFA services without HTTP: TOTP arithmetic, software-token enrolment, preferences and the
decision the sign-in step makes after the first factor."""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any

import pyotp
import pytest

from django_cognito import clock
from django_cognito.api.shapes import mfa_settings
from django_cognito.crypto import totp
from django_cognito.exceptions import (
    EnableSoftwareTokenMFAException,
    InvalidParameterException,
    NotAuthorizedException,
    SoftwareTokenMFANotFoundException,
)
from django_cognito.models import (
    AppClient,
    AuthChallenge,
    MfaPreference,
    PoolUser,
    SoftwareToken,
    UserPool,
)
from django_cognito.services import mfa, pool_config, signin
from django_cognito.services.signin import AuthResult, SignIn
from django_cognito.services.signin import mfa as signin_mfa
from django_cognito.services.users import save_user
from tests.factories import create_user

TOTP_ONLY = {"SoftwareTokenMfaConfiguration": {"Enabled": True}}


@pytest.fixture
def alice(pool: UserPool) -> PoolUser:
    return create_user(pool, attributes=[{"Name": "email", "Value": "alice@example.com"}])


def configure(pool: UserPool, mode: str, factors: dict[str, Any]) -> None:
    pool_config.set_mfa_config(pool, mode, factors)
    pool.refresh_from_db()


def enrol(user: PoolUser) -> str:
    secret = mfa.associate_software_token(user)
    mfa.verify_software_token(user, totp.code_at(secret), "phone")
    return secret


def step_of(result: signin.AuthResult | None) -> str | None:
    return None if result is None else result.challenge_name


# --- TOTP arithmetic ------------------------------------------------------------------------

def test_secrets_are_160_bit_base32() -> None:
    secrets = {totp.new_secret() for _ in range(20)}
    assert len(secrets) == 20
    for secret in secrets:
        assert len(secret) == 32 and len(base64.b32decode(secret)) == 20


def test_codes_match_an_authenticator_within_one_step() -> None:
    clock.freeze()  # the step must not turn over between the reads of the clock below
    secret = totp.new_secret()
    authenticator = pyotp.TOTP(secret)
    now = clock.now()
    assert totp.code_at(secret) == authenticator.at(now)
    step = int(now.timestamp()) // 30
    for offset in (-1, 0, 1):
        code = authenticator.at(now + dt.timedelta(seconds=30 * offset))
        assert totp.matching_step(secret, code) == step + offset
    for offset in (-2, 2):
        code = authenticator.at(now + dt.timedelta(seconds=30 * offset))
        if code not in {authenticator.at(now + dt.timedelta(seconds=30 * o)) for o in (-1, 0, 1)}:
            assert totp.matching_step(secret, code) is None


def test_a_spent_step_and_earlier_ones_never_match_again() -> None:
    clock.freeze()
    secret = totp.new_secret()
    step = int(clock.now().timestamp()) // 30
    current, previous = totp.code_at(secret), totp.code_at(secret, -1)
    assert totp.matching_step(secret, current, last_used_step=step) is None
    assert totp.matching_step(secret, previous, last_used_step=step - 1) is None
    assert totp.matching_step(secret, current, last_used_step=step - 1) == step


@pytest.mark.parametrize("code", ["12345", "1234567", "abcdef", 123456, None, " 12345"])
def test_malformed_codes_never_match(code: object) -> None:
    assert totp.matching_step(totp.new_secret(), code) is None


# --- Software tokens ------------------------------------------------------------------------

def test_a_new_association_waits_for_its_verification(pool: UserPool, alice: PoolUser) -> None:
    configure(pool, "OPTIONAL", TOTP_ONLY)
    first = enrol(alice)
    second = mfa.associate_software_token(alice)
    token = SoftwareToken.objects.get(user=alice)
    assert (token.secret, token.pending_secret) == (first, second)
    with pytest.raises(EnableSoftwareTokenMFAException):
        mfa.verify_software_token(alice, f"{(int(totp.code_at(second)) + 1) % 10**6:06d}")
    assert SoftwareToken.objects.get(user=alice).secret == first
    clock.advance(dt.timedelta(seconds=60))
    mfa.verify_software_token(alice, totp.code_at(second))
    token.refresh_from_db()
    assert (token.secret, token.pending_secret) == (second, None)


def test_verify_without_association(pool: UserPool, alice: PoolUser) -> None:
    configure(pool, "OPTIONAL", TOTP_ONLY)
    with pytest.raises(SoftwareTokenMFANotFoundException):
        mfa.verify_software_token(alice, "123456")
    configure(pool, "OFF", {})
    with pytest.raises(SoftwareTokenMFANotFoundException) as refused:
        mfa.associate_software_token(alice)
    assert refused.value.message == "Software Token MFA has not been enabled by the userPool."
    assert not SoftwareToken.objects.exists()


# --- Preferences ----------------------------------------------------------------------------

@pytest.mark.parametrize("settings_", [
    {"sms": {"Enabled": True, "PreferredMfa": True},
     "email": {"Enabled": True, "PreferredMfa": True}},
    {"email": {"Enabled": "yes"}},
    {"email": ["Enabled"]},
    {"email": {"Enabled": False, "PreferredMfa": True}},
    {"software_token": {"Enabled": True}},
])
def test_bad_preferences_change_nothing(alice: PoolUser, settings_: dict[str, Any]) -> None:
    with pytest.raises(InvalidParameterException):
        mfa.set_user_mfa_preference(alice, **settings_)
    assert not MfaPreference.objects.exists()


def test_preference_rules(alice: PoolUser) -> None:
    mfa.set_user_mfa_preference(alice, email={"Enabled": True, "PreferredMfa": True})
    assert mfa_settings(alice) == {"UserMFASettingList": ["EMAIL_OTP"],
                                       "PreferredMfaSetting": "EMAIL_OTP"}
    mfa.set_user_mfa_preference(alice, email={"Enabled": True, "PreferredMfa": False})
    assert mfa_settings(alice) == {"UserMFASettingList": ["EMAIL_OTP"]}
    mfa.set_user_mfa_preference(alice, email={"PreferredMfa": True})
    mfa.set_user_mfa_preference(alice, email={"Enabled": False})
    assert mfa_settings(alice) == {"UserMFASettingList": []}


# --- The sign-in step -----------------------------------------------------------------------

def mfa_step(client: AppClient, user: PoolUser, source: str) -> AuthResult | None:
    """The MFA step of a sign-in whose first factor ``user`` has just proven."""
    return signin_mfa.mfa_step(SignIn(pool=client.pool, client=client, presented={},
                                      metadata={}, user=user, source=source))


def test_no_challenge_without_mfa_or_factor(pool: UserPool, client_app: AppClient,
                                            alice: PoolUser) -> None:
    source = "TokenGeneration_Authentication"
    assert mfa_step(client_app, alice, source) is None
    configure(pool, "OPTIONAL", {"SmsMfaConfiguration": {}, **TOTP_ONLY})
    assert mfa_step(client_app, alice, source) is None
    # An enabled factor the pool does not send is not asked for.
    mfa.set_user_mfa_preference(alice, email={"Enabled": True})
    assert mfa_step(client_app, alice, source) is None
    assert not AuthChallenge.objects.exists()


def test_totp_outlives_the_pool_switching_it_off(pool: UserPool, client_app: AppClient,
                                                 alice: PoolUser) -> None:
    configure(pool, "OPTIONAL", TOTP_ONLY)
    enrol(alice)
    mfa.set_user_mfa_preference(alice, software_token={"Enabled": True})
    configure(pool, "OPTIONAL", {"SmsMfaConfiguration": {}})
    result = mfa_step(client_app, alice, "TokenGeneration_Authentication")
    assert step_of(result) == "SOFTWARE_TOKEN_MFA"


def test_required_mfa_falls_back_to_email(pool: UserPool, client_app: AppClient,
                                          alice: PoolUser) -> None:
    configure(pool, "ON", {"EmailMfaConfiguration": {}, **TOTP_ONLY})
    result = mfa_step(client_app, alice, "TokenGeneration_Authentication")
    assert result is not None and result.challenge_name == "EMAIL_OTP"
    assert result.challenge_parameters["CODE_DELIVERY_DESTINATION"] == "a***@e***"
    alice.attributes.pop("email")
    save_user(alice)
    assert step_of(mfa_step(client_app, alice, "x")) == "MFA_SETUP"


def test_expired_challenges_are_swept_when_a_new_one_is_issued(
        pool: UserPool, client_app: AppClient, alice: PoolUser) -> None:
    configure(pool, "ON", TOTP_ONLY)
    first = mfa_step(client_app, alice, "TokenGeneration_Authentication")
    assert first is not None and AuthChallenge.objects.count() == 1
    clock.advance(dt.timedelta(minutes=client_app.auth_session_validity, seconds=1))
    mfa_step(client_app, alice, "TokenGeneration_Authentication")
    assert AuthChallenge.objects.count() == 1
    with pytest.raises(NotAuthorizedException) as expired:
        signin_mfa.associate_with_session(first.session)
    assert expired.value.message == "Invalid session for the user, session is expired."


def test_a_forged_setup_session_is_refused(pool: UserPool, client_app: AppClient,
                                           alice: PoolUser) -> None:
    configure(pool, "ON", TOTP_ONLY)
    result = mfa_step(client_app, alice, "TokenGeneration_Authentication")
    assert result is not None and result.session
    tampered = result.session[:-6] + ("A" * 6 if not result.session.endswith("A" * 6)
                                      else "B" * 6)
    for session in (tampered, "not base64 !", None, 42):
        with pytest.raises(NotAuthorizedException):
            signin_mfa.associate_with_session(session)
    assert not SoftwareToken.objects.exists()
