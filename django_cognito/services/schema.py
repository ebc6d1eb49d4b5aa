"""The attribute schema of a pool and validation of attribute writes (reference §2.2)."""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Container, Iterable, Mapping
from typing import Any

from ..exceptions import InvalidParameterException, NotAuthorizedException
from ..models import VERIFIED_FLAGS, AppClient, UserPool

STANDARD_ATTRIBUTES = [
    "address", "birthdate", "email", "family_name", "gender", "given_name", "locale",
    "middle_name", "name", "nickname", "phone_number", "picture", "preferred_username",
    "profile", "updated_at", "website", "zoneinfo",
]
MAX_CUSTOM_ATTRIBUTES = 50
MAX_VALUE_LENGTH = 2048

NUMBER_RE = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)", re.ASCII)
EMAIL_RE = re.compile(r"^[^\s@]+@[^\s@]+$")
PHONE_RE = re.compile(r"^\+[0-9]{4,15}$")


def storable(text: str) -> bool:
    """Whether every database can hold ``text``: PostgreSQL rejects NUL and lone surrogates.

    JSON requests can carry both (``\\u0000``, ``\\ud800``); letting them reach a query
    would turn a malformed value into a server error instead of a typed one.
    """
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _string(name: str, *, mutable: bool = True, required: bool = False,
            min_length: int = 0) -> dict[str, Any]:
    return {"Name": name, "AttributeDataType": "String", "DeveloperOnlyAttribute": False,
            "Mutable": mutable, "Required": required,
            "StringAttributeConstraints": {"MinLength": str(min_length),
                                           "MaxLength": str(MAX_VALUE_LENGTH)}}


def default_schema() -> list[dict[str, Any]]:
    """The schema Cognito reports for a pool created without a Schema parameter."""
    schema = [_string("sub", mutable=False, required=True, min_length=1)]
    for name in STANDARD_ATTRIBUTES:
        if name == "updated_at":
            schema.append({"Name": name, "AttributeDataType": "Number",
                           "DeveloperOnlyAttribute": False, "Mutable": True, "Required": False,
                           "NumberAttributeConstraints": {"MinValue": "0"}})
        else:
            schema.append(_string(name))
    for flag in VERIFIED_FLAGS:
        schema.append({"Name": flag, "AttributeDataType": "Boolean",
                       "DeveloperOnlyAttribute": False, "Mutable": True, "Required": False})
    schema.append(_string("identities"))
    return schema


def build_schema(requested: Iterable[Mapping[str, Any]] | None) -> list[dict[str, Any]]:
    """Merge a CreateUserPool ``Schema`` into the default one; custom names get ``custom:``."""
    schema = default_schema()
    by_name = {a["Name"]: a for a in schema}
    customs = 0
    if requested is not None and not isinstance(requested, list | tuple):
        raise InvalidParameterException("Schema must be a list of attributes.")
    for item in requested or []:
        if not isinstance(item, Mapping) or not isinstance(item.get("Name"), str):
            raise InvalidParameterException("Each schema attribute needs a Name.")
        name = item["Name"]
        if any(item.get(k) is not None and not isinstance(item[k], bool)
               for k in ("Required", "Mutable", "DeveloperOnlyAttribute")):
            raise InvalidParameterException(
                f"Required, Mutable and DeveloperOnlyAttribute of {name} must be booleans.")
        kind = item.get("AttributeDataType", "String")
        if kind not in ("String", "Number", "DateTime", "Boolean"):
            raise InvalidParameterException(f"Invalid AttributeDataType for {name}.")
        # A name already defined with ``custom:`` is a duplicate, not a standard attribute.
        if name in by_name and name != "sub" and not name.startswith("custom:"):
            attr = by_name[name]
            if kind != attr["AttributeDataType"]:
                raise InvalidParameterException(
                    f"You can not change AttributeDataType or set developerOnlyAttribute for "
                    f"standard schema attribute {name}")
            attr["Required"] = bool(item.get("Required", attr["Required"]))
            attr["Mutable"] = bool(item.get("Mutable", attr["Mutable"]))
            _apply_constraints(attr, item)
            continue
        if name == "sub":
            raise InvalidParameterException("The sub attribute cannot be redefined.")
        bare = name.removeprefix("custom:")
        if not _custom_name_ok(bare):
            raise InvalidParameterException(
                f"Invalid custom attribute name {name}: 1 to 20 letters, marks, symbols, "
                "numbers or punctuation.")
        if item.get("Required"):
            raise InvalidParameterException(
                "Required custom attributes are not supported currently.")
        full = f"custom:{bare}"
        if full in by_name:
            raise InvalidParameterException(f"Duplicate attribute in schema: {full}")
        customs += 1
        if customs > MAX_CUSTOM_ATTRIBUTES:
            raise InvalidParameterException("A pool can have at most 50 custom attributes.")
        attr = {"Name": full, "AttributeDataType": kind,
                "DeveloperOnlyAttribute": bool(item.get("DeveloperOnlyAttribute", False)),
                "Mutable": bool(item.get("Mutable", True)), "Required": False}
        _apply_constraints(attr, item)
        schema.append(attr)
        by_name[full] = attr
    return schema


