"""Operation handlers; importing this package registers them all."""

from . import (  # noqa: F401
    admin_users,
    auth,
    branding,
    clients,
    developer_identities,
    devices,
    federation,
    groups,
    identities,
    identity_pools,
    lifecycle,
    mfa,
    pools,
    resources,
    self_service,
)
