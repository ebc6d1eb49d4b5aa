"""Local identity providers for the demo pool (``make demo-idps``, beside ``make demo``).

Starts npm's oidc-provider as an OpenID Connect IdP (its development login form takes any
username and password) and pysaml2's IdP as a SAML one (it signs ``jdoe`` in at once), both
on loopback; registers them with the demo pool as ``DemoOIDC`` and ``DemoSAML``, lets the
relying party's client (``/rp/``) use them, and runs until interrupted. Development only:
the IdPs keep everything in memory and trust anyone.
"""

from __future__ import annotations

import os
import signal
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

import requests

OIDC_PORT = int(os.environ.get("DEMO_OIDC_PORT", "8001"))
OIDC_CLIENT = ("demo-oidc", "demo-oidc-secret-not-for-production")


def register(pool: Any, client: Any, oidc_issuer: str, saml_metadata: str) -> None:
    from django_cognito.exceptions import ResourceNotFoundException
    from django_cognito.services import oauth_settings
    from django_cognito.services.federation import providers

    wanted = {
        "DemoOIDC": ("OIDC", {"client_id": OIDC_CLIENT[0], "client_secret": OIDC_CLIENT[1],
                              "oidc_issuer": oidc_issuer, "authorize_scopes": "openid email",
                              "attributes_request_method": "GET"},
                     {"email": "email", "email_verified": "email_verified"}),
        "DemoSAML": ("SAML", {"MetadataFile": saml_metadata},
                     {"email": "urn:oid:1.2.840.113549.1.9.1.1"}),
    }
    for name, (kind, details, mapping) in wanted.items():
        try:
            providers.update_provider(providers.get_provider(pool, name), details=details,
                                      attribute_mapping=mapping)
        except ResourceNotFoundException:
            providers.create_provider(pool, name, kind, details, attribute_mapping=mapping)
    names = ["COGNITO", *wanted]
    if client.supported_identity_providers != names:
        client.supported_identity_providers = names
        oauth_settings.check_oauth(client)
        client.save(update_fields=["supported_identity_providers"])


def main() -> int:
    # Stopped by SIGTERM as by Ctrl-C: the IdPs' processes end with this one.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "example_project.settings")
    import django
    django.setup()
    from django.conf import settings

    from django_cognito.models import AppClient, UserPool, UserPoolDomain
    from django_cognito.services import domains
    from tests.oidc_idp import oidc_idp
    from tests.saml_idp import run_idp

    pool = UserPool.objects.filter(pk=settings.EXAMPLE_POOL_ID).first()
    client = AppClient.objects.filter(pk=settings.EXAMPLE_WEB_CLIENT_ID).first()
    domain = UserPoolDomain.objects.filter(pool=pool).first() if pool else None
    if pool is None or client is None or domain is None:
        print("Run `make demo` first: it creates the demo pool, its domain and the relying "
              "party's client.", file=sys.stderr)
        return 1
    base = domains.base_url(domain)
    callback = [f"{base}oauth2/idpresponse"]
    with tempfile.TemporaryDirectory() as directory:
        with oidc_idp([{"client_id": OIDC_CLIENT[0], "client_secret": OIDC_CLIENT[1],
                        "redirect_uris": callback}], port=OIDC_PORT) as oidc:
            for saml in run_idp(Path(directory)):
                saml.configure(requests.get(f"{base}saml2/metadata", timeout=10).text)
                saml.sp_logout_url = f"{base}saml2/logout"
                register(pool, client, oidc.issuer, saml.metadata())
                print(f"OpenID Connect IdP: {oidc.issuer} (any username and password)")
                print(f"SAML IdP:           {saml.base} (signs in jdoe)")
                print(f"Try them at the relying party: "
                      f"{settings.COGNITO['PUBLIC_BASE_URL']}/rp/ (Ctrl-C stops them)",
                      flush=True)
                try:
                    threading.Event().wait()
                except KeyboardInterrupt:
                    pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