def _custom_name_ok(bare: str) -> bool:
    """CustomAttributeNameType of the botocore model, all AWS asks of a custom name:
    1 to 20 of [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}] (a dot or a slash as well as [\\w-])."""
    return 1 <= len(bare) <= 20 and all(unicodedata.category(c)[0] in "LMSNP" for c in bare)


def _apply_constraints(attr: dict[str, Any], item: Mapping[str, Any]) -> None:
    for key in ("StringAttributeConstraints", "NumberAttributeConstraints"):
        if item.get(key) is not None and not isinstance(item[key], Mapping):
            raise InvalidParameterException(f"Invalid {key} for {attr['Name']}.")
    if attr["AttributeDataType"] == "String":
        given = item.get("StringAttributeConstraints") or {}
        current = attr.get("StringAttributeConstraints", {"MinLength": "0",
                                                          "MaxLength": str(MAX_VALUE_LENGTH)})
        merged = {**current, **{k: str(v) for k, v in given.items()
                                if k in ("MinLength", "MaxLength")}}
        if not all(v.isdigit() for v in merged.values()) or \
                int(merged["MinLength"]) > int(merged["MaxLength"]) or \
                int(merged["MaxLength"]) > MAX_VALUE_LENGTH:
            raise InvalidParameterException(
                f"Invalid StringAttributeConstraints for {attr['Name']}.")
        attr["StringAttributeConstraints"] = merged
    elif attr["AttributeDataType"] == "Number":
        given = item.get("NumberAttributeConstraints") or attr.get("NumberAttributeConstraints")
        if given:
            cleaned = {k: str(v) for k, v in given.items() if k in ("MinValue", "MaxValue")}
            try:
                bounds = {k: float(v) for k, v in cleaned.items()}
            except ValueError as exc:
                raise InvalidParameterException(
                    f"Invalid NumberAttributeConstraints for {attr['Name']}.") from exc
            if not all(math.isfinite(v) for v in bounds.values()) or \
                    bounds.get("MinValue", -math.inf) > bounds.get("MaxValue", math.inf):
                raise InvalidParameterException(
                    f"Invalid NumberAttributeConstraints for {attr['Name']}.")
            attr["NumberAttributeConstraints"] = cleaned


def required_attributes(pool: UserPool) -> list[str]:
    """Names the pool requires at sign-up (``sub`` excluded)."""
    return [a["Name"] for a in pool.schema if a.get("Required") and a["Name"] != "sub"]


def _conform(name: str, reason: str) -> InvalidParameterException:
    return InvalidParameterException(f"Attributes did not conform to the schema: {name}: {reason}")


