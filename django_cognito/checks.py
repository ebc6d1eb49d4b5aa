"""System checks (``cognito.E…`` errors, ``cognito.W…`` warnings), each with a hint.

Errors (always): E001 ``COGNITO`` is not a dict, E002 unknown key, E003 a dotted path that
does not import, E004 unusable ``ENCRYPTION_KEYS``, E005 malformed ``PUBLIC_BASE_URL``,
E006 unknown ``CACHE_ALIAS``, E007 malformed limits, E009 / E010 malformed
``TRUSTED_ISSUERS`` / ``LOCAL_POOLS``; E008 (``DEBUG=False``) keys derived
from a guessable ``SECRET_KEY``. Warnings: W006 region shape, W008 sessions made from tokens
without the middleware that ends them (always);
W001–W005 and W007 production settings (``DEBUG=False``); W010, W011 pools that cannot deliver their
codes (database-tagged: ``check --database default``, and ``migrate``).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register
from django.core.exceptions import ImproperlyConfigured
from django.db import connections, router
from django.utils.module_loading import import_string

from .conf import DEFAULTS, app_settings

if TYPE_CHECKING:
    from .models import UserPool

DEVELOPMENT_EMAIL_BACKENDS = {
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
}
DISCARDING_EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
DEVELOPMENT_SMS_SENDER = DEFAULTS["SMS_SENDER"]
LOCMEM_CACHE = "django.core.cache.backends.locmem.LocMemCache"
DUMMY_CACHE = "django.core.cache.backends.dummy.DummyCache"
# aws-jwt-verify, Amplify and pycognito read the region from the pool id prefix and
# aws-jwt-verify rejects a pool id whose prefix does not match this (reference §0.2).
REGION_RE = re.compile(r"^[a-z]{2}-(gov-)?[a-z]+-\d$")
DOTTED_PATH_HINTS = {
    "SMS_SENDER": "Give the dotted path of a callable(phone_number, message, *, pool, purpose), "
                  f"such as the development sender '{DEVELOPMENT_SMS_SENDER}'.",
    "ADAPTER": "Give the dotted path of a django_cognito.adapter.DefaultAdapter subclass.",
}
# Positive integer settings, with the smallest value each accepts.
COUNTS = {"CODE_MAX_ATTEMPTS": 1, "PAGINATION_TOKEN_TTL": 1}


@register()
def check_settings(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Settings that are malformed or unsafe."""
    raw = getattr(settings, "COGNITO", {})
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        return [Error("settings.COGNITO must be a dict.", id="cognito.E001",
                      hint="Set COGNITO = {...} with keys documented in django_cognito.conf.")]
    messages: list[CheckMessage] = []
    unknown = sorted(set(raw) - set(DEFAULTS), key=str)
    if unknown:
        messages.append(Error(f"Unknown COGNITO settings: {', '.join(map(str, unknown))}.",
                              id="cognito.E002",
                              hint=f"Known settings: {', '.join(sorted(DEFAULTS))}."))
    messages += _dotted_paths()
    messages += _encryption_keys()
    messages += _public_base_url()
    messages += _cache_and_limits(raw)
    region = app_settings.REGION
    if not isinstance(region, str) or not REGION_RE.match(region):
        messages.append(Warning(
            f"COGNITO['REGION'] is {region!r}, not an AWS region name.", id="cognito.W006",
            hint="Use a name such as 'us-east-1': pool ids start with it, and aws-jwt-verify "
                 "and Amplify read the region from that prefix."))
    messages += _token_sessions()
    messages += _trust()
    if not settings.DEBUG:
        messages += _production_warnings()
    return messages


def _trust() -> list[CheckMessage]:
    """TRUSTED_ISSUERS and LOCAL_POOLS parsed as the verifier parses them: a shape it would
    refuse at the first authenticated request (a 500 for every one) is an error here."""
    from .verify.issuers import issuers_from_settings
    from .verify.verifier import local_pools_from_setting

    messages: list[CheckMessage] = []
    try:
        entries = app_settings.TRUSTED_ISSUERS
        if not isinstance(entries, list | tuple):
            raise ImproperlyConfigured("COGNITO['TRUSTED_ISSUERS'] must be a list.")
        issuers_from_settings(entries)
    except ImproperlyConfigured as exc:
        messages.append(Error(str(exc), id="cognito.E009", hint=(
            "List entries such as {'region': 'eu-west-1', 'user_pool_id': 'eu-west-1_AbC123'} "
            "or {'issuer': 'https://…', 'jwks_url': 'https://…/.well-known/jwks.json'}, each "
            "with an optional 'client_ids' list.")))
    try:
        local_pools_from_setting(app_settings.LOCAL_POOLS)
    except ImproperlyConfigured as exc:
        messages.append(Error(str(exc), id="cognito.E010", hint=(
            "Use None (every local pool) or a list of pool ids and "
            "{'user_pool_id': …, 'client_ids': […]} entries.")))
    return messages


