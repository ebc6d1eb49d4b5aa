"""``manage.py cognito_demo``: seed a demo pool, client, user, admin login, access key and
identity pool (with its roles, ``management/demo_identity.py``).

Objects are found by name, so a second run creates nothing and prints the same ids. The
demo user's and the admin's passwords, attributes and the access key's secret, the client's
flows and the pool's MFA mode are restored on every run so that the printed credentials and
the example project's pages (passwordless SMS sign-in, TOTP enrolment) always work.

Where django-otp's TOTP plugin is installed (the example project's admin asks staff for a
one-time code), the admin login also gets a TOTP device, kept across runs so that an
authenticator app enrolled once goes on working; its ``otpauth://`` URI is printed, with a
QR code to scan where the ``qrcode`` package is installed.
"""

from __future__ import annotations

import io
from importlib.util import find_spec
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import CommandError, CommandParser
from django.db import transaction
from django.urls import NoReverseMatch, reverse

from ...clock import now
from ...conf import app_settings
from ...exceptions import InvalidParameterException
from ...models import AppClient, PoolUser, UserPool, UserPoolDomain, UserStatus
from ...services import (
    access_keys,
    admin_users,
    attributes,
    client_config,
    domains,
    passwords,
    pool_config,
    pools,
    resources,
)
from ..base import CognitoCommand, create_user
from ..demo_identity import demo_identity_pool

POOL_NAME = "demo"
CLIENT_NAME = "demo-app"
WEB_CLIENT_NAME = "demo-web"
USERNAME = "demo"
EMAIL = "demo@example.com"
# A reserved fictional number (555-01xx): the example's passwordless sign-in texts it a code.
PHONE_NUMBER = "+15555550100"
USER_ATTRIBUTES = {"email": EMAIL, "email_verified": "true",
                   "phone_number": PHONE_NUMBER, "phone_number_verified": "true"}
# No client secret: browser and mobile clients (Amplify) cannot keep one. CUSTOM_AUTH is the
# example's passwordless sign-in; ADMIN_USER_PASSWORD_AUTH its TOTP enrolment page.
AUTH_FLOWS = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH",
              "ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_CUSTOM_AUTH"]
TOTP = "SOFTWARE_TOKEN_MFA"
# The example project's development pages, printed when the URLconf has them.
DEV_PAGES = (("SMS outbox", "dev-sms-outbox"), ("TOTP enrolment", "dev-totp"),
             ("AWS credentials and S3 (identity pool)", "example-aws"))
# The admin login's TOTP device (django_otp.plugins.otp_totp), found again by this name.
DEVICE_NAME = "cognito_demo"
# The access key signs admin API calls (boto3's aws_access_key_id / aws_secret_access_key);
# like the passwords it is public, which is why the demo refuses to run without DEBUG.
DEFAULTS = {"USER_PASSWORD": "Demo-Passw0rd!", "ADMIN_USERNAME": "admin",
            "ADMIN_PASSWORD": "admin-Passw0rd!", "AWS_ACCESS_KEY_ID": "AKIADEMODEMODEMO0000",
            "AWS_SECRET_ACCESS_KEY": "DevOnly/CognitoDemoSecretKey/NotForProd0",
            # Ids to create the pool and clients with (a project names them in its settings);
            # empty: random ones, the pool found again by its name.
            "POOL_ID": "", "CLIENT_ID": "", "WEB_CLIENT_ID": "", "IDENTITY_POOL_ID": "",
            # The roles the demo identity pool maps: moto_server takes any ARN; on AWS they
            # are roles whose trust policy names this server as an OpenID Connect provider.
            "AUTHENTICATED_ROLE_ARN": "arn:aws:iam::123456789012:role/cognito-demo-signed-in",
            "UNAUTHENTICATED_ROLE_ARN": "arn:aws:iam::123456789012:role/cognito-demo-guest"}


#: The credentials the defaults make public.
SECRETS = ("USER_PASSWORD", "ADMIN_PASSWORD", "AWS_SECRET_ACCESS_KEY")


