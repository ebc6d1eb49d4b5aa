"""System checks: every id, when it fires, and that it carries a hint."""

from __future__ import annotations

from typing import Any

import pytest
from cryptography.fernet import Fernet
from django.core.checks import CheckMessage, Error, Tags, Warning, run_checks
from django.db import connections
from django.test import override_settings

from django_cognito import checks
from django_cognito.models import UserPool

# Fixed, so parametrized test ids agree across pytest-xdist workers.
KEY = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="
SMTP = "django.core.mail.backends.smtp.EmailBackend"
DUMMY = "django.core.mail.backends.dummy.EmailBackend"
SENDER = "tests.project.test_checks.sms_sender"
NOT_CALLABLE = 42
SHARED_CACHE = "django.core.cache.backends.redis.RedisCache"
# A production configuration that raises nothing.
CLEAN = {"PUBLIC_BASE_URL": "https://auth.example.com", "REGION": "eu-west-1",
         "SMS_SENDER": SENDER, "ENCRYPTION_KEYS": [KEY]}


def sms_sender(phone_number: str, message: str, *, pool: UserPool, purpose: str) -> None:
    """A stand-in production SMS sender."""


def shared_caches(backend: str = SHARED_CACHE) -> dict[str, Any]:
    """Cache settings naming ``backend`` (checks read them; nothing connects)."""
    return {alias: {"BACKEND": backend, "LOCATION": "redis://127.0.0.1:1"}
            for alias in ("default", "limits")}


# A SECRET_KEY as a deployment has one: long and random.
STRONG_SECRET_KEY = "q8Vn2Lr5xT0wZ3kE7bH1mY6cJ9pD4sG0aF2uN8iK5oR3tW7eQ1vX6zB4yM9hL2jC"


def settings_messages(cognito: Any, *, debug: bool = False, email_backend: str = SMTP,
                      cache_backend: str = SHARED_CACHE,
                      secret_key: str = STRONG_SECRET_KEY) -> list[CheckMessage]:
    with override_settings(COGNITO=cognito, DEBUG=debug, EMAIL_BACKEND=email_backend,
                           CACHES=shared_caches(cache_backend), SECRET_KEY=secret_key):
        return checks.check_settings()


def ids(messages: list[CheckMessage]) -> list[str]:
    return sorted(m.id for m in messages)


def test_clean_production_settings_pass() -> None:
    assert settings_messages(CLEAN) == []


def test_development_settings_pass_with_debug() -> None:
    assert settings_messages({"PUBLIC_BASE_URL": "http://127.0.0.1:8000"}, debug=True,
                             email_backend="django.core.mail.backends.console.EmailBackend") == []


@pytest.mark.parametrize("cognito", ["x", ["PUBLIC_BASE_URL"], 1])
def test_e001_cognito_not_a_dict(cognito: Any) -> None:
    messages = settings_messages(cognito)
    assert ids(messages) == ["cognito.E001"]
    assert isinstance(messages[0], Error)
    assert messages[0].msg == "settings.COGNITO must be a dict."


def test_cognito_none_reads_as_empty() -> None:
    assert ids(settings_messages(None)) == ["cognito.W001", "cognito.W004", "cognito.W005"]


def test_e002_unknown_setting() -> None:
    messages = settings_messages({**CLEAN, "PUBLIC_URL": "x", "REGIONS": []})
    assert ids(messages) == ["cognito.E002"]
    assert messages[0].msg == "Unknown COGNITO settings: PUBLIC_URL, REGIONS."
    assert "PUBLIC_BASE_URL" in messages[0].hint and "REGION" in messages[0].hint


