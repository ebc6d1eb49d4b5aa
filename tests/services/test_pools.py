"""Pools and app clients: creation rules, defaults, validation, secrets at rest, deletion."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import override_settings

from django_cognito.exceptions import (
    InvalidParameterException,
    LimitExceededException,
    ResourceNotFoundException,
)
from django_cognito.models import (
    DEFAULT_EXPLICIT_AUTH_FLOWS,
    AppClient,
    Group,
    PoolUser,
    UserPool,
    UserStatus,
)
from django_cognito.services import groups, pool_config, pools, users
from django_cognito.services.pools import TOKEN_UNITS

pytestmark = pytest.mark.django_db

# aws-jwt-verify's pool id pattern (reference §0.2): clients derive the region from it.
POOL_ID_RE = re.compile(r"^[a-z]{2}-(gov-)?[a-z]+-\d_[a-zA-Z0-9]+$")


def create_pool_fails(message: str | None = None, **config: Any) -> InvalidParameterException:
    """Creating a pool with ``config`` raises InvalidParameterException and stores nothing."""
    before = UserPool.objects.count()
    name = config.pop("name", "pool")
    with pytest.raises(InvalidParameterException) as info:
        pools.create_user_pool(name, **config)
    assert UserPool.objects.count() == before
    if message is not None:
        assert info.value.message == message
    return info.value


def create_client_fails(pool: UserPool, message: str | None = None,
                        **config: Any) -> InvalidParameterException:
    """Creating a client with ``config`` raises InvalidParameterException and stores nothing."""
    name = config.pop("name", "app")
    with pytest.raises(InvalidParameterException) as info:
        pools.create_user_pool_client(pool, name, **config)
    assert not AppClient.objects.exists()
    if message is not None:
        assert info.value.message == message
    return info.value


def seconds(client: AppClient, token: str) -> int:
    """A client's validity for ``token`` (AccessToken, IdToken, RefreshToken) in seconds."""
    field = {"AccessToken": "access_token_validity", "IdToken": "id_token_validity",
             "RefreshToken": "refresh_token_validity"}[token]
    return int(getattr(client, field)) * TOKEN_UNITS[client.token_validity_units[token]]


# --- CreateUserPool: identity and defaults ---------------------------------------------------

def test_pool_id_has_the_aws_shape_and_the_configured_region() -> None:
    pool = pools.create_user_pool("shape")
    assert POOL_ID_RE.match(pool.id)
    assert pool.id.startswith("us-east-1_")
    assert len(pool.pool_name_suffix) == 9
    with override_settings(COGNITO={"REGION": "eu-west-2"}):
        other = pools.create_user_pool("elsewhere")
    assert other.id.startswith("eu-west-2_") and POOL_ID_RE.match(other.id)
    assert other.region == "eu-west-2"
    assert other.id != pool.id


def test_pool_defaults_follow_cognito() -> None:
    pool = UserPool.objects.get(pk=pools.create_user_pool("defaults").pk)
    assert (pool.minimum_length, pool.require_uppercase, pool.require_lowercase,
            pool.require_numbers, pool.require_symbols) == (8, True, True, True, True)
    assert pool.password_history_size == 0
    assert pool.temporary_password_validity_days == 7
    assert pool.mfa_configuration == "OFF"
    assert pool.case_sensitive is True
    assert pool.deletion_protection is False
    assert pool.user_pool_tier == "ESSENTIALS"
    assert pool.username_attributes == [] and pool.alias_attributes == []
    assert pool.auto_verified_attributes == []
    assert pool.account_recovery_setting == {}


@pytest.mark.parametrize("name", ["", "x" * 129, 7, None, "bad/name", "tab\x00"])
def test_pool_name_is_validated(name: Any) -> None:
    create_pool_fails("PoolName must be 1 to 128 characters.", name=name)


def test_pool_name_accepts_the_model_charset_and_128_characters() -> None:
    assert pools.create_user_pool("My pool+=,.@-_1").name == "My pool+=,.@-_1"
    assert len(pools.create_user_pool("p" * 128).name) == 128


def test_unknown_pool_setting_is_a_programming_error() -> None:
    with pytest.raises(TypeError):
        pools.create_user_pool("x", colour="blue")
    assert not UserPool.objects.exists()


# --- Password policy -------------------------------------------------------------------------

@pytest.mark.parametrize(("key", "low", "high"), [
    ("MinimumLength", 6, 99),
    ("PasswordHistorySize", 0, 24),
    ("TemporaryPasswordValidityDays", 0, 365),
])
def test_password_policy_ranges(key: str, low: int, high: int) -> None:
    message = f"{key} must be between {low} and {high}."
    for bad in (low - 1, high + 1, str(low), float(low), True, None):
        create_pool_fails(message, password_policy={key: bad})
    assert pools.create_user_pool("low", password_policy={key: low})
    assert pools.create_user_pool("high", password_policy={key: high})


