"""Input validation against botocore's own Cognito service model (no hand-written schemas)."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import botocore.session
from botocore.model import OperationModel, ServiceModel, Shape

from ..exceptions import CognitoError, InvalidParameterException
from ..services.schema import storable

MAX_ERRORS = 5
# Shapes whose model pattern is checked: pool and client ids, so a malformed one gets AWS's
# validation error rather than "does not exist". Other patterns are left alone: AWS does not
# hold every value to its model's pattern (a custom domain such as auth.example.com is
# accepted although DomainType's pattern has no dot). Java's \w is ASCII, hence re.ASCII.
PATTERN_CHECKED = {
    "UserPoolIdType": re.compile(r"[\w-]+_[0-9a-zA-Z]+", re.ASCII),
    "ClientIdType": re.compile(r"[\w+]+", re.ASCII),
    "IdentityPoolId": re.compile(r"[\w-]+:[0-9a-f-]+", re.ASCII),
    "IdentityPoolName": re.compile(r"[\w\s+=,.@-]+", re.ASCII),
    "DeveloperProviderName": re.compile(r"[\w._-]+", re.ASCII),
}


class SerializationException(CognitoError):
    """A member of the wrong JSON type, or a body that is not JSON."""


class UnknownOperationException(CognitoError):
    """An ``X-Amz-Target`` naming no operation."""


@lru_cache(maxsize=4)
def service_model(name: str) -> ServiceModel:
    """botocore's model of ``cognito-idp`` / ``cognito-identity``, loaded once per process."""
    return botocore.session.get_session().get_service_model(name)


@lru_cache(maxsize=512)
def operation_model(service: str, name: str) -> OperationModel | None:
    model = service_model(service)
    return model.operation_model(name) if name in model.operation_names else None


def is_unsigned(operation: OperationModel) -> bool:
    """Whether the model marks the operation ``smithy.api#noAuth`` (no SigV4)."""
    auth = operation._operation_model.get("auth") or []
    return "smithy.api#noAuth" in auth or operation._operation_model.get("authtype") == "none"


def _path(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name[:1].lower() + name[1:]


class _Validator:
    def __init__(self) -> None:
        self.errors: list[str] = []
        self.hidden = 0  # inside a member the model marks sensitive: values are not echoed

    def fail(self, value: Any, path: str, constraint: str) -> None:
        if self.hidden and value is not None:
            # As AWS words it for a password or a secret: the value is left out.
            self.errors.append(f"Value at '{path}' failed to satisfy constraint: "
                               f"Member must {constraint}")
            return
        shown = "null" if value is None else f"'{str(value)[:64]}'"
        if value is not None and isinstance(value, (dict, list)):
            shown = "'***'"
        self.errors.append(f"Value {shown} at '{path}' failed to satisfy constraint: "
                           f"Member must {constraint}")

    def check(self, shape: Shape, value: Any, path: str) -> None:
        sensitive = bool(shape.metadata.get("sensitive"))
        self.hidden += sensitive
        try:
            self._check(shape, value, path)
        finally:
            self.hidden -= sensitive

    def _check(self, shape: Shape, value: Any, path: str) -> None:
        kind = shape.type_name
        meta = shape.metadata
        if kind == "structure":
            if not isinstance(value, dict):
                raise SerializationException(f"Expected an object at '{path or 'body'}'.")
            members = shape.members
            for name in shape.required_members:
                if value.get(name) is None:
                    self.fail(None, _path(path, name), "not be null")
            # Members the model does not know are dropped, as AWS ignores them: stored, they
            # would come back outside the model's output shapes.
            for name in [name for name in value if name not in members]:
                del value[name]
            for name, item in value.items():
                if item is not None:
                    self.check(members[name], item, _path(path, name))
            return
        if kind == "list":
            if not isinstance(value, list):
                raise SerializationException(f"Expected a list at '{path}'.")
            self._size(value, meta, path, "length")
            member = shape.member
            for index, item in enumerate(value):
                self.check(member, item, f"{path}.{index + 1}.member")
            return
        if kind == "map":
            if not isinstance(value, dict):
                raise SerializationException(f"Expected an object at '{path}'.")
            # Cognito drops null map values: amazon-cognito-identity-js sends
            # AuthParameters {"DEVICE_KEY": null} on every refresh without a tracked device.
            for key in [k for k, item in value.items() if item is None]:
                del value[key]
            self._size(value, meta, path, "length")
            for key, item in value.items():
                self.check(shape.key, key, f"{path}.key")
                self.check(shape.value, item, f"{path}.value")
            return
        if kind == "string":
            if not isinstance(value, str):
                raise SerializationException(f"Expected a string at '{path}'.")
            self._size(value, meta, path, "length")
            if not storable(value):
                # NUL and lone surrogates fit no pattern of the model, and PostgreSQL
                # would turn them into a server error at the first query.
                self.fail(value.encode("utf-8", "backslashreplace").decode(), path,
                          "satisfy regular expression pattern")
                return
            if shape.enum and value not in shape.enum:
                self.fail(value, path, "satisfy enum value set: [" + ", ".join(shape.enum) + "]")
            elif shape.name in PATTERN_CHECKED and len(value) <= meta.get("max", 0) and \
                    not PATTERN_CHECKED[shape.name].fullmatch(value):
                # Only within the length limit: on a huge value the pattern's backtracking
                # would take seconds, and the length is already refused.
                self.fail(value, path, f"satisfy regular expression pattern: {meta['pattern']}")
            return
        if kind in ("integer", "long"):
            if not isinstance(value, int) or isinstance(value, bool):
                raise SerializationException(f"Expected an integer at '{path}'.")
            self._size(value, meta, path, "value")
            return
        if kind == "boolean":
            if not isinstance(value, bool):
                raise SerializationException(f"Expected a boolean at '{path}'.")
            return
        if kind in ("double", "float", "timestamp"):
            if not isinstance(value, (int, float)) or isinstance(value, bool):
                raise SerializationException(f"Expected a number at '{path}'.")
            return
        if kind == "blob" and not isinstance(value, str):
            raise SerializationException(f"Expected base64 text at '{path}'.")

    def _size(self, value: Any, meta: dict[str, Any], path: str, what: str) -> None:
        measure = value if what == "value" else len(value)
        if "min" in meta and measure < meta["min"]:
            self.fail(value, path, f"have {what} greater than or equal to {meta['min']}")
        if "max" in meta and measure > meta["max"]:
            self.fail(value, path, f"have {what} less than or equal to {meta['max']}")


def validate(operation: OperationModel, params: Any) -> dict[str, Any]:
    """Check ``params`` against the operation's input shape; typed errors on any mismatch."""
    if operation.input_shape is None:
        return {}
    validator = _Validator()
    validator.check(operation.input_shape, params, "")
    if validator.errors:
        count = len(validator.errors)
        shown = "; ".join(validator.errors[:MAX_ERRORS])
        plural = "error" if count == 1 else "errors"
        raise InvalidParameterException(f"{count} validation {plural} detected: {shown}")
    result: dict[str, Any] = params
    return result