@pytest.mark.parametrize(("key", "value", "problem"), [
    ("SMS_SENDER", "nowhere.sender", "cannot be imported: No module named 'nowhere'"),
    ("SMS_SENDER", "tests.project.test_checks.missing",
     'cannot be imported: Module "tests.project.test_checks" does not define a "missing" '
     "attribute/class"),
    ("SMS_SENDER", None, "must be a dotted path string, not NoneType"),
    ("SMS_SENDER", "tests.project.test_checks.NOT_CALLABLE",
     "names tests.project.test_checks.NOT_CALLABLE, which is not callable"),
    ("ADAPTER", "adapter", "cannot be imported: adapter doesn't look like a module path"),
    ("ADAPTER", ["django_cognito.adapter.DefaultAdapter"],
     "must be a dotted path string, not list"),
])
def test_e003_dotted_paths(key: str, value: Any, problem: str) -> None:
    messages = settings_messages({**CLEAN, key: value}, debug=True)
    assert ids(messages) == ["cognito.E003"]
    assert messages[0].msg == f"COGNITO['{key}'] {problem}."
    assert messages[0].hint == checks.DOTTED_PATH_HINTS[key]


def test_e003_accepts_the_default_adapter_and_sender() -> None:
    assert settings_messages({"SMS_SENDER": checks.DEVELOPMENT_SMS_SENDER,
                              "ADAPTER": "django_cognito.adapter.DefaultAdapter"},
                             debug=True) == []


@pytest.mark.parametrize(("keys", "message"), [
    (["not-a-fernet-key"], "COGNITO['ENCRYPTION_KEYS'] is invalid: "),
    ([KEY, "short"], "COGNITO['ENCRYPTION_KEYS'] is invalid: "),
    (KEY, "COGNITO['ENCRYPTION_KEYS'] must be a list of Fernet keys."),
    ([KEY, 7], "COGNITO['ENCRYPTION_KEYS'] must be a list of Fernet keys."),
])
def test_e004_encryption_keys(keys: Any, message: str) -> None:
    messages = settings_messages({**CLEAN, "ENCRYPTION_KEYS": keys})
    assert ids(messages) == ["cognito.E004"]
    assert messages[0].msg.startswith(message)
    assert "Fernet.generate_key()" in messages[0].hint


def test_e004_none_is_an_error_not_a_crash() -> None:
    assert ids(settings_messages({**CLEAN, "ENCRYPTION_KEYS": None})) == [
        "cognito.E004", "cognito.W005"]


def test_e004_accepts_rotated_keys() -> None:
    assert settings_messages({**CLEAN, "ENCRYPTION_KEYS": [Fernet.generate_key(), KEY]}) == []


@pytest.mark.parametrize("base", ["auth.example.com", "ftp://auth.example.com",
                                  "https://auth.example.com/?x=1", "https://auth.example.com#a",
                                  "https://", 42])
def test_e005_public_base_url_malformed(base: Any) -> None:
    messages = settings_messages({**CLEAN, "PUBLIC_BASE_URL": base})
    assert ids(messages) == ["cognito.E005"]
    assert messages[0].msg == f"COGNITO['PUBLIC_BASE_URL'] is {base!r}, not an absolute " \
                              "http(s) URL."


@pytest.mark.parametrize("base", ["https://auth.example.com/cognito",
                                  "https://auth.example.com:8443/"])
def test_e005_accepts_prefixes_and_ports(base: str) -> None:
    assert settings_messages({**CLEAN, "PUBLIC_BASE_URL": base}) == []


def test_e006_unknown_cache_alias() -> None:
    messages = settings_messages({**CLEAN, "CACHE_ALIAS": "redis"})
    assert ids(messages) == ["cognito.E006"]
    assert messages[0].msg == "COGNITO['CACHE_ALIAS'] is 'redis', which is not in " \
                              "settings.CACHES."


def test_e006_accepts_a_configured_alias() -> None:
    assert settings_messages({**CLEAN, "CACHE_ALIAS": "limits"}) == []