def test_password_policy_values_are_stored() -> None:
    pool = pools.create_user_pool("policy", password_policy={
        "MinimumLength": 12, "RequireUppercase": False, "RequireLowercase": True,
        "RequireNumbers": False, "RequireSymbols": False, "PasswordHistorySize": 5,
        "TemporaryPasswordValidityDays": 30})
    pool.refresh_from_db()
    assert (pool.minimum_length, pool.require_uppercase, pool.require_lowercase,
            pool.require_numbers, pool.require_symbols, pool.password_history_size,
            pool.temporary_password_validity_days) == (12, False, True, False, False, 5, 30)


def test_zero_temporary_password_validity_means_the_default() -> None:
    pool = pools.create_user_pool("zero", password_policy={"TemporaryPasswordValidityDays": 0})
    assert pool.temporary_password_validity_days == 7


@pytest.mark.parametrize("key", ["RequireUppercase", "RequireLowercase", "RequireNumbers",
                                 "RequireSymbols"])
def test_password_policy_flags_must_be_booleans(key: str) -> None:
    for bad in ("true", 1, None):
        create_pool_fails(f"{key} must be a boolean.", password_policy={key: bad})


def test_password_policy_must_be_a_structure() -> None:
    create_pool_fails("PasswordPolicy must be a structure.", password_policy=["MinimumLength"])


# --- Message templates -----------------------------------------------------------------------

@pytest.mark.parametrize("key", ["SmsMessage", "EmailMessage"])
def test_verification_templates_must_contain_the_code(key: str) -> None:
    create_pool_fails(f"{key} must contain {{####}}.",
                      verification_message_template={key: "Your code is {###}"})
    pool = pools.create_user_pool("ok", verification_message_template={key: "Code: {####}"})
    assert pool.verification_message_template[key] == "Code: {####}"


@pytest.mark.parametrize("key", ["SMSMessage", "EmailMessage"])
@pytest.mark.parametrize("text", ["Hi {username}", "Password {####}", "Hello"])
def test_invite_templates_need_username_and_code(key: str, text: str) -> None:
    create_pool_fails(
        f"{key} of InviteMessageTemplate must contain {{username}} and {{####}}.",
        admin_create_user_config={"InviteMessageTemplate": {key: text}})


@pytest.mark.parametrize(("template", "key", "limit"), [
    ("verification_message_template", "SmsMessage", 140),
    ("verification_message_template", "EmailSubject", 140),
    ("verification_message_template", "EmailSubjectByLink", 140),
    ("verification_message_template", "EmailMessage", 20000),
    ("verification_message_template", "EmailMessageByLink", 20000),
    ("admin_create_user_config", "SMSMessage", 140),
    ("admin_create_user_config", "EmailSubject", 140),
    ("admin_create_user_config", "EmailMessage", 20000),
])
def test_message_templates_have_cognitos_length_limits(template: str, key: str,
                                                       limit: int) -> None:
    def config(text: str) -> dict[str, Any]:
        if template == "admin_create_user_config":
            return {template: {"InviteMessageTemplate": {key: text}}}
        return {template: {key: text}}
    body = "{username} {####} "
    fits = body + "x" * (limit - len(body))
    create_pool_fails(f"{key} must be no longer than {limit} characters.",
                      **config(fits + "x"))
    pools.create_user_pool("fits", **config(fits))


def test_valid_invite_template_is_stored() -> None:
    config = {"AllowAdminCreateUserOnly": True,
              "InviteMessageTemplate": {"EmailMessage": "User {username}, password {####}",
                                        "EmailSubject": "Welcome"}}
    pool = pools.create_user_pool("invite", admin_create_user_config=config)
    pool.refresh_from_db()
    assert pool.admin_create_user_config == config
    assert pool.admin_create_user_only is True


@pytest.mark.parametrize("config", [
    {"verification_message_template": {"SmsMessage": 1234}},
    {"verification_message_template": {"EmailSubject": ["x"]}},
    {"admin_create_user_config": {"InviteMessageTemplate": {"EmailMessage": 5}}},
])
def test_templates_must_be_strings(config: dict[str, Any]) -> None:
    create_pool_fails("Message templates must be strings.", **config)


