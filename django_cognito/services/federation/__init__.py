"""Federation: identity providers, their ProviderDetails, and identities linked to users.

``providers`` holds CreateIdentityProvider and its siblings, ``links`` AdminLinkProviderForUser
and AdminDisableProviderForUser, ``identities`` the mapping rows and the ``identities``
attribute. Fetching (``fetch``), OIDC discovery (``oidc``) and SAML metadata (``saml``) are
the only places that read what a provider's configuration points at.
"""
