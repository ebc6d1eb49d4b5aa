"""Issue 15's use case end to end: a user signs in through a federated provider (npm's
oidc-provider standing in for Google, through the user pool's managed login), the app trades
the pool's ID token for an identity and temporary AWS credentials with boto3's
``cognito-identity`` client, and writes to and reads from S3 with them. STS and S3 are
``moto_server``'s on loopback; the server calls STS ``AssumeRoleWithWebIdentity`` there with
its own OpenID token (``COGNITO["STS_ENDPOINT_URL"]``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest

from django_cognito.models import AppClient, UserPool
from tests.api_fixtures import error_of
from tests.hosted.conftest import domain_url, hosted_pool, oauth_client  # noqa: F401
from tests.hosted.test_code_flow import authorize, session_for
from tests.hosted.test_federation_oidc import corp, dance, idp, loopback  # noqa: F401
from tests.identity_pools import AUTH, GUEST, identity_pool, provider_of, role_of
from tests.oidc_idp import OidcIdp

pytest_plugins = ["tests.api_fixtures", "tests.live_api", "tests.moto_server"]
pytestmark = pytest.mark.django_db(transaction=True)

REGION = "us-east-1"
BUCKET = "photos-of-the-users"


@pytest.fixture
def aws(moto: str, sts_moto: str) -> str:
    """moto_server, emptied, as the server's STS and the test's S3."""
    return sts_moto


@pytest.fixture
def web(idp: OidcIdp, hosted_pool: UserPool) -> AppClient:  # noqa: F811
    """The pool's app client that signs in only through the OIDC provider "Corp"."""
    corp(hosted_pool, idp.issuer)
    return oauth_client(hosted_pool, supported_identity_providers=["Corp"])


def federated_id_token(client: AppClient, domain: str, login: str) -> str:
    """The pool's ID token of ``login`` at the OIDC provider, through the managed login at
    ``domain``."""
    oauth = session_for(client)
    url, _state, verifier = authorize(oauth, domain, identity_provider="Corp")
    callback = dance(url, login=login)
    assert isinstance(callback, str), callback.text[:800]
    code = parse_qs(urlsplit(callback).query)["code"][0]
    token = oauth.fetch_token(f"{domain}oauth2/token", code=code, code_verifier=verifier)
    return str(token["id_token"])


def credentials_for(guest: Any, identity_id: str, logins: dict[str, str] | None = None
                    ) -> dict[str, Any]:
    """GetCredentialsForIdentity's answer, checked for shape and lifetime."""
    answer = guest.get_credentials_for_identity(
        IdentityId=identity_id, **({"Logins": logins} if logins else {}))
    assert answer["IdentityId"] == identity_id
    credentials: dict[str, Any] = answer["Credentials"]
    assert {"AccessKeyId", "SecretKey", "SessionToken", "Expiration"} <= set(credentials)
    left = credentials["Expiration"] - dt.datetime.now(dt.UTC)
    assert dt.timedelta(minutes=50) < left <= dt.timedelta(hours=1, minutes=1), left
    return credentials


def aws_client(service: str, moto: str, credentials: dict[str, Any]) -> Any:
    """A boto3 client that signs with the temporary credentials."""
    return boto3.client(service, endpoint_url=moto, region_name=REGION,
                        aws_access_key_id=credentials["AccessKeyId"],
                        aws_secret_access_key=credentials["SecretKey"],
                        aws_session_token=credentials["SessionToken"])


def test_sign_in_with_the_provider_then_write_and_read_s3(
        aws: str, identity: Any, guest: Any, web: AppClient,
        hosted_pool: UserPool, domain_url: str) -> None:  # noqa: F811
    pool_id = identity_pool(identity, hosted_pool, web)
    provider = provider_of(hosted_pool)
    logins = {provider: federated_id_token(web, domain_url, "jdoe")}

    identity_id = guest.get_id(IdentityPoolId=pool_id, Logins=logins)["IdentityId"]
    credentials = credentials_for(guest, identity_id, logins)
    assert role_of(credentials, aws) == AUTH

    s3 = aws_client("s3", aws, credentials)
    s3.create_bucket(Bucket=BUCKET)
    key = f"users/{identity_id}/hello.txt"
    s3.put_object(Bucket=BUCKET, Key=key, Body=b"written with Cognito credentials")
    assert s3.get_object(Bucket=BUCKET, Key=key)["Body"].read() == \
        b"written with Cognito credentials"
    listed = s3.list_objects_v2(Bucket=BUCKET, Prefix=f"users/{identity_id}/")
    assert [item["Key"] for item in listed["Contents"]] == [key]

    # Signing in again (a new session at the provider, a new ID token): the same identity.
    again = {provider: federated_id_token(web, domain_url, "jdoe")}
    assert again != logins
    assert guest.get_id(IdentityPoolId=pool_id, Logins=again)["IdentityId"] == identity_id
    renewed = credentials_for(guest, identity_id, again)
    assert renewed["AccessKeyId"] != credentials["AccessKeyId"]
    assert aws_client("s3", aws, renewed).get_object(Bucket=BUCKET, Key=key)["Body"].read()
    described = identity.describe_identity(IdentityId=identity_id)
    assert described["Logins"] == [provider]

    # Another user of the provider: another identity. No login: no credentials, although
    # the pool allows guests (this identity is not one).
    other = {provider: federated_id_token(web, domain_url, "mallory")}
    assert guest.get_id(IdentityPoolId=pool_id, Logins=other)["IdentityId"] != identity_id
    assert error_of(guest.get_credentials_for_identity, IdentityId=identity_id)[0] == \
        "NotAuthorizedException"


def test_a_guest_gets_credentials_only_while_the_pool_allows_guests(
        aws: str, identity: Any, guest: Any, pool: UserPool, client_app: AppClient) -> None:
    pool_id = identity_pool(identity, pool, client_app)
    guest_id = guest.get_id(IdentityPoolId=pool_id)["IdentityId"]
    credentials = credentials_for(guest, guest_id)
    assert role_of(credentials, aws) == GUEST
    s3 = aws_client("s3", aws, credentials)
    s3.create_bucket(Bucket=BUCKET)
    s3.put_object(Bucket=BUCKET, Key="guests/note.txt", Body=b"hi")
    assert s3.get_object(Bucket=BUCKET, Key="guests/note.txt")["Body"].read() == b"hi"

    identity.update_identity_pool(IdentityPoolId=pool_id, IdentityPoolName="photos",
                                  AllowUnauthenticatedIdentities=False)
    assert error_of(guest.get_credentials_for_identity, IdentityId=guest_id)[0] == \
        "NotAuthorizedException"