@pytest.mark.parametrize(("config", "message"), [
    ({"verification_message_template": ["SmsMessage"]},
     "VerificationMessageTemplate must be a structure."),
    ({"admin_create_user_config": "yes"}, "AdminCreateUserConfig must be a structure."),
    ({"admin_create_user_config": {"InviteMessageTemplate": "Hi {username} {####}"}},
     "InviteMessageTemplate must be a structure."),
])
def test_template_containers_must_be_structures(config: dict[str, Any], message: str) -> None:
    create_pool_fails(message, **config)


# --- AccountRecoverySetting ------------------------------------------------------------------

def _recovery(*mechanisms: Any) -> dict[str, Any]:
    return {"account_recovery_setting": {"RecoveryMechanisms": list(mechanisms)}}


@pytest.mark.parametrize("mechanisms", [
    [{"Name": "verified_email", "Priority": 1}],
    [{"Name": "verified_phone_number", "Priority": 1}, {"Name": "verified_email", "Priority": 2}],
    [{"Name": "admin_only", "Priority": 1}],
])
def test_valid_recovery_settings_are_stored(mechanisms: list[dict[str, Any]]) -> None:
    pool = pools.create_user_pool("recovery", **_recovery(*mechanisms))
    pool.refresh_from_db()
    assert pool.account_recovery_setting == {"RecoveryMechanisms": mechanisms}


@pytest.mark.parametrize("mechanisms", [
    [],
    [{"Name": "verified_email", "Priority": 1}, {"Name": "verified_phone_number", "Priority": 2},
     {"Name": "admin_only", "Priority": 1}],
])
def test_recovery_needs_one_or_two_mechanisms(mechanisms: list[Any]) -> None:
    create_pool_fails("RecoveryMechanisms must list 1 or 2 mechanisms.", **_recovery(*mechanisms))


def test_recovery_mechanisms_must_be_a_list() -> None:
    create_pool_fails("RecoveryMechanisms must list 1 or 2 mechanisms.",
                      account_recovery_setting={"RecoveryMechanisms": "verified_email"})
    create_pool_fails("AccountRecoverySetting must be a structure.",
                      account_recovery_setting=["verified_email"])


@pytest.mark.parametrize("mechanisms", [
    [{"Name": "verified_sms", "Priority": 1}],
    [{"Name": ["verified_email"], "Priority": 1}],
    [{"Priority": 1}],
    ["verified_email"],
    [{"Name": "verified_email", "Priority": 1}, {"Name": "verified_email", "Priority": 2}],
    [{"Name": "admin_only", "Priority": 1}, {"Name": "verified_email", "Priority": 2}],
])
def test_recovery_names_are_validated(mechanisms: list[Any]) -> None:
    create_pool_fails("Invalid RecoveryMechanisms.", **_recovery(*mechanisms))


@pytest.mark.parametrize("mechanisms", [
    [{"Name": "verified_email"}],
    [{"Name": "verified_email", "Priority": 0}],
    [{"Name": "verified_email", "Priority": 3}],
    [{"Name": "verified_email", "Priority": "1"}],
    [{"Name": "verified_email", "Priority": True}],
    [{"Name": "verified_email", "Priority": 1}, {"Name": "verified_phone_number", "Priority": 1}],
])
def test_recovery_priorities_are_validated(mechanisms: list[Any]) -> None:
    create_pool_fails("Each RecoveryMechanism needs a distinct Priority of 1 or 2.",
                      **_recovery(*mechanisms))


# --- Username configuration ------------------------------------------------------------------

def test_username_and_alias_attributes_are_exclusive() -> None:
    create_pool_fails(
        "Only one of the aliasAttributes or usernameAttributes can be set in a User Pool",
        username_attributes=["email"], alias_attributes=["preferred_username"])


@pytest.mark.parametrize(("config", "message"), [
    ({"username_attributes": ["preferred_username"]},
     "Invalid UsernameAttributes: ['preferred_username']"),
    ({"username_attributes": "email"}, "UsernameAttributes must be a list of strings."),
    ({"username_attributes": [["email"]]}, "UsernameAttributes must be a list of strings."),
    ({"alias_attributes": ["name"]}, "Invalid AliasAttributes: ['name']"),
    ({"alias_attributes": 5}, "AliasAttributes must be a list of strings."),
    ({"auto_verified_attributes": ["preferred_username"]},
     "Invalid AutoVerifiedAttributes: ['preferred_username']"),
])
def test_username_configuration_values_are_validated(config: dict[str, Any],
                                                     message: str) -> None:
    create_pool_fails(message, **config)


def test_username_configuration_is_stored_without_duplicates() -> None:
    pool = pools.create_user_pool("aliases", alias_attributes=[
        "phone_number", "email", "phone_number"], auto_verified_attributes=["email", "email"])
    pool.refresh_from_db()
    assert pool.alias_attributes == ["phone_number", "email"]
    assert pool.auto_verified_attributes == ["email"]
    emails = pools.create_user_pool("emails", username_attributes=["email", "phone_number"])
    assert emails.email_is_username and emails.phone_is_username
    assert emails.sign_in_aliases() == ["email", "phone_number"]


