"""What the account pages ask for: the username a pool's configuration calls for (reference
§2.3), its required attributes (§2.2) with readable labels, and its password policy in words
(§2.4)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ..models import UserPool
from ..services.schema import required_attributes


@dataclass(frozen=True)
class Field:
    """One input of a form: its name, label, input type and autocomplete token."""

    name: str
    label: str | Promise
    type: str = "text"
    autocomplete: str = "on"
    hint: str | Promise = ""


PHONE_HINT = _("Include the country code, for example +12065551234.")

#: The standard attributes (reference §2.2): label, input type, autocomplete token, hint.
STANDARD: dict[str, tuple[str | Promise, str, str, str | Promise]] = {
    "address": (_("Address"), "text", "street-address", ""),
    "birthdate": (_("Date of birth"), "text", "bday", _("As YYYY-MM-DD.")),
    "email": (_("Email"), "email", "email", ""),
    "family_name": (_("Family name"), "text", "family-name", ""),
    "gender": (_("Gender"), "text", "sex", ""),
    "given_name": (_("Given name"), "text", "given-name", ""),
    "locale": (_("Locale"), "text", "language", ""),
    "middle_name": (_("Middle name"), "text", "additional-name", ""),
    "name": (_("Name"), "text", "name", ""),
    "nickname": (_("Nickname"), "text", "nickname", ""),
    "phone_number": (_("Phone number"), "tel", "tel", PHONE_HINT),
    "picture": (_("Picture URL"), "url", "photo", ""),
    "preferred_username": (_("Preferred username"), "text", "nickname", ""),
    "profile": (_("Profile URL"), "url", "url", ""),
    "updated_at": (_("Updated at"), "text", "off", _("Seconds since 1970-01-01.")),
    "website": (_("Website"), "url", "url", ""),
    "zoneinfo": (_("Time zone"), "text", "off", ""),
}


def username_field(pool: UserPool) -> Field:
    """The username input: an email, a phone number, either, or a username (reference §2.3)."""
    email, phone = pool.email_is_username, pool.phone_is_username
    if email and phone:
        return Field("username", _("Email or phone number"), "text", "username")
    if email:
        return Field("username", _("Email"), "email", "username")
    if phone:
        return Field("username", _("Phone number"), "tel", "username", PHONE_HINT)
    return Field("username", _("Username"), "text", "username")


def attribute_field(name: str) -> Field:
    """The input of attribute ``name``."""
    label, kind, autocomplete, hint = STANDARD.get(
        name, (name.removeprefix("custom:").replace("_", " ").capitalize(), "text", "on", ""))
    return Field(name, label, kind, autocomplete, hint)


def sign_up_fields(pool: UserPool) -> list[Field]:
    """The attributes sign-up asks for: the pool's required ones, less the one the username
    fills (an email-username pool's email)."""
    filled = pool.username_attributes if len(pool.username_attributes) == 1 else []
    return [attribute_field(name) for name in required_attributes(pool) if name not in filled]


def password_rules(pool: UserPool) -> list[str | Promise]:
    """The pool's password policy, one requirement a line."""
    length = pool.minimum_length
    rules: list[str | Promise] = [
        ngettext("at least %(count)d character", "at least %(count)d characters", length)
        % {"count": length}]
    if pool.require_lowercase:
        rules.append(_("a lowercase letter"))
    if pool.require_uppercase:
        rules.append(_("an uppercase letter"))
    if pool.require_numbers:
        rules.append(_("a number"))
    if pool.require_symbols:
        rules.append(_("a symbol, such as ! @ # $ % ^ & *"))
    return rules