def demo_settings() -> dict[str, str]:
    """``settings.COGNITO_DEMO`` over the defaults."""
    configured = getattr(settings, "COGNITO_DEMO", None) or {}
    return {key: str(configured.get(key) or default) for key, default in DEFAULTS.items()}


def demo_pool(pool_id: str | None = None) -> UserPool:
    """The pool ``pool_id`` (or, when none is named, the oldest pool named ``demo``), created
    when there is none."""
    found = UserPool.objects.filter(pk=pool_id) if pool_id else \
        UserPool.objects.filter(name=POOL_NAME).order_by("created_at", "id")
    pool = found.first()
    if pool is None:
        pool = pools.create_user_pool(
            POOL_NAME, alias_attributes=["email"], case_sensitive=False,
            auto_verified_attributes=["email"], deletion_protection=False, pool_id=pool_id,
            normalize_usernames=True)
    demo_mfa(pool)
    return pool


def demo_mfa(pool: UserPool) -> None:
    """MFA OPTIONAL (unless ON) with TOTP on, so a demo user can enrol an authenticator."""
    config = pool_config.mfa_config(pool)
    if pool.mfa_configuration != "OFF" and TOTP in pool_config.enabled_factors(config):
        return
    config["SoftwareTokenMfaConfiguration"] = {"Enabled": True}
    mode = "ON" if pool.mfa_configuration == "ON" else "OPTIONAL"
    pool_config.set_mfa_config(pool, mode, config)


def demo_client(pool: UserPool, client_id: str | None = None) -> AppClient:
    """The client ``client_id`` (or the pool's oldest client named ``demo-app``), created when
    there is none."""
    found = pool.clients.filter(pk=client_id) if client_id else \
        pool.clients.filter(name=CLIENT_NAME).order_by("created_at", "id")
    client = found.first()
    if client is None:
        return pools.create_user_pool_client(pool, CLIENT_NAME, explicit_auth_flows=AUTH_FLOWS,
                                             client_id=client_id)
    missing = [flow for flow in AUTH_FLOWS if flow not in client.explicit_auth_flows]
    if missing:  # a client seeded by an older demo: add flows, keep whatever else it allows
        client.explicit_auth_flows = [*client.explicit_auth_flows, *missing]
        client.modified_at = now()
        client.save(update_fields=["explicit_auth_flows", "modified_at"])
    return client


def demo_domain(pool: UserPool) -> UserPoolDomain:
    """The pool's prefix domain (``demo-<pool id's suffix>``), created when there is none."""
    domain = UserPoolDomain.objects.filter(pool=pool, custom_domain_config={}).first()
    if domain is None:
        domain = resources.create_domain(pool, f"demo-{pool.id.split('_', 1)[1].lower()}")
    return domain


def demo_web_client(pool: UserPool, callback: str, signed_out: str,
                    client_id: str | None = None) -> AppClient:
    """The OAuth client of the example's relying party: authorization code with PKCE, no
    secret; its URLs are reset on every run (the server's port may change)."""
    found = pool.clients.filter(pk=client_id) if client_id else \
        pool.clients.filter(name=WEB_CLIENT_NAME).order_by("created_at", "id")
    oauth: dict[str, Any] = {
        "allowed_oauth_flows_user_pool_client": True, "allowed_oauth_flows": ["code"],
        "allowed_oauth_scopes": ["openid", "email", "profile", "phone",
                                 "aws.cognito.signin.user.admin"],
        "callback_urls": [callback], "logout_urls": [signed_out],
        "supported_identity_providers": ["COGNITO"]}
    flows = ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
    client = found.first()
    if client is None:
        return pools.create_user_pool_client(pool, WEB_CLIENT_NAME, client_id=client_id,
                                             explicit_auth_flows=flows, **oauth)
    return client_config.update_user_pool_client(client, name=WEB_CLIENT_NAME,
                                                 explicit_auth_flows=flows, **oauth)


