"""SAML logins: the Logins key is a SAML provider ARN the pool lists in ``SamlProviderARNs``
and the value a base64 SAMLResponse addressed to AWS (reference §8.3), checked as IAM checks
it (``federation/saml_iam.py``). The subject is the NameID; the attributes become the login's
claims, each a list of values, so role rules read them and a Token role mapping reads the
``Role`` attribute's "roleArn,providerArn" pairs. An assertion is not remembered: the
enhanced flow sends the same Logins map to GetId and then to GetCredentialsForIdentity.
"""

from __future__ import annotations

from typing import Any

from ...exceptions import InvalidIdentityPoolConfigurationException, InvalidParameterException
from ...models import IamIdentityProvider, IamProviderType, IdentityPool
from ..federation.saml_iam import aws_assertion, iam_settings
from .login_types import Login, amr, unsupported

INVALID = "Invalid login token. Invalid SAML response."


def _provider(pool: IdentityPool, arn: str) -> IamIdentityProvider:
    if arn not in (pool.saml_provider_arns or []):
        raise unsupported(arn)
    row = IamIdentityProvider.objects.filter(arn=arn, type=IamProviderType.SAML).first()
    if row is None:
        raise unsupported(arn)
    return row


def saml_login(pool: IdentityPool, provider: str, token: str) -> Login:
    """A SAMLResponse of the IAM SAML provider ``provider`` (an ARN)."""
    row = _provider(pool, provider)
    try:
        settings = iam_settings(row.saml_metadata)
    except InvalidParameterException:
        raise InvalidIdentityPoolConfigurationException(
            f"The SAML provider {provider} has no usable metadata.") from None
    assertion = aws_assertion(settings, token, invalid=INVALID)
    claims: dict[str, Any] = {**assertion.attributes, "sub": assertion.name_id}
    return Login(provider, assertion.name_id, claims, mapping_key=provider,
                 amr=amr(provider, assertion.name_id))