def test_case_sensitivity_is_a_boolean() -> None:
    assert pools.create_user_pool("insensitive", case_sensitive=False).case_sensitive is False
    create_pool_fails("CaseSensitive must be a boolean.", case_sensitive="false")


def test_mfa_configuration_is_validated() -> None:
    sms = {"SnsCallerArn": "arn:aws:iam::123456789012:role/sns"}
    pool = pools.create_user_pool("mfa", mfa_configuration="OPTIONAL", sms_configuration=sms,
                                  auto_verified_attributes=["phone_number"])
    assert pool.mfa_configuration == "OPTIONAL"
    assert pool_config.enabled_factors(pool_config.mfa_config(pool)) == ["SMS_MFA"]
    for bad in ("on", "SOMETIMES", ["ON"]):
        create_pool_fails("MfaConfiguration must be OFF, ON or OPTIONAL.",
                          mfa_configuration=bad)
    needs_sms = ("SMS configuration and Auto verification for phone_number are required when "
                 "MFA is required/optional")
    for mode in ("ON", "OPTIONAL"):
        create_pool_fails(needs_sms, mfa_configuration=mode)
        create_pool_fails(needs_sms, mfa_configuration=mode,
                          auto_verified_attributes=["phone_number"])
        # An SmsConfiguration is enough: AWS does not also ask for phones verified
        # automatically (issue 12, verified against AWS).
        lenient = pools.create_user_pool(f"sms-{mode}", mfa_configuration=mode,
                                         sms_configuration=sms)
        assert pool_config.enabled_factors(pool_config.mfa_config(lenient)) == ["SMS_MFA"]
    create_pool_fails("SmsConfiguration must be a structure.", sms_configuration="arn")
    # MFA OFF stores the SmsConfiguration without turning SMS MFA on.
    off = pools.create_user_pool("off", sms_configuration=sms)
    assert pool_config.enabled_factors(pool_config.mfa_config(off)) == []


def test_attribute_update_settings_need_auto_verified_attributes() -> None:
    create_pool_fails(
        "All attributes in AttributesRequireVerificationBeforeUpdate must exist in "
        "AutoVerifiedAttributes",
        auto_verified_attributes=["email"],
        user_attribute_update_settings={
            "AttributesRequireVerificationBeforeUpdate": ["phone_number"]})
    create_pool_fails(
        "Invalid AttributesRequireVerificationBeforeUpdate: ['name']",
        auto_verified_attributes=["email"],
        user_attribute_update_settings={"AttributesRequireVerificationBeforeUpdate": ["name"]})
    create_pool_fails("UserAttributeUpdateSettings must be a structure.",
                      user_attribute_update_settings="email")
    pool = pools.create_user_pool(
        "ok", auto_verified_attributes=["email"],
        user_attribute_update_settings={"AttributesRequireVerificationBeforeUpdate": ["email"]})
    pool.refresh_from_db()
    assert pool.user_attribute_update_settings == {
        "AttributesRequireVerificationBeforeUpdate": ["email"]}


# --- Schema ----------------------------------------------------------------------------------

def test_default_schema_lists_standard_and_system_attributes() -> None:
    schema = pools.create_user_pool("schema").schema_by_name()
    assert schema["sub"]["Mutable"] is False and schema["sub"]["Required"] is True
    for name in ("address", "birthdate", "email", "family_name", "gender", "given_name",
                 "locale", "middle_name", "name", "nickname", "phone_number", "picture",
                 "preferred_username", "profile", "website", "zoneinfo", "identities"):
        assert schema[name]["AttributeDataType"] == "String"
        assert schema[name]["StringAttributeConstraints"]["MaxLength"] == "2048"
        assert schema[name]["Required"] is False and schema[name]["Mutable"] is True
    assert schema["updated_at"]["AttributeDataType"] == "Number"
    assert schema["email_verified"]["AttributeDataType"] == "Boolean"
    assert schema["phone_number_verified"]["AttributeDataType"] == "Boolean"
    assert not [name for name in schema if name.startswith("custom:")]


