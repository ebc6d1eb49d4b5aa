"""Cognito's response shapes (botocore names): pools, clients, resource servers, domains,
users and groups."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..conf import ACCOUNT_ID
from ..exceptions import InvalidParameterException
from ..models import (
    AppClient,
    Group,
    IdentityProvider,
    PoolUser,
    ResourceServer,
    UserPool,
    UserPoolDomain,
    readable,
)
from ..services.config_cache import settings_of
from ..services.federation.providers import described_details
from ..services.mfa import enabled_for, preference_of

# Pool members kept verbatim in UserPoolSettings.extra.
EXTRA_POOL_MEMBERS = ("DeviceConfiguration", "UserPoolAddOns", "DcrConfiguration",
                      "KeyConfiguration", "IssuerConfiguration", "AcrConfiguration")
LEGACY_MESSAGES = {"SmsVerificationMessage": "SmsMessage",
                   "EmailVerificationMessage": "EmailMessage",
                   "EmailVerificationSubject": "EmailSubject"}


def _timestamps(obj: UserPool | AppClient | IdentityProvider) -> dict[str, float]:
    return {"LastModifiedDate": obj.modified_at.timestamp(),
            "CreationDate": obj.created_at.timestamp()}


def pool_arn(pool: UserPool) -> str:
    return f"arn:aws:cognito-idp:{pool.region}:{ACCOUNT_ID}:userpool/{pool.pk}"


def password_policy(pool: UserPool) -> dict[str, Any]:
    """PasswordPolicyType."""
    return {"MinimumLength": pool.minimum_length, "RequireUppercase": pool.require_uppercase,
            "RequireLowercase": pool.require_lowercase, "RequireNumbers": pool.require_numbers,
            "RequireSymbols": pool.require_symbols,
            "PasswordHistorySize": pool.password_history_size,
            "TemporaryPasswordValidityDays": pool.temporary_password_validity_days}


def user_pool_type(pool: UserPool) -> dict[str, Any]:
    """UserPoolType (CreateUserPool, DescribeUserPool)."""
    extra = settings_of(pool).extra
    policies: dict[str, Any] = {"PasswordPolicy": password_policy(pool),
                                "SignInPolicy": extra.get("SignInPolicy") or
                                {"AllowedFirstAuthFactors": ["PASSWORD"]}}
    template = {"DefaultEmailOption": "CONFIRM_WITH_CODE", **pool.verification_message_template}
    shape: dict[str, Any] = {
        "Id": pool.pk, "Name": pool.name, "Arn": pool_arn(pool), "Policies": policies,
        "DeletionProtection": "ACTIVE" if pool.deletion_protection else "INACTIVE",
        "LambdaConfig": dict(pool.lambda_config), **_timestamps(pool),
        "SchemaAttributes": list(pool.schema),
        "VerificationMessageTemplate": template,
        "UserAttributeUpdateSettings": {
            "AttributesRequireVerificationBeforeUpdate": list(
                pool.user_attribute_update_settings.get(
                    "AttributesRequireVerificationBeforeUpdate") or [])},
        "MfaConfiguration": pool.mfa_configuration,
        "EstimatedNumberOfUsers": pool.users.count(),
        "EmailConfiguration": {"EmailSendingAccount": "COGNITO_DEFAULT",
                               **pool.email_configuration},
        "UserPoolTags": dict(pool.tags),
        "AdminCreateUserConfig": {
            "AllowAdminCreateUserOnly": False,
            "UnusedAccountValidityDays": pool.temporary_password_validity_days,
            **pool.admin_create_user_config},
        "UsernameConfiguration": {"CaseSensitive": pool.case_sensitive},
        "UserPoolTier": pool.user_pool_tier,
    }
    for member, field in (("AutoVerifiedAttributes", pool.auto_verified_attributes),
                          ("AliasAttributes", pool.alias_attributes),
                          ("UsernameAttributes", pool.username_attributes)):
        if field:
            shape[member] = list(field)
    for legacy, key in LEGACY_MESSAGES.items():
        if template.get(key):
            shape[legacy] = template[key]
    if pool.sms_authentication_message:
        shape["SmsAuthenticationMessage"] = pool.sms_authentication_message
    if pool.sms_configuration:
        shape["SmsConfiguration"] = dict(pool.sms_configuration)
    if pool.account_recovery_setting:
        shape["AccountRecoverySetting"] = dict(pool.account_recovery_setting)
    for member in EXTRA_POOL_MEMBERS:
        if extra.get(member) is not None:
            shape[member] = extra[member]
    for domain in UserPoolDomain.objects.filter(pool=pool):
        shape["CustomDomain" if domain.is_custom else "Domain"] = domain.domain
    return shape


def user_pool_description(pool: UserPool) -> dict[str, Any]:
    """UserPoolDescriptionType (ListUserPools)."""
    return {"Id": pool.pk, "Name": pool.name, "LambdaConfig": dict(pool.lambda_config),
            **_timestamps(pool)}


def user_pool_client_type(client: AppClient) -> dict[str, Any]:
    """UserPoolClientType, with the secret (Create/Describe/UpdateUserPoolClient)."""
    shape: dict[str, Any] = {
        "UserPoolId": client.pool_id, "ClientName": client.name, "ClientId": client.pk,
        **_timestamps(client),
        "RefreshTokenValidity": client.refresh_token_validity,
        "AccessTokenValidity": client.access_token_validity,
        "IdTokenValidity": client.id_token_validity,
        "TokenValidityUnits": dict(client.token_validity_units),
        "ExplicitAuthFlows": list(client.explicit_auth_flows),
        "AllowedOAuthFlowsUserPoolClient": client.allowed_oauth_flows_user_pool_client,
        "PreventUserExistenceErrors": client.prevent_user_existence_errors,
        "EnableTokenRevocation": client.enable_token_revocation,
        "EnablePropagateAdditionalUserContextData":
            client.enable_propagate_additional_user_context_data,
        "AuthSessionValidity": client.auth_session_validity,
    }
    if client.secret:
        shape["ClientSecret"] = client.secret
    for member, value in (("ReadAttributes", client.read_attributes),
                          ("WriteAttributes", client.write_attributes),
                          ("SupportedIdentityProviders", client.supported_identity_providers),
                          ("CallbackURLs", client.callback_urls),
                          ("LogoutURLs", client.logout_urls),
                          ("AllowedOAuthFlows", client.allowed_oauth_flows),
                          ("AllowedOAuthScopes", client.allowed_oauth_scopes)):
        if value:
            shape[member] = list(value)
    if client.default_redirect_uri:
        shape["DefaultRedirectURI"] = client.default_redirect_uri
    if client.refresh_token_rotation:
        shape["RefreshTokenRotation"] = dict(client.refresh_token_rotation)
    return shape


def user_pool_client_description(client: AppClient) -> dict[str, Any]:
    """UserPoolClientDescription (ListUserPoolClients)."""
    return {"ClientId": client.pk, "UserPoolId": client.pool_id, "ClientName": client.name}


def resource_server_type(server: ResourceServer) -> dict[str, Any]:
    """ResourceServerType."""
    return {"UserPoolId": server.pool_id, "Identifier": server.identifier, "Name": server.name,
            "Scopes": [dict(s) for s in server.scopes]}


def identity_provider_type(provider: IdentityProvider) -> dict[str, Any]:
    """IdentityProviderType (Create/Describe/UpdateIdentityProvider and by identifier)."""
    shape: dict[str, Any] = {
        "UserPoolId": provider.pool_id, "ProviderName": provider.name,
        "ProviderType": provider.provider_type,
        "ProviderDetails": described_details(provider),
        "AttributeMapping": dict(provider.attribute_mapping),
        "IdpIdentifiers": list(provider.idp_identifiers), **_timestamps(provider)}
    if provider.acr_mapping:
        shape["AcrMapping"] = dict(provider.acr_mapping)
    return shape


def provider_description(provider: IdentityProvider) -> dict[str, Any]:
    """ProviderDescription (ListIdentityProviders)."""
    return {"ProviderName": provider.name, "ProviderType": provider.provider_type,
            **_timestamps(provider)}


def domain_description(domain: UserPoolDomain) -> dict[str, Any]:
    """DomainDescriptionType; a local domain is served by this app, so it is ACTIVE at once."""
    shape: dict[str, Any] = {
        "UserPoolId": domain.pool_id, "AWSAccountId": ACCOUNT_ID, "Domain": domain.domain,
        "Version": "1", "Status": "ACTIVE",
        "ManagedLoginVersion": domain.managed_login_version,
    }
    if domain.custom_domain_config:
        shape["CustomDomainConfig"] = dict(domain.custom_domain_config)
    return shape


def attribute_list(user: PoolUser, client: AppClient | None = None,
                   only: Iterable[str] | None = None) -> list[dict[str, str]]:
    """``[{"Name", "Value"}]`` with ``sub`` first, filtered by client and AttributesToGet."""
    values = {"sub": str(user.sub), **{k: str(v) for k, v in user.attributes.items()}}
    wanted = None if only is None else set(only)
    return [{"Name": name, "Value": value} for name, value in values.items()
            if readable(client, name) and (wanted is None or name in wanted)]


def user_type(user: PoolUser, only: Iterable[str] | None = None) -> dict[str, Any]:
    """UserType (ListUsers, AdminCreateUser)."""
    return {
        "Username": user.username,
        "Attributes": attribute_list(user, only=only),
        "UserCreateDate": user.created_at.timestamp(),
        "UserLastModifiedDate": user.modified_at.timestamp(),
        "Enabled": user.enabled,
        "UserStatus": user.status,
    }


def admin_get_user(user: PoolUser) -> dict[str, Any]:
    """AdminGetUser's response (``UserAttributes``, not ``Attributes``)."""
    return {
        "Username": user.username,
        "UserAttributes": attribute_list(user),
        "UserCreateDate": user.created_at.timestamp(),
        "UserLastModifiedDate": user.modified_at.timestamp(),
        "Enabled": user.enabled,
        "UserStatus": user.status,
        "UserMFASettingList": [],
        **mfa_settings(user),
    }


def group_type(group: Group) -> dict[str, Any]:
    """GroupType."""
    shape: dict[str, Any] = {
        "GroupName": group.name,
        "UserPoolId": group.pool_id,
        "LastModifiedDate": group.modified_at.timestamp(),
        "CreationDate": group.created_at.timestamp(),
    }
    if group.description:
        shape["Description"] = group.description
    if group.role_arn:
        shape["RoleArn"] = group.role_arn
    if group.precedence is not None:
        shape["Precedence"] = group.precedence
    return shape


def check_attributes_to_get(names: object) -> list[str] | None:
    """Validate ListUsers' AttributesToGet."""
    if names is None:
        return None
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise InvalidParameterException("AttributesToGet must be a list of attribute names.")
    return names


def mfa_settings(user: PoolUser) -> dict[str, Any]:
    """``UserMFASettingList`` and, when set, ``PreferredMfaSetting`` for (Admin)GetUser."""
    shape: dict[str, Any] = {"UserMFASettingList": enabled_for(user)}
    preferred = preference_of(user).preferred
    if preferred:
        shape["PreferredMfaSetting"] = preferred
    return shape
