"""USER_SRP_AUTH against pycognito's client-side SRP (reference §6, §2.6).

pycognito's ``AWSSRP`` is the client: it computes A, the password key and the claim signature
exactly as it does against AWS. Its boto3 client is replaced by a small object that calls the
services directly and raises botocore's ``ClientError`` as boto3 would.
"""

from __future__ import annotations

import base64
import datetime as dt
import uuid
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import jwt
import pytest
from botocore.exceptions import ClientError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pycognito import aws_srp
from pycognito.aws_srp import AWSSRP
from pycognito.exceptions import ForceChangePasswordException

from django_cognito import clock, signals
from django_cognito.crypto import srp
from django_cognito.crypto.fields import decrypt
from django_cognito.exceptions import CognitoError, TriggerRejected
from django_cognito.models import AppClient, PoolUser, UserPool, UserStatus
from django_cognito.services import (
    admin_users,
    recovery,
    signin,
    signup,
    users,
)
from django_cognito.services.signin import srp as signin_srp
from tests.effects import last_code
from tests.factories import NEW_PASSWORD, PASSWORD, TEMPORARY
from tests.factories import create_user as create

EMAIL = "alice@example.com"
WRONG = "Wr0ng-Passw0rd!"
SRP_FLOWS = ["ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
INCORRECT = ("NotAuthorizedException", "Incorrect username or password.")
INVALID_SESSION = ("NotAuthorizedException", "Invalid session for the user.")


class _ClientClock(dt.datetime):
    """pycognito's view of the time: our clock seam plus a skew a test may set."""

    skew = dt.timedelta(0)

    @classmethod
    def utcnow(cls) -> dt.datetime:  # type: ignore[override]
        return (clock.now() + cls.skew).replace(tzinfo=None)


@pytest.fixture(autouse=True)
def _client_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    _ClientClock.skew = dt.timedelta(0)
    monkeypatch.setattr(aws_srp, "datetime", SimpleNamespace(datetime=_ClientClock))


class Cognito:
    """A boto3-shaped cognito-idp client whose calls go straight to the services."""

    def __init__(self, admin: bool = False) -> None:
        self.admin = admin

    @staticmethod
    def _call(operation: str, run: Callable[[], signin.AuthResult]) -> dict[str, Any]:
        try:
            result = run()
        except CognitoError as exc:
            raise ClientError({"Error": {"Code": exc.code, "Message": exc.message}},
                              operation) from exc
        if result.tokens is not None:
            return {"AuthenticationResult": result.tokens.as_dict(), "ChallengeParameters": {}}
        response: dict[str, Any] = {"ChallengeName": result.challenge_name,
                                    "ChallengeParameters": result.challenge_parameters}
        if result.session:
            response["Session"] = result.session
        return response

    def initiate_auth(self, *, ClientId: str, AuthFlow: str,  # noqa: N803 - boto3 names
                      AuthParameters: dict[str, str],  # noqa: N803
                      ClientMetadata: dict[str, str] | None = None) -> dict[str, Any]:  # noqa: N803
        client = AppClient.objects.select_related("pool").get(pk=ClientId)
        return self._call("InitiateAuth", lambda: signin.initiate_auth(
            client, AuthFlow, AuthParameters, client_metadata=ClientMetadata, admin=self.admin))

    def respond_to_auth_challenge(self, *, ClientId: str, ChallengeName: str,  # noqa: N803
                                  ChallengeResponses: dict[str, str],  # noqa: N803
                                  Session: str | None = None,  # noqa: N803
                                  ClientMetadata: dict[str, str] | None = None,  # noqa: N803
                                  ) -> dict[str, Any]:
        client = AppClient.objects.select_related("pool").get(pk=ClientId)
        return self._call("RespondToAuthChallenge", lambda: signin.respond_to_auth_challenge(
            client, ChallengeName, ChallengeResponses, Session, client_metadata=ClientMetadata,
            admin=self.admin))


def srp_client(client: AppClient, username: str = "alice", password: str = PASSWORD, *,
               admin: bool = False, secret: str | None = None) -> AWSSRP:
    return AWSSRP(username=username, password=password, pool_id=client.pool_id,
                  client_id=client.id, client=Cognito(admin), client_secret=secret)


def challenge(aws: AWSSRP) -> tuple[dict[str, str], dict[str, str]]:
    """InitiateAuth(USER_SRP_AUTH): the challenge parameters and the auth parameters sent."""
    params = aws.get_auth_params()
    response = aws.client.initiate_auth(ClientId=aws.client_id, AuthFlow="USER_SRP_AUTH",
                                        AuthParameters=params)
    assert response["ChallengeName"] == "PASSWORD_VERIFIER"
    assert "Session" not in response
    return response["ChallengeParameters"], params


def respond(aws: AWSSRP, answers: dict[str, str], client_id: str | None = None
            ) -> dict[str, Any]:
    return aws.client.respond_to_auth_challenge(
        ClientId=client_id or aws.client_id, ChallengeName="PASSWORD_VERIFIER",
        ChallengeResponses=answers)


def sign_in(aws: AWSSRP) -> dict[str, Any]:
    """Both steps, with pycognito computing the answer."""
    params, sent = challenge(aws)
    return respond(aws, aws.process_challenge(params, sent))


def error_of(call: Callable[[], object]) -> tuple[str, str]:
    with pytest.raises(ClientError) as caught:
        call()
    error = caught.value.response["Error"]
    return error["Code"], error["Message"]


def claims(token: str) -> dict[str, Any]:
    decoded: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    return decoded


def reload(user: PoolUser) -> PoolUser:
    return PoolUser.objects.get(pk=user.pk)


def flip(block: str) -> str:
    """The SECRET_BLOCK with one bit of its ciphertext changed."""
    raw = bytearray(base64.b64decode(block))
    raw[len(raw) // 2] ^= 0x01
    return base64.b64encode(bytes(raw)).decode()


@pytest.fixture
def client(pool: UserPool, make_client: Any) -> AppClient:
    return make_client(pool, explicit_auth_flows=SRP_FLOWS)


# The math ---------------------------------------------------------------------------------------

def test_group_constants_are_the_ones_clients_use() -> None:
    reference = AWSSRP("u", "p", "us-east-1_AbCdEf123", "c", client=object())
    assert srp.N == reference.big_n and srp.N.bit_length() == 3072
    assert srp.G == reference.val_g == 2
    assert srp.K == reference.val_k


@pytest.mark.parametrize("value", [0, 1, 0x7F, 0x80, 0xFF, 0x100, 0x8000, 0x7FFF, 2 ** 255,
                                   srp.N, srp.N - 1], ids=lambda value: f"{value:x}"[:12])
def test_pad_and_hexstr_match_pycognito(value: int) -> None:
    assert srp.hexstr(value) == aws_srp.long_to_hex(value)
    assert srp.pad(srp.hexstr(value)) == aws_srp.pad_hex(value)
    padded = bytes.fromhex(srp.pad(srp.hexstr(value)))
    assert int.from_bytes(padded, "big", signed=True) == value  # positive two's complement


@pytest.mark.parametrize(("salt", "a", "b"), [
    ("3a1b5c", 0x1234567890ABCDEF, 0xFEDCBA0987654321),
    ("00ff3b0e9d8c7b6a5f4e3d2c1b0a0908", 2 ** 1000 + 12345, 2 ** 255 + 99),
    ("7f" * 16, srp.N - 2, 3),
], ids=["short-salt", "salt-with-00", "a-near-n"])
def test_server_and_pycognito_derive_the_same_secret_and_key(salt: str, a: int, b: int) -> None:
    pool_id, user_id = "us-east-1_AbCdEf123", "3f1e6a9c-1111-4d2e-9abc-0123456789ab"
    client = AWSSRP(user_id, PASSWORD, pool_id, "client-id", client=object())
    client.small_a_value = a
    client.large_a_value = client.calculate_a()
    big_a = client.large_a_value
    verifier = int(srp.make_verifier(salt, "AbCdEf123", user_id, PASSWORD), 16)
    big_b = srp.server_public(verifier, b)
    u = srp.scrambler(big_a, big_b)
    assert u == aws_srp.calculate_u(big_a, big_b)
    x = aws_srp.hex_to_long(aws_srp.hex_hash(
        aws_srp.pad_hex(salt) + aws_srp.hash_sha256(f"AbCdEf123{user_id}:{PASSWORD}".encode())))
    assert x == srp.compute_x(salt, "AbCdEf123", user_id, PASSWORD)
    client_secret = pow(big_b - client.val_k * pow(2, x, srp.N), a + u * x, srp.N)
    server_secret = srp.server_secret(big_a, verifier, u, b)
    assert server_secret == client_secret
    key = srp.session_key(server_secret, u)
    assert key == client.get_password_authentication_key(user_id, PASSWORD, big_b, salt)
    assert len(key) == 16
    wrong = client.get_password_authentication_key(user_id, WRONG, big_b, salt)
    assert wrong != key


def test_signature_matches_pycognito_for_a_fixed_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_ClientClock, "utcnow",
                        classmethod(lambda cls: dt.datetime(2024, 3, 5, 7, 8, 9)))
    client = AWSSRP("alice", PASSWORD, "us-east-1_AbCdEf123", "client-id", client=object())
    salt, b = "5a" * 16, 0xC0FFEE
    verifier = int(srp.make_verifier(salt, "AbCdEf123", "alice", PASSWORD), 16)
    big_b = srp.server_public(verifier, b)
    block = base64.b64encode(b"opaque block bytes").decode()
    answer = client.process_challenge(
        {"USERNAME": "alice", "USER_ID_FOR_SRP": "alice", "SALT": salt,
         "SRP_B": srp.hexstr(big_b), "SECRET_BLOCK": block}, {"USERNAME": "alice"})
    assert answer["TIMESTAMP"] == "Tue Mar 5 07:08:09 UTC 2024"
    u = srp.scrambler(client.large_a_value, big_b)
    key = srp.session_key(srp.server_secret(client.large_a_value, verifier, u, b), u)
    expected = srp.signature(key, "AbCdEf123", "alice", b"opaque block bytes",
                             answer["TIMESTAMP"])
    assert base64.b64decode(answer["PASSWORD_CLAIM_SIGNATURE"]) == expected


@pytest.mark.parametrize("moment", [dt.datetime(2024, 3, 5, 7, 8, 9, tzinfo=dt.UTC),
                                    dt.datetime(2023, 12, 31, 23, 59, 59, tzinfo=dt.UTC),
                                    dt.datetime(2025, 1, 10, 0, 0, 0, tzinfo=dt.UTC)])
def test_timestamp_format_matches_pycognito_and_parses_back(moment: dt.datetime) -> None:
    text = srp.format_timestamp(moment)
    assert text == AWSSRP.get_cognito_formatted_timestamp(moment)
    assert srp.parse_timestamp(text) == moment


@pytest.mark.parametrize("text", ["2024-03-05T07:08:09Z", "Tue Mar 5 07:08:09 GMT 2024",
                                  "Tue Mar 32 07:08:09 UTC 2024", "Tue Foo 5 07:08:09 UTC 2024",
                                  "Tue Mar 5 25:08:09 UTC 2024", "mar 5 07:08:09 UTC 2024", ""])
def test_malformed_timestamps_do_not_parse(text: str) -> None:
    assert srp.parse_timestamp(text) is None


@pytest.mark.parametrize("value", ["0", "00", srp.N_HEX, srp.hexstr(2 * srp.N), "xyz",
                                   "12 34", "1" * (len(srp.N_HEX) + 3), ""],
                         ids=["zero", "zero-padded", "n", "2n", "not-hex", "space", "too-long",
                              "empty"])
def test_public_values_that_are_zero_mod_n_or_malformed_are_refused(value: str) -> None:
    assert srp.parse_public(value) is None


@pytest.mark.parametrize(("big_a", "verifier", "u", "b"), [
    (pow(2, 2 ** 1000 + 7, srp.N), pow(2, 2 ** 255 + 3, srp.N), 2 ** 255 + 11, 2 ** 256 - 1),
    (srp.N + 5, srp.N - 1, 1, 1),  # an A above N is accepted; it is used reduced
    (2, 1, 0, 2 ** 200 + 1),
    (int(srp.MAX_PUBLIC_HEX * "f", 16), 3, 2 ** 256 - 1, 12345),
], ids=["typical", "a-above-n", "u-zero", "largest-a"])
def test_exponentiation_agrees_with_pythons_pow(big_a: int, verifier: int, u: int,
                                                b: int) -> None:
    n = srp.N
    big_b = srp.server_public(verifier, b)
    assert big_b == (srp.K * verifier + pow(2, b, n)) % n and type(big_b) is int
    secret = srp.server_secret(big_a, verifier, u, b)
    assert secret == pow(big_a * pow(verifier, u, n) % n, b, n) and type(secret) is int


def test_verifier_exponent_of_zero_gives_one(monkeypatch: pytest.MonkeyPatch) -> None:
    # GMP's constant-time power refuses an exponent of 0; g^0 is still 1.
    monkeypatch.setattr(srp, "compute_x", lambda *args: 0)
    assert srp.make_verifier("5a" * 16, "AbCdEf123", "alice", PASSWORD) == "01"


# Storage ----------------------------------------------------------------------------------------

def test_verifier_is_encrypted_at_rest_and_is_g_to_the_x(pool: UserPool) -> None:
    user = create(pool)
    assert user.srp_salt and user.srp_verifier
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT srp_salt, srp_verifier FROM {PoolUser._meta.db_table} "  # noqa: S608
                       "WHERE id = %s", [user.pk])
        raw_salt, raw_verifier = cursor.fetchone()
    assert raw_salt == user.srp_salt  # the salt is public: it goes out in every challenge
    assert raw_verifier != user.srp_verifier and user.srp_verifier not in raw_verifier
    assert decrypt(raw_verifier) == user.srp_verifier
    x = aws_srp.hex_to_long(aws_srp.hex_hash(aws_srp.pad_hex(user.srp_salt) + aws_srp.hash_sha256(
        f"{pool.pool_name_suffix}alice:{PASSWORD}".encode())))
    assert int(user.srp_verifier, 16) == pow(2, x, srp.N)