def check_value(pool: UserPool, name: str, value: str) -> None:
    """Check one attribute value against the pool schema; raises InvalidParameterException."""
    definition = pool.schema_by_name().get(name)
    if definition is None:
        raise _conform(name, "Attribute does not exist in the schema.")
    if not isinstance(value, str):
        raise _conform(name, "Attribute value must be a string.")
    if not storable(value):
        raise _conform(name, "Attribute value contains invalid characters.")
    kind = definition["AttributeDataType"]
    if len(value) > MAX_VALUE_LENGTH:
        raise _conform(name, f"String must be no longer than {MAX_VALUE_LENGTH} characters")
    if len(value.encode()) > MAX_VALUE_LENGTH:  # the limit is on bytes (reference §9)
        raise _conform(name, f"String must be no longer than {MAX_VALUE_LENGTH} bytes")
    if value == "":
        return
    if kind == "String":
        limits = definition.get("StringAttributeConstraints", {})
        if len(value) > int(limits.get("MaxLength", MAX_VALUE_LENGTH)):
            raise _conform(name, f"String must be no longer than {limits['MaxLength']} characters")
        if len(value) < int(limits.get("MinLength", 0)):
            raise _conform(name, f"String must be no shorter than {limits['MinLength']} characters")
    elif kind == "Number":
        # A plain decimal: float() alone would take "NaN", "inf", "1e400" and "1_0", and NaN
        # compares false with every bound.
        number = float(value) if NUMBER_RE.fullmatch(value) else math.nan
        if not math.isfinite(number):
            raise _conform(name, "Number attribute value must be a number.")
        limits = definition.get("NumberAttributeConstraints", {})
        if "MinValue" in limits and number < float(limits["MinValue"]):
            raise _conform(name, f"Number must be no less than {limits['MinValue']}")
        if "MaxValue" in limits and number > float(limits["MaxValue"]):
            raise _conform(name, f"Number must be no greater than {limits['MaxValue']}")
    elif kind == "Boolean" and value.lower() not in ("true", "false"):
        raise _conform(name, "Boolean attribute value must be true or false.")
    elif kind == "DateTime":
        try:
            dt.datetime.fromisoformat(value)
        except ValueError:
            raise _conform(name, "DateTime attribute value is not a valid date.") from None
    if name == "email" and not EMAIL_RE.match(value):
        raise InvalidParameterException("Invalid email address format.")
    if name == "phone_number" and not PHONE_RE.match(value):
        raise InvalidParameterException("Invalid phone number format.")
    if name == "birthdate" and not re.match(r"^\d{4}-\d{2}-\d{2}$", value):
        raise _conform(name, "Birthdate must be in the format YYYY-MM-DD.")


def parse_attribute_list(items: Any) -> dict[str, str]:
    """Turn Cognito's ``[{"Name": ..., "Value": ...}]`` into a dict, rejecting bad shapes."""
    if items is None:
        return {}
    if isinstance(items, Mapping):
        items = [{"Name": k, "Value": v} for k, v in items.items()]
    if not isinstance(items, list):
        raise InvalidParameterException("UserAttributes must be a list of Name/Value pairs.")
    result: dict[str, str] = {}
    for item in items:
        if not isinstance(item, Mapping) or not isinstance(item.get("Name"), str) or \
                not isinstance(item.get("Value", ""), str):
            raise InvalidParameterException("Each attribute needs a string Name and Value.")
        name = item["Name"]
        if not name or len(name) > 32:
            raise InvalidParameterException(f"Invalid attribute name: {name[:40]!r}")
        result[name] = item.get("Value", "")
    return result


def validate_write(pool: UserPool, attributes: Mapping[str, str], *,
                   client: AppClient | None = None, admin: bool = False,
                   creating: bool = False, unset: Container[str] = ()) -> None:
    """Validate a set of attribute writes: schema, types, mutability, client permissions;
    Boolean values are put in their canonical lower case (in a dict given).

    ``unset`` names attributes the user has no value for yet: an immutable one among them
    may still get its first value (a NEW_PASSWORD_REQUIRED answer supplying a required
    attribute that AdminCreateUser left out).
    """
    schema = pool.schema_by_name()
    for name, value in list(attributes.items()):
        if name == "sub":
            raise _conform(name, "Attribute cannot be updated. (changing an immutable attribute)")
        check_value(pool, name, value)
        if schema[name]["AttributeDataType"] == "Boolean" and isinstance(attributes, dict):
            # AWS takes "True" as well as "true" (verified); stored the one way every
            # reader compares.
            attributes[name] = value.lower()
        if not creating and name not in unset and not schema[name].get("Mutable", True):
            raise _conform(name, "Attribute cannot be updated. (changing an immutable attribute)")
        if name in VERIFIED_FLAGS and not admin:
            raise NotAuthorizedException("A client attempted to write unauthorized attribute")
        if schema[name].get("DeveloperOnlyAttribute") and not admin:
            # Developer-only attributes are writable only with IAM credentials (botocore model).
            raise NotAuthorizedException("A client attempted to write unauthorized attribute")
        if name == "identities":
            raise NotAuthorizedException("A client attempted to write unauthorized attribute")
        if client is not None and not admin and client.write_attributes and \
                name not in client.write_attributes:
            raise NotAuthorizedException("A client attempted to write unauthorized attribute")


def string_map(value: object, what: str = "ClientMetadata") -> dict[str, str]:
    """Validate a string-to-string map such as ClientMetadata (``None`` is empty)."""
    if value is None:
        return {}
    if not isinstance(value, Mapping) or not all(
            isinstance(k, str) and isinstance(v, str) and storable(k) and storable(v)
            for k, v in value.items()):
        raise InvalidParameterException(f"{what} must map strings to strings.")
    return dict(value)