def demo_user(pool: UserPool, password: str) -> PoolUser:
    """The CONFIRMED, enabled user ``demo`` with a verified email and phone and ``password``."""
    # By username only (another user's alias could read "demo"); USERNAME is lower-case,
    # so it is its own key whether or not the pool is case sensitive.
    user = pool.users.filter(username_key=USERNAME).first()
    if user is None:
        return create_user(pool, USERNAME, attributes=dict(USER_ATTRIBUTES),
                           password=password, permanent=True)
    if any(user.attributes.get(name) != value for name, value in
           (("email", EMAIL), ("phone_number", PHONE_NUMBER))) or \
            not (user.is_verified("email") and user.is_verified("phone_number")):
        attributes.update_user_attributes(user, dict(USER_ATTRIBUTES), admin=True)
    if user.status != UserStatus.CONFIRMED or not passwords.verify(user, password):
        admin_users.admin_set_user_password(user, password, permanent=True)
    if not user.enabled:
        admin_users.set_enabled(user, True)
    return user


def admin_login(username: str, password: str) -> Any:
    """An active superuser ``username`` whose password is ``password``."""
    model = get_user_model()
    manager = model._default_manager
    user = manager.filter(**{model.USERNAME_FIELD: username}).first()
    if user is None:
        return manager.create_superuser(**{model.USERNAME_FIELD: username}, password=password)
    if not (user.is_active and user.is_staff and user.is_superuser) or \
            not user.check_password(password):
        user.is_active = user.is_staff = user.is_superuser = True
        user.set_password(password)
        user.save()
    return user


def admin_device(user: Any) -> Any | None:
    """The admin login's confirmed TOTP device, created once; ``None`` where django-otp's
    TOTP plugin is not installed."""
    if not apps.is_installed("django_otp.plugins.otp_totp"):
        return None
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, name=DEVICE_NAME).order_by("pk").first()
    if device is None:  # a new random key: the URI printed below is how an app learns it
        return TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=True)
    if not device.confirmed or device.throttling_failure_count:
        device.confirmed = True
        device.throttle_reset(commit=False)
        device.save()
    return device


def terminal_qr(data: str) -> str | None:
    """``data`` as a QR code drawn in text, or ``None`` without the ``qrcode`` package."""
    if find_spec("qrcode") is None:
        return None
    import qrcode

    code = qrcode.QRCode(border=2)
    code.add_data(data)
    drawn = io.StringIO()
    code.print_ascii(out=drawn, invert=True)  # dark on light, as phone cameras expect
    return drawn.getvalue()


