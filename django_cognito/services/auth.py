"""InitiateAuth / AdminInitiateAuth / RespondToAuthChallenge for password, SRP and refresh flows.

The post-password decision order follows reference §1.5: disabled, unconfirmed, reset
required, force change password, then tokens (MFA and custom flows join in later).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from django.db import transaction

from .. import signals
from ..clock import now
from ..exceptions import (
    InvalidParameterException,
    NotAuthorizedException,
    PasswordResetRequiredException,
    UserNotConfirmedException,
    UserNotFoundException,
)
from ..models import AppClient, PoolUser, UserStatus
from . import lockout, passwords, sessions, simulated, srp_auth, tokens, triggers
from .clients import check_secret_hash
from .migration import migrate_on_sign_in
from .schema import parse_attribute_list, required_attributes, string_map, validate_write
from .users import find_user, save_user

PASSWORD_FLOWS = {"USER_PASSWORD_AUTH": False, "ADMIN_USER_PASSWORD_AUTH": True,
                  "ADMIN_NO_SRP_AUTH": True}
REFRESH_FLOWS = {"REFRESH_TOKEN_AUTH", "REFRESH_TOKEN"}
KNOWN_FLOWS = {*PASSWORD_FLOWS, *REFRESH_FLOWS, "USER_SRP_AUTH", "CUSTOM_AUTH", "USER_AUTH"}
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


@dataclass
class AuthResult:
    """Either tokens or the next challenge."""

    tokens: tokens.TokenSet | None = None
    challenge_name: str | None = None
    session: str | None = None
    challenge_parameters: dict[str, str] = field(default_factory=dict)
    # USER_AUTH's SELECT_CHALLENGE: the first factors the user may choose from.
    available_challenges: list[str] | None = None


def _flow_enabled(client: AppClient, flow: str) -> bool:
    flows = set(client.explicit_auth_flows)
    if flow in REFRESH_FLOWS and (not flows or flows <= LEGACY_FLOWS):
        return True  # refresh is always on for clients configured with legacy values
    return bool(flows & FLOW_SWITCHES.get(flow, set()))


def _parameters(value: object) -> dict[str, str]:
    return string_map(value, "AuthParameters")


def required(params: Mapping[str, str], name: str) -> str:
    """``params[name]``, or Cognito's InvalidParameterException when it is missing or empty."""
    value = params.get(name)
    if not value:
        raise InvalidParameterException(f"Missing required parameter {name}")
    return value


def initiate_auth(client: AppClient, flow: object, auth_parameters: object, *,
                  client_metadata: object = None, admin: bool = False,
                  session: object = None) -> AuthResult:
    """Start a sign-in: a password flow or a refresh (InitiateAuth / AdminInitiateAuth).

    ``session``: ConfirmSignUp's Session, which USER_AUTH takes in place of a factor.
    """
    with devices.presenting(auth_parameters):  # DEVICE_KEY, for the device step and tokens
        return _initiate_auth(client, flow, auth_parameters, client_metadata=client_metadata,
                              admin=admin, session=session)


def _initiate_auth(client: AppClient, flow: object, auth_parameters: object, *,
                   client_metadata: object = None, admin: bool = False,
                   session: object = None) -> AuthResult:
    params = _parameters(auth_parameters)
    metadata = string_map(client_metadata)
    if not isinstance(flow, str) or flow not in KNOWN_FLOWS:
        raise InvalidParameterException(f"Unsupported auth flow {str(flow)[:64]}")
    if flow in PASSWORD_FLOWS and PASSWORD_FLOWS[flow] != admin:
        raise InvalidParameterException(f"Initiate Auth method not supported: {flow}")
    if flow not in FLOW_SWITCHES:
        raise InvalidParameterException(f"{flow} is not supported by this server yet")
    if not _flow_enabled(client, flow):
        raise InvalidParameterException(f"{flow} flow not enabled for this client")
    if flow in REFRESH_FLOWS:
        # InitiateAuth's ClientMetadata reaches only pre sign-up, pre authentication and user
        # migration, never pre token generation (reference §4.1).
        return AuthResult(tokens=tokens.refresh(client, required(params, "REFRESH_TOKEN"),
                                                secret_hash=params.get("SECRET_HASH"),
                                                device_key=params.get("DEVICE_KEY")))
    if flow == "USER_SRP_AUTH":
        return srp_auth.start(client, params, admin=admin, client_metadata=metadata)
    if flow == "CUSTOM_AUTH":
        return custom_auth.initiate(client, params, admin=admin, client_metadata=metadata)
    if flow == "USER_AUTH":
        return user_auth.initiate(client, params, admin=admin, client_metadata=metadata,
                                  session=session)
    username = required(params, "USERNAME")
    password = required(params, "PASSWORD")
    check_secret_hash(client, username, params.get("SECRET_HASH"))
    return password_first_factor(client, username, password, metadata)


