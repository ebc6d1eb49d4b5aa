"""A user signed in by a third-party identity provider (reference §7): the front end proves
who the IdP says it is (an OIDC ID token, a SAML assertion); this module decides which pool
user that is, creating or updating them with Cognito's semantics.

- The IdP's subject (OIDC ``sub``, Google ``sub``, Facebook ``id``, Amazon ``user_id``, a SAML
  ``NameID``) names an identity mapping (``ProviderIdentity``). A mapping that is linked to a
  native user (AdminLinkProviderForUser) signs in as that user; a SAML or OIDC link keyed on a
  mapped attribute (``email``) is rewritten to the subject the first time it matches.
- Otherwise a federated user is made, once: username ``<ProviderName>_<subject>`` (lower case
  in a case-insensitive pool), status ``EXTERNAL_PROVIDER``, the ``identities`` attribute, a
  member of the group ``<pool id>_<ProviderName>``; the pre sign-up trigger runs with
  ``PreSignUp_ExternalProvider`` (a rejection stops the sign-in) and post confirmation after.
- A federated user's mapped attributes are rewritten on every sign-in; ``email`` is
  unverified unless ``email_verified`` is mapped too. Returning users go through pre and
  post authentication.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from django.db import IntegrityError, transaction

from ... import signals
from ...exceptions import NotAuthorizedException
from ...models import (
    COGNITO_SUBJECT,
    AppClient,
    Group,
    IdentityProvider,
    PoolUser,
    ProviderIdentity,
    UserStatus,
)
from .. import groups, triggers
from ..schema import MAX_VALUE_LENGTH, storable
from ..signup import post_confirmation, run_pre_sign_up
from ..users import insert_user, save_user
from .identities import find_identity, refresh_identities

PRE_SIGN_UP_EXTERNAL = "PreSignUp_ExternalProvider"
#: Mapping keys that are not pool attributes.
NOT_ATTRIBUTES = frozenset({"username"})
Claims = Mapping[str, Any]


def _text(value: Any) -> str | None:
    """A claim as an attribute value: multi-valued claims URL-form-encoded (reference §7)."""
    if value is None:
        return None
    if isinstance(value, (list, tuple)):
        text = urlencode([("value", str(v)) for v in value]) if len(value) != 1 \
            else str(value[0])
    elif isinstance(value, bool):
        text = "true" if value else "false"
    else:
        text = str(value)
    return text[:MAX_VALUE_LENGTH] if storable(text) else None


def mapped_attributes(provider: IdentityProvider, claims: Claims) -> dict[str, str]:
    """The pool attributes the provider's AttributeMapping fills from ``claims``."""
    attributes: dict[str, str] = {}
    for attribute, claim in (provider.attribute_mapping or {}).items():
        if attribute in NOT_ATTRIBUTES:
            continue
        value = _text(claims.get(claim))
        if value is not None:
            attributes[attribute] = value
    for contact in ("email", "phone_number"):
        if contact in attributes and f"{contact}_verified" not in attributes:
            attributes[f"{contact}_verified"] = "false"
    return attributes


def username_for(provider: IdentityProvider, subject: str) -> str:
    name = f"{provider.name}_{subject}"
    return name if provider.pool.case_sensitive else name.lower()


def _matching_link(provider: IdentityProvider, attributes: Mapping[str, str]
                   ) -> ProviderIdentity | None:
    """A link keyed on a mapped attribute whose value this sign-in carries."""
    for row in ProviderIdentity.objects.filter(provider=provider).exclude(
            attribute_name=COGNITO_SUBJECT).select_related("user"):
        if attributes.get(row.attribute_name) == row.subject:
            return row
    return None


def _authentication_trigger(signal: Any, source: str, user: PoolUser,
                            client: AppClient | None, extra: dict[str, Any]) -> None:
    if not triggers.has_receivers(signal, user.pool):
        return
    request = {"userAttributes": triggers.user_attributes(user), **extra}
    event = triggers.build_event(user.pool, client, source, user.username, request, {})
    triggers.send(signal, event, user.pool, client)


def _returning(identity: ProviderIdentity, attributes: Mapping[str, str],
               client: AppClient | None) -> PoolUser:
    user = identity.user
    if identity.disabled or not user.enabled:
        raise NotAuthorizedException("User is disabled.")
    _authentication_trigger(signals.pre_authentication, triggers.PRE_AUTHENTICATION, user,
                            client, {"validationData": {}, "userNotFound": False})
    if identity.primary and user.status == UserStatus.EXTERNAL_PROVIDER:
        changed = {k: v for k, v in attributes.items() if user.attributes.get(k) != v}
        if changed:
            user.attributes = {**user.attributes, **changed}
            save_user(user, ["attributes"])
    _authentication_trigger(signals.post_authentication, triggers.POST_AUTHENTICATION, user,
                            client, {"newDeviceUsed": False, "clientMetadata": {}})
    return user


def _group(provider: IdentityProvider) -> Group:
    name = f"{provider.pool_id}_{provider.name}"
    found = Group.objects.filter(pool=provider.pool, name=name).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return groups.create_group(provider.pool, name, description=(
                f"Autogenerated group for users who sign in using {provider.name}"))
    except IntegrityError:
        return Group.objects.get(pool=provider.pool, name=name)


def _new_user(provider: IdentityProvider, subject: str, attributes: Mapping[str, str],
              client: AppClient | None) -> PoolUser:
    pool = provider.pool
    user = PoolUser(pool=pool, username=username_for(provider, subject),
                    attributes=dict(attributes), status=UserStatus.EXTERNAL_PROVIDER)
    response = run_pre_sign_up(client, user, PRE_SIGN_UP_EXTERNAL, None, {})
    for flag, attribute in (("autoVerifyEmail", "email"), ("autoVerifyPhone", "phone_number")):
        if response.get(flag) is True and user.attributes.get(attribute):
            user.attributes[f"{attribute}_verified"] = "true"
    with transaction.atomic():
        insert_user(user)
        ProviderIdentity.objects.create(provider=provider, user=user,
                                        attribute_name=COGNITO_SUBJECT, subject=subject,
                                        primary=True)
        groups.add_user_to_group(user, _group(provider))
        refresh_identities(user)
    post_confirmation(client, user, triggers.POST_CONFIRMATION_SIGN_UP)
    return user


def sign_in_external(provider: IdentityProvider, subject: str, claims: Claims,
                     client: AppClient | None = None) -> PoolUser:
    """The pool user ``provider`` has just proven to be ``subject`` (with ``claims``)."""
    if not subject or not storable(subject) or len(subject) > 2048:
        raise NotAuthorizedException("The identity provider gave no usable subject.")
    attributes = mapped_attributes(provider, claims)
    identity = find_identity(provider, COGNITO_SUBJECT, subject)
    if identity is None:
        link = _matching_link(provider, attributes)
        if link is not None:  # first match of a link keyed on an attribute
            link.attribute_name, link.subject = COGNITO_SUBJECT, subject
            link.save(update_fields=["attribute_name", "subject"])
            refresh_identities(link.user)
            identity = link
    if identity is not None:
        return _returning(identity, attributes, client)
    return _new_user(provider, subject, attributes, client)