@pytest.mark.parametrize(("random_bytes", "expected"), [
    (b"\x00\x00" + b"\x7a" * 14, "7a" * 14),
    (b"\x00\x80" + b"\x11" * 14, "0080" + "11" * 14),
    (b"\x00\x0f" + b"\x22" * 14, "0f" + "22" * 14),
    (b"\x9c" * 16, "00" + "9c" * 16),
], ids=["leading-zero-bytes", "zero-then-high-bit", "zero-then-low-nibble", "high-bit"])
def test_salt_is_canonical_and_works_for_pycognito(pool: UserPool, client: AppClient,
                                                   monkeypatch: pytest.MonkeyPatch,
                                                   random_bytes: bytes, expected: str) -> None:
    real = srp.secrets.token_bytes
    monkeypatch.setattr(srp.secrets, "token_bytes",
                        lambda n: random_bytes if n == srp.SALT_BYTES else real(n))
    user = create(pool)
    assert user.srp_salt == expected
    # Amplify parses SALT to an integer and pads it again: the same string must come back.
    assert srp.pad(srp.hexstr(int(user.srp_salt, 16))) == user.srp_salt
    params, _ = challenge(srp_client(client))
    assert params["SALT"] == expected
    assert "AccessToken" in sign_in(srp_client(client))["AuthenticationResult"]