def password_first_factor(client: AppClient, username: str, password: str,
                          metadata: dict[str, str]) -> AuthResult:
    """Check a password (user migration, lockout, pre authentication), then go on as §1.5."""
    user = find_user(client.pool, username)
    if user is None:
        user = migrate_on_sign_in(client, username, password, metadata)
    if user is None:
        if client.prevents_user_existence_errors:
            lock = simulated.lock_id(client.pool, username)
            lockout.check_hidden(client.pool, lock)
            passwords.spend_a_hash(password)  # as long as a wrong password takes
            lockout.failed_hidden(client.pool, lock)
            raise NotAuthorizedException("Incorrect username or password.")
        raise UserNotFoundException("User does not exist.")
    lockout.check(user)
    pre_authentication(client, user, metadata)
    if not passwords.verify(user, password):
        lockout.failed(user)
        raise NotAuthorizedException("Incorrect username or password.")
    lockout.succeeded(user)
    # Post authentication and pre token generation get no InitiateAuth ClientMetadata (§4.1).
    return after_password(client, user, {})


def pre_authentication(client: AppClient, user: PoolUser, metadata: dict[str, str]) -> None:
    """Run the pre authentication trigger with InitiateAuth's ClientMetadata."""
    if not triggers.has_receivers(signals.pre_authentication, client.pool):
        return
    request = {"userAttributes": triggers.user_attributes(user), "validationData": metadata,
               "userNotFound": False}
    event = triggers.build_event(client.pool, client, "PreAuthentication_Authentication",
                                 user.username, request, {})
    triggers.send(signals.pre_authentication, event, client.pool, client)


def after_password(client: AppClient, user: PoolUser, metadata: dict[str, str], *,
                   second_factor: bool = True) -> AuthResult:
    """Apply the post-password decision order and issue tokens or the next challenge.

    ``second_factor=False`` after a one-time code proved the first factor (USER_AUTH's
    EMAIL_OTP / SMS_OTP): the MFA and device steps do not follow a passwordless sign-in.
    """
    if not user.enabled:
        raise NotAuthorizedException("User is disabled.")
    if user.status == UserStatus.UNCONFIRMED:
        raise UserNotConfirmedException("User is not confirmed.")
    if user.status == UserStatus.RESET_REQUIRED:
        if client.prevents_user_existence_errors:
            raise NotAuthorizedException("Incorrect username or password.")
        raise PasswordResetRequiredException("Password reset required for the user")
    if user.status == UserStatus.FORCE_CHANGE_PASSWORD:
        expiry = user.temporary_password_expires_at
        if expiry is not None and expiry <= now():
            raise NotAuthorizedException(
                "Temporary password has expired and must be reset by an administrator.")
        return _new_password_challenge(client, user)
    if not second_factor:
        return finish(client, user, "TokenGeneration_Authentication", metadata)
    return after_first_factor(client, user, metadata, "TokenGeneration_Authentication")


#: Steps run once the first factor is proven, in order; each returns a challenge to send
#: (an AuthResult) or ``None`` to go on. MFA and remembered devices register theirs here.
PostFirstFactorStep = Callable[[AppClient, PoolUser, dict[str, str], str], "AuthResult | None"]
POST_FIRST_FACTOR_STEPS: list[PostFirstFactorStep] = []

#: RespondToAuthChallenge handlers by ChallengeName:
#: ``handler(client, answers, session, metadata, admin) -> AuthResult``.
ChallengeHandler = Callable[[AppClient, dict[str, str], object, dict[str, str], bool],
                            "AuthResult"]
CHALLENGE_HANDLERS: dict[str, ChallengeHandler] = {}


def challenge_handler(name: str) -> Callable[[ChallengeHandler], ChallengeHandler]:
    """Register the RespondToAuthChallenge handler of ``name``."""
    def register(handler: ChallengeHandler) -> ChallengeHandler:
        CHALLENGE_HANDLERS[name] = handler
        return handler
    return register


def after_first_factor(client: AppClient, user: PoolUser, metadata: dict[str, str],
                       source: str) -> AuthResult:
    """Run the registered steps (MFA, devices); tokens when none asks for more."""
    for step in POST_FIRST_FACTOR_STEPS:
        result = step(client, user, metadata, source)
        if result is not None:
            return result
    return finish(client, user, source, metadata)