@pytest.mark.parametrize(("key", "value", "message"), [
    ("CODE_MAX_ATTEMPTS", 0, "COGNITO['CODE_MAX_ATTEMPTS'] must be an integer of at least 1."),
    ("CODE_MAX_ATTEMPTS", "5", "COGNITO['CODE_MAX_ATTEMPTS'] must be an integer of at least 1."),
    ("CODE_MAX_ATTEMPTS", True, "COGNITO['CODE_MAX_ATTEMPTS'] must be an integer of at least 1."),
    ("PAGINATION_TOKEN_TTL", -1,
     "COGNITO['PAGINATION_TOKEN_TTL'] must be an integer of at least 1."),
    ("RATE_LIMITS", [], "COGNITO['RATE_LIMITS'] must map operation names to attempts per hour."),
    ("RATE_LIMITS", None,
     "COGNITO['RATE_LIMITS'] must map operation names to attempts per hour."),
    ("RATE_LIMITS", {"ConfirmSignUp": -1},
     "COGNITO['RATE_LIMITS'] must map operation names to attempts per hour."),
    ("RATE_LIMITS", {"ConfirmSignUp": "15"},
     "COGNITO['RATE_LIMITS'] must map operation names to attempts per hour."),
])
def test_e007_limits(key: str, value: Any, message: str) -> None:
    messages = settings_messages({**CLEAN, key: value})
    assert ids(messages) == ["cognito.E007"]
    assert messages[0].msg == message


def test_e007_accepts_lifted_caps() -> None:
    limits = {"ConfirmSignUp": 0, "ForgotPassword": None, "ChangePassword": 3}
    assert settings_messages({**CLEAN, "RATE_LIMITS": limits, "CODE_MAX_ATTEMPTS": 3,
                              "PAGINATION_TOKEN_TTL": 60}) == []


@pytest.mark.parametrize("region", ["local", "US-EAST-1", "us-east-10", "us_east_1", "", None])
def test_w006_region_shape(region: Any) -> None:
    messages = settings_messages({**CLEAN, "REGION": region}, debug=True)
    assert ids(messages) == ["cognito.W006"]
    assert messages[0].msg == f"COGNITO['REGION'] is {region!r}, not an AWS region name."


@pytest.mark.parametrize("region", ["us-east-1", "us-gov-west-1", "ap-southeast-2"])
def test_w006_accepts_aws_regions(region: str) -> None:
    assert settings_messages({**CLEAN, "REGION": region}) == []


def test_w001_public_base_url_unset_in_production() -> None:
    config = {**CLEAN, "PUBLIC_BASE_URL": ""}
    assert ids(settings_messages(config)) == ["cognito.W001"]
    assert settings_messages(config, debug=True) == []


def test_w002_http_in_production() -> None:
    config = {**CLEAN, "PUBLIC_BASE_URL": "http://auth.example.com"}
    messages = settings_messages(config)
    assert ids(messages) == ["cognito.W002"]
    assert isinstance(messages[0], Warning)
    assert settings_messages(config, debug=True) == []


@pytest.mark.parametrize("backend", sorted(checks.DEVELOPMENT_EMAIL_BACKENDS))
def test_w003_development_email_backend_in_production(backend: str) -> None:
    messages = settings_messages(CLEAN, email_backend=backend)
    assert ids(messages) == ["cognito.W003"]
    assert backend in messages[0].msg
    assert settings_messages(CLEAN, debug=True, email_backend=backend) == []


def test_w004_development_sms_sender_in_production() -> None:
    config = {**CLEAN, "SMS_SENDER": checks.DEVELOPMENT_SMS_SENDER}
    assert ids(settings_messages(config)) == ["cognito.W004"]
    assert settings_messages(config, debug=True) == []


@pytest.mark.parametrize("backend", [checks.LOCMEM_CACHE, checks.DUMMY_CACHE])
def test_w007_per_process_cache_in_production(backend: str) -> None:
    messages = settings_messages(CLEAN, cache_backend=backend)
    assert ids(messages) == ["cognito.W007"]
    assert backend.rsplit(".", 1)[1] in messages[0].msg and "Redis" in str(messages[0].hint)
    assert settings_messages(CLEAN, debug=True, cache_backend=backend) == []


def test_w005_no_encryption_keys_in_production() -> None:
    config = {**CLEAN, "ENCRYPTION_KEYS": []}
    assert ids(settings_messages(config)) == ["cognito.W005"]
    assert settings_messages(config, debug=True) == []


