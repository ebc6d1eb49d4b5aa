"""Authlib's authorization server over Cognito's app clients (reference §5).

Authlib parses and answers the protocol (RFC 6749, 7009, 7636): parameters, client
authentication, PKCE, error bodies and redirects. What Cognito decides (which scopes, which
flows a client has, codes, tokens) comes from ``services``. One server serves one pool: a
client of another pool does not exist on this domain.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Any

from authlib.common.urls import add_params_to_uri
from authlib.integrations.django_oauth2 import AuthorizationServer
from authlib.oauth2 import OAuth2Request
from authlib.oauth2.rfc6749 import ClientMixin, grants
from authlib.oauth2.rfc6749.errors import (
    InvalidGrantError,
    InvalidRequestError,
    InvalidScopeError,
    UnsupportedTokenTypeError,
)
from authlib.oauth2.rfc7009 import RevocationEndpoint
from authlib.oauth2.rfc7636 import CodeChallenge

from ..exceptions import (
    CognitoError,
    ResourceNotFoundException,
    UnsupportedOperationException,
    UnsupportedTokenTypeException,
)
from ..models import AppClient, AuthorizationCode, PoolUser, UserPool
from ..services import config_cache, tokens
from ..services.oauth import codes, scopes
from ..services.oauth import grants as oauth_grants
from ..services.signin import require_flow
from ..services.tokens import TokenSet

S256 = "S256"
BASIC, POST, NONE = "client_secret_basic", "client_secret_post", "none"
NO_STORE = [("Content-Type", "application/json;charset=UTF-8"), ("Cache-Control", "no-store"),
            ("Pragma", "no-cache")]


@dataclass(frozen=True)
class SignedIn:
    """The user of the managed login's session, as Authlib's ``grant_user``."""

    user: PoolUser
    auth_time: Any


class Client(ClientMixin):
    """An app client as Authlib sees it."""

    def __init__(self, model: AppClient) -> None:
        self.model = model

    def get_client_id(self) -> str:
        return self.model.id

    def get_default_redirect_uri(self) -> None:
        return None  # Cognito requires redirect_uri on every authorization request

    def get_allowed_scope(self, scope: str | None) -> str | None:
        granted = scopes.granted(self.model, scope)
        return " ".join(granted) if granted else None

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        # Exact string comparison with a registered callback: no prefix, case or
        # normalisation (RFC 6749 §3.1.2.3, and Cognito's "must match exactly").
        return redirect_uri in self.model.callback_urls

    def check_client_secret(self, client_secret: str) -> bool:
        secret = self.model.secret
        if not secret or not isinstance(client_secret, str):
            return False
        return hmac.compare_digest(secret.encode(), client_secret.encode("utf-8", "replace"))

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method in (BASIC, POST) if self.model.secret else method == NONE

    def _flow(self, flow: str) -> bool:
        model = self.model
        return model.allowed_oauth_flows_user_pool_client and flow in model.allowed_oauth_flows

    def check_response_type(self, response_type: str) -> bool:
        if not self.model.supported_identity_providers:
            return False
        return self._flow({"code": "code", "token": "implicit"}.get(response_type, ""))

    def check_grant_type(self, grant_type: str) -> bool:
        if grant_type == "refresh_token":
            try:
                require_flow(self.model, "REFRESH_TOKEN_AUTH")
            except CognitoError:
                return False
            return True
        return self._flow({"authorization_code": "code",
                           "client_credentials": "client_credentials"}.get(grant_type, ""))


class Code:
    """A redeemed authorization code as Authlib's grant reads it."""

    def __init__(self, record: AuthorizationCode) -> None:
        self.record = record
        self.code_challenge = record.code_challenge
        self.code_challenge_method = S256 if record.code_challenge else None

    def get_redirect_uri(self) -> str:
        return self.record.redirect_uri

    def get_scope(self) -> str:
        return " ".join(self.record.scopes)


def token_body(result: TokenSet) -> dict[str, Any]:
    """A token response's body (RFC 6749 §5.1)."""
    body: dict[str, Any] = {"access_token": result.access_token}
    if result.id_token is not None:
        body["id_token"] = result.id_token
    if result.refresh_token is not None:
        body["refresh_token"] = result.refresh_token
    body.update({"token_type": "Bearer", "expires_in": result.expires_in})
    return body


class S256Only(CodeChallenge):
    """PKCE with S256 only: Cognito refuses ``plain`` (reference §5)."""

    SUPPORTED_CODE_CHALLENGE_METHOD = [S256]
    DEFAULT_CODE_CHALLENGE_METHOD = S256

    def validate_code_challenge(self, grant: Any, redirect_uri: str) -> None:
        payload = grant.request.payload.data
        if payload.get("code_challenge") and payload.get("code_challenge_method") != S256:
            raise InvalidRequestError("code_challenge_method must be S256")
        super().validate_code_challenge(grant, redirect_uri)


