"""REFRESH_TOKEN_AUTH: new ID and access tokens of an existing family (reference §1.4)."""

from __future__ import annotations

from .. import tokens
from .results import AuthResult, SignIn


def initiate(signin: SignIn) -> AuthResult:
    """InitiateAuth(REFRESH_TOKEN_AUTH); its ClientMetadata never reaches pre token
    generation (reference §4.1)."""
    client = signin.answering_client("REFRESH_TOKEN_AUTH")
    return AuthResult(tokens=tokens.refresh(client, signin.require("REFRESH_TOKEN"),
                                            secret_hash=signin.presented.get("SECRET_HASH"),
                                            device_key=signin.presented.get("DEVICE_KEY")))
