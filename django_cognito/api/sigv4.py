"""Verification of AWS Signature Version 4 on administrative calls.

The canonical request and signature are computed by botocore's own signer over the headers
the client says it signed, so the algorithm is AWS's, not a re-implementation.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from django.http import HttpRequest

from ..clock import now
from ..conf import app_settings
from ..exceptions import CognitoError
from ..models import AccessKey

MAX_SKEW = dt.timedelta(minutes=15)
# Headers added after signing, which select nothing: the AWS SDK for JavaScript v3 leaves its
# user agent unsigned, and CloudFront adds its request id in front of an origin.
UNSIGNABLE = frozenset({"x-amz-user-agent", "x-amz-cf-id"})
_AUTH_RE = re.compile(
    r"^AWS4-HMAC-SHA256\s+Credential=(?P<cred>[^,\s]+),\s*SignedHeaders=(?P<headers>[^,\s]+),"
    r"\s*Signature=(?P<sig>[0-9a-f]{64})\s*$")


class MissingAuthenticationTokenException(CognitoError):
    default_message = "Missing Authentication Token"


class IncompleteSignatureException(CognitoError):
    default_message = "Authorization header is malformed."


class InvalidSignatureException(CognitoError):
    default_message = ("The request signature we calculated does not match the signature you "
                       "provided. Check your AWS Secret Access Key and signing method.")


class UnrecognizedClientException(CognitoError):
    default_message = "The security token included in the request is invalid."


def _parse_date(value: str) -> dt.datetime:
    try:
        return dt.datetime.strptime(value, "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.UTC)
    except ValueError:
        raise IncompleteSignatureException("X-Amz-Date is malformed.") from None


def verify(request: HttpRequest, body: bytes, service: str) -> AccessKey:
    """The access key that validly signed ``request``, or a typed AWS authentication error."""
    header = request.headers.get("Authorization")
    if not header:
        raise MissingAuthenticationTokenException()
    match = _AUTH_RE.match(header)
    if not match:
        raise IncompleteSignatureException()
    parts = match["cred"].split("/")
    if len(parts) != 5 or parts[4] != "aws4_request":
        raise IncompleteSignatureException("Credential is malformed.")
    key_id, day, region, scope_service, _ = parts
    if scope_service != service:
        raise InvalidSignatureException(
            f"Credential should be scoped to correct service: '{service}'.")
    if region != app_settings.REGION:  # the region this server stands for, as an endpoint's
        raise InvalidSignatureException("Credential should be scoped to a valid region.")
    signed = match["headers"].split(";")
    if any(h != h.lower() for h in signed):
        raise IncompleteSignatureException("SignedHeaders must be lower case.")
    if "host" not in signed:
        raise IncompleteSignatureException("SignedHeaders must include host.")
    # A signature must cover every header that selects what the request does: X-Amz-Target
    # names the operation, so a signature over host alone could be replayed as another one.
    unsigned = sorted(name for name in (h.lower() for h in request.headers)
                      if name.startswith("x-amz-") and name not in UNSIGNABLE
                      and name not in signed)
    if "x-amz-date" not in signed or unsigned:
        raise IncompleteSignatureException(
            "SignedHeaders must include x-amz-date and every x-amz-* header sent"
            + (f"; not signed: {', '.join(unsigned)[:200]}." if unsigned else "."))
    stamp = request.headers.get("X-Amz-Date", "")
    moment = _parse_date(stamp)
    if not stamp.startswith(day):
        raise InvalidSignatureException("Credential date does not match X-Amz-Date.")
    if abs(now() - moment) > MAX_SKEW:
        raise InvalidSignatureException(
            f"Signature expired: {stamp} is now earlier than "
            f"{(now() - MAX_SKEW).strftime('%Y%m%dT%H%M%SZ')}")
    key = AccessKey.objects.filter(access_key_id=key_id, is_active=True).first()
    if key is None:
        raise UnrecognizedClientException()
    headers = {}
    for name in signed:
        value = request.headers.get(name)
        if value is None:
            raise IncompleteSignatureException(f"Signed header {name} is missing.")
        headers[name] = value
    if "x-amz-content-sha256" in headers and \
            headers["x-amz-content-sha256"] != hashlib.sha256(body).hexdigest():
        raise InvalidSignatureException("The provided payload hash does not match the body.")
    url = f"http://{headers['host']}{request.path}"
    if request.META.get("QUERY_STRING"):
        url += "?" + request.META["QUERY_STRING"]
    aws_request = AWSRequest(method=request.method, url=url, headers=headers, data=body)
    aws_request.context["timestamp"] = stamp
    signer = SigV4Auth(Credentials(key.access_key_id, key.secret or ""), service, region)
    canonical = signer.canonical_request(aws_request)
    expected = signer.signature(signer.string_to_sign(aws_request, canonical), aws_request)
    if not hmac.compare_digest(expected, match["sig"]):
        raise InvalidSignatureException()
    return key