def test_w008_sessions_from_tokens_need_the_middleware_that_ends_them() -> None:
    backends = ["django_cognito.backends.CognitoTokenBackend"]
    middleware = ["django.contrib.sessions.middleware.SessionMiddleware",
                  "django.contrib.auth.middleware.AuthenticationMiddleware"]
    with override_settings(AUTHENTICATION_BACKENDS=backends, MIDDLEWARE=middleware):
        messages = checks.check_settings()
    assert [m.id for m in messages if m.id == "cognito.W008"] == ["cognito.W008"]
    with override_settings(AUTHENTICATION_BACKENDS=backends, MIDDLEWARE=[
            *middleware, "django_cognito.backends.TokenSessionMiddleware"]):
        assert "cognito.W008" not in [m.id for m in checks.check_settings()]


@pytest.mark.parametrize("secret_key", [
    "test-secret-key-not-for-production", "dev-only-insecure-secret-key-change-me",
    "django-insecure-" + "x" * 60, "ab" * 40])
def test_e008_keys_derived_from_a_guessable_secret_key(secret_key: str) -> None:
    """Without ENCRYPTION_KEYS every sealing key derives from SECRET_KEY: a short or default
    one is an error in production, where it was a warning."""
    config = {**CLEAN, "ENCRYPTION_KEYS": []}
    assert ids(settings_messages(config, secret_key=secret_key)) == ["cognito.E008"]
    assert settings_messages(config, secret_key=secret_key)[0].is_serious()
    assert settings_messages(config, debug=True, secret_key=secret_key) == []
    assert settings_messages(CLEAN, secret_key=secret_key) == []  # keys of its own: fine


def test_every_settings_message_has_an_id_and_a_hint() -> None:
    broken = {"PUBLIC_BASE_URL": "http://x", "SMS_SENDER": None, "ADAPTER": "x",
              "ENCRYPTION_KEYS": [], "CACHE_ALIAS": "nope", "CODE_MAX_ATTEMPTS": 0,
              "RATE_LIMITS": [], "REGION": "local", "UNKNOWN": 1}
    messages = settings_messages(broken, email_backend=DUMMY) + settings_messages("x") + \
        settings_messages({"PUBLIC_BASE_URL": "", "ENCRYPTION_KEYS": ["bad"],
                           "SMS_SENDER": checks.DEVELOPMENT_SMS_SENDER}) + \
        settings_messages({"PUBLIC_BASE_URL": "nope"})
    assert set(ids(messages)) == {f"cognito.E00{n}" for n in range(1, 8)} | {
        f"cognito.W00{n}" for n in range(1, 7)}
    for message in messages:
        assert message.hint and message.hint.strip().endswith("."), message


def test_settings_check_is_registered() -> None:
    with override_settings(COGNITO={**CLEAN, "TYPO": 1}, DEBUG=False, EMAIL_BACKEND=SMTP,
                           CACHES=shared_caches()):
        found = [m for m in run_checks() if m.id.startswith("cognito.")]
    assert ids(found) == ["cognito.E002"]


# Database-tagged checks ----------------------------------------------------------------------

@pytest.mark.django_db
def test_pool_checks_need_a_database(make_pool: Any) -> None:
    make_pool(auto_verified_attributes=["email"])
    with override_settings(EMAIL_BACKEND=DUMMY):
        assert checks.check_pools() == []
        assert checks.check_pools(databases=None) == []


@pytest.mark.django_db
def test_w010_pool_verifies_email_but_mail_is_discarded(make_pool: Any) -> None:
    pool = make_pool(name="mail", auto_verified_attributes=["email"])
    make_pool(name="none", auto_verified_attributes=[])
    with override_settings(EMAIL_BACKEND=DUMMY, DEBUG=True):
        messages = checks.check_pools(databases=["default"])
    assert ids(messages) == ["cognito.W010"]
    assert messages[0].obj == pool
    assert messages[0].msg == f"Pool {pool.id} verifies email but EMAIL_BACKEND discards mail."
    assert messages[0].hint
    with override_settings(EMAIL_BACKEND=SMTP):
        assert checks.check_pools(databases=["default"]) == []


