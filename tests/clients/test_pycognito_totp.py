"""pycognito as a real client for MFA: SRP sign-in, software-token enrolment with a secret
pyotp reads, the MFA preference, then sign-in answering SOFTWARE_TOKEN_MFA (and SMS_MFA).
"""

from __future__ import annotations

import re
import time
from typing import Any

import pytest

pytest.register_assert_rewrite("tests.api_fixtures", "tests.live_api")

import pyotp  # noqa: E402
from botocore.exceptions import ClientError  # noqa: E402
from pycognito.exceptions import (  # noqa: E402
    SMSMFAChallengeException,
    SoftwareTokenMFAChallengeException,
)

from django_cognito.models import MfaPreference, PoolUser, RefreshToken  # noqa: E402
from django_cognito.services import delivery, pool_config  # noqa: E402
from django_cognito.services.users import save_user  # noqa: E402
from tests.factories import PASSWORD  # noqa: E402
from tests.live_api import verify_with_pyjwt  # noqa: E402

pytest_plugins = ["tests.api_fixtures", "tests.live_api"]


def test_totp_enrolment_and_mfa_sign_in(cognito: Any, api_url: str, pool: Any, app: Any,
                                        alice: PoolUser) -> None:
    pool_config.set_mfa_config(pool, "OPTIONAL",
                               {"SoftwareTokenMfaConfiguration": {"Enabled": True}})
    user = cognito("alice")
    user.authenticate(password=PASSWORD)  # no factor yet: tokens straight away
    secret = user.associate_software_token()
    authenticator = pyotp.TOTP(secret)
    assert user.verify_software_token(authenticator.now(), "phone") is True
    user.set_user_mfa_preference(sms_mfa=False, software_token_mfa=True,
                                 preferred="SOFTWARE_TOKEN")
    preference = MfaPreference.objects.get(user=alice)
    assert (preference.software_token_enabled, preference.preferred) == (
        True, "SOFTWARE_TOKEN_MFA")

    again = cognito("alice")
    with pytest.raises(SoftwareTokenMFAChallengeException) as challenge:
        again.authenticate(password=PASSWORD)
    assert challenge.value.get_tokens()["ChallengeParameters"] == {"USER_ID_FOR_SRP": "alice"}
    with pytest.raises(ClientError) as wrong:
        again.respond_to_software_token_mfa_challenge(
            f"{(int(authenticator.now()) + 1) % 1_000_000:06d}")
    assert wrong.value.response["Error"]["Code"] == "CodeMismatchException"
    # The enrolment spent the current step; the authenticator's next code is within tolerance.
    again.respond_to_software_token_mfa_challenge(authenticator.at(time.time() + 30))
    claims = verify_with_pyjwt(api_url, pool, app, again.access_token, "access")
    assert claims["username"] == "alice"
    assert RefreshToken.objects.filter(user=alice, revoked_at=None).count() == 2


def test_sms_mfa_sign_in(cognito: Any, pool: Any, alice: PoolUser) -> None:
    pool_config.set_mfa_config(pool, "OPTIONAL", {"SmsMfaConfiguration": {}})
    alice.attributes["phone_number"] = "+15555550123"
    save_user(alice)
    user = cognito("alice")
    user.authenticate(password=PASSWORD)
    user.set_user_mfa_preference(sms_mfa=True, software_token_mfa=False, preferred="SMS")
    again = cognito("alice")
    with pytest.raises(SMSMFAChallengeException) as challenge:
        again.authenticate(password=PASSWORD)
    parameters = challenge.value.get_tokens()["ChallengeParameters"]
    assert parameters["CODE_DELIVERY_DESTINATION"] == "+*******0123"
    [sms] = delivery.outbox
    match = re.search(r"\b(\d{6})\b", sms["message"])
    assert match, sms
    again.respond_to_sms_mfa_challenge(match.group(1))
    assert again.id_token and again.access_token
    alice.refresh_from_db()
    assert alice.attributes["phone_number_verified"] == "true"
