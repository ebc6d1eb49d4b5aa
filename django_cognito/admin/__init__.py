"""Django admin of django_cognito: pools, app clients, users and groups.

Importing this package registers every ModelAdmin with the default admin site.
"""

from __future__ import annotations

from .clients import AppClientAdmin
from .groups import GroupAdmin
from .pools import UserPoolAdmin
from .users import PoolUserAdmin

__all__ = ["AppClientAdmin", "GroupAdmin", "PoolUserAdmin", "UserPoolAdmin"]
from .access_keys import AccessKeyAdmin  # noqa: E402,F401
from .domains import UserPoolDomainAdmin  # noqa: E402,F401
from .iam_providers import IamIdentityProviderAdmin  # noqa: E402,F401
from .identity_pools import IdentityAdmin, IdentityPoolAdmin  # noqa: E402,F401
from .identity_providers import IdentityProviderAdmin, ProviderIdentityAdmin  # noqa: E402,F401