def test_schema_marks_standard_attributes_and_adds_custom_ones() -> None:
    pool = pools.create_user_pool("schema", schema=[
        {"Name": "email", "AttributeDataType": "String", "Required": True, "Mutable": True},
        {"Name": "birthdate", "AttributeDataType": "String", "Mutable": False},
        {"Name": "tier", "AttributeDataType": "String", "Mutable": False,
         "StringAttributeConstraints": {"MinLength": "1", "MaxLength": "10"}},
        {"Name": "custom:age", "AttributeDataType": "Number",
         "NumberAttributeConstraints": {"MinValue": 0, "MaxValue": "150"}},
        {"Name": "internal", "AttributeDataType": "String", "DeveloperOnlyAttribute": True},
    ])
    schema = UserPool.objects.get(pk=pool.pk).schema_by_name()
    assert schema["email"]["Required"] is True
    assert schema["birthdate"]["Mutable"] is False
    assert schema["custom:tier"] == {
        "Name": "custom:tier", "AttributeDataType": "String", "DeveloperOnlyAttribute": False,
        "Mutable": False, "Required": False,
        "StringAttributeConstraints": {"MinLength": "1", "MaxLength": "10"}}
    assert schema["custom:age"]["NumberAttributeConstraints"] == {"MinValue": "0",
                                                                 "MaxValue": "150"}
    assert "custom:custom:age" not in schema
    assert schema["custom:internal"]["DeveloperOnlyAttribute"] is True


@pytest.mark.parametrize(("item", "message"), [
    ({"Name": "x" * 21}, "Invalid custom attribute name " + "x" * 21
     + ": 1 to 20 letters, marks, symbols, numbers or punctuation."),
    ({"Name": "has space"}, "Invalid custom attribute name has space: 1 to 20 letters, "
     "marks, symbols, numbers or punctuation."),
    ({"Name": "tier", "Required": True}, "Required custom attributes are not supported currently."),
    ({"Name": "tier", "AttributeDataType": "Text"}, "Invalid AttributeDataType for tier."),
    ({"Name": "email", "AttributeDataType": "Number"},
     "You can not change AttributeDataType or set developerOnlyAttribute for standard schema "
     "attribute email"),
    ({"Name": "sub"}, "The sub attribute cannot be redefined."),
    ({"AttributeDataType": "String"}, "Each schema attribute needs a Name."),
    ({"Name": 5}, "Each schema attribute needs a Name."),
    ({"Name": "tier", "Mutable": "false"},
     "Required, Mutable and DeveloperOnlyAttribute of tier must be booleans."),
    ({"Name": "tier", "StringAttributeConstraints": {"MinLength": "5", "MaxLength": "4"}},
     "Invalid StringAttributeConstraints for custom:tier."),
    ({"Name": "tier", "StringAttributeConstraints": {"MaxLength": "4096"}},
     "Invalid StringAttributeConstraints for custom:tier."),
    ({"Name": "tier", "StringAttributeConstraints": {"MinLength": "-1"}},
     "Invalid StringAttributeConstraints for custom:tier."),
    ({"Name": "tier", "StringAttributeConstraints": "1-10"},
     "Invalid StringAttributeConstraints for custom:tier."),
    ({"Name": "age", "AttributeDataType": "Number",
      "NumberAttributeConstraints": {"MinValue": "ten"}},
     "Invalid NumberAttributeConstraints for custom:age."),
    ({"Name": "age", "AttributeDataType": "Number",
      "NumberAttributeConstraints": {"MinValue": "10", "MaxValue": "1"}},
     "Invalid NumberAttributeConstraints for custom:age."),
    ({"Name": "age", "AttributeDataType": "Number",
      "NumberAttributeConstraints": {"MaxValue": "inf"}},
     "Invalid NumberAttributeConstraints for custom:age."),
    ({"Name": "age", "AttributeDataType": "Number", "NumberAttributeConstraints": [1, 2]},
     "Invalid NumberAttributeConstraints for custom:age."),
])
def test_bad_schema_attributes_are_rejected(item: dict[str, Any], message: str) -> None:
    create_pool_fails(message, schema=[item])


def test_schema_rejects_duplicates_and_more_than_fifty_custom_attributes() -> None:
    create_pool_fails("Duplicate attribute in schema: custom:tier",
                      schema=[{"Name": "tier"}, {"Name": "custom:tier"}])
    create_pool_fails("A pool can have at most 50 custom attributes.",
                      schema=[{"Name": f"a{i}"} for i in range(51)])
    pool = pools.create_user_pool("fifty", schema=[{"Name": f"a{i}"} for i in range(50)])
    assert len([n for n in pool.schema_by_name() if n.startswith("custom:")]) == 50


def test_schema_must_be_a_list() -> None:
    create_pool_fails("Schema must be a list of attributes.", schema={"Name": "tier"})
    create_pool_fails("Schema must be a list of attributes.", schema=5)


# --- CreateUserPoolClient --------------------------------------------------------------------