@pytest.mark.django_db
def test_w011_pool_verifies_phone_with_the_development_sender(make_pool: Any) -> None:
    pool = make_pool(name="sms", auto_verified_attributes=["phone_number"])
    make_pool(name="mail", auto_verified_attributes=["email"])
    with override_settings(DEBUG=False, COGNITO={**CLEAN,
                                                 "SMS_SENDER": checks.DEVELOPMENT_SMS_SENDER}):
        messages = checks.check_pools(databases=["default"])
        assert ids(messages) == ["cognito.W011"]
        assert messages[0].obj == pool
        assert pool.id in messages[0].msg and "development sender" in messages[0].msg
        assert "SMS_SENDER" in messages[0].hint
        with override_settings(DEBUG=True):
            assert checks.check_pools(databases=["default"]) == []
    with override_settings(DEBUG=False, COGNITO=CLEAN):
        assert checks.check_pools(databases=["default"]) == []


@pytest.mark.django_db
def test_pool_checks_run_under_the_database_tag(make_pool: Any) -> None:
    pool = make_pool(auto_verified_attributes=["email", "phone_number"])
    with override_settings(EMAIL_BACKEND=DUMMY, DEBUG=False,
                           COGNITO={**CLEAN, "SMS_SENDER": checks.DEVELOPMENT_SMS_SENDER}):
        found = [m for m in run_checks(tags=[Tags.database], databases=["default"])
                 if m.id.startswith("cognito.")]
    assert ids(found) == ["cognito.W010", "cognito.W011"]
    assert all(m.obj == pool for m in found)


@pytest.mark.django_db
def test_pool_checks_skip_a_database_not_yet_migrated(make_pool: Any,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    # ``migrate`` runs the database checks before it creates the tables.
    make_pool(auto_verified_attributes=["email"])
    monkeypatch.setattr(connections["default"].introspection, "table_names",
                        lambda *args, **kwargs: [])
    with override_settings(EMAIL_BACKEND=DUMMY):
        assert checks.check_pools(databases=["default"]) == []


@pytest.mark.parametrize("value", [
    "eu-west-1_AbC123",                                           # not a list
    [["eu-west-1", "eu-west-1_AbC123"]],                           # an entry not a dict
    [{"region": "eu-west-1"}],                                     # no pool id
    [{"region": "eu-west-1", "user_pool_id": "us-east-1_AbC123"}],  # pool of another region
    [{"region": "eu-west-1", "user_pool_id": "eu-west-1_AbC123", "clients": ["x"]}],
    [{"region": "eu-west-1", "user_pool_id": "eu-west-1_AbC123", "client_ids": "x"}],
    [{"issuer": "https://idp.example.com"}],                       # no jwks_url
    [{"issuer": "https://idp.example.com", "jwks_url": "https://idp.example.com/jwks"}] * 2,
])
def test_e009_a_malformed_trusted_issuers_fails_the_check(value: object) -> None:
    """A shape the verifier refuses would answer every authenticated request with a 500;
    manage.py check says so first (issue 12, item 5)."""
    messages = settings_messages({**CLEAN, "TRUSTED_ISSUERS": value})
    assert [m.id for m in messages] == ["cognito.E009"]
    assert messages[0].hint and messages[0].is_serious()


@pytest.mark.parametrize("value", ["us-east-1_AbC123", [42], [{"client_ids": ["x"]}],
                                   [{"user_pool_id": "us-east-1_AbC123", "client_ids": "x"}]])
def test_e010_a_malformed_local_pools_fails_the_check(value: object) -> None:
    messages = settings_messages({**CLEAN, "LOCAL_POOLS": value})
    assert [m.id for m in messages] == ["cognito.E010"]
    assert messages[0].hint


def test_well_formed_trust_settings_pass() -> None:
    assert settings_messages({**CLEAN, "TRUSTED_ISSUERS": [
        {"region": "eu-west-1", "user_pool_id": "eu-west-1_AbC123", "client_ids": ["a"]},
        {"issuer": "https://idp.example.com", "jwks_url": "https://idp.example.com/jwks"}],
        "LOCAL_POOLS": ["us-east-1_AbC123", {"user_pool_id": "us-east-1_Other1",
                                             "client_ids": ["b"]}]}) == []