TOKEN_BACKEND = "django_cognito.backends.CognitoTokenBackend"
TOKEN_SESSION_MIDDLEWARE = "django_cognito.backends.TokenSessionMiddleware"


def _token_sessions() -> list[CheckMessage]:
    """Sessions made from tokens must end with their tokens (sign-out, revocation)."""
    if TOKEN_BACKEND in getattr(settings, "AUTHENTICATION_BACKENDS", []) and \
            TOKEN_SESSION_MIDDLEWARE not in getattr(settings, "MIDDLEWARE", []):
        return [Warning(
            "CognitoTokenBackend logs users in from tokens, but TokenSessionMiddleware is not "
            "installed: such a session outlives a sign-out, a revoked token, a password "
            "change and a disabled user.", id="cognito.W008",
            hint=f"Add {TOKEN_SESSION_MIDDLEWARE!r} to MIDDLEWARE after "
                 "AuthenticationMiddleware.")]
    return []


def _dotted_paths() -> list[CheckMessage]:
    messages: list[CheckMessage] = []
    for key, hint in DOTTED_PATH_HINTS.items():
        value = getattr(app_settings, key)
        if not isinstance(value, str):
            problem = f"must be a dotted path string, not {type(value).__name__}"
        else:
            try:
                target = import_string(value)
            except ImportError as exc:
                problem = f"cannot be imported: {exc}"
            else:
                if callable(target):
                    continue
                problem = f"names {value}, which is not callable"
        messages.append(Error(f"COGNITO['{key}'] {problem}.", id="cognito.E003", hint=hint))
    return messages


def _encryption_keys() -> list[CheckMessage]:
    hint = ("Give a list of keys made by cryptography.fernet.Fernet.generate_key(); the first "
            "encrypts, all decrypt, so append the old key when rotating.")
    keys = app_settings.ENCRYPTION_KEYS
    if not isinstance(keys, list | tuple) or \
            not all(isinstance(key, str | bytes) for key in keys):
        return [Error("COGNITO['ENCRYPTION_KEYS'] must be a list of Fernet keys.",
                      id="cognito.E004", hint=hint)]
    from .crypto.fields import fernet

    try:
        fernet()
        fernet("session")  # the keys derived per purpose too
    except ImproperlyConfigured as exc:
        return [Error(str(exc), id="cognito.E004", hint=hint)]
    return []


def _public_base_url() -> list[CheckMessage]:
    base = app_settings.PUBLIC_BASE_URL
    if not base:
        return []
    parts = urlsplit(base) if isinstance(base, str) else None
    if parts is None or parts.scheme not in ("http", "https") or not parts.netloc or \
            parts.query or parts.fragment:
        return [Error(f"COGNITO['PUBLIC_BASE_URL'] is {base!r}, not an absolute http(s) URL.",
                      id="cognito.E005",
                      hint="Use the URL clients reach this app at, such as "
                           "'https://auth.example.com' (scheme, host, optional path prefix; "
                           "no query or fragment): token issuers are built from it.")]
    return []


def _cache_and_limits(raw: dict[str, Any]) -> list[CheckMessage]:
    messages: list[CheckMessage] = []
    alias = app_settings.CACHE_ALIAS
    if not isinstance(alias, str) or alias not in settings.CACHES:
        messages.append(Error(
            f"COGNITO['CACHE_ALIAS'] is {alias!r}, which is not in settings.CACHES.",
            id="cognito.E006",
            hint="Name a configured cache: rate limits and lockout counters live there, so "
                 "several processes need a shared one such as Redis."))
    for key, low in COUNTS.items():
        value = getattr(app_settings, key)
        if not _is_int(value) or value < low:
            messages.append(Error(f"COGNITO['{key}'] must be an integer of at least {low}.",
                                  id="cognito.E007", hint=f"Remove {key} to use the default, "
                                                          f"{DEFAULTS[key]}."))
    limits = raw.get("RATE_LIMITS", {})
    if not isinstance(limits, dict) or not all(
            value is None or (_is_int(value) and value >= 0) for value in limits.values()):
        messages.append(Error(
            "COGNITO['RATE_LIMITS'] must map operation names to attempts per hour.",
            id="cognito.E007",
            hint="Use a dict such as {'ConfirmSignUp': 15}; 0 or None lifts an operation's cap."))
    return messages


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _production_warnings() -> list[CheckMessage]:
    messages: list[CheckMessage] = []
    base = app_settings.PUBLIC_BASE_URL
    if not base:
        messages.append(Warning("COGNITO['PUBLIC_BASE_URL'] is not set.", id="cognito.W001",
                                hint="Set the public https URL clients reach this app at; "
                                     "issuers and links are built from it, never from Host."))
    elif isinstance(base, str) and base.startswith("http://"):
        messages.append(Warning("COGNITO['PUBLIC_BASE_URL'] uses http with DEBUG=False.",
                                id="cognito.W002",
                                hint="Serve tokens, passwords and codes over https only: "
                                     "plain http exposes them to anyone on the path."))
    if settings.EMAIL_BACKEND in DEVELOPMENT_EMAIL_BACKENDS:
        messages.append(Warning(
            f"EMAIL_BACKEND is {settings.EMAIL_BACKEND}: verification codes and invitations "
            "will not reach users.", id="cognito.W003",
            hint="Configure an SMTP or provider email backend."))
    if app_settings.SMS_SENDER == DEVELOPMENT_SMS_SENDER:
        messages.append(Warning(
            "COGNITO['SMS_SENDER'] is the development sender: SMS codes are only logged.",
            id="cognito.W004", hint="Point SMS_SENDER at a callable that sends SMS."))
    messages += _per_process_cache()
    if not app_settings.ENCRYPTION_KEYS:
        if weak_secret_key(getattr(settings, "SECRET_KEY", "")):
            # Every Session, SRP block and secret at rest would be sealed with a key anyone
            # can derive: a forged Session or block is then only a computation away.
            messages.append(Error(
                "COGNITO['ENCRYPTION_KEYS'] is empty and SECRET_KEY is short or a known "
                "default: the keys that seal sessions and secrets at rest derive from it, so "
                "anyone can derive them too.", id="cognito.E008",
                hint="Set ENCRYPTION_KEYS to Fernet keys kept secret (and SECRET_KEY to 50 or "
                     "more random characters)."))
        else:
            messages.append(Warning(
                "COGNITO['ENCRYPTION_KEYS'] is empty: secrets at rest use a key derived from "
                "SECRET_KEY, so rotating SECRET_KEY makes them unreadable.", id="cognito.W005",
                hint="Set ENCRYPTION_KEYS to a list of Fernet keys."))
    return messages


