"""Admin forms for pools and app clients; they validate what the services will accept."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from ..exceptions import CognitoError
from ..models import AppClient, MfaConfiguration, PreventUserExistenceErrors, UserPool
from ..services.mfa import pool_factors
from ..services.pools import (
    ALIAS_ATTRIBUTE_CHOICES,
    AUTH_FLOWS,
    NAME_RE,
    USERNAME_ATTRIBUTE_CHOICES,
    build_user_pool,
)
from ..services.schema import build_schema
from .client_oauth import OAUTH_FIELDS, ClientOAuthForm

PASSWORD_POLICY_FIELDS = ("minimum_length", "require_uppercase", "require_lowercase",
                          "require_numbers", "require_symbols", "password_history_size",
                          "temporary_password_validity_days")
ALLOW_FLOWS = sorted(f for f in AUTH_FLOWS if f.startswith("ALLOW_"))


def _choices(values: set[str] | list[str]) -> list[tuple[str, str]]:
    return [(v, v) for v in sorted(values)]


def _checkboxes(values: set[str] | list[str], **kwargs: Any) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(choices=_choices(values), required=False,
                                     widget=forms.CheckboxSelectMultiple, **kwargs)


def parse_json(text: str, kind: type, what: str) -> Any:
    """Parse admin-typed JSON of the given top-level ``kind`` into a value or ValidationError."""
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise ValidationError(_("Enter valid JSON: %(error)s"), params={"error": exc}) from None
    if not isinstance(value, kind):
        raise ValidationError(_("Enter a JSON %(what)s."), params={"what": what})
    return value


def check_name(name: str) -> str:
    """A pool or client name as CreateUserPool / CreateUserPoolClient accept it."""
    if not NAME_RE.fullmatch(name):
        raise ValidationError(_("Use letters, digits, spaces and + = , . @ - only."))
    return name


class NamedForm(forms.ModelForm):
    """A pool or client form whose ``name`` follows Cognito's name pattern."""

    def clean_name(self) -> str:
        return check_name(self.cleaned_data["name"])


class PasswordPolicyForm(NamedForm):
    """The password policy fields with Cognito's ranges (reference §2.4)."""

    minimum_length = forms.IntegerField(min_value=6, max_value=99, initial=8)
    password_history_size = forms.IntegerField(min_value=0, max_value=24, initial=0)
    temporary_password_validity_days = forms.IntegerField(min_value=1, max_value=365, initial=7)


class PoolChangeForm(PasswordPolicyForm):
    """What may change on an existing pool; the sign-in configuration is fixed at creation."""

    class Meta:
        model = UserPool
        fields = ("name", *PASSWORD_POLICY_FIELDS, "mfa_configuration", "deletion_protection",
                  "revoke_tokens_on_password_change")

    def clean_mfa_configuration(self) -> str:
        mode: str = self.cleaned_data["mfa_configuration"] or MfaConfiguration.OFF
        if mode != MfaConfiguration.OFF and not pool_factors(self.instance):
            raise ValidationError(_("Turn on an MFA factor first (SetUserPoolMfaConfig): MFA "
                                    "ON or OPTIONAL needs one."))
        return mode