def test_password_change_replaces_salt_and_verifier(pool: UserPool, client: AppClient) -> None:
    user = create(pool)
    before = (user.srp_salt, user.srp_verifier)
    recovery.change_password(user, PASSWORD, NEW_PASSWORD)
    after = reload(user)
    assert after.srp_salt != before[0] and after.srp_verifier != before[1]
    assert error_of(lambda: sign_in(srp_client(client))) == INCORRECT
    assert "AccessToken" in sign_in(srp_client(client, password=NEW_PASSWORD))[
        "AuthenticationResult"]


def test_every_password_set_leaves_a_working_verifier(pool: UserPool, client: AppClient,
                                                      make_client: Any) -> None:
    signup.sign_up(client, "bob", PASSWORD, [{"Name": "email", "Value": "bob@example.com"}])
    signup.admin_confirm_sign_up(users.get_user(pool, "bob"))
    assert "AuthenticationResult" in sign_in(srp_client(client, "bob"))

    user = create(pool)
    admin_users.admin_set_user_password(user, NEW_PASSWORD, permanent=True)
    assert "AuthenticationResult" in sign_in(srp_client(client, password=NEW_PASSWORD))

    recovery.forgot_password(client, "alice")
    recovery.confirm_forgot_password(client, "alice", last_code(EMAIL), "Th1rd-Passw0rd!")
    assert "AuthenticationResult" in sign_in(srp_client(client, password="Th1rd-Passw0rd!"))
    assert error_of(lambda: sign_in(srp_client(client, password=NEW_PASSWORD))) == INCORRECT