def weak_secret_key(key: object) -> bool:
    """Django's own test of a guessable SECRET_KEY (``security.W009``), plus the tell-tale
    placeholders of examples (``insecure``, ``change-me``)."""
    if not isinstance(key, str | bytes):
        return True
    text = key.decode(errors="replace") if isinstance(key, bytes) else key
    lowered = text.lower()
    return (len(text) < 50 or len(set(text)) < 5 or lowered.startswith("django-insecure-")
            or "insecure" in lowered or "change-me" in lowered)


def _per_process_cache() -> list[CheckMessage]:
    alias = app_settings.CACHE_ALIAS
    config = settings.CACHES.get(alias) if isinstance(alias, str) else None
    backend = str((config or {}).get("BACKEND", ""))
    hint = ("Point CACHE_ALIAS at a cache every server process shares, such as "
            "django.core.cache.backends.redis.RedisCache.")
    if backend == DUMMY_CACHE:
        return [Warning(
            f"COGNITO['CACHE_ALIAS'] ({alias!r}) is a DummyCache, which keeps nothing: "
            "lockout after failed sign-ins, rate limits and one-use SRP blocks do not work, "
            "and pools and app clients are read from the database on every request.",
            id="cognito.W007", hint=hint)]
    if backend == LOCMEM_CACHE:
        return [Warning(
            f"COGNITO['CACHE_ALIAS'] ({alias!r}) is a per-process LocMemCache: with more "
            "than one server process, lockout counters, rate limits and one-use SRP blocks "
            "are counted per process, and a change to a pool or app client reaches other "
            "processes only when they restart.", id="cognito.W007", hint=hint)]
    return []


@register(Tags.database)
def check_pools(app_configs: Any = None, databases: Any = None, **kwargs: Any
                ) -> list[CheckMessage]:
    """Pools whose codes cannot reach users with these settings (``check --database``)."""
    if not databases:
        return []
    from .models import UserPool

    messages: list[CheckMessage] = []
    for alias in databases:
        # ``migrate`` runs database checks before it creates the tables.
        if not router.allow_migrate_model(alias, UserPool) or \
                UserPool._meta.db_table not in connections[alias].introspection.table_names():
            continue
        pools = UserPool.objects.using(alias).only("id", "name", "auto_verified_attributes")
        for pool in pools:
            messages += _pool_delivery(pool)
    return messages


def _pool_delivery(pool: UserPool) -> list[CheckMessage]:
    messages: list[CheckMessage] = []
    verified = pool.auto_verified_attributes
    if "email" in verified and settings.EMAIL_BACKEND == DISCARDING_EMAIL_BACKEND:
        messages.append(Warning(
            f"Pool {pool.id} verifies email but EMAIL_BACKEND discards mail.",
            id="cognito.W010", obj=pool,
            hint="Configure a real EMAIL_BACKEND, or stop auto-verifying email on this pool: "
                 "its users cannot receive confirmation codes."))
    if "phone_number" in verified and not settings.DEBUG and \
            app_settings.SMS_SENDER == DEVELOPMENT_SMS_SENDER:
        messages.append(Warning(
            f"Pool {pool.id} verifies phone_number but COGNITO['SMS_SENDER'] is the "
            "development sender, which only logs SMS.", id="cognito.W011", obj=pool,
            hint="Point COGNITO['SMS_SENDER'] at a callable that sends SMS, or stop "
                 "auto-verifying phone_number on this pool."))
    return messages
