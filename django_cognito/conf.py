"""Typed access to ``settings.COGNITO``, read on every access so ``override_settings`` works."""

from __future__ import annotations

from typing import Any

from django.conf import settings as django_settings

DEFAULTS: dict[str, Any] = {
    # Region used in new pool ids (``<region>_<alnum>``) and in issuers.
    "REGION": "us-east-1",
    # Public base URL of the host project (scheme + host + prefix); never guessed from Host.
    "PUBLIC_BASE_URL": "",
    # Base URL of a pool's prefix domain, with ``{domain}`` for the prefix, as Cognito's
    # ``https://{domain}.auth.<region>.amazoncognito.com``: requests whose Host is such a name,
    # or a pool's custom domain, reach its managed login and OAuth endpoints (with
    # ``django_cognito.hosted.middleware.DomainMiddleware``). Domains are also served under
    # ``<app>/domains/<domain>/``, the only way when this is unset.
    "HOSTED_DOMAIN_URL": None,
    # Dotted path of ``callable(phone_number, message, *, pool, purpose)`` that delivers SMS.
    "SMS_SENDER": "django_cognito.services.delivery.log_sms_sender",
    # ``From`` address when a pool has no EmailConfiguration.From.
    "DEFAULT_FROM_EMAIL": None,
    # Fernet keys (urlsafe base64, 32 bytes) for secrets at rest; first one encrypts.
    # Empty: a key is derived from SECRET_KEY.
    "ENCRYPTION_KEYS": [],
    # Pool whose users CognitoPasswordBackend authenticates when no pool_id is given.
    "LOGIN_POOL": None,
    # Dotted path of the adapter class (decisions such as the Django user mapping).
    "ADAPTER": "django_cognito.adapter.DefaultAdapter",
    # Per-user attempt caps per hour (reference §9).
    "RATE_LIMITS": {
        "ConfirmSignUp": 15,
        "ResendConfirmationCode": 5,
        "ConfirmForgotPassword": 10,
        "ForgotPassword": 10,
        "ChangePassword": 5,
        "GetUserAttributeVerificationCode": 5,
        "VerifyUserAttribute": 15,
        # Sign-in: custom challenge flows a user may start, and one-time codes sent to them
        # (MFA and passwordless), each a message someone pays for and three more guesses.
        "CustomAuthFlow": 30,
        "SignInCode": 30,
    },
    # For clients with PreventUserExistenceErrors, codes of account recovery, resent sign-up
    # codes and passwordless sign-in codes go out after the response (waiting would tell a
    # real user from someone who is not there by time); False sends during the request.
    "BACKGROUND_DELIVERY": True,
    # Under PreventUserExistenceErrors, ForgotPassword, ConfirmForgotPassword, ConfirmSignUp
    # and ResendConfirmationCode answer no sooner than this many seconds, whoever asked (a
    # real user's code is written and rendered; someone not there gets a computed answer).
    "EVEN_ANSWER_SECONDS": 0.05,
    # A right password under an outdated hasher or cost is hashed again and saved (as Django's
    # ModelBackend does); False keeps stored hashes as they are.
    "UPGRADE_PASSWORD_HASHES": True,
    # Wrong answers to custom challenges count toward the user's sign-in lockout.
    "CUSTOM_AUTH_LOCKOUT": True,
    # Wrong answers a single code tolerates before it is void.
    "CODE_MAX_ATTEMPTS": 5,
    # Cache alias holding rate-limit and lockout counters.
    "CACHE_ALIAS": "default",
    # Lifetime of ListUsers pagination tokens (seconds); Cognito's is one hour.
    "PAGINATION_TOKEN_TTL": 3600,
    # Days a pool's signing keys sign before they are rotated on next use; None never
    # rotates (like AWS). ``manage.py cognito_rotate_keys`` rotates on demand.
    "KEY_ROTATION_DAYS": None,
    # Token verifier (django_cognito.verify). Issuers trusted besides local pools, each a dict:
    # {"region": "eu-west-1", "user_pool_id": "eu-west-1_AbC"} for a real Cognito pool, or
    # {"issuer": "https://...", "jwks_url": "https://..."} for any other RS256 issuer; either
    # with optional "client_ids" (allowed app clients: access client_id / ID aud; omitted =
    # any client of that issuer).
    "TRUSTED_ISSUERS": [],
    # Which local pools' tokens the verifier, the DRF authentication and the token backend
    # accept: None (every local pool) or a list of pool ids and {"user_pool_id": "...",
    # "client_ids": ["..."]} entries. The JSON API always takes every local pool's tokens.
    "LOCAL_POOLS": None,
    # Seconds of clock skew tolerated on exp, iat and nbf.
    "VERIFY_LEEWAY": 0,
    # Seconds a fetched JWKS is trusted before it is fetched again.
    "JWKS_CACHE_TTL": 3600,
    # Minimum seconds between JWKS refetches caused by an unknown kid (and after a failure).
    "JWKS_REFETCH_COOLDOWN": 30,
    # Timeout (seconds) and size cap (bytes) of one JWKS HTTP fetch.
    "JWKS_FETCH_TIMEOUT": 5,
    "JWKS_MAX_BYTES": 65536,
    # Longer tokens are refused before any parsing.
    "TOKEN_MAX_BYTES": 8192,
    # DRF CognitoAuthentication: which token a Bearer header carries ("access" or "id"),
    # and the realm of its WWW-Authenticate challenge.
    "DRF_TOKEN_USE": "access",
    "DRF_REALM": "api",
    # Dotted path of callable(claims) -> Django user or None, called only when a view reads
    # request.user.django_user; the default finds the pool user by pool id and sub.
    "USER_RESOLVER": "django_cognito.django_users.for_claims_without_mirroring",
    # Which pools forward triggers named in their LambdaConfig to AWS Lambda through boto3:
    # False (none: LambdaConfig is stored and echoed, triggers run as signals only), True
    # (every pool) or a list of pool ids.
    "LAMBDA_FORWARD": False,
    # Endpoint of the Lambda Invoke API for triggers a pool's LambdaConfig forwards to AWS
    # Lambda (None: AWS's regional endpoint; credentials come from boto3's default chain).
    "LAMBDA_ENDPOINT_URL": None,
    # Seconds to connect and to wait for a forwarded trigger, and attempts per invocation
    # (Cognito waits 5 s and retries up to 3 times).
    "LAMBDA_TIMEOUT": 5,
    "LAMBDA_MAX_ATTEMPTS": 3,
    # Identity providers: seconds to wait for, and most bytes read of, an OIDC discovery
    # document or SAML metadata fetched from the provider's URL.
    "FEDERATION_FETCH_TIMEOUT": 5,
    "FEDERATION_FETCH_MAX_BYTES": 1024 * 1024,
    # Take plain-HTTP URLs (any port) on a loopback host for an IdP's issuer, endpoints and
    # metadata: an IdP on the same machine in development and tests. Cognito takes only
    # HTTPS on ports 443 and 80.
    "FEDERATION_LOOPBACK_HTTP": False,
    # Identity pools: GetCredentialsForIdentity calls STS AssumeRoleWithWebIdentity (unsigned)
    # with this service's OpenID token. None: AWS's regional STS endpoint of STS_REGION
    # (None: REGION). AWS IAM must trust this service's issuer (docs/identity-pools.md).
    "STS_ENDPOINT_URL": None,
    "STS_REGION": None,
    # Seconds to connect to and to wait for STS.
    "STS_TIMEOUT": 5,
    # Where identity pools check the tokens of the social login providers (the Logins keys
    # of reference §8.3): Google and Apple ID tokens against an issuer (or a list of issuers)
    # and a JWKS URL; Facebook and Login with Amazon access tokens at the base URL of their
    # token-info APIs. Entries given here replace the default of their key; HTTPS only, or
    # plain HTTP on a loopback host (a stand-in provider in tests).
    "IDENTITY_LOGIN_ENDPOINTS": {
        "accounts.google.com": {
            "issuer": ["https://accounts.google.com", "accounts.google.com"],
            "jwks_uri": "https://www.googleapis.com/oauth2/v3/certs"},
        "appleid.apple.com": {"issuer": "https://appleid.apple.com",
                              "jwks_uri": "https://appleid.apple.com/auth/keys"},
        "graph.facebook.com": "https://graph.facebook.com",
        "www.amazon.com": "https://api.amazon.com",
    },
}


# A local deployment has no AWS account; ARNs and AWSAccountId need twelve digits.
ACCOUNT_ID = "000000000000"


class CognitoSettings:
    """Attribute access to ``settings.COGNITO`` merged over :data:`DEFAULTS`."""

    def __getattr__(self, name: str) -> Any:
        if name not in DEFAULTS:
            raise AttributeError(f"Unknown django_cognito setting: {name}")
        user = getattr(django_settings, "COGNITO", {}) or {}
        if name in ("RATE_LIMITS", "IDENTITY_LOGIN_ENDPOINTS"):
            return {**DEFAULTS[name], **user.get(name, {})}
        return user.get(name, DEFAULTS[name])


app_settings = CognitoSettings()