class PoolCreationForm(PasswordPolicyForm):
    """CreateUserPool's common members; the pool itself is made by ``create_user_pool``."""

    username_attributes = _checkboxes(
        USERNAME_ATTRIBUTE_CHOICES, help_text=_("Sign in with these instead of a username."))
    alias_attributes = _checkboxes(
        ALIAS_ATTRIBUTE_CHOICES, help_text=_("Sign in with these as well as the username."))
    case_sensitive = forms.BooleanField(
        required=False, help_text=_("Whether usernames and preferred usernames are "
                                    "case-sensitive. Fixed once the pool exists."))
    normalize_usernames = forms.BooleanField(
        required=False, initial=True,
        help_text=_("Compare usernames in NFKC form, so full-width and decomposed forms name "
                    "one user, and refuse names mixing scripts into look-alikes (not what "
                    "AWS does; recommended). Fixed once the pool exists."))
    auto_verified_attributes = _checkboxes(USERNAME_ATTRIBUTE_CHOICES, initial=["email"])
    allow_self_sign_up = forms.BooleanField(required=False, initial=True)
    custom_attributes = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 6, "cols": 80}),
        help_text=_('Optional Cognito Schema list, e.g. [{"Name": "tenant", '
                    '"AttributeDataType": "String", "Mutable": true}].'))

    class Meta:
        model = UserPool
        fields = ("name", *PASSWORD_POLICY_FIELDS, "mfa_configuration", "deletion_protection")

    def clean_custom_attributes(self) -> list[Any]:
        text = self.cleaned_data["custom_attributes"].strip()
        schema: list[Any] = parse_json(text, list, "list") if text else []
        try:
            build_schema(schema)
        except CognitoError as exc:
            raise ValidationError(exc.message) from None
        return schema

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("username_attributes") and data.get("alias_attributes"):
            raise ValidationError(_("Only one of the alias attributes or username attributes "
                                    "can be set in a user pool."))
        if not self.errors:  # the rest of CreateUserPool's rules, before anything is stored
            try:
                build_user_pool(data["name"], **self.pool_config())
            except CognitoError as exc:
                raise ValidationError(exc.message) from None
        return data

    def pool_config(self) -> dict[str, Any]:
        """Keyword arguments of ``services.pools.create_user_pool``."""
        data = self.cleaned_data
        return {
            "username_attributes": data["username_attributes"],
            "alias_attributes": data["alias_attributes"],
            "case_sensitive": data["case_sensitive"],
            "normalize_usernames": data["normalize_usernames"],
            "auto_verified_attributes": data["auto_verified_attributes"],
            "schema": data["custom_attributes"],
            "password_policy": {
                "MinimumLength": data["minimum_length"],
                "RequireUppercase": data["require_uppercase"],
                "RequireLowercase": data["require_lowercase"],
                "RequireNumbers": data["require_numbers"],
                "RequireSymbols": data["require_symbols"],
                "PasswordHistorySize": data["password_history_size"],
                "TemporaryPasswordValidityDays": data["temporary_password_validity_days"],
            },
            "mfa_configuration": data["mfa_configuration"] or MfaConfiguration.OFF,
            "deletion_protection": data["deletion_protection"],
            "admin_create_user_config": {
                "AllowAdminCreateUserOnly": not data["allow_self_sign_up"]},
        }


def _check_flows(flows: list[str]) -> list[str]:
    if any(f.startswith("ALLOW_") for f in flows) and \
            any(not f.startswith("ALLOW_") for f in flows):
        raise ValidationError(_("Legacy flows and ALLOW_ flows cannot be mixed."))
    return flows


class ClientChangeForm(ClientOAuthForm, NamedForm):
    """The settings of an existing app client that the admin may change."""

    explicit_auth_flows = _checkboxes(AUTH_FLOWS)
    auth_session_validity = forms.IntegerField(
        min_value=3, max_value=15, help_text=_("Minutes an authentication session lasts."))

    class Meta:
        model = AppClient
        fields = ("name", "explicit_auth_flows", "auth_session_validity",
                  "prevent_user_existence_errors", "enable_token_revocation", *OAUTH_FIELDS)

    def clean_explicit_auth_flows(self) -> list[str]:
        return _check_flows(self.cleaned_data["explicit_auth_flows"])


class ClientCreationForm(NamedForm):
    """CreateUserPoolClient's common members; the client is made by the service."""

    generate_secret = forms.BooleanField(
        required=False, help_text=_("Confidential clients (servers) need a secret; apps "
                                    "running in a browser or on a device must not have one."))
    explicit_auth_flows = _checkboxes(
        ALLOW_FLOWS, initial=["ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH",
                              "ALLOW_CUSTOM_AUTH"])
    access_token_minutes = forms.IntegerField(min_value=5, max_value=1440, initial=60)
    id_token_minutes = forms.IntegerField(min_value=5, max_value=1440, initial=60)
    refresh_token_days = forms.IntegerField(min_value=1, max_value=3650, initial=30)
    prevent_user_existence_errors = forms.ChoiceField(
        choices=PreventUserExistenceErrors.choices, initial=PreventUserExistenceErrors.ENABLED)

    class Meta:
        model = AppClient
        fields = ("pool", "name", "prevent_user_existence_errors", "enable_token_revocation")

    def clean_explicit_auth_flows(self) -> list[str]:
        return _check_flows(self.cleaned_data["explicit_auth_flows"])

    def client_config(self) -> dict[str, Any]:
        """Keyword arguments of ``services.pools.create_user_pool_client``."""
        data = self.cleaned_data
        return {
            "generate_secret": data["generate_secret"],
            "explicit_auth_flows": data["explicit_auth_flows"],
            "access_token_validity": data["access_token_minutes"],
            "id_token_validity": data["id_token_minutes"],
            "refresh_token_validity": data["refresh_token_days"],
            "token_validity_units": {"AccessToken": "minutes", "IdToken": "minutes",
                                     "RefreshToken": "days"},
            "prevent_user_existence_errors": data["prevent_user_existence_errors"],
            "enable_token_revocation": data["enable_token_revocation"],
        }