class Command(CognitoCommand):
    help = ("Create (once) a demo user pool, app client, confirmed user, admin login, API "
            "access key and identity pool, and print how to use them. Development only.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true",
                            help="Print one JSON object with the endpoint, ids and logins.")
        parser.add_argument("--force", action="store_true",
                            help="Run even with DEBUG=False, with passwords and an access key "
                                 "of your own in settings.COGNITO_DEMO (the defaults are "
                                 "public and are never seeded then).")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["force"]:
            raise CommandError("cognito_demo creates logins with well-known passwords and runs "
                               "only with DEBUG=True; pass --force to run it anyway.")
        base = app_settings.PUBLIC_BASE_URL
        if not base or not isinstance(base, str):
            raise CommandError("Set COGNITO['PUBLIC_BASE_URL'] (such as http://127.0.0.1:8000) "
                               "so the demo can print its endpoint.")
        base = base.rstrip("/")
        config = demo_settings()
        public = sorted(key for key in SECRETS if config[key] == DEFAULTS[key])
        if not settings.DEBUG and public:
            raise CommandError(
                "With DEBUG=False the demo's public credentials are not seeded: set "
                f"{', '.join(public)} in settings.COGNITO_DEMO.")
        with transaction.atomic():
            pool = demo_pool(config["POOL_ID"] or None)
            client = demo_client(pool, config["CLIENT_ID"] or None)
            demo_user(pool, config["USER_PASSWORD"])
            domain = demo_domain(pool)
            relying_party = example_relying_party(base)
            trusted = [client]
            if relying_party is not None:
                try:
                    trusted.append(demo_web_client(pool, *relying_party,
                                                   client_id=config["WEB_CLIENT_ID"] or None))
                except InvalidParameterException:  # http on a host other than loopback
                    relying_party = None
            identity_pool = demo_identity_pool(
                pool, trusted, {"authenticated": config["AUTHENTICATED_ROLE_ARN"],
                                "unauthenticated": config["UNAUTHENTICATED_ROLE_ARN"]},
                config["IDENTITY_POOL_ID"] or None)
            admin = admin_login(config["ADMIN_USERNAME"], config["ADMIN_PASSWORD"])
            device = admin_device(admin)
            access_keys.ensure_access_key(config["AWS_ACCESS_KEY_ID"],
                                          config["AWS_SECRET_ACCESS_KEY"],
                                          description="cognito_demo (development only)")
        info = {
            "endpoint_url": base + "/",
            "region": pool.region,
            "user_pool_id": pool.id,
            "client_id": client.id,
            "identity_pool_id": identity_pool.id,
            "username": USERNAME,
            "password": config["USER_PASSWORD"],
            "admin_url": base + "/admin/",
            "admin_username": config["ADMIN_USERNAME"],
            "admin_password": config["ADMIN_PASSWORD"],
            "aws_access_key_id": config["AWS_ACCESS_KEY_ID"],
            "aws_secret_access_key": config["AWS_SECRET_ACCESS_KEY"],
        }
        info["domain_url"] = domains.base_url(domain)
        if relying_party is not None:
            info["relying_party_url"] = relying_party[1]
        if device is not None:
            info["admin_otpauth_uri"] = device.config_url
        if options["json"]:
            self.write_json(info)
        else:
            self.write_summary(info)

    def write_summary(self, info: dict[str, str]) -> None:
        """The human-readable block."""
        self.stdout.write(self.style.SUCCESS("Cognito demo is ready."))
        self.stdout.write("")
        self.write_fields([
            ("Endpoint URL", info["endpoint_url"]),
            ("Region", info["region"]),
            ("User pool id", info["user_pool_id"]),
            ("App client id", info["client_id"]),
            ("Identity pool id", info["identity_pool_id"]),
            ("Username", f"{info['username']} (or {EMAIL})"),
            ("Password", info["password"]),
            ("Admin URL", info["admin_url"]),
            ("Admin login", f"{info['admin_username']} / {info['admin_password']}"),
            ("AWS access key id", info["aws_access_key_id"]),
            ("AWS secret access key", info["aws_secret_access_key"]),
            ("Pool domain", info["domain_url"]),
            *([("Managed login (a relying party)", info["relying_party_url"])]
              if "relying_party_url" in info else []),
            *dev_pages(info["endpoint_url"]),
        ])
        uri = info.get("admin_otpauth_uri")
        if uri:
            self.write_device(uri)

    def write_device(self, uri: str) -> None:
        """How to enrol the admin login's TOTP device in an authenticator app."""
        self.stdout.write("")
        self.stdout.write("An admin behind django-otp (as the example's) asks for a one-time "
                          "code: scan the QR code below (or add the URI) in an authenticator app.")
        self.write_fields([("Admin TOTP device", uri)])
        drawn = terminal_qr(uri)
        if drawn:
            self.stdout.write(drawn)


def example_relying_party(base: str) -> tuple[str, str] | None:
    """``(callback URL, home URL)`` of the example's relying party, if the URLconf has it."""
    try:
        return base + reverse("rp-callback"), base + reverse("rp-home")
    except NoReverseMatch:
        return None


def dev_pages(endpoint_url: str) -> list[tuple[str, str]]:
    """``(label, URL)`` of the example project's development pages this URLconf serves."""
    pages = []
    for label, name in DEV_PAGES:
        try:
            path = reverse(name)
        except NoReverseMatch:
            continue
        pages.append((label, endpoint_url + path.lstrip("/")))
    return pages