def test_a_pool_holds_at_most_1000_app_clients(pool: UserPool, make_pool: Any,
                                             monkeypatch: Any) -> None:
    monkeypatch.setattr(pools, "MAX_CLIENTS_PER_POOL", 2)
    pools.create_user_pool_client(pool, "one")
    pools.create_user_pool_client(pool, "two")
    with pytest.raises(LimitExceededException) as info:
        pools.create_user_pool_client(pool, "three")
    assert info.value.message == "The user pool has reached its limit of app clients."
    assert AppClient.objects.filter(pool=pool).count() == 2
    pools.create_user_pool_client(make_pool(name="other"), "elsewhere")  # per pool
    assert AppClient.objects.count() == 3


def test_client_id_is_26_lowercase_alphanumerics(pool: UserPool) -> None:
    ids = {pools.create_user_pool_client(pool, f"app{i}").id for i in range(3)}
    assert len(ids) == 3
    assert all(re.fullmatch(r"[a-z0-9]{26}", client_id) for client_id in ids)


def test_client_defaults(pool: UserPool) -> None:
    client = AppClient.objects.get(pk=pools.create_user_pool_client(pool, "app").pk)
    assert client.secret is None and client.has_secret is False
    assert client.explicit_auth_flows == DEFAULT_EXPLICIT_AUTH_FLOWS
    assert seconds(client, "AccessToken") == 3600
    assert seconds(client, "IdToken") == 3600
    assert seconds(client, "RefreshToken") == 30 * 86400
    assert (client.access_token_validity, client.id_token_validity) == (60, 60)
    assert client.token_validity_units == {"AccessToken": "minutes", "IdToken": "minutes",
                                           "RefreshToken": "days"}
    assert client.auth_session_validity == 3
    assert client.prevent_user_existence_errors == "LEGACY"
    assert client.prevents_user_existence_errors is False
    assert client.enable_token_revocation is True
    assert client.read_attributes == [] and client.write_attributes == []


def test_client_secret_is_generated_and_encrypted_at_rest(pool: UserPool) -> None:
    client = pools.create_user_pool_client(pool, "confidential", generate_secret=True)
    secret = client.secret
    assert secret is not None and re.fullmatch(r"[a-z0-9]{51}", secret)
    assert 24 <= len(secret) <= 64
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM django_cognito_appclient WHERE id = %s",
                       [client.pk])
        (raw,) = cursor.fetchone()
    assert AppClient._meta.db_table == "django_cognito_appclient"
    assert raw and raw != secret and secret not in raw
    stored = AppClient.objects.get(pk=client.pk)
    assert stored.secret == secret and stored.has_secret
    other = pools.create_user_pool_client(pool, "other", generate_secret=True)
    assert other.secret != secret


@pytest.mark.parametrize(("config", "access", "id_", "refresh"), [
    ({"access_token_validity": 1, "id_token_validity": 24, "refresh_token_validity": 3650},
     3600, 86400, 3650 * 86400),
    ({"access_token_validity": 5, "id_token_validity": 1440, "refresh_token_validity": 60,
      "token_validity_units": {"AccessToken": "minutes", "IdToken": "minutes",
                               "RefreshToken": "minutes"}},
     300, 86400, 3600),
    ({"access_token_validity": 300, "token_validity_units": {"AccessToken": "seconds"}},
     300, 3600, 30 * 86400),
    ({"access_token_validity": 1, "token_validity_units": {"AccessToken": "days"}},
     86400, 3600, 30 * 86400),
    ({"refresh_token_validity": 0}, 3600, 3600, 30 * 86400),
    ({"refresh_token_validity": 0, "token_validity_units": {"RefreshToken": "hours"}},
     3600, 3600, 30 * 86400),
    ({"token_validity_units": {"AccessToken": "days", "IdToken": "seconds"}},
     3600, 3600, 30 * 86400),
])
def test_token_validity_and_units(pool: UserPool, config: dict[str, Any], access: int,
                                  id_: int, refresh: int) -> None:
    client = AppClient.objects.get(pk=pools.create_user_pool_client(pool, "app", **config).pk)
    assert (seconds(client, "AccessToken"), seconds(client, "IdToken"),
            seconds(client, "RefreshToken")) == (access, id_, refresh)


