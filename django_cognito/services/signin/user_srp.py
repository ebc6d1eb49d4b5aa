"""USER_SRP_AUTH: the PASSWORD_VERIFIER challenge and its answer (reference §6, §2.6)."""

from __future__ import annotations

from ...exceptions import NotAuthorizedException, UserNotFoundException
from .. import lockout
from ..clients import check_secret_hash
from ..users import find_user
from . import srp
from .account import pre_authentication
from .results import INVALID_SESSION, AuthResult, Proceed, SignIn

PASSWORD_VERIFIER = "PASSWORD_VERIFIER"


def initiate(signin: SignIn) -> AuthResult:
    """InitiateAuth(USER_SRP_AUTH) (and USER_AUTH's PASSWORD_SRP): answer SRP_A with the
    PASSWORD_VERIFIER challenge."""
    client = signin.answering_client(PASSWORD_VERIFIER)
    username = signin.require("USERNAME")
    srp_a = signin.require("SRP_A")
    check_secret_hash(client, username, signin.presented.get("SECRET_HASH"))
    big_a = srp.parse_a(srp_a)
    user = find_user(signin.pool, username)
    if user is None:
        if not signin.hides_users:
            raise UserNotFoundException("User does not exist.")
    else:
        lockout.check(user)
        # Pre authentication sees InitiateAuth's ClientMetadata, so it runs at this step.
        pre_authentication(signin, user)
    signin.user = user
    return AuthResult(challenge_name=PASSWORD_VERIFIER,
                      challenge_parameters=srp.user_challenge(signin, big_a, username))


def answer(signin: SignIn) -> Proceed:
    """RespondToAuthChallenge(PASSWORD_VERIFIER): check the proof, then go on."""
    client = signin.answering_client(PASSWORD_VERIFIER)
    presented = srp.VerifierAnswer.of(signin)
    check_secret_hash(client, presented.username, signin.presented.get("SECRET_HASH"))
    block, raw = srp.open_block(srp.USER, presented.block_text)
    if block.pool_id != signin.pool.id or block.client_id != client.id or \
            block.admin != signin.admin:
        raise NotAuthorizedException(INVALID_SESSION)
    srp.check_user_proof(signin, block, raw, presented)
    return Proceed(signin)
