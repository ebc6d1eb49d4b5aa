"""Forged SRP SECRET_BLOCKs and auth Sessions, sent over HTTP by someone holding the
encryption key (issue 11, finding 1: with ENCRYPTION_KEYS unset every key derives from
SECRET_KEY, whose default may be public).

The key lets an attacker seal anything; it must not let them sign anyone in. What a client
must never choose (the SRP secret exponent, a custom challenge's private parameters, which
user a server-side state belongs to) stays on the server, and whatever is decrypted is
checked as untrusted input. Each forgery is refused as "Invalid session for the user." and
no refresh token is issued.
"""

from __future__ import annotations

import base64
import json
import secrets
from typing import Any

import pytest

from django_cognito import clock
from django_cognito.crypto import srp
from django_cognito.crypto.fields import fernet
from django_cognito.models import AppClient, PoolUser, RefreshToken, UserPool, UserStatus
from django_cognito.services.signin import sessions
from django_cognito.services.signin import srp as signin_srp
from tests.effects import last_code
from tests.factories import NEW_PASSWORD, PASSWORD, TEMPORARY, create_user

pytest_plugins = ["tests.api_fixtures", "tests.live_api"]

INVALID = ("NotAuthorizedException", "Invalid session for the user.")
EVE_PHONE = "+15555550199"


# --- what the attacker computes ---------------------------------------------------------

def unseal_block(text: str) -> dict[str, Any]:
    payload: dict[str, Any] = json.loads(fernet(signin_srp.USER).decrypt(
        base64.urlsafe_b64encode(base64.b64decode(text))))
    return payload


def seal_block(payload: dict[str, Any]) -> str:
    token = fernet(signin_srp.USER).encrypt(json.dumps(payload).encode())
    return base64.b64encode(base64.urlsafe_b64decode(token)).decode()


def unseal_session(text: str) -> dict[str, Any]:
    payload: dict[str, Any] = json.loads(fernet("session").decrypt(text.encode()))
    return payload


def srp_start(idp: Any, app: AppClient, username: str) -> tuple[int, int, dict[str, str]]:
    """InitiateAuth(USER_SRP_AUTH): the client's a and A, and the challenge parameters."""
    a = srp.new_private()
    big_a = pow(srp.G, a, srp.N)
    answer = idp.initiate_auth(ClientId=app.id, AuthFlow="USER_SRP_AUTH", AuthParameters={
        "USERNAME": username, "SRP_A": srp.hexstr(big_a)})
    assert answer["ChallengeName"] == "PASSWORD_VERIFIER"
    return a, big_a, answer["ChallengeParameters"]


def client_secret(a: int, big_a: int, big_b: int, salt: str, pool: UserPool, user_id: str,
                  password: str) -> int:
    """S as an honest client knowing ``password`` computes it."""
    x = srp.compute_x(salt, pool.pool_name_suffix, user_id, password)
    u = srp.scrambler(big_a, big_b)
    return pow((big_b - srp.K * pow(srp.G, x, srp.N)) % srp.N, a + u * x, srp.N)


def claim(secret: int, big_a: int, big_b: int, pool: UserPool, user_id: str, block: str,
          stamp: str) -> str:
    key = srp.session_key(secret, srp.scrambler(big_a, big_b))
    return base64.b64encode(srp.signature(key, pool.pool_name_suffix, user_id,
                                          base64.b64decode(block), stamp)).decode()


def answer_verifier(idp: Any, app: AppClient, username: str, block: str, signature: str,
                    stamp: str) -> dict[str, Any]:
    answer: dict[str, Any] = idp.respond_to_auth_challenge(
        ClientId=app.id, ChallengeName="PASSWORD_VERIFIER", ChallengeResponses={
            "USERNAME": username, "PASSWORD_CLAIM_SECRET_BLOCK": block, "TIMESTAMP": stamp,
            "PASSWORD_CLAIM_SIGNATURE": signature})
    return answer


def now_stamp() -> str:
    return srp.format_timestamp(clock.now())


def flip(data: bytes, index: int) -> bytes:
    return data[:index] + bytes([data[index] ^ 0x01]) + data[index + 1:]


# --- SRP SECRET_BLOCKs --------------------------------------------------------------------

def test_the_honest_srp_answer_signs_in_once(idp: Any, pool: UserPool, app: AppClient,
                                             alice: PoolUser, fails: Any) -> None:
    """The control: the helpers below compute what a real client does."""
    a, big_a, params = srp_start(idp, app, "alice")
    big_b, stamp = int(params["SRP_B"], 16), now_stamp()
    secret = client_secret(a, big_a, big_b, params["SALT"], pool, "alice", PASSWORD)
    signature = claim(secret, big_a, big_b, pool, "alice", params["SECRET_BLOCK"], stamp)
    answer = answer_verifier(idp, app, "alice", params["SECRET_BLOCK"], signature, stamp)
    assert answer["AuthenticationResult"]["AccessToken"]
    # The same answer again (a replay) signs no one in.
    assert fails(answer_verifier, idp, app, "alice", params["SECRET_BLOCK"], signature,
                 stamp)[0] == "NotAuthorizedException"
    assert RefreshToken.objects.count() == 1


