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

from ...clock import now
from ...conf import ACCOUNT_ID, app_settings
from ...crypto import keys as rsa_keys
from ...exceptions import NotAuthorizedException
from ...models import Identity, IdentityTokenKey, KeyState
from ...tokens.issuer import app_base_url

ISSUER_PATH = "cognito-identity"
ALGORITHM = "RS512"
DEFAULT_LIFETIME = 600  # GetOpenIdToken: 10 minutes (reference §9)
MAX_TOKEN_BYTES = 16 * 1024
POOL_ARN_CLAIM = "https://cognito-identity.amazonaws.com/identity-pool-arn"
TAGS_CLAIM = "https://aws.amazon.com/tags"
AMR_AUTHENTICATED = "authenticated"
AMR_UNAUTHENTICATED = "unauthenticated"


def issuer() -> str:
    """``PUBLIC_BASE_URL`` + the app's include path + ``cognito-identity``."""
    return app_base_url() + ISSUER_PATH


def pool_arn(pool_id: str) -> str:
    region = pool_id.partition(":")[0]
    return f"arn:aws:cognito-identity:{region}:{ACCOUNT_ID}:identitypool/{pool_id}"


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64url(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


@lru_cache(maxsize=8)
def _private(kid: str, pem: str) -> rsa.RSAPrivateKey:
    return rsa_keys.load_private_pem(pem, kid)


def _create_key() -> IdentityTokenKey:
    private = rsa_keys.generate_private_key()
    count = IdentityTokenKey.objects.count()
    key = IdentityTokenKey(kid=f"{app_settings.REGION}-{count + 1}", state=KeyState.ACTIVE,
                           private_key=rsa_keys.private_pem(private),
                           public_jwk=rsa_keys.public_jwk(private.public_key()))
    key.save(force_insert=True)
    return key


def active_key() -> IdentityTokenKey:
    """The key that signs; the first call creates it (concurrent first calls agree)."""
    key = IdentityTokenKey.objects.filter(state=KeyState.ACTIVE).first()
    if key is not None:
        return key
    try:
        with transaction.atomic():
            return _create_key()
    except IntegrityError:
        return IdentityTokenKey.objects.get(state=KeyState.ACTIVE)


def rotate() -> IdentityTokenKey:
    """A new signing key; the old one stays published until its last token expires."""
    moment = now()
    with transaction.atomic():
        for old in IdentityTokenKey.objects.select_for_update().filter(state=KeyState.ACTIVE):
            old.state = KeyState.RETIRED
            old.retired_at = moment
            old.expires_at = moment + dt.timedelta(seconds=max_lifetime())
            old.save(update_fields=["state", "retired_at", "expires_at"])
        return _create_key()


def max_lifetime() -> int:
    """The longest lifetime of a token this service signs (a developer token: 24 hours)."""
    return 86_400


def published() -> list[IdentityTokenKey]:
    moment = now()
    active_key()
    return [key for key in IdentityTokenKey.objects.all()
            if key.state == KeyState.ACTIVE or (key.expires_at and key.expires_at > moment)]


def jwks() -> dict[str, Any]:
    return {"keys": [{**key.public_jwk, "kid": key.kid, "alg": ALGORITHM, "use": "sig"}
                     for key in published()]}


def discovery() -> dict[str, Any]:
    """The OpenID Connect discovery document IAM reads to trust this issuer."""
    base = issuer()
    return {
        "issuer": base,
        "jwks_uri": f"{base}/.well-known/jwks_uri",
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
    claims: dict[str, Any] = {
        "sub": identity.pk, "aud": identity.pool_id, "amr": list(amr), "iss": issuer(),
        POOL_ARN_CLAIM: pool_arn(identity.pool_id), "iat": issued, "exp": issued + lifetime}
    if tags:
        claims[TAGS_CLAIM] = tags_claim(tags)
    header = {"kid": key.kid, "typ": "JWS", "alg": ALGORITHM}
    signing_input = (_b64url(json.dumps(header, separators=(",", ":")).encode()) + "." +
                     _b64url(json.dumps(claims, separators=(",", ":")).encode()))
    signature = _private(key.kid, key.private_key).sign(
        signing_input.encode(), padding.PKCS1v15(), hashes.SHA512())
    return f"{signing_input}.{_b64url(signature)}"


def _public(kid: str) -> rsa.RSAPublicKey | None:
    key = next((k for k in published() if k.kid == kid), None)
    if key is None:
        return None
    return _private(key.kid, key.private_key).public_key()


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
    except (ValueError, binascii.Error, UnicodeDecodeError):
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
