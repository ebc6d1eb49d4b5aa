"""The sign-in engine: which flow starts a sign-in, which step comes after a proven factor,
which handler answers a challenge. Every front end (the Cognito API, the Django password
backend, and next the hosted pages, the OAuth token endpoint and federated callbacks) signs
in through :func:`initiate_auth`, :func:`respond_to_auth_challenge` or
:func:`sign_in_password`.

A sign-in call builds one :class:`SignIn` and hands it to a flow (InitiateAuth) or to a
challenge handler (RespondToAuthChallenge). Either answers with a challenge, or with
:class:`Proceed` once a factor is proven; the engine then runs :data:`STEPS` in order from
where the handler left off, and :func:`finish` issues the tokens when no step asks for more.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from ... import signals
from ...exceptions import InvalidParameterException
from ...models import AppClient, PoolUser, UserPool
from .. import devices, simulated, tokens, triggers
from ..schema import string_map
from . import account, choice, codes, custom, device, mfa, password, refresh, user_srp
from .results import AuthResult, Outcome, SignIn

Flow = Callable[[SignIn], Outcome]
Step = Callable[[SignIn], "AuthResult | None"]

#: InitiateAuth's AuthFlow → the flow that starts the sign-in.
FLOWS: dict[str, Flow] = {
    "USER_PASSWORD_AUTH": password.initiate,
    "ADMIN_USER_PASSWORD_AUTH": password.initiate,
    "ADMIN_NO_SRP_AUTH": password.initiate,
    "USER_SRP_AUTH": user_srp.initiate,
    "REFRESH_TOKEN_AUTH": refresh.initiate,
    "REFRESH_TOKEN": refresh.initiate,
    "CUSTOM_AUTH": custom.initiate,
    "USER_AUTH": choice.initiate,
}

#: What follows a proven first factor, in order (reference §1.5). Each step returns the
#: challenge to answer next, or ``None`` to go on; tokens follow the last (:func:`finish`).
STEPS: tuple[tuple[str, Step], ...] = (
    ("status", account.status_step),  # disabled, unconfirmed, reset, NEW_PASSWORD_REQUIRED
    ("device", device.remembered_device_step),  # a remembered device proves itself
    ("mfa", mfa.mfa_step),  # SMS, TOTP or email code; SELECT_MFA_TYPE; MFA_SETUP
)


def _password_verifier(signin: SignIn) -> Outcome:
    """PASSWORD_VERIFIER answers USER_SRP_AUTH, or a custom flow started with SRP (its
    SECRET_BLOCK says which)."""
    if custom.started_with_srp(signin.presented):
        return custom.answer_password_verifier(signin)
    return user_srp.answer(signin)


#: RespondToAuthChallenge's ChallengeName → the handler that answers it.
CHALLENGE_HANDLERS: dict[str, Flow] = {
    "NEW_PASSWORD_REQUIRED": account.answer_new_password,
    "PASSWORD_VERIFIER": _password_verifier,
    "CUSTOM_CHALLENGE": custom.answer_challenge,
    "SELECT_CHALLENGE": choice.answer_select,
    "EMAIL_OTP": partial(codes.answer, "EMAIL_OTP"),  # second factor, or USER_AUTH's first
    "SMS_OTP": partial(codes.answer, "SMS_OTP"),
    "SMS_MFA": partial(codes.answer, "SMS_MFA"),
    "SOFTWARE_TOKEN_MFA": mfa.answer_totp,
    "SELECT_MFA_TYPE": mfa.answer_select,
    "MFA_SETUP": mfa.answer_setup,
    "DEVICE_SRP_AUTH": device.answer_device_srp,
    "DEVICE_PASSWORD_VERIFIER": device.answer_device_verifier,
}

# Where a real user's answer writes a challenge or sends a code and a hidden one's does not
# (a password's hash takes the same time either way), answers under PreventUserExistenceErrors
# take no less than COGNITO["EVEN_ANSWER_SECONDS"] (simulated.even_time).
EVEN_FLOWS = frozenset({"USER_AUTH", "CUSTOM_AUTH"})
EVEN_CHALLENGES = frozenset({"SELECT_CHALLENGE", "EMAIL_OTP", "SMS_OTP", "CUSTOM_CHALLENGE"})

PASSWORD_FLOWS = {"USER_PASSWORD_AUTH": False, "ADMIN_USER_PASSWORD_AUTH": True,
                  "ADMIN_NO_SRP_AUTH": True}
REFRESH_FLOWS = {"REFRESH_TOKEN_AUTH", "REFRESH_TOKEN"}
# Client settings (ExplicitAuthFlows) that enable each flow, new and legacy names.
FLOW_SWITCHES = {
    "USER_PASSWORD_AUTH": {"ALLOW_USER_PASSWORD_AUTH", "USER_PASSWORD_AUTH"},
    "ADMIN_USER_PASSWORD_AUTH": {"ALLOW_ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH"},
    "ADMIN_NO_SRP_AUTH": {"ALLOW_ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH"},
    "REFRESH_TOKEN_AUTH": {"ALLOW_REFRESH_TOKEN_AUTH"},
    "REFRESH_TOKEN": {"ALLOW_REFRESH_TOKEN_AUTH"},
    "USER_SRP_AUTH": {"ALLOW_USER_SRP_AUTH"},
    "CUSTOM_AUTH": {"ALLOW_CUSTOM_AUTH", "CUSTOM_AUTH_FLOW_ONLY"},
    "USER_AUTH": {"ALLOW_USER_AUTH"},
}
LEGACY_FLOWS = {"ADMIN_NO_SRP_AUTH", "CUSTOM_AUTH_FLOW_ONLY", "USER_PASSWORD_AUTH"}


def require_flow(client: AppClient, flow: str) -> None:
    """Cognito's error unless the client's ExplicitAuthFlows allow ``flow``."""
    flows = set(client.explicit_auth_flows)
    if flow in REFRESH_FLOWS and (not flows or flows <= LEGACY_FLOWS):
        return  # refresh is always on for clients configured with legacy values
    if not flows & FLOW_SWITCHES.get(flow, set()):
        raise InvalidParameterException(f"{flow} flow not enabled for this client")


def initiate_auth(client: AppClient, flow: object, auth_parameters: object, *,
                  client_metadata: object = None, admin: bool = False,
                  session: object = None) -> AuthResult:
    """Start a sign-in (InitiateAuth / AdminInitiateAuth).

    ``session``: ConfirmSignUp's Session, which USER_AUTH takes in place of a factor.
    """
    params = string_map(auth_parameters, "AuthParameters")
    metadata = string_map(client_metadata)
    if not isinstance(flow, str) or flow not in FLOWS:
        raise InvalidParameterException(f"Unsupported auth flow {str(flow)[:64]}")
    if flow in PASSWORD_FLOWS and PASSWORD_FLOWS[flow] != admin:
        raise InvalidParameterException(f"Initiate Auth method not supported: {flow}")
    require_flow(client, flow)
    signin = SignIn(pool=client.pool, client=client, presented=params, metadata=metadata,
                    admin=admin, session=session)
    with simulated.even_time(client, flow in EVEN_FLOWS):
        return proceed(FLOWS[flow](signin))


def respond_to_auth_challenge(client: AppClient, challenge_name: object, responses: object,
                              session: object, *, client_metadata: object = None,
                              admin: bool = False, hosted: bool = False) -> AuthResult:
    """Answer a challenge and continue the sign-in (``hosted``: one the managed login began,
    see :func:`hosted_sign_in`)."""
    answers = string_map(responses, "ChallengeResponses")
    metadata = string_map(client_metadata)
    handler = CHALLENGE_HANDLERS.get(str(challenge_name))
    if handler is None:
        raise InvalidParameterException(f"Unsupported challenge {str(challenge_name)[:64]}")
    signin = SignIn(pool=client.pool, client=client, presented=answers, metadata=metadata,
                    admin=admin, initiating=False, session=session, hosted=hosted)
    with simulated.even_time(client, challenge_name in EVEN_CHALLENGES):
        return proceed(handler(signin))


def sign_in_password(pool: UserPool, username: str, password_: str) -> AuthResult:
    """A Django login with a pool user's password: the first factor and the steps after it
    as for ADMIN_USER_PASSWORD_AUTH (user migration, lockout, pre and post authentication),
    without an app client, so no tokens and no challenge: one that would follow raises
    NotAuthorizedException."""
    signin = SignIn(pool=pool, client=None, presented={"USERNAME": username}, metadata={},
                    admin=True)
    return proceed(password.first_factor(signin, username, password_))


def hosted_sign_in(client: AppClient, username: str, password_: str) -> AuthResult:
    """The managed login's sign-in with a password: the first factor and the steps after it as
    for USER_PASSWORD_AUTH (user migration, lockout, pre authentication, NEW_PASSWORD_REQUIRED,
    MFA), whatever the client's ExplicitAuthFlows (the managed login is not an API client of
    its own) and without SECRET_HASH. It ends with the user, not tokens: the front end starts
    a login session, and the OAuth grants issue tokens from it."""
    signin = SignIn(pool=client.pool, client=client, presented={"USERNAME": username},
                    metadata={}, source=triggers.TOKEN_HOSTED_AUTH, hosted=True)
    return proceed(password.first_factor(signin, username, password_))


def hosted_sign_in_after_confirmation(client: AppClient, user: PoolUser) -> AuthResult:
    """The managed login's sign-in of a user it has just confirmed with a code, as
    ConfirmSignUp's Session signs one in through USER_AUTH (the code proved the contact):
    lockout, pre and post authentication and no further factor; the user, not tokens."""
    signin = SignIn(pool=client.pool, client=client, presented={"USERNAME": user.username},
                    metadata={}, source=triggers.TOKEN_HOSTED_AUTH, hosted=True)
    return proceed(choice.after_confirmation(signin, user))


def hosted_initiate(client: AppClient, flow: str, auth_parameters: dict[str, str]
                    ) -> AuthResult:
    """The managed login's start of a flow other than the password (USER_AUTH's one-time
    codes), as InitiateAuth would start it, ending like :func:`hosted_sign_in`."""
    require_flow(client, flow)
    signin = SignIn(pool=client.pool, client=client, presented=auth_parameters, metadata={},
                    source=triggers.TOKEN_HOSTED_AUTH, hosted=True)
    with simulated.even_time(client, flow in EVEN_FLOWS):
        return proceed(FLOWS[flow](signin))


def proceed(outcome: Outcome) -> AuthResult:
    """Run the steps after a proven factor; tokens when none asks for more."""
    if isinstance(outcome, AuthResult):
        return outcome
    signin = outcome.signin
    start = 0
    if outcome.after is not None:
        start = [name for name, _ in STEPS].index(outcome.after) + 1
    for _, step in STEPS[start:]:
        result = step(signin)
        if result is not None:
            return result
    return finish(signin, outcome.final_source or signin.source)


def finish(signin: SignIn, source: str) -> AuthResult:
    """Run the post authentication trigger, then issue a new token family."""
    user, client = signin.found(), signin.client
    device_key, new_device = "", None
    if client is not None and not signin.hosted:
        device_key, new_device = devices.device_for_tokens(client, user, signin.device_key)
    metadata = signin.later_metadata
    if triggers.has_receivers(signals.post_authentication, signin.pool):
        request = {"userAttributes": triggers.user_attributes(user),
                   "newDeviceUsed": new_device is not None, "clientMetadata": metadata}
        event = triggers.build_event(signin.pool, client, triggers.POST_AUTHENTICATION,
                                     user.username, request, {})
        triggers.send(signals.post_authentication, event, signin.pool, client)
    if client is None or signin.hosted:  # a Django login or the managed login: no tokens
        return AuthResult(user=user)
    return AuthResult(user=user, tokens=tokens.sign_in(
        client, user, source, client_metadata=metadata, device_key=device_key,
        new_device=new_device))