@pytest.mark.parametrize(("exchange", "b_zero"), [
    ("none", True), ("made-up", False), ("made-up", True), ("genuine", True)],
    ids=["old-format-b-zero", "unknown-exchange", "unknown-exchange-b-zero",
         "genuine-exchange-b-zero"])
def test_a_block_sealed_with_the_key_signs_no_one_in(idp: Any, pool: UserPool,
                                                    app: AppClient, alice: PoolUser,
                                                    fails: Any, exchange: str,
                                                    b_zero: bool) -> None:
    """The old attack: a block sealed with b = 0 makes the shared secret 1, a proof anyone
    computes without the password. Today's blocks name an exchange kept on the server: a
    forged one names none (an invalid session), and a b it carries is never read."""
    _, big_a, params = srp_start(idp, app, "alice")
    payload = unseal_block(params["SECRET_BLOCK"])
    big_b = int(params["SRP_B"], 16)
    if b_zero:  # the exchange itself, as blocks once carried it
        payload.update(a=srp.hexstr(big_a), B=srp.hexstr(big_b), b="0")
    if exchange == "none":
        payload.pop("x")
    elif exchange == "made-up":
        payload["x"] = secrets.token_hex(16)
    block, stamp = seal_block(payload), now_stamp()
    signature = claim(1, big_a, big_b, pool, "alice", block, stamp)
    refused = fails(answer_verifier, idp, app, "alice", block, signature, stamp)
    if exchange == "genuine":  # the real exchange's b decides: a wrong proof
        assert refused[0] == "NotAuthorizedException"
    else:
        assert refused == INVALID
    assert not RefreshToken.objects.exists()


@pytest.mark.parametrize("b", [0, 1, srp.N, srp.N + 5], ids=["0", "1", "N", "N+5"])
def test_an_exchange_with_a_degenerate_exponent_is_refused(idp: Any, pool: UserPool,
                                                           app: AppClient, alice: PoolUser,
                                                           fails: Any, b: int) -> None:
    """In depth: even an exchange the attacker could write into the server's state (here
    sealed in-process) is checked like untrusted input, 1 < b < N, before any proof."""
    alice.refresh_from_db()
    assert alice.srp_verifier
    verifier = int(alice.srp_verifier, 16)
    big_a = pow(srp.G, srp.new_private(), srp.N)
    big_b = srp.server_public(verifier, b)
    block = signin_srp.seal(signin_srp.USER, signin_srp.Block(
        pool_id=pool.id, client_id=app.id, who=alice.pk, name="alice", big_a=big_a,
        big_b=big_b, b=b, issued=clock.now().timestamp(), admin=False))
    u, stamp = srp.scrambler(big_a, big_b), now_stamp()
    # The proof the server would expect from that exchange: valid but for the range check.
    secret = srp.server_secret(big_a, verifier, u, b)
    signature = claim(secret, big_a, big_b, pool, "alice", block, stamp)
    assert fails(answer_verifier, idp, app, "alice", block, signature, stamp) == INVALID
    assert not RefreshToken.objects.exists()


@pytest.mark.parametrize("username", ["alice", "eve"])
def test_a_block_resealed_for_another_user_signs_no_one_in(
        idp: Any, pool: UserPool, app: AppClient, alice: PoolUser, fails: Any,
        username: str) -> None:
    """eve knows her own password and the key: she reseals her genuine exchange as alice's.
    The server checks the proof with alice's verifier, which eve cannot match."""
    create_user(pool, "eve")
    a, big_a, params = srp_start(idp, app, "eve")
    big_b = int(params["SRP_B"], 16)
    payload = unseal_block(params["SECRET_BLOCK"])
    payload.update(u=f"{alice.pk:012d}", n="alice")
    block, stamp = seal_block(payload), now_stamp()
    secret = client_secret(a, big_a, big_b, params["SALT"], pool, "eve", PASSWORD)
    signature = claim(secret, big_a, big_b, pool, username, block, stamp)
    code, _ = fails(answer_verifier, idp, app, username, block, signature, stamp)
    assert code == "NotAuthorizedException"
    assert not RefreshToken.objects.exists()


@pytest.mark.parametrize("tamper", ["truncated", "bit-flipped", "signature-flipped"])
def test_a_tampered_block_is_refused_and_the_genuine_one_still_answers(
        idp: Any, pool: UserPool, app: AppClient, alice: PoolUser, fails: Any,
        tamper: str) -> None:
    a, big_a, params = srp_start(idp, app, "alice")
    big_b, stamp = int(params["SRP_B"], 16), now_stamp()
    raw = base64.b64decode(params["SECRET_BLOCK"])
    changed = {"truncated": raw[:-5], "bit-flipped": flip(raw, 40),
               "signature-flipped": flip(raw, len(raw) - 1)}[tamper]
    block = base64.b64encode(changed).decode()
    secret = client_secret(a, big_a, big_b, params["SALT"], pool, "alice", PASSWORD)
    assert fails(answer_verifier, idp, app, "alice", block,
                 claim(secret, big_a, big_b, pool, "alice", block, stamp), stamp) == INVALID
    assert not RefreshToken.objects.exists()
    genuine = claim(secret, big_a, big_b, pool, "alice", params["SECRET_BLOCK"], stamp)
    assert "AuthenticationResult" in answer_verifier(idp, app, "alice",
                                                     params["SECRET_BLOCK"], genuine, stamp)