@pytest.mark.parametrize(("config", "what", "low", "high"), [
    # Without TokenValidityUnits the unit is hours: Cognito's console value 60 means 60 hours.
    ({"access_token_validity": 60}, "AccessTokenValidity", 300, 86400),
    ({"id_token_validity": 25}, "IdTokenValidity", 300, 86400),
    ({"access_token_validity": 4, "token_validity_units": {"AccessToken": "minutes"}},
     "AccessTokenValidity", 300, 86400),
    ({"id_token_validity": 1441, "token_validity_units": {"IdToken": "minutes"}},
     "IdTokenValidity", 300, 86400),
    ({"access_token_validity": 299, "token_validity_units": {"AccessToken": "seconds"}},
     "AccessTokenValidity", 300, 86400),
    ({"access_token_validity": 2, "token_validity_units": {"AccessToken": "days"}},
     "AccessTokenValidity", 300, 86400),
    ({"refresh_token_validity": 3651}, "RefreshTokenValidity", 3600, 315360000),
    ({"refresh_token_validity": 59, "token_validity_units": {"RefreshToken": "minutes"}},
     "RefreshTokenValidity", 3600, 315360000),
    ({"refresh_token_validity": -1}, "RefreshTokenValidity", 3600, 315360000),
    ({"access_token_validity": 0}, "AccessTokenValidity", 300, 86400),
])
def test_token_validity_out_of_range(pool: UserPool, config: dict[str, Any], what: str,
                                     low: int, high: int) -> None:
    create_client_fails(
        pool, f"Invalid range for token validity: {what} must be between {low} and {high} "
        "seconds.", **config)


@pytest.mark.parametrize("bad", ["1", 1.0, True])
def test_token_validity_must_be_an_integer(pool: UserPool, bad: Any) -> None:
    create_client_fails(pool, "AccessTokenValidity must be an integer.",
                        access_token_validity=bad)
    create_client_fails(pool, "RefreshTokenValidity must be an integer.",
                        refresh_token_validity=bad)


@pytest.mark.parametrize("units", [
    {"AccessToken": "weeks"}, {"Access": "hours"}, {"IdToken": 60}, {"IdToken": ["hours"]},
])
def test_token_validity_units_are_validated(pool: UserPool, units: dict[str, Any]) -> None:
    create_client_fails(pool, "Invalid TokenValidityUnits.", token_validity_units=units)


def test_token_validity_units_must_be_a_structure(pool: UserPool) -> None:
    create_client_fails(pool, "TokenValidityUnits must be a structure.",
                        token_validity_units="hours")


@pytest.mark.parametrize("value", [2, 16, "5", None])
def test_auth_session_validity_range(pool: UserPool, value: Any) -> None:
    create_client_fails(pool, "AuthSessionValidity must be between 3 and 15.",
                        auth_session_validity=value)


def test_auth_session_validity_bounds_are_accepted(pool: UserPool) -> None:
    assert pools.create_user_pool_client(pool, "a", auth_session_validity=3)
    assert pools.create_user_pool_client(pool, "b", auth_session_validity=15)


