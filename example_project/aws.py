"""The example's AWS page: temporary AWS credentials from the demo identity pool, and a bucket
listed and written with them — what an app does after "sign in with Google, then write to S3".

The page is a client of this server as any app would be: boto3's ``cognito-identity`` client,
unsigned, trades the ID token the relying party (``rp.py``) got through the managed login for
an identity (``GetId``) and credentials (``GetCredentialsForIdentity``, which calls STS
``AssumeRoleWithWebIdentity``); without a sign-in it asks for a guest identity, which the demo
identity pool allows. With those credentials boto3's ``s3`` client lists and writes
``private/<identity id>/`` in ``EXAMPLE_AWS["BUCKET"]`` (the folder an IAM policy keyed on
``${cognito-identity.amazonaws.com:sub}`` would give each identity). STS and S3 are
``moto_server``'s under ``make demo``, AWS's when ``EXAMPLE_AWS["ENDPOINT_URL"]`` is empty.
"""

from __future__ import annotations

import re
from typing import Any

import boto3
from botocore import UNSIGNED
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.middleware.csrf import get_token
from django.template import Context
from django.urls import reverse

from .dev import example_templates
from .rp import ID_TOKEN_KEY, SESSION_KEY

TEMPLATE = "example_project/aws.html"
# A guest's identity id, kept so that reloading the page does not make a new identity.
GUEST_KEY = "aws_guest_identity"
NAME_RE = re.compile(r"[\w.-]{1,100}", re.ASCII)
MAX_BODY = 10_000


def _config() -> dict[str, Any]:
    return dict(settings.EXAMPLE_AWS)


def _client(service: str, **options: Any) -> Any:
    config = _config()
    return boto3.client(service, region_name=config["REGION"],
                        config=Config(retries={"max_attempts": 2, "mode": "standard"},
                                      **options.pop("config", {})), **options)


def credentials(id_token: str | None, guest: str | None) -> tuple[str, dict[str, Any]]:
    """``(identity id, credentials)`` for the signed-in user's ID token, or for a guest (a
    known guest identity, or a new one)."""
    base = settings.COGNITO["PUBLIC_BASE_URL"].rstrip("/") + "/"
    # GetId and GetCredentialsForIdentity are public operations: nothing to sign with.
    identity = _client("cognito-identity", endpoint_url=base,
                       config={"signature_version": UNSIGNED})
    logins = {}
    if id_token:
        pool_id = settings.EXAMPLE_POOL_ID  # <region>_<id>: the provider key names its region
        logins["Logins"] = {
            f"cognito-idp.{pool_id.split('_')[0]}.amazonaws.com/{pool_id}": id_token}
    identity_id = guest if guest and not id_token else identity.get_id(
        IdentityPoolId=_config()["IDENTITY_POOL_ID"], **logins)["IdentityId"]
    answer = identity.get_credentials_for_identity(IdentityId=identity_id, **logins)
    return identity_id, answer["Credentials"]


def bucket(found: dict[str, Any]) -> Any:
    """The S3 client signing with the identity's temporary credentials."""
    return _client("s3", endpoint_url=_config()["ENDPOINT_URL"],
                   aws_access_key_id=found["AccessKeyId"],
                   aws_secret_access_key=found["SecretKey"],
                   aws_session_token=found["SessionToken"])


def _objects(s3: Any, prefix: str) -> list[dict[str, Any]]:
    name = _config()["BUCKET"]
    try:
        listed = s3.list_objects_v2(Bucket=name, Prefix=prefix)
    except ClientError as error:
        # moto_server starts empty: development makes the bucket; on AWS it is yours to make.
        if error.response["Error"]["Code"] != "NoSuchBucket" or not _config()["ENDPOINT_URL"]:
            raise
        region = _config()["REGION"]
        s3.create_bucket(Bucket=name, **({} if region == "us-east-1" else {
            "CreateBucketConfiguration": {"LocationConstraint": region}}))
        listed = {}
    return [{"name": item["Key"][len(prefix):], "size": item["Size"],
             "modified": item["LastModified"]} for item in listed.get("Contents", [])]


def page(request: HttpRequest) -> HttpResponse:
    """The identity, its credentials and its folder; POST writes a file there."""
    id_token = request.session.get(ID_TOKEN_KEY)
    # Signed in means holding an ID token (an expired one is dropped below).
    user = request.session.get(SESSION_KEY) if id_token else None
    context: dict[str, Any] = {"user": user, "config": _config(),
                               "csrf_token": get_token(request), "error": ""}
    if not id_token and "guest" not in request.GET and GUEST_KEY not in request.session:
        return _render(context)  # sign in, or continue as a guest
    try:
        identity_id, found = credentials(id_token, request.session.get(GUEST_KEY))
        if not id_token:
            request.session[GUEST_KEY] = identity_id
        s3, prefix = bucket(found), f"private/{identity_id}/"
        if request.method == "POST":
            name = request.POST.get("name", "")
            body = request.POST.get("body", "")
            if not NAME_RE.fullmatch(name) or len(body) > MAX_BODY:
                context["error"] = ("A file name is 1 to 100 letters, digits, dots, dashes or "
                                    f"underscores; the text at most {MAX_BODY} characters.")
            else:
                s3.put_object(Bucket=_config()["BUCKET"], Key=prefix + name,
                              Body=body.encode(), ContentType="text/plain; charset=utf-8")
                return HttpResponseRedirect(reverse("example-aws"))
        context.update(identity_id=identity_id, access_key_id=found["AccessKeyId"],
                       expiration=found["Expiration"], prefix=prefix,
                       objects=_objects(s3, prefix))
    except ClientError as error:
        code = error.response["Error"]["Code"]
        if code == "NotAuthorizedException" and id_token:  # the ID token expired: sign in
            request.session.pop(ID_TOKEN_KEY, None)
        context["error"] = f"{code}: {error.response['Error'].get('Message', '')}"
    except BotoCoreError as error:  # no STS or S3 there (is moto_server running?)
        context["error"] = str(error)
    return _render(context, status=502 if context["error"] and "identity_id" not in context
                   else 200)


def _render(context: dict[str, Any], status: int = 200) -> HttpResponse:
    html = example_templates().get_template(TEMPLATE).render(Context(context))
    return HttpResponse(html, status=status)
