"""Claims of the tokens the services mint, checked as a consumer would: PyJWT and the JWKS."""

from __future__ import annotations

import datetime as dt
from typing import Any

import jwt

from django_cognito import clock
from django_cognito.models import UserPool
from django_cognito.tokens import issuer_for, keys


def decode(pool: UserPool, token: str, audience: str | None = None,
           **kwargs: Any) -> dict[str, Any]:
    """Verify a token with PyJWT against the pool's published JWKS."""
    jwks = jwt.PyJWKSet.from_dict({"keys": keys.publish_keys(pool)})
    key = jwks[jwt.get_unverified_header(token)["kid"]]
    # PyJWT checks iat against the real time; tokens minted under a moved clock lie ahead.
    ahead = max((clock.now() - dt.datetime.now(dt.UTC)).total_seconds(), 0)
    kwargs.setdefault("leeway", ahead + 5)
    claims: dict[str, Any] = jwt.decode(token, key, algorithms=["RS256"], audience=audience,
                                        issuer=issuer_for(pool), **kwargs)
    return claims