def test_explicit_auth_flows(pool: UserPool) -> None:
    legacy = pools.create_user_pool_client(pool, "legacy", explicit_auth_flows=[
        "ADMIN_NO_SRP_AUTH", "USER_PASSWORD_AUTH"])
    assert legacy.explicit_auth_flows == ["ADMIN_NO_SRP_AUTH", "USER_PASSWORD_AUTH"]
    modern = pools.create_user_pool_client(pool, "modern", explicit_auth_flows=[
        "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])
    assert modern.explicit_auth_flows == ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]


def test_legacy_and_allow_flows_cannot_be_mixed(make_pool: Any) -> None:
    pool = make_pool()
    create_client_fails(pool,
                        "The ExplicitAuthFlows parameter cannot mix legacy and ALLOW_ values.",
                        explicit_auth_flows=["ALLOW_USER_SRP_AUTH", "USER_PASSWORD_AUTH"])


@pytest.mark.parametrize(("flows", "message"), [
    (["ALLOW_EVERYTHING"], "Invalid ExplicitAuthFlows: ['ALLOW_EVERYTHING']"),
    ("ALLOW_USER_SRP_AUTH", "ExplicitAuthFlows must be a list of strings."),
    ([["ALLOW_USER_SRP_AUTH"]], "ExplicitAuthFlows must be a list of strings."),
    ([1], "ExplicitAuthFlows must be a list of strings."),
])
def test_explicit_auth_flows_are_validated(pool: UserPool, flows: Any, message: str) -> None:
    create_client_fails(pool, message, explicit_auth_flows=flows)


@pytest.mark.parametrize("name", ["", "c" * 129, None, 3, "semi;colon"])
def test_client_name_is_validated(pool: UserPool, name: Any) -> None:
    create_client_fails(pool, "ClientName must be 1 to 128 characters.", name=name)


def test_prevent_user_existence_errors_is_validated(pool: UserPool) -> None:
    create_client_fails(pool, "PreventUserExistenceErrors must be LEGACY or ENABLED.",
                        prevent_user_existence_errors="enabled")
    client = pools.create_user_pool_client(pool, "app", prevent_user_existence_errors="ENABLED")
    assert client.prevents_user_existence_errors is True


@pytest.mark.parametrize(("config", "message"), [
    ({"generate_secret": "yes"}, "GenerateSecret must be a boolean."),
    ({"enable_token_revocation": "no"}, "EnableTokenRevocation must be a boolean."),
])
def test_client_flags_must_be_booleans(pool: UserPool, config: dict[str, Any],
                                       message: str) -> None:
    create_client_fails(pool, message, **config)


def test_read_and_write_attributes_must_be_in_the_schema(make_pool: Any) -> None:
    pool = make_pool(schema=[{"Name": "tier"}])
    create_client_fails(pool, "Invalid attributes: ['custom:nope']",
                        read_attributes=["email", "custom:nope"])
    create_client_fails(pool, "Invalid attributes: ['shoe_size']", write_attributes=["shoe_size"])
    create_client_fails(pool, "ReadAttributes must be a list of strings.", read_attributes=5)
    create_client_fails(pool, "WriteAttributes must be a list of strings.",
                        write_attributes=[["name"]])
    client = pools.create_user_pool_client(pool, "app", read_attributes=["email", "custom:tier"],
                                           write_attributes=["name"])
    client.refresh_from_db()
    assert client.read_attributes == ["email", "custom:tier"]
    assert client.write_attributes == ["name"]


# --- Get and delete --------------------------------------------------------------------------

def test_get_pool(pool: UserPool) -> None:
    assert pools.get_pool(pool.id) == pool
    with pytest.raises(ResourceNotFoundException) as info:
        pools.get_pool("us-east-1_missing00")
    assert info.value.message == "User pool us-east-1_missing00 does not exist."
    for bad in (None, 5, ["x"], "x" * 56):
        with pytest.raises(ResourceNotFoundException):
            pools.get_pool(bad)


def test_get_client(make_pool: Any, make_client: Any) -> None:
    pool, other_pool = make_pool(), make_pool(name="other")
    client = make_client(pool)
    found = pools.get_client(client.id)
    assert found == client and found.pool == pool
    assert pools.get_client(client.id, pool) == client
    with pytest.raises(ResourceNotFoundException) as info:
        pools.get_client(client.id, other_pool)
    assert info.value.message == f"User pool client {client.id} does not exist."
    with pytest.raises(ResourceNotFoundException) as info:
        pools.get_client("a" * 26)
    assert info.value.message == f"User pool client {'a' * 26} does not exist."
    for bad in (None, 26, "x" * 129):
        with pytest.raises(ResourceNotFoundException):
            pools.get_client(bad)


def _populate(pool: UserPool) -> PoolUser:
    user = users.new_user(pool, "member", {"email": "member@example.com"})
    user.status = UserStatus.CONFIRMED
    users.insert_user(user)
    group = groups.create_group(pool, "staff")
    groups.add_user_to_group(user, group)
    pools.create_user_pool_client(pool, "app")
    return user


def test_deletion_protection_keeps_the_pool(make_pool: Any) -> None:
    pool = make_pool(deletion_protection=True)
    user = _populate(pool)
    with pytest.raises(InvalidParameterException) as info:
        pools.delete_user_pool(pool)
    assert info.value.message == (
        "The user pool cannot be deleted because deletion protection is activated.")
    assert UserPool.objects.filter(pk=pool.pk).exists()
    assert PoolUser.objects.filter(pk=user.pk).exists()
    assert get_user_model().objects.filter(pk=user.user_id).exists()
    assert AppClient.objects.filter(pool=pool).count() == 1


def test_deletion_protection_must_be_a_boolean() -> None:
    create_pool_fails("DeletionProtection must be a boolean.", deletion_protection="ACTIVE")


def test_delete_user_pool_removes_everything_it_owns(make_pool: Any) -> None:
    pool, kept = make_pool(), make_pool(name="kept")
    user = _populate(pool)
    survivor = _populate(kept)
    pools.delete_user_pool(pool)
    assert not UserPool.objects.filter(pk=pool.pk).exists()
    assert not PoolUser.objects.filter(pool_id=pool.pk).exists()
    assert not AppClient.objects.filter(pool_id=pool.pk).exists()
    assert not Group.objects.filter(pool_id=pool.pk).exists()
    assert not get_user_model().objects.filter(pk=user.user_id).exists()
    assert PoolUser.objects.filter(pk=survivor.pk).exists()
    assert get_user_model().objects.filter(pk=survivor.user_id).exists()
    assert AppClient.objects.filter(pool=kept).count() == 1
    with pytest.raises(ResourceNotFoundException):
        pools.get_pool(pool.id)
