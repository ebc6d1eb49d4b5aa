"""Models of django_cognito."""

from .client import (
    DEFAULT_EXPLICIT_AUTH_FLOWS,
    DEFAULT_TOKEN_UNITS,
    TOKEN_UNITS,
    AppClient,
    PreventUserExistenceErrors,
    readable,
    validity_seconds,
)
from .pool import MfaConfiguration, UserPool
from .user import (
    ALIAS_COLUMNS,
    SEARCH_COLUMNS,
    VERIFIED_FLAGS,
    CodePurpose,
    Group,
    GroupMembership,
    PasswordHistoryEntry,
    PoolUser,
    UserStatus,
    VerificationCode,
)

__all__ = [
    "ALIAS_COLUMNS", "DEFAULT_EXPLICIT_AUTH_FLOWS", "DEFAULT_TOKEN_UNITS", "SEARCH_COLUMNS",
    "TOKEN_UNITS", "VERIFIED_FLAGS", "AppClient", "CodePurpose", "Group", "GroupMembership",
    "MfaConfiguration", "PasswordHistoryEntry", "PoolUser", "PreventUserExistenceErrors",
    "UserPool", "UserStatus", "VerificationCode", "readable", "validity_seconds",
]

from .keys import KeyPurpose, KeyState, SigningKey  # noqa: E402

__all__ += ["KeyPurpose", "KeyState", "SigningKey"]

from .auth import RefreshToken  # noqa: E402

__all__ += ["RefreshToken"]

from .access import AccessKey  # noqa: E402

__all__ += ["AccessKey"]

from .resources import ResourceServer, UserPoolDomain, UserPoolSettings  # noqa: E402

__all__ += ["ResourceServer", "UserPoolDomain", "UserPoolSettings"]

from .mfa import MfaPreference, SoftwareToken  # noqa: E402

__all__ += ["MfaPreference", "SoftwareToken"]

from .challenge import AuthChallenge  # noqa: E402

__all__ += ["AuthChallenge"]

from .otp import PoolTOTPDevice  # noqa: E402

__all__ += ["PoolTOTPDevice"]

from .devices import Device, DeviceStatus  # noqa: E402

__all__ += ["Device", "DeviceStatus"]

from .oauth import AuthorizationCode, LoginSession  # noqa: E402

__all__ += ["AuthorizationCode", "LoginSession"]

from .branding import UICustomization  # noqa: E402

__all__ += ["UICustomization"]

from .federation import (  # noqa: E402
    COGNITO_SUBJECT,
    IdentityProvider,
    ProviderIdentity,
    ProviderType,
    SamlSigningCertificate,
)

__all__ += ["COGNITO_SUBJECT", "IdentityProvider", "ProviderIdentity", "ProviderType",
            "SamlSigningCertificate"]

from .identity import (  # noqa: E402
    IamIdentityProvider,
    IamProviderType,
    Identity,
    IdentityLogin,
    IdentityPool,
    IdentityTokenKey,
)

__all__ += ["IamIdentityProvider", "IamProviderType", "Identity", "IdentityLogin", "IdentityPool",
            "IdentityTokenKey"]
