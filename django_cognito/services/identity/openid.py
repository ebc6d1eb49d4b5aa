"""The identity-pool OpenID token: minted with the service's own RSA keys (RS512), checked
when a client sends it back, and published with a discovery document and JWKS so that AWS
IAM can trust this service as an OpenID Connect provider (reference §8.4).

One issuer serves every identity pool, as ``cognito-identity.amazonaws.com`` does: the token's
``aud`` is the identity pool id and its ``sub`` the identity id.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from django.db import IntegrityError, transaction
from django.db.models import Q

from ...clock import now
from ...conf import ACCOUNT_ID, app_settings
from ...crypto import keys as rsa_keys
from ...exceptions import NotAuthorizedException
from ...models import Identity, IdentityTokenKey, KeyState
from ...tokens.issuer import app_base_url
from ...tokens.minting import b64url
from ...verify.jwks import parse_key

ISSUER_PATH = "cognito-identity"
# Guests' tokens have an issuer of their own. AWS IAM checks ``amr`` only for
# cognito-identity.amazonaws.com; for any other OIDC provider a trust policy can test ``aud``
# and ``sub`` alone, so a role for signed-in users trusts the main issuer and a guests' role
# the guests' issuer, and a guest's basic-flow token can never assume a signed-in role.
GUEST_PATH = "unauthenticated"
ALGORITHM = "RS512"
DEFAULT_LIFETIME = 600  # GetOpenIdToken: 10 minutes (reference §9)
MAX_LIFETIME = 86_400  # the longest a token of this service lives (a developer token)
MAX_TOKEN_BYTES = 16 * 1024
POOL_ARN_CLAIM = "https://cognito-identity.amazonaws.com/identity-pool-arn"
TAGS_CLAIM = "https://aws.amazon.com/tags"
AMR_AUTHENTICATED = "authenticated"
AMR_UNAUTHENTICATED = "unauthenticated"


def issuer(*, guest: bool = False) -> str:
    """``PUBLIC_BASE_URL`` + the app's include path + ``cognito-identity`` (guests' tokens:
    + ``/unauthenticated``)."""
    base = app_base_url() + ISSUER_PATH
    return f"{base}/{GUEST_PATH}" if guest else base


def pool_arn(pool_id: str) -> str:
    region = pool_id.partition(":")[0]
    return f"arn:aws:cognito-identity:{region}:{ACCOUNT_ID}:identitypool/{pool_id}"


def _unb64url(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


@lru_cache(maxsize=8)
def _private(kid: str, pem: str) -> rsa.RSAPrivateKey:
    return rsa_keys.load_private_pem(pem, kid)


def _create_key(state: str) -> IdentityTokenKey:
    private = rsa_keys.generate_private_key()
    number = IdentityTokenKey.objects.count() + 1
    key = IdentityTokenKey(kid=f"{app_settings.REGION}-{number}", state=state,
                           private_key=rsa_keys.private_pem(private),
                           public_jwk=rsa_keys.public_jwk(private.public_key()))
    key.save(force_insert=True)
    return key


def active_key() -> IdentityTokenKey:
    """The key that signs; the first call creates it and its published successor
    (concurrent first calls agree)."""
    key = IdentityTokenKey.objects.filter(state=KeyState.ACTIVE).first()
    if key is not None:
        return key
    try:
        with transaction.atomic():
            key = _create_key(KeyState.ACTIVE)
            _create_key(KeyState.NEXT)
            return key
    except IntegrityError:
        return IdentityTokenKey.objects.get(state=KeyState.ACTIVE)


def rotate() -> IdentityTokenKey:
    """The published successor starts signing, a new successor is published, and the old
    key stays published until its last token has expired. Returns the signing key."""
    moment = now()
    active_key()
    with transaction.atomic():
        for old in IdentityTokenKey.objects.select_for_update().filter(state=KeyState.ACTIVE):
            old.state = KeyState.RETIRED
            old.retired_at = moment
            old.expires_at = moment + dt.timedelta(seconds=MAX_LIFETIME)
            old.save(update_fields=["state", "retired_at", "expires_at"])
        successor = IdentityTokenKey.objects.select_for_update().filter(
            state=KeyState.NEXT).first()
        if successor is None:
            successor = _create_key(KeyState.ACTIVE)
        else:
            successor.state = KeyState.ACTIVE
            successor.save(update_fields=["state"])
        _create_key(KeyState.NEXT)
        return successor


def published() -> list[IdentityTokenKey]:
    """The signing key, its successor and retired keys whose tokens may still be live; the
    private halves are not loaded (nor decrypted)."""
    active_key()
    live = Q(state__in=[KeyState.ACTIVE, KeyState.NEXT]) | Q(expires_at__gt=now())
    return list(IdentityTokenKey.objects.filter(live).defer("private_key"))


def jwks() -> dict[str, Any]:
    return {"keys": [{**key.public_jwk, "kid": key.kid, "alg": ALGORITHM, "use": "sig"}
                     for key in published()]}


def discovery(*, guest: bool = False) -> dict[str, Any]:
    """The OpenID Connect discovery document IAM reads to trust an issuer."""
    return {
        "issuer": issuer(guest=guest),
        "jwks_uri": f"{issuer()}/.well-known/jwks_uri",
        "response_types_supported": ["id_token"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": [ALGORITHM],
        "claims_supported": ["sub", "aud", "amr", "iss", "iat", "exp", POOL_ARN_CLAIM,
                             TAGS_CLAIM],
    }


def tags_claim(tags: Mapping[str, str]) -> dict[str, Any]:
    """STS session tags as web identity tokens carry them (principal tags, transitive)."""
    return {"principal_tags": {key: [value] for key, value in tags.items()},
            "transitive_tag_keys": sorted(tags)}


def mint(identity: Identity, amr: Iterable[str], *, lifetime: int = DEFAULT_LIFETIME,
         tags: Mapping[str, str] | None = None) -> str:
    """A token for ``identity``: ``amr`` is ``["authenticated", ...]`` or
    ``["unauthenticated"]``."""
    key = active_key()
    issued = int(now().timestamp())
    amr = list(amr)
    claims: dict[str, Any] = {
        "sub": identity.pk, "aud": identity.pool_id, "amr": amr,
        "iss": issuer(guest=AMR_AUTHENTICATED not in amr),
        POOL_ARN_CLAIM: pool_arn(identity.pool_id), "iat": issued, "exp": issued + lifetime}
    if tags:
        claims[TAGS_CLAIM] = tags_claim(tags)
    header = {"kid": key.kid, "typ": "JWS", "alg": ALGORITHM}
    signing_input = (b64url(json.dumps(header, separators=(",", ":")).encode()) + b"." +
                     b64url(json.dumps(claims, separators=(",", ":")).encode())).decode()
    signature = _private(key.kid, key.private_key).sign(
        signing_input.encode(), padding.PKCS1v15(), hashes.SHA512())
    return f"{signing_input}.{b64url(signature).decode()}"


def _public(kid: str) -> rsa.RSAPublicKey | None:
    key = (IdentityTokenKey.objects.filter(kid=kid)
           .filter(Q(state__in=[KeyState.ACTIVE, KeyState.NEXT]) | Q(expires_at__gt=now()))
           .only("public_jwk").first())
    return None if key is None else parse_key(key.public_jwk)


def verify(token: object, pool_id: str) -> dict[str, Any]:
    """The claims of a token this service minted for ``pool_id``; NotAuthorizedException
    otherwise."""
    invalid = NotAuthorizedException("Invalid login token. Not a valid OpenId Connect "
                                     "identity token.")
    if not isinstance(token, str) or len(token) > MAX_TOKEN_BYTES or token.count(".") != 2:
        raise invalid
    head, body, signature = token.split(".")
    try:
        header = json.loads(_unb64url(head))
        claims = json.loads(_unb64url(body))
        raw_signature = _unb64url(signature)
    except (ValueError, binascii.Error, RecursionError):  # RecursionError: deep nesting
        raise invalid from None
    if not isinstance(header, dict) or header.get("alg") != ALGORITHM or \
            not isinstance(claims, dict) or not isinstance(header.get("kid"), str):
        raise invalid
    public = _public(header["kid"])
    if public is None:
        raise invalid
    try:
        public.verify(raw_signature, f"{head}.{body}".encode(), padding.PKCS1v15(),
                      hashes.SHA512())
    except InvalidSignature:
        raise invalid from None
    if claims.get("iss") != issuer():
        raise NotAuthorizedException("Invalid login token. Issuer doesn't match providerName")
    if claims.get("aud") != pool_id:
        raise NotAuthorizedException("Invalid login token. Incorrect token audience.")
    expires = claims.get("exp")
    if not isinstance(expires, int) or expires <= now().timestamp():
        raise NotAuthorizedException("Invalid login token. Token expired.")
    if not isinstance(claims.get("sub"), str):
        raise invalid
    return claims
