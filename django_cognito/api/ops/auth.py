"""Sign-in operations: InitiateAuth, RespondToAuthChallenge (and Admin variants), refresh,
revocation."""

from __future__ import annotations

from typing import Any

from ...services import config_cache, signin, tokens
from ..registry import Call, operation
from .common import cached_pool_of, client_of


def _result(result: signin.AuthResult) -> dict[str, Any]:
    if result.tokens is not None:
        return {"AuthenticationResult": result.tokens.as_dict(), "ChallengeParameters": {}}
    response: dict[str, Any] = {"ChallengeName": result.challenge_name,
                                "ChallengeParameters": result.challenge_parameters}
    if result.session:
        response["Session"] = result.session
    if result.available_challenges is not None:
        response["AvailableChallenges"] = result.available_challenges
    return response


@operation("InitiateAuth")
def initiate_auth(call: Call) -> dict[str, Any]:
    p = call.params
    return _result(signin.initiate_auth(client_of(call), p["AuthFlow"], p.get("AuthParameters"),
                                      client_metadata=p.get("ClientMetadata"),
                                      session=p.get("Session")))


@operation("AdminInitiateAuth")
def admin_initiate_auth(call: Call) -> dict[str, Any]:
    p = call.params
    client = config_cache.client(p["ClientId"], cached_pool_of(call))
    return _result(signin.initiate_auth(client, p["AuthFlow"], p.get("AuthParameters"),
                                      client_metadata=p.get("ClientMetadata"), admin=True,
                                      session=p.get("Session")))


@operation("RespondToAuthChallenge")
def respond_to_auth_challenge(call: Call) -> dict[str, Any]:
    p = call.params
    return _result(signin.respond_to_auth_challenge(
        client_of(call), p["ChallengeName"], p.get("ChallengeResponses"), p.get("Session"),
        client_metadata=p.get("ClientMetadata")))


@operation("AdminRespondToAuthChallenge")
def admin_respond_to_auth_challenge(call: Call) -> dict[str, Any]:
    p = call.params
    client = config_cache.client(p["ClientId"], cached_pool_of(call))
    return _result(signin.respond_to_auth_challenge(
        client, p["ChallengeName"], p.get("ChallengeResponses"), p.get("Session"),
        client_metadata=p.get("ClientMetadata"), admin=True))


@operation("GetTokensFromRefreshToken")
def get_tokens_from_refresh_token(call: Call) -> dict[str, Any]:
    p = call.params
    client = client_of(call)
    # The same switch as InitiateAuth(REFRESH_TOKEN_AUTH): a client without it refreshes
    # through neither operation.
    signin.require_flow(client, "REFRESH_TOKEN_AUTH")
    result = tokens.refresh(client, p["RefreshToken"],
                            client_secret=p.get("ClientSecret"),
                            client_metadata=p.get("ClientMetadata"), rotate=True,
                            device_key=p.get("DeviceKey"))
    return {"AuthenticationResult": result.as_dict()}


@operation("RevokeToken")
def revoke_token(call: Call) -> dict[str, Any]:
    p = call.params
    tokens.revoke_token(client_of(call), p["Token"], p.get("ClientSecret"))
    return {}
