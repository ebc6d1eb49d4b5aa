"""Shared helpers of the identity-pool tests: role ARNs, user-pool provider keys, a pool
with roles, and asking STS whose credentials these are."""

from __future__ import annotations

from typing import Any

import boto3

from django_cognito.models import AppClient, UserPool

ROLE = "arn:aws:iam::000000000000:role/"
AUTH, GUEST, ADMINS, READERS = (ROLE + name for name in ("Auth", "Guest", "Admins", "Readers"))


def provider_of(pool: UserPool) -> str:
    """The Logins key of a local user pool."""
    return f"cognito-idp.us-east-1.amazonaws.com/{pool.id}"


def identity_pool(identity: Any, pool: UserPool, app: AppClient, **config: Any) -> str:
    """An identity pool trusting ``app`` of ``pool``, guests allowed, with default roles."""
    created = identity.create_identity_pool(
        IdentityPoolName="photos", AllowUnauthenticatedIdentities=True,
        CognitoIdentityProviders=[{"ProviderName": provider_of(pool), "ClientId": app.id,
                                   "ServerSideTokenCheck": True}], **config)
    pool_id: str = created["IdentityPoolId"]
    identity.set_identity_pool_roles(IdentityPoolId=pool_id,
                                     Roles={"authenticated": AUTH, "unauthenticated": GUEST})
    return pool_id


def role_of(credentials: dict[str, Any], sts_url: str) -> str:
    """The role STS says the credentials (GetCredentialsForIdentity's shape) belong to."""
    sts = boto3.client("sts", endpoint_url=sts_url, region_name="us-east-1",
                       aws_access_key_id=credentials["AccessKeyId"],
                       aws_secret_access_key=credentials["SecretKey"],
                       aws_session_token=credentials["SessionToken"])
    arn: str = sts.get_caller_identity()["Arn"]  # arn:aws:sts::…:assumed-role/<role>/<session>
    return ROLE + arn.split(":assumed-role/")[1].split("/")[0]
