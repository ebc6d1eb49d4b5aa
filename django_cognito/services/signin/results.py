"""What a sign-in carries between its steps, and what a step gives back.

Every module of the sign-in package imports this one; it imports none of them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from ...exceptions import InvalidParameterException, NotAuthorizedException
from ...models import AppClient, PoolUser, UserPool
from ..tokens import TokenSet
from ..triggers import TOKEN_AUTHENTICATION

#: Cognito's answers, word for word.
INVALID_SESSION = "Invalid session for the user."
EXPIRED_SESSION = "Invalid session for the user, session is expired."
WRONG_PASSWORD = "Incorrect username or password."
WRONG_CODE = "Invalid code or auth state for the user."


@dataclass
class SignIn:
    """One sign-in call as it goes through the steps: who, through which client, what was
    presented and from which device.

    ``client`` is ``None`` for a Django login (:func:`..pipeline.sign_in_password`), which can
    answer no challenge and receives no tokens.
    """

    pool: UserPool
    client: AppClient | None
    #: AuthParameters of InitiateAuth, or ChallengeResponses of RespondToAuthChallenge.
    presented: Mapping[str, str]
    #: This call's ClientMetadata.
    metadata: dict[str, str]
    admin: bool = False
    #: InitiateAuth (its ClientMetadata reaches pre authentication and user migration only,
    #: never post authentication or pre token generation: reference §4.1).
    initiating: bool = True
    #: The Session this call presented.
    session: object = None
    #: The user once a step has found them.
    user: PoolUser | None = None
    #: triggerSource of pre token generation when tokens follow.
    source: str = TOKEN_AUTHENTICATION
    #: The first factor was a one-time code: neither MFA nor a device proof follows it.
    passwordless: bool = False
    #: The managed login signs in: the sign-in ends without tokens (the front end starts a
    #: login session and the OAuth grants issue them), and its challenges answer only there.
    hosted: bool = False

    @property
    def device_key(self) -> str:
        """The DEVICE_KEY presented with this call ("" when none)."""
        key = self.presented.get("DEVICE_KEY")
        return key if isinstance(key, str) else ""

    @property
    def later_metadata(self) -> dict[str, str]:
        """ClientMetadata as post authentication, MFA messages and token generation see it."""
        return {} if self.initiating else self.metadata

    @property
    def hides_users(self) -> bool:
        """Whether answers must not tell who exists (the client's PreventUserExistenceErrors)."""
        return self.client is not None and self.client.prevents_user_existence_errors

    def require(self, name: str) -> str:
        """The presented parameter ``name``, or Cognito's error when missing or empty."""
        return required(self.presented, name)

    def answering_client(self, challenge: str) -> AppClient:
        """The client that will answer ``challenge``; a Django login has none to answer it."""
        if self.client is None:
            raise NotAuthorizedException(
                f"Sign-in requires {challenge}, which a password login cannot answer.")
        return self.client

    def found(self) -> PoolUser:
        """The user a step already established (a programming error otherwise)."""
        if self.user is None:  # no step may continue without one: fail closed
            raise NotAuthorizedException(INVALID_SESSION)
        return self.user


@dataclass
class AuthResult:
    """What a sign-in call answers: tokens, or the next challenge."""

    tokens: TokenSet | None = None
    challenge_name: str | None = None
    session: str | None = None
    challenge_parameters: dict[str, str] = field(default_factory=dict)
    #: USER_AUTH's SELECT_CHALLENGE: the first factors the user may choose from.
    available_challenges: list[str] | None = None
    #: Who signed in, once tokens (or, for a Django login, the sign-in itself) are granted.
    user: PoolUser | None = None


@dataclass(frozen=True)
class Proceed:
    """A factor is proven: go on with the pipeline's steps after ``after`` (all when None)."""

    signin: SignIn
    after: str | None = None
    #: Source of the tokens when no further step asks for more (device sign-ins).
    final_source: str | None = None


Outcome = AuthResult | Proceed


def required(params: Mapping[str, str], name: str) -> str:
    """``params[name]``, or Cognito's InvalidParameterException when it is missing or empty."""
    value = params.get(name)
    if not value:
        raise InvalidParameterException(f"Missing required parameter {name}")
    return value
