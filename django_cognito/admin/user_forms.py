"""Admin forms for pool users: creation and attribute editing, checked against the schema."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from ..exceptions import CognitoError
from ..models import PoolUser, UserPool
from ..services import passwords
from ..services.schema import required_attributes, validate_write
from ..services.users import check_new_username, find_user
from .forms import parse_json

MEDIUMS = [("EMAIL", "Email"), ("SMS", "SMS")]


def _schema_error(exc: CognitoError) -> ValidationError:
    return ValidationError(exc.message, code=exc.code)


def check_attribute_changes(user: PoolUser, changes: dict[str, str]) -> None:
    """Raise ValidationError unless an admin may apply ``changes`` (``""`` deletes).

    The same rules ``update_user_attributes(admin=True)`` applies, run before anything is
    written so that a violation becomes a form error.
    """
    pool = user.pool
    try:
        validate_write(pool, changes, admin=True)
    except CognitoError as exc:
        raise _schema_error(exc) from None
    required = set(required_attributes(pool))
    for name, value in changes.items():
        if value == "" and name in required:
            raise ValidationError(_("Attributes did not conform to the schema: %(name)s: The "
                                    "attribute is required"), params={"name": name})
        if value == "" and name in pool.username_attributes:
            raise ValidationError(_("Cannot delete %(name)s: it is the username."),
                                  params={"name": name})


class PoolUserChangeForm(forms.ModelForm):
    """Edits the attributes as one JSON object; status and enabled change through actions."""

    attributes_json = forms.CharField(
        label=_("Attributes"), required=False,
        widget=forms.Textarea(attrs={"rows": 14, "cols": 80, "spellcheck": "false"}),
        help_text=_('A JSON object of attribute names to string values, e.g. {"email": '
                    '"a@example.com", "custom:tenant": "t1"}. Removing a name deletes the '
                    "attribute. A changed email or phone number becomes unverified (and gets a "
                    "code when the pool verifies it) unless marked verified below."))
    mark_email_verified = forms.BooleanField(required=False, label=_("Mark email as verified"))
    mark_phone_number_verified = forms.BooleanField(
        required=False, label=_("Mark phone number as verified"))

    class Meta:
        model = PoolUser
        fields: tuple[str, ...] = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.changes: dict[str, str] = {}
        self.fields["attributes_json"].initial = json.dumps(
            dict(sorted(self.instance.attributes.items())), indent=2, ensure_ascii=False)

    def clean_attributes_json(self) -> dict[str, str]:
        text = self.cleaned_data["attributes_json"].strip() or "{}"
        data: dict[str, Any] = parse_json(text, dict, "object")
        if not all(isinstance(v, str) for v in data.values()):
            raise ValidationError(_("Attribute values must be strings."))
        return data

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        data = cleaned.get("attributes_json")
        if data is None:
            return cleaned
        current = self.instance.attributes
        changes = {name: value for name, value in data.items() if current.get(name) != value}
        changes.update({name: "" for name in current if name not in data})
        for name in ("email", "phone_number"):
            if cleaned.get(f"mark_{name}_verified") and data.get(name):
                changes[f"{name}_verified"] = "true"
        if changes:
            try:
                check_attribute_changes(self.instance, changes)
            except ValidationError as exc:
                self.add_error("attributes_json", exc)
        self.changes = changes
        return cleaned


class PoolUserCreationForm(forms.ModelForm):
    """AdminCreateUser: a FORCE_CHANGE_PASSWORD user, invited unless suppressed."""

    email = forms.CharField(required=False, max_length=2048)
    email_verified = forms.BooleanField(required=False)
    phone_number = forms.CharField(required=False, max_length=2048,
                                   help_text=_("E.164, e.g. +15555550100."))
    phone_number_verified = forms.BooleanField(required=False)
    other_attributes = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 4, "cols": 80}),
        help_text=_('Optional JSON object, e.g. {"given_name": "Ada", "custom:tenant": "t1"}.'))
    temporary_password = forms.CharField(
        required=False, strip=False, widget=forms.PasswordInput(render_value=False),
        help_text=_("Leave empty to generate one that meets the pool's policy."))
    suppress_invitation = forms.BooleanField(
        required=False, help_text=_("Create the user without sending the invitation."))
    delivery_mediums = forms.MultipleChoiceField(
        choices=MEDIUMS, required=False, initial=["EMAIL"], widget=forms.CheckboxSelectMultiple,
        help_text=_("Where the invitation with the temporary password goes."))

    class Meta:
        model = PoolUser
        fields = ("pool", "username")

    def _attributes(self, data: dict[str, Any]) -> dict[str, str]:
        text = (data.get("other_attributes") or "").strip()
        attrs: dict[str, Any] = parse_json(text, dict, "object") if text else {}
        if not all(isinstance(v, str) for v in attrs.values()):
            raise ValidationError({"other_attributes": _("Attribute values must be strings.")})
        for name in ("email", "phone_number"):
            if data.get(name):
                attrs[name] = data[name]
                if data.get(f"{name}_verified"):
                    attrs[f"{name}_verified"] = "true"
        return attrs

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        pool: UserPool | None = data.get("pool")
        username = data.get("username")
        if pool is None or not username or self.errors:
            return data
        attrs = self._attributes(data)
        try:
            validate_write(pool, attrs, admin=True, creating=True)
        except CognitoError as exc:
            raise _schema_error(exc) from None
        try:
            check_new_username(pool, username)
        except CognitoError as exc:
            raise ValidationError({"username": exc.message}) from None
        if find_user(pool, username) is not None:
            raise ValidationError({"username": _("User already exists")})
        if data.get("temporary_password"):
            try:
                passwords.check_policy(pool, data["temporary_password"])
            except CognitoError as exc:
                raise ValidationError({"temporary_password": exc.message}) from None
        mediums = data.get("delivery_mediums") or ["EMAIL"]
        contact = {"EMAIL": "email", "SMS": "phone_number"}
        if not data.get("suppress_invitation") and not any(
                attrs.get(contact[m]) or _is_username(pool, contact[m], username)
                for m in mediums):
            raise ValidationError(_("The user has no attribute matching the delivery mediums: "
                                    "add one or suppress the invitation."))
        data["attributes"] = attrs
        data["delivery_mediums"] = mediums
        return data

    def user_arguments(self) -> dict[str, Any]:
        """Keyword arguments of ``services.admin_users.admin_create_user``."""
        data = self.cleaned_data
        return {
            "attributes": data["attributes"],
            "temporary_password": data.get("temporary_password") or None,
            "message_action": "SUPPRESS" if data.get("suppress_invitation") else None,
            "desired_delivery_mediums": data["delivery_mediums"],
        }


def _is_username(pool: UserPool, attribute: str, username: str) -> bool:
    """Whether ``username`` will fill ``attribute`` (email/phone-as-username pools)."""
    try:
        return check_new_username(pool, username) == attribute
    except CognitoError:
        return False


class SetPasswordForm(forms.Form):
    """AdminSetUserPassword."""

    password = forms.CharField(strip=False, widget=forms.PasswordInput(render_value=False))
    permanent = forms.BooleanField(
        required=False, help_text=_("Unticked, the user must choose a new password at the next "
                                    "sign-in (FORCE_CHANGE_PASSWORD)."))


class AddToGroupForm(forms.Form):
    """The group the selected users join, by name (each user's own pool holds it)."""

    group = forms.CharField(max_length=128, widget=forms.TextInput(attrs={"list": "group-names"}))