def test_a_migrated_password_works_for_srp(pool: UserPool, client: AppClient) -> None:
    def migrate(sender: Any, event: dict[str, Any], **kwargs: Any) -> None:
        if event["request"].get("password") == PASSWORD:
            event["response"].update(userAttributes={"email": EMAIL, "email_verified": "true"},
                                     finalUserStatus="CONFIRMED")

    signals.user_migration.connect(migrate, sender=UserPool, weak=False)
    try:
        result = signin.initiate_auth(client, "USER_PASSWORD_AUTH",
                                    {"USERNAME": "carol", "PASSWORD": PASSWORD})
    finally:
        signals.user_migration.disconnect(migrate, sender=UserPool)
    assert result.tokens is not None
    assert reload(users.get_user(pool, "carol")).srp_verifier
    assert "AuthenticationResult" in sign_in(srp_client(client, "carol"))


def test_a_user_without_a_verifier_is_refused_without_an_error(pool: UserPool,
                                                               client: AppClient) -> None:
    user = users.new_user(pool, "imported", {"email": EMAIL, "email_verified": "true"})
    user.status = UserStatus.RESET_REQUIRED
    users.insert_user(user)
    assert reload(user).srp_verifier is None
    params, _ = challenge(srp_client(client, "imported"))
    assert params["USER_ID_FOR_SRP"] == "imported"
    assert error_of(lambda: sign_in(srp_client(client, "imported"))) == INCORRECT
    assert error_of(lambda: sign_in(srp_client(client, "imported", ""))) == INCORRECT


# The flow ---------------------------------------------------------------------------------------

def test_correct_password_gets_tokens(pool: UserPool, client: AppClient) -> None:
    user = create(pool)
    aws = srp_client(client)
    params, _ = challenge(aws)
    assert set(params) == {"SALT", "SRP_B", "SECRET_BLOCK", "USER_ID_FOR_SRP", "USERNAME"}
    assert params["USER_ID_FOR_SRP"] == params["USERNAME"] == "alice"
    assert params["SALT"] == user.srp_salt
    assert int(params["SRP_B"], 16) % srp.N != 0
    assert params["SRP_B"] == srp.hexstr(int(params["SRP_B"], 16))
    result = aws.authenticate_user()
    tokens = result["AuthenticationResult"]
    assert claims(tokens["AccessToken"])["username"] == "alice"
    assert claims(tokens["IdToken"])["sub"] == str(user.sub)
    assert claims(tokens["IdToken"])["aud"] == client.id
    assert tokens["RefreshToken"]