# --- Sessions -------------------------------------------------------------------------------

def custom_answer(idp: Any, app: AppClient, username: str, session: str,
                  answer: str) -> dict[str, Any]:
    response: dict[str, Any] = idp.respond_to_auth_challenge(
        ClientId=app.id, ChallengeName="CUSTOM_CHALLENGE", Session=session,
        ChallengeResponses={"USERNAME": username, "ANSWER": answer})
    return response


def custom_start(idp: Any, app: AppClient, username: str) -> str:
    started = idp.initiate_auth(ClientId=app.id, AuthFlow="CUSTOM_AUTH",
                                AuthParameters={"USERNAME": username})
    assert started["ChallengeName"] == "CUSTOM_CHALLENGE"
    return str(started["Session"])


@pytest.mark.parametrize("forgery", ["private-parameters", "made-up-state",
                                     "state-of-eves-flow"])
def test_a_custom_session_forged_with_the_key_is_refused(
        idp: Any, pool: UserPool, app: AppClient, alice: PoolUser, texted_code: Any,
        fails: Any, forgery: str) -> None:
    """A CUSTOM_CHALLENGE Session sealed with the key: carrying private challenge parameters
    of the attacker's choosing (what Sessions once held), naming a state that does not
    exist, or naming the state of the attacker's own flow (eve reads her own texted code)
    rebound to alice. None may answer alice's challenge."""
    create_user(pool, "eve", phone_number=EVE_PHONE, phone_number_verified="true")
    chosen, data = "123456", {}
    if forgery == "private-parameters":
        data = {"s": {"h": [], "p": {"code": chosen}, "m": chosen},
                "h": [], "p": {"code": chosen}}
    elif forgery == "made-up-state":
        data = {"x": secrets.token_hex(16), "p": {"code": chosen}}
    else:
        eves = custom_start(idp, app, "eve")
        chosen = last_code(EVE_PHONE)
        data = {"x": unseal_session(eves)["d"]["x"]}
    forged = sessions.issue(app, alice.pk, "CUSTOM_CHALLENGE", "alice", a=False, **data)
    assert fails(custom_answer, idp, app, "alice", forged, chosen) == INVALID
    assert not RefreshToken.objects.exists()


def test_a_new_password_session_forged_with_the_key_is_refused(
        idp: Any, pool: UserPool, app: AppClient, fails: Any) -> None:
    """A NEW_PASSWORD_REQUIRED Session sealed for an invited user (whose temporary password
    the attacker never saw) must not let the attacker choose the password and sign in."""
    carol = create_user(pool, "carol", confirmed=False)
    forged = sessions.issue(app, carol.pk, "NEW_PASSWORD_REQUIRED", "carol")

    def choose_password(session: str, password: str) -> dict[str, Any]:
        answer: dict[str, Any] = idp.respond_to_auth_challenge(
            ClientId=app.id, ChallengeName="NEW_PASSWORD_REQUIRED", Session=session,
            ChallengeResponses={"USERNAME": "carol", "NEW_PASSWORD": password})
        return answer

    assert fails(choose_password, forged, "Attack3r-Passw0rd!") == INVALID
    carol.refresh_from_db()
    assert carol.status == UserStatus.FORCE_CHANGE_PASSWORD
    assert not RefreshToken.objects.exists()
    # The control: carol's own temporary password opens the challenge that works.
    genuine = idp.initiate_auth(ClientId=app.id, AuthFlow="USER_PASSWORD_AUTH",
                                AuthParameters={"USERNAME": "carol", "PASSWORD": TEMPORARY})
    assert "AuthenticationResult" in choose_password(genuine["Session"], NEW_PASSWORD)


@pytest.mark.parametrize("tamper", ["truncated", "bit-flipped", "signature-flipped",
                                    "another-client"])
def test_a_tampered_session_is_refused_and_the_genuine_one_still_answers(
        idp: Any, pool: UserPool, app: AppClient, make_client: Any, alice: PoolUser,
        texted_code: Any, fails: Any, tamper: str) -> None:
    session = custom_start(idp, app, "alice")
    code = last_code(alice.attributes["phone_number"])
    raw = base64.urlsafe_b64decode(session)
    target = app
    if tamper == "another-client":
        target = make_client(pool, name="other", explicit_auth_flows=["ALLOW_CUSTOM_AUTH"])
        changed = session
    else:
        changed = base64.urlsafe_b64encode({
            "truncated": raw[:-7], "bit-flipped": flip(raw, 30),
            "signature-flipped": flip(raw, len(raw) - 1)}[tamper]).decode()
    assert fails(custom_answer, idp, target, "alice", changed, code) == INVALID
    assert not RefreshToken.objects.exists()
    assert "AuthenticationResult" in custom_answer(idp, app, "alice", session, code)