class AuthorizationCodeGrant(grants.AuthorizationCodeGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = [BASIC, POST, NONE]

    def generate_authorization_code(self) -> str:
        request = self.request
        signed: SignedIn = request.user
        return codes.issue(
            request.client.model, signed.user, redirect_uri=request.payload.redirect_uri,
            scopes=scopes.split(request.scope), auth_time=signed.auth_time,
            nonce=str(request.payload.data.get("nonce") or "")[:1024],
            code_challenge=str(request.payload.data.get("code_challenge") or ""))

    def save_authorization_code(self, code: str, request: Any) -> None:
        pass  # stored when it was generated

    def query_authorization_code(self, code: str, client: Client) -> Code | None:
        record = codes.redeem(client.model, code)
        return Code(record) if record is not None else None

    def delete_authorization_code(self, authorization_code: Code) -> None:
        pass  # spent when it was redeemed

    def authenticate_user(self, authorization_code: Code) -> PoolUser:
        return authorization_code.record.user

    def create_token_response(self) -> tuple[int, dict[str, Any], list[tuple[str, str]]]:
        code: Code = self.request.authorization_code
        try:
            result = oauth_grants.exchange_code(self.request.client.model, code.record)
        except CognitoError:
            raise InvalidGrantError("User is not allowed to sign in.") from None
        return 200, token_body(result), NO_STORE


class ImplicitGrant(grants.ImplicitGrant):
    def create_authorization_response(self, redirect_uri: str, grant_user: SignedIn | None
                                      ) -> tuple[int, str, list[tuple[str, str]]]:
        if grant_user is None:
            return super().create_authorization_response(redirect_uri, grant_user)
        request = self.request
        result = oauth_grants.implicit(
            request.client.model, grant_user.user, scopes.split(request.scope),
            nonce=str(request.payload.data.get("nonce") or "")[:1024],
            auth_time=grant_user.auth_time)
        params = [(k, str(v)) for k, v in token_body(result).items()]
        if request.payload.state:
            params.append(("state", request.payload.state))
        uri = add_params_to_uri(redirect_uri, params, fragment=True)
        return 302, "", [("Location", uri)]


class RefreshTokenGrant(grants.RefreshTokenGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = [BASIC, POST, NONE]

    def authenticate_refresh_token(self, refresh_token: str) -> str:
        return refresh_token

    def authenticate_user(self, refresh_token: str) -> str:
        return refresh_token

    def create_token_response(self) -> tuple[int, dict[str, Any], list[tuple[str, str]]]:
        try:
            result = oauth_grants.refresh(self.request.client.model, self.request.refresh_token)
        except CognitoError:
            raise InvalidGrantError("Invalid refresh token.") from None
        return 200, token_body(result), NO_STORE

    def validate_token_request(self) -> None:
        client = self._validate_request_client()
        self.request.client = client
        token = self.request.form.get("refresh_token")
        if not token:
            raise InvalidRequestError("Missing 'refresh_token' in request.")
        self.request.refresh_token = token


class ClientCredentialsGrant(grants.ClientCredentialsGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = [BASIC, POST]

    def create_token_response(self) -> tuple[int, dict[str, Any], list[tuple[str, str]]]:
        client: Client = self.request.client
        issued = oauth_grants.client_credentials(client.model, self.request.form.get("scope"))
        if not issued.scopes:
            raise InvalidScopeError()
        return 200, {"access_token": issued.access_token, "token_type": "Bearer",
                     "expires_in": issued.expires_in}, NO_STORE


@dataclass(frozen=True)
class Presented:
    """A token to revoke; the core checks that it is the client's."""

    value: str

    def check_client(self, client: Client) -> bool:
        return True


class Revocation(RevocationEndpoint):
    """``/oauth2/revoke``: a refresh token and its family (reference §3.5, §5)."""

    CLIENT_AUTH_METHODS = [BASIC, POST, NONE]

    def query_token(self, token_string: str, token_type_hint: str | None) -> Presented:
        return Presented(token_string)

    def revoke_token(self, token: Presented, request: Any) -> None:
        model: AppClient = request.client.model
        try:
            tokens.revoke_token(model, token.value, client_secret=model.secret or None)
        except UnsupportedTokenTypeException:
            raise UnsupportedTokenTypeError() from None
        except UnsupportedOperationException:
            raise InvalidRequestError("Token revocation is not enabled for this client.") \
                from None


class Server(AuthorizationServer):
    """The authorization server of one pool's domain."""

    def __init__(self, pool: UserPool) -> None:
        self.pool = pool
        super().__init__(AppClient, None)
        self.register_grant(AuthorizationCodeGrant, [S256Only(required=False)])
        self.register_grant(ImplicitGrant)
        self.register_grant(RefreshTokenGrant)
        self.register_grant(ClientCredentialsGrant)
        self.register_endpoint(Revocation)

    def query_client(self, client_id: str) -> Client | None:
        # The copy the JSON API reads too (config_cache): loaded once per process and read
        # again whenever the pool's stamp moves (a client, its pool or settings saved), so
        # a changed secret or flow counts at once. Shared between requests: read, never
        # changed here.
        try:
            model = config_cache.client(client_id, of_pool=self.pool)
        except ResourceNotFoundException:
            return None
        return Client(model)

    def save_token(self, token: dict[str, Any], request: Any) -> None:
        pass  # families are stored by services.tokens

    def create_oauth2_request(self, request: Any) -> OAuth2Request:
        if isinstance(request, OAuth2Request):
            return request  # an authorization request carried through the sign-in pages
        return super().create_oauth2_request(request)