class _PowerSpy:
    """Records the exponent of every modular power srp computes, by GMP routine."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.public: list[int] = []
        self.secret: list[int] = []
        real = srp.gmpy2

        def powmod(base: int, exponent: int, modulus: int) -> Any:
            self.public.append(int(exponent))
            return real.powmod(base, exponent, modulus)

        def powmod_sec(base: int, exponent: int, modulus: int) -> Any:
            self.secret.append(int(exponent))
            return real.powmod_sec(base, exponent, modulus)

        monkeypatch.setattr(srp, "gmpy2", SimpleNamespace(powmod=powmod, powmod_sec=powmod_sec))

    def clear(self) -> None:
        self.public.clear()
        self.secret.clear()


def test_secret_exponents_go_through_the_constant_time_power(
        pool: UserPool, make_client: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    spy = _PowerSpy(monkeypatch)
    user = create(pool)
    x = srp.compute_x(user.srp_salt, pool.pool_name_suffix, "alice", PASSWORD)
    assert x in spy.secret and not spy.public  # v = g^x: x comes from the password
    client = make_client(pool, explicit_auth_flows=SRP_FLOWS,
                         prevent_user_existence_errors="ENABLED")
    for username in ("alice", "nobody"):
        spy.clear()
        aws = srp_client(client, username)
        params, sent = challenge(aws)
        answers = aws.process_challenge(params, sent)
        block, _ = signin_srp.open_block(signin_srp.USER, answers["PASSWORD_CLAIM_SECRET_BLOCK"])
        assert spy.secret == [block.b] and not spy.public  # B = k·v + g^b
        spy.clear()
        if username == "alice":
            assert "AuthenticationResult" in respond(aws, answers)
        else:
            assert error_of(lambda a=aws, r=answers: respond(a, r)) == INCORRECT
        # S = (A·v^u)^b, for a simulated user too: the same work whoever asks.
        assert spy.secret == [block.b]
        assert spy.public == [srp.scrambler(block.big_a, block.big_b)]


def test_the_answer_reads_its_user_once_and_reuses_the_clients_pool(
        pool: UserPool, client: AppClient) -> None:
    create(pool)
    aws = srp_client(client)
    params, sent = challenge(aws)
    answers = aws.process_challenge(params, sent)
    client = AppClient.objects.select_related("pool").get(pk=client.pk)
    with CaptureQueriesContext(connection) as captured:
        result = signin.respond_to_auth_challenge(client, "PASSWORD_VERIFIER", answers, None)
    assert result.tokens is not None
    users_table, pools_table = PoolUser._meta.db_table, UserPool._meta.db_table
    reads = [q["sql"] for q in captured.captured_queries if q["sql"].startswith("SELECT")]
    assert len([sql for sql in reads if f'FROM "{users_table}"' in sql]) == 1
    assert not [sql for sql in reads if f'"{pools_table}"' in sql]


def test_admin_initiate_auth_uses_the_same_flow(pool: UserPool, client: AppClient) -> None:
    create(pool)
    tokens = srp_client(client, admin=True).authenticate_user()["AuthenticationResult"]
    assert claims(tokens["AccessToken"])["username"] == "alice"


def test_a_block_answers_only_through_the_api_that_issued_it(pool: UserPool,
                                                             client: AppClient) -> None:
    create(pool)
    aws = srp_client(client, admin=True)
    params, sent = challenge(aws)
    answers = aws.process_challenge(params, sent)
    assert error_of(lambda: srp_client(client).client.respond_to_auth_challenge(
        ClientId=client.id, ChallengeName="PASSWORD_VERIFIER",
        ChallengeResponses=answers)) == INVALID_SESSION


def test_wrong_password_is_refused_and_counts_toward_lockout(pool: UserPool,
                                                             client: AppClient) -> None:
    create(pool)
    for _ in range(4):
        assert error_of(lambda: sign_in(srp_client(client, password=WRONG))) == INCORRECT
    assert "AuthenticationResult" in sign_in(srp_client(client))  # success resets the count
    for _ in range(5):
        assert error_of(lambda: sign_in(srp_client(client, password=WRONG))) == INCORRECT
    locked = ("NotAuthorizedException", "Password attempts exceeded")
    assert error_of(lambda: sign_in(srp_client(client))) == locked
    clock.advance(dt.timedelta(seconds=2))
    assert "AuthenticationResult" in sign_in(srp_client(client))


def test_hidden_users_lock_as_real_ones_do(pool: UserPool, make_client: Any) -> None:
    """Under PreventUserExistenceErrors the lockout must not tell who exists: wrong answers
    for an unknown name lock it after as many failures, by password or by SRP alike."""
    clock.freeze()
    hiding = make_client(pool, explicit_auth_flows=["ALLOW_USER_SRP_AUTH",
                                                    "ALLOW_USER_PASSWORD_AUTH"],
                         prevent_user_existence_errors="ENABLED")
    create(pool)
    locked = ("NotAuthorizedException", "Password attempts exceeded")
    def by_password(username: str, password: str) -> Callable[[], object]:
        return lambda: Cognito().initiate_auth(
            ClientId=hiding.id, AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": username, "PASSWORD": password})

    def by_srp(username: str, password: str, step: Callable[[AWSSRP], object]
               ) -> Callable[[], object]:
        return lambda: step(srp_client(hiding, username, password))

    for username in ("alice", "ghost"):
        for _ in range(3):
            assert error_of(by_srp(username, WRONG, sign_in)) == INCORRECT
        for _ in range(2):
            assert error_of(by_password(username, WRONG)) == INCORRECT
        # The sixth try is refused at the first step, whichever flow it takes.
        assert error_of(by_srp(username, PASSWORD, challenge)) == locked
        assert error_of(by_password(username, PASSWORD)) == locked
    clock.advance(dt.timedelta(seconds=2))
    assert "AuthenticationResult" in sign_in(srp_client(hiding))
    assert error_of(lambda: sign_in(srp_client(hiding, "ghost"))) == INCORRECT
    # An answer naming someone else counts toward nobody's lock, real or hidden.
    clock.advance(dt.timedelta(minutes=16))
    for username in ("alice", "ghost"):
        for _ in range(6):
            aws = srp_client(hiding, username, WRONG)
            params, sent = challenge(aws)
            answers = {**aws.process_challenge(params, sent), "USERNAME": "somebody-else"}
            assert error_of(lambda: respond(aws, answers)) == INCORRECT  # noqa: B023
        assert challenge(srp_client(hiding, username))[0]["SRP_B"]  # not locked


def test_a_lock_reached_between_the_steps_refuses_the_right_answer(pool: UserPool,
                                                                   client: AppClient) -> None:
    create(pool)
    aws = srp_client(client)
    params, sent = challenge(aws)
    answers = aws.process_challenge(params, sent)
    for _ in range(5):
        error_of(lambda: sign_in(srp_client(client, password=WRONG)))
    assert error_of(lambda: respond(aws, answers)) == \
        ("NotAuthorizedException", "Password attempts exceeded")


def test_force_change_password_user_gets_new_password_required(pool: UserPool,
                                                               client: AppClient) -> None:
    create(pool, confirmed=False)
    aws = srp_client(client, password=TEMPORARY)
    with pytest.raises(ForceChangePasswordException):
        aws.authenticate_user()
    params, sent = challenge(aws)
    result = respond(aws, aws.process_challenge(params, sent))
    assert result["ChallengeName"] == "NEW_PASSWORD_REQUIRED" and result["Session"]
    assert result["ChallengeParameters"]["USER_ID_FOR_SRP"] == "alice"
    tokens = srp_client(client, password=TEMPORARY).set_new_password_challenge(NEW_PASSWORD)
    assert claims(tokens["AuthenticationResult"]["AccessToken"])["username"] == "alice"
    assert reload(users.get_user(pool, "alice")).status == UserStatus.CONFIRMED
    assert "AuthenticationResult" in sign_in(srp_client(client, password=NEW_PASSWORD))
    assert error_of(lambda: sign_in(srp_client(client, password=TEMPORARY))) == INCORRECT


@pytest.mark.parametrize(("change", "expected"), [
    ({"enabled": False}, ("NotAuthorizedException", "User is disabled.")),
    ({"status": UserStatus.UNCONFIRMED}, ("UserNotConfirmedException", "User is not confirmed.")),
])
def test_the_decision_order_applies_after_the_proof(pool: UserPool, client: AppClient,
                                                    change: dict[str, Any],
                                                    expected: tuple[str, str]) -> None:
    user = create(pool)
    PoolUser.objects.filter(pk=user.pk).update(**change)
    assert error_of(lambda: sign_in(srp_client(client, password=WRONG))) == INCORRECT
    assert error_of(lambda: sign_in(srp_client(client))) == expected


def test_email_username_pool_signs_in_with_the_email(make_pool: Any, make_client: Any) -> None:
    pool = make_pool(username_attributes=["email"])
    client = make_client(pool, explicit_auth_flows=SRP_FLOWS)
    user = create(pool, EMAIL, attributes={})
    assert user.username == str(user.sub)
    aws = srp_client(client, EMAIL)
    params, _ = challenge(aws)
    assert params["USER_ID_FOR_SRP"] == params["USERNAME"] == str(user.sub)
    tokens = aws.authenticate_user()["AuthenticationResult"]
    assert claims(tokens["AccessToken"])["username"] == str(user.sub)
    assert claims(tokens["IdToken"])["email"] == EMAIL


def test_client_secret_requires_secret_hash_on_both_steps(pool: UserPool,
                                                          make_client: Any) -> None:
    client = make_client(pool, explicit_auth_flows=SRP_FLOWS, generate_secret=True)
    assert client.secret
    create(pool)
    tokens = srp_client(client, secret=client.secret).authenticate_user()
    assert "AccessToken" in tokens["AuthenticationResult"]
    assert error_of(lambda: sign_in(srp_client(client))) == (
        "NotAuthorizedException",
        f"Client {client.id} is configured with secret but SECRET_HASH was not received")
    aws = srp_client(client, secret=client.secret)
    params, sent = challenge(aws)
    answers = aws.process_challenge(params, sent)
    answers["SECRET_HASH"] = AWSSRP.get_secret_hash("alice", client.id, "not-the-secret")
    assert error_of(lambda: respond(aws, answers)) == (
        "NotAuthorizedException", f"Unable to verify secret hash for client {client.id}")


def test_flow_must_be_enabled_for_the_client(pool: UserPool, make_client: Any) -> None:
    client = make_client(pool, explicit_auth_flows=["ALLOW_USER_PASSWORD_AUTH"])
    create(pool)
    expected = ("InvalidParameterException", "USER_SRP_AUTH flow not enabled for this client")
    assert error_of(lambda: sign_in(srp_client(client))) == expected
    assert error_of(lambda: sign_in(srp_client(client, admin=True))) == expected


def test_default_client_flows_include_srp(pool: UserPool, make_client: Any) -> None:
    create(pool)
    assert "AuthenticationResult" in sign_in(srp_client(make_client(pool)))


@pytest.mark.parametrize("srp_a", ["0", srp.N_HEX, srp.hexstr(3 * srp.N), "not-hex"],
                         ids=["zero", "n", "3n", "not-hex"])
def test_a_public_value_of_zero_mod_n_is_refused(pool: UserPool, client: AppClient,
                                                 srp_a: str) -> None:
    create(pool)
    aws = srp_client(client)
    assert error_of(lambda: aws.client.initiate_auth(
        ClientId=client.id, AuthFlow="USER_SRP_AUTH",
        AuthParameters={"USERNAME": "alice", "SRP_A": srp_a})) == (
        "InvalidParameterException", "SRP_A must be hex and not 0 mod N.")


@pytest.mark.parametrize("missing", ["USERNAME", "SRP_A"])
def test_initiate_requires_username_and_srp_a(pool: UserPool, client: AppClient,
                                              missing: str) -> None:
    aws = srp_client(client)
    params = aws.get_auth_params()
    del params[missing]
    assert error_of(lambda: aws.client.initiate_auth(
        ClientId=client.id, AuthFlow="USER_SRP_AUTH", AuthParameters=params)) == (
        "InvalidParameterException", f"Missing required parameter {missing}")


@pytest.mark.parametrize("missing", ["USERNAME", "PASSWORD_CLAIM_SECRET_BLOCK",
                                     "PASSWORD_CLAIM_SIGNATURE", "TIMESTAMP"])
def test_verifier_requires_every_answer(pool: UserPool, client: AppClient, missing: str) -> None:
    create(pool)
    aws = srp_client(client)
    params, sent = challenge(aws)
    answers = aws.process_challenge(params, sent)
    del answers[missing]
    assert error_of(lambda: respond(aws, answers)) == (
        "InvalidParameterException", f"Missing required parameter {missing}")


def test_pre_authentication_runs_at_initiate_with_its_client_metadata(
        pool: UserPool, client: AppClient) -> None:
    create(pool)
    seen: list[dict[str, Any]] = []

    def receiver(sender: Any, event: dict[str, Any], **kwargs: Any) -> None:
        seen.append(event["request"]["validationData"])
        if event["request"]["validationData"].get("deny"):
            raise TriggerRejected("not today")

    signals.pre_authentication.connect(receiver, sender=UserPool, weak=False)
    try:
        aws = srp_client(client)
        response = aws.client.initiate_auth(ClientId=client.id, AuthFlow="USER_SRP_AUTH",
                                            AuthParameters=aws.get_auth_params(),
                                            ClientMetadata={"app": "web"})
        assert seen == [{"app": "web"}]
        respond(aws, aws.process_challenge(response["ChallengeParameters"],
                                           aws.get_auth_params()))
        assert seen == [{"app": "web"}]  # not again at the verifier step
        assert error_of(lambda: aws.client.initiate_auth(
            ClientId=client.id, AuthFlow="USER_SRP_AUTH", AuthParameters=aws.get_auth_params(),
            ClientMetadata={"deny": "1"})) == (
            "UserLambdaValidationException", "PreAuthentication failed with error not today.")
    finally:
        signals.pre_authentication.disconnect(receiver, sender=UserPool)


# Tampering, freshness and replay ----------------------------------------------------------------

def test_tampered_secret_block_is_refused(pool: UserPool, client: AppClient) -> None:
    create(pool)
    aws = srp_client(client)
    params, sent = challenge(aws)
    params["SECRET_BLOCK"] = flip(params["SECRET_BLOCK"])  # the client signs what it received
    assert error_of(lambda: respond(aws, aws.process_challenge(params, sent))) == INVALID_SESSION
    params, sent = challenge(aws)
    answers = aws.process_challenge(params, sent)
    for forged in (flip(answers["PASSWORD_CLAIM_SECRET_BLOCK"]), "bm90IGEgYmxvY2s=", "%%%",
                   "A" * 5000):
        answers["PASSWORD_CLAIM_SECRET_BLOCK"] = forged
        assert error_of(lambda: respond(aws, answers)) == INVALID_SESSION
    assert "AuthenticationResult" in sign_in(srp_client(client))  # none of that locked alice


def test_tampered_signature_is_refused_and_counted(pool: UserPool, client: AppClient) -> None:
    create(pool)
    for forged in ("A" * 44, "not base64!", "ünïcödé"):
        aws = srp_client(client)
        params, sent = challenge(aws)
        answers = {**aws.process_challenge(params, sent), "PASSWORD_CLAIM_SIGNATURE": forged}
        assert error_of(lambda a=aws, r=answers: respond(a, r)) == INCORRECT
    aws = srp_client(client)
    params, sent = challenge(aws)
    answers = aws.process_challenge(params, sent)
    signature = bytearray(base64.b64decode(answers["PASSWORD_CLAIM_SIGNATURE"]))
    signature[0] ^= 0x80
    answers["PASSWORD_CLAIM_SIGNATURE"] = base64.b64encode(bytes(signature)).decode()
    assert error_of(lambda: respond(aws, answers)) == INCORRECT
    error_of(lambda: sign_in(srp_client(client, password=WRONG)))  # the fifth failure
    assert error_of(lambda: sign_in(srp_client(client))) == \
        ("NotAuthorizedException", "Password attempts exceeded")


def test_signature_over_another_timestamp_is_refused(pool: UserPool, client: AppClient) -> None:
    create(pool)
    aws = srp_client(client)
    params, sent = challenge(aws)
    answers = aws.process_challenge(params, sent)
    answers["TIMESTAMP"] = srp.format_timestamp(clock.now() + dt.timedelta(seconds=1))
    assert error_of(lambda: respond(aws, answers)) == INCORRECT


@pytest.mark.parametrize("skew", [dt.timedelta(minutes=-6), dt.timedelta(minutes=6)])
def test_timestamp_outside_the_window_is_refused(pool: UserPool, client: AppClient,
                                                 skew: dt.timedelta) -> None:
    create(pool)
    _ClientClock.skew = skew
    for _ in range(6):  # a stale or future proof is not a password guess: no lockout
        assert error_of(lambda: sign_in(srp_client(client))) == INCORRECT
    _ClientClock.skew = skew * 4 / 6  # four minutes off is within the window
    assert "AuthenticationResult" in sign_in(srp_client(client))


def test_malformed_timestamp_is_an_invalid_parameter(pool: UserPool, client: AppClient) -> None:
    create(pool)
    aws = srp_client(client)
    params, sent = challenge(aws)
    answers = aws.process_challenge(params, sent)
    answers["TIMESTAMP"] = clock.now().isoformat()
    assert error_of(lambda: respond(aws, answers)) == (
        "InvalidParameterException",
        "TIMESTAMP format should be EEE MMM d HH:mm:ss z yyyy in english.")


def test_block_answered_after_its_validity_is_refused(pool: UserPool, client: AppClient) -> None:
    create(pool)
    aws = srp_client(client)
    params, sent = challenge(aws)
    clock.advance(dt.timedelta(minutes=4))
    assert "AuthenticationResult" in respond(aws, aws.process_challenge(params, sent))
    params, sent = challenge(aws)
    clock.advance(dt.timedelta(minutes=5, seconds=1))
    assert error_of(lambda: respond(aws, aws.process_challenge(params, sent))) == (
        "NotAuthorizedException", "Invalid session for the user, session is expired.")


def test_a_block_answers_once(pool: UserPool, client: AppClient) -> None:
    create(pool)
    aws = srp_client(client)
    params, sent = challenge(aws)
    answers = aws.process_challenge(params, sent)
    assert "AuthenticationResult" in respond(aws, answers)
    assert error_of(lambda: respond(aws, answers)) == INCORRECT


def test_block_from_another_client_or_pool_is_refused(pool: UserPool, client: AppClient,
                                                      make_pool: Any, make_client: Any) -> None:
    create(pool)
    sibling = make_client(pool, name="sibling", explicit_auth_flows=SRP_FLOWS)
    other_pool = make_pool(name="other")
    stranger = make_client(other_pool, explicit_auth_flows=SRP_FLOWS)
    create(other_pool)
    aws = srp_client(client)
    params, sent = challenge(aws)
    answers = aws.process_challenge(params, sent)
    assert error_of(lambda: respond(aws, answers, sibling.id)) == INVALID_SESSION
    assert error_of(lambda: respond(aws, answers, stranger.id)) == INVALID_SESSION
    assert "AuthenticationResult" in respond(aws, answers)  # still good where it belongs


def test_answer_naming_another_user_is_refused(pool: UserPool, client: AppClient) -> None:
    create(pool)
    create(pool, "bob", attributes={})
    aws = srp_client(client)
    params, sent = challenge(aws)
    answers = aws.process_challenge(params, sent)
    answers["USERNAME"] = "bob"
    assert error_of(lambda: respond(aws, answers)) == INCORRECT


def test_answer_may_name_the_user_by_alias(make_pool: Any, make_client: Any) -> None:
    pool = make_pool(alias_attributes=["email"])
    client = make_client(pool, explicit_auth_flows=SRP_FLOWS)
    create(pool)
    aws = srp_client(client, EMAIL)
    params, sent = challenge(aws)
    assert params["USER_ID_FOR_SRP"] == "alice"
    answers = aws.process_challenge(params, sent)
    answers["USERNAME"] = EMAIL
    assert "AuthenticationResult" in respond(aws, answers)


# Unknown users ----------------------------------------------------------------------------------

def test_unknown_user_with_prevent_user_existence_errors_gets_a_stable_fake_challenge(
        pool: UserPool, make_client: Any) -> None:
    client = make_client(pool, explicit_auth_flows=SRP_FLOWS,
                         prevent_user_existence_errors="ENABLED")
    create(pool)
    first, _ = challenge(srp_client(client, "nobody"))
    second, _ = challenge(srp_client(client, "nobody"))
    other, _ = challenge(srp_client(client, "somebody"))
    real, _ = challenge(srp_client(client, "alice"))
    assert set(first) == set(real)
    assert first["SALT"] == second["SALT"] and first["USER_ID_FOR_SRP"] == second["USER_ID_FOR_SRP"]
    assert first["SRP_B"] != second["SRP_B"]
    assert other["SALT"] != first["SALT"] and other["USER_ID_FOR_SRP"] != first["USER_ID_FOR_SRP"]
    # As a real user's: the username itself, in a pool of plain usernames.
    assert real["USER_ID_FOR_SRP"] == real["USERNAME"] == "alice"
    assert first["USER_ID_FOR_SRP"] == first["USERNAME"] == "nobody"
    assert srp.pad(srp.hexstr(int(first["SALT"], 16))) == first["SALT"]
    assert error_of(lambda: sign_in(srp_client(client, "nobody"))) == INCORRECT
    assert not PoolUser.objects.filter(username="nobody").exists()


def test_unknown_user_of_an_email_username_pool_gets_a_uuid_as_real_ones_do(
        make_pool: Any, make_client: Any) -> None:
    pool = make_pool(username_attributes=["email"])
    client = make_client(pool, explicit_auth_flows=SRP_FLOWS,
                         prevent_user_existence_errors="ENABLED")
    create(pool, "alice@example.com", attributes={"email": "alice@example.com"})
    real, _ = challenge(srp_client(client, "alice@example.com"))
    hidden, _ = challenge(srp_client(client, "nobody@example.com"))
    for params in (real, hidden):
        assert str(uuid.UUID(params["USER_ID_FOR_SRP"])) == params["USER_ID_FOR_SRP"]
        assert params["USERNAME"] == params["USER_ID_FOR_SRP"]
    assert challenge(srp_client(client, "nobody@example.com"))[0]["USER_ID_FOR_SRP"] == \
        hidden["USER_ID_FOR_SRP"]
    assert error_of(lambda: sign_in(srp_client(client, "nobody@example.com"))) == INCORRECT


def test_unknown_user_under_legacy_is_not_found(pool: UserPool, client: AppClient) -> None:
    assert error_of(lambda: sign_in(srp_client(client, "nobody"))) == \
        ("UserNotFoundException", "User does not exist.")