def finish(client: AppClient, user: PoolUser, source: str, metadata: dict[str, str]
           ) -> AuthResult:
    """Run the post authentication trigger, then issue a new token family."""
    device_key, new_device = devices.device_for_tokens(client, user)
    if triggers.has_receivers(signals.post_authentication, client.pool):
        request = {"userAttributes": triggers.user_attributes(user),
                   "newDeviceUsed": new_device is not None,
                   "clientMetadata": metadata}
        event = triggers.build_event(client.pool, client, "PostAuthentication_Authentication",
                                     user.username, request, {})
        triggers.send(signals.post_authentication, event, client.pool, client)
    return AuthResult(tokens=tokens.sign_in(client, user, source, client_metadata=metadata,
                                            device_key=device_key, new_device=new_device))


def _new_password_challenge(client: AppClient, user: PoolUser) -> AuthResult:
    attributes = {k: v for k, v in user.attributes.items() if not k.endswith("_verified")}
    missing = [f"userAttributes.{name}" for name in required_attributes(client.pool)
               if not user.attributes.get(name)]
    return AuthResult(
        challenge_name="NEW_PASSWORD_REQUIRED",
        session=sessions.issue(client, user.pk, "NEW_PASSWORD_REQUIRED", user.username),
        challenge_parameters={"USER_ID_FOR_SRP": user.username,
                              "requiredAttributes": json.dumps(missing),
                              "userAttributes": json.dumps(attributes)})


def respond_to_auth_challenge(client: AppClient, challenge_name: object, responses: object,
                              session: object, *, client_metadata: object = None,
                              admin: bool = False) -> AuthResult:
    """Answer a challenge and continue the sign-in."""
    with devices.presenting(responses):  # DEVICE_KEY, for the device step and tokens
        return _respond_to_auth_challenge(client, challenge_name, responses, session,
                                          client_metadata=client_metadata, admin=admin)


def _respond_to_auth_challenge(client: AppClient, challenge_name: object, responses: object,
                               session: object, *, client_metadata: object = None,
                               admin: bool = False) -> AuthResult:
    answers = string_map(responses, "ChallengeResponses")
    metadata = string_map(client_metadata)
    # SRP carries its state in SECRET_BLOCK; a custom flow's block goes to its own handler.
    if challenge_name == "PASSWORD_VERIFIER" and not custom_auth.started_with_srp(answers):
        return srp_auth.verify(client, answers, admin=admin, client_metadata=metadata)
    handler = CHALLENGE_HANDLERS.get(str(challenge_name))
    if handler is None:
        raise InvalidParameterException(f"Unsupported challenge {str(challenge_name)[:64]}")
    return handler(client, answers, session, metadata, admin)


@challenge_handler("NEW_PASSWORD_REQUIRED")
def _answer_new_password(client: AppClient, answers: dict[str, str], session: object,
                         metadata: dict[str, str], admin: bool) -> AuthResult:
    username = required(answers, "USERNAME")
    check_secret_hash(client, username, answers.get("SECRET_HASH"))
    state = sessions.read(client, session, "NEW_PASSWORD_REQUIRED")
    user = PoolUser.objects.select_related("pool").filter(pk=state.user_id).first()
    if user is None or user not in (find_user(client.pool, username),):
        raise NotAuthorizedException("Invalid session for the user.")
    if user.status != UserStatus.FORCE_CHANGE_PASSWORD:
        raise NotAuthorizedException("Invalid session for the user.")
    if not user.enabled:  # disabled since the challenge: refuse before changing anything
        raise NotAuthorizedException("User is disabled.")
    new_password = passwords.check_policy(client.pool, required(answers, "NEW_PASSWORD"))
    attrs = parse_attribute_list({k.removeprefix("userAttributes."): v
                                  for k, v in answers.items()
                                  if k.startswith("userAttributes.")})
    validate_write(client.pool, attrs, client=client,
                   unset={name for name in attrs if not user.attributes.get(name)})
    missing = [name for name in required_attributes(client.pool)
               if not (attrs.get(name) or user.attributes.get(name))]
    if missing:
        raise InvalidParameterException(
            f"Attributes did not conform to the schema: {missing[0]}: The attribute is required")
    with transaction.atomic():
        passwords.set_password(user, new_password, check_policy_first=False)
        changed = {k: v for k, v in attrs.items() if v != "" and user.attributes.get(k) != v}
        user.attributes.update(changed)
        for contact in ("email", "phone_number"):
            if contact in changed:  # the old address's proof does not verify a new one
                user.attributes[f"{contact}_verified"] = "false"
        user.status = UserStatus.CONFIRMED
        save_user(user)
        passwords.record_history(user)
    return after_first_factor(client, user, metadata, "TokenGeneration_NewPasswordChallenge")




from . import custom_auth  # noqa: E402,I001  (registers the CUSTOM_AUTH challenge handlers)
from . import mfa  # noqa: E402,F401  (registers the MFA step and challenge handlers)
from . import devices  # noqa: E402,I001  (registers the remembered-device step)
from . import user_auth  # noqa: E402,I001  (registers USER_AUTH's SELECT_CHALLENGE)
