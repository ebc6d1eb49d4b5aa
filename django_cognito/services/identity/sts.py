"""STS AssumeRoleWithWebIdentity with the identity's OpenID token (reference §8.5).

The call is unsigned: the token is the credential, and the role's trust policy decides.
botocore (a core dependency) speaks STS's query protocol; the endpoint is AWS's regional one
unless ``COGNITO["STS_ENDPOINT_URL"]`` names another (moto_server in development).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import botocore.session
from botocore import UNSIGNED
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from ...conf import app_settings
from ...exceptions import (
    ExternalServiceException,
    InvalidIdentityPoolConfigurationException,
    TooManyRequestsException,
)

SESSION_NAME = "CognitoIdentityCredentials"
DURATION = 3600  # Cognito's credentials last one hour (reference §8.4)
# STS's answers that mean the role or its trust policy refused this service's token.
REFUSALS = {"AccessDenied", "InvalidIdentityToken", "IDPRejectedClaim", "ExpiredTokenException",
            "MalformedPolicyDocument", "PackedPolicyTooLarge", "RegionDisabledException",
            "ValidationError", "InvalidParameterValue"}


@dataclass(frozen=True)
class Credentials:
    access_key_id: str
    secret_key: str
    session_token: str
    expiration: dt.datetime


@lru_cache(maxsize=4)
def _client(endpoint: str | None, region: str, timeout: float) -> Any:
    # botocore clients are thread-safe: one per endpoint serves every request.
    config = Config(signature_version=UNSIGNED, connect_timeout=timeout, read_timeout=timeout,
                    retries={"max_attempts": 2, "mode": "standard"})
    return botocore.session.get_session().create_client(
        "sts", region_name=region, endpoint_url=endpoint, config=config)


def client() -> Any:
    return _client(app_settings.STS_ENDPOINT_URL, app_settings.STS_REGION or app_settings.REGION,
                   float(app_settings.STS_TIMEOUT))


def assume_role(role_arn: str, token: str) -> Credentials:
    """Temporary credentials of ``role_arn`` for the holder of ``token``."""
    try:
        answer = client().assume_role_with_web_identity(
            RoleArn=role_arn, RoleSessionName=SESSION_NAME, WebIdentityToken=token,
            DurationSeconds=DURATION)
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        if code in ("Throttling", "ThrottlingException"):
            raise TooManyRequestsException("Rate exceeded") from None
        if code in REFUSALS:
            raise InvalidIdentityPoolConfigurationException() from None
        raise ExternalServiceException(f"STS answered {code or 'an error'}.") from None
    except BotoCoreError:
        raise ExternalServiceException("STS did not answer.") from None
    found = answer["Credentials"]
    return Credentials(access_key_id=found["AccessKeyId"], secret_key=found["SecretAccessKey"],
                       session_token=found["SessionToken"], expiration=found["Expiration"])
