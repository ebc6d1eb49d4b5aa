"""Development settings of the example project. Not for production."""

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent

DEVELOPMENT_SECRET_KEY = "dev-only-insecure-secret-key-change-me"  # noqa: S105 (public on purpose)
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", DEVELOPMENT_SECRET_KEY)
DEBUG = os.environ.get("DJANGO_DEBUG", "1").lower() in {"1", "true", "yes", "on"}
if not DEBUG and SECRET_KEY == DEVELOPMENT_SECRET_KEY:
    # Every key that seals Sessions, SRP blocks and secrets at rest derives from this one
    # unless ENCRYPTION_KEYS is set: a public default would let anyone forge them.
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off: the "
                               "development key is public.")
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]

PORT = int(os.environ.get("PORT", "8000"))

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    # Staff sign in to the admin with a password and a TOTP code (urls.py: an OTPAdminSite);
    # cognito_demo gives the demo admin a device of otp_totp.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_cognito",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Requests for a pool domain's own host (COGNITO["HOSTED_DOMAIN_URL"]) reach its managed
    # login; without that setting domains answer under /domains/<domain>/.
    "django_cognito.hosted.middleware.DomainMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_cognito.backends.TokenSessionMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "example_project.urls"
WSGI_APPLICATION = "example_project.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        # DJANGO_DB_PATH points the demo at another SQLite file (tests use a temporary one).
        "NAME": os.environ.get("DJANGO_DB_PATH") or BASE_DIR / "db.sqlite3",
    }
}

# One process in development: a local cache will do, but large enough that a burst of
# requests cannot evict lockout counters and one-use markers (Django's default is 300
# entries). Production shares Redis (docs: COGNITO["CACHE_ALIAS"]).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                      "OPTIONS": {"MAX_ENTRIES": 1_000_000}}}

EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The example's own pool and app client (cognito_demo creates them with these ids). Its API
# trusts tokens of this pool and client only: where several pools live in one database, a
# token of another pool must not pass its checks (a group named "admins" there is not ours).
EXAMPLE_POOL_ID = os.environ.get("EXAMPLE_POOL_ID", "us-east-1_Example01")
EXAMPLE_CLIENT_ID = os.environ.get("EXAMPLE_CLIENT_ID", "exampleclient0000000000001")
# The relying party at /rp/ (example_project/rp.py): an OAuth client of the demo pool.
EXAMPLE_WEB_CLIENT_ID = os.environ.get("EXAMPLE_WEB_CLIENT_ID", "examplewebclient0000000001")

# The AWS page (/aws/, example_project/aws.py): the demo identity pool's credentials list and
# write the signed-in user's folder of a bucket. EXAMPLE_AWS_ENDPOINT_URL is where STS and S3
# answer: `make demo` starts moto_server on loopback and sets it; unset or empty, they are
# AWS's (then PUBLIC_BASE_URL must be public HTTPS and registered in IAM as an OpenID Connect
# provider: docs/identity-pools.md).
EXAMPLE_AWS = {
    "ENDPOINT_URL": os.environ.get("EXAMPLE_AWS_ENDPOINT_URL") or None,
    "REGION": os.environ.get("EXAMPLE_AWS_REGION") or "us-east-1",
    "BUCKET": os.environ.get("EXAMPLE_AWS_BUCKET") or "cognito-demo-bucket",
    "IDENTITY_POOL_ID": os.environ.get("EXAMPLE_IDENTITY_POOL_ID")
    or "us-east-1:0d3e5a1c-5b7e-4c1a-9f00-00000000de30",
}

COGNITO = {
    "PUBLIC_BASE_URL": f"http://127.0.0.1:{PORT}",
    # GetCredentialsForIdentity calls STS AssumeRoleWithWebIdentity here (None: AWS's).
    "STS_ENDPOINT_URL": EXAMPLE_AWS["ENDPOINT_URL"],
    "STS_REGION": EXAMPLE_AWS["REGION"],
    # The demo's identity providers (make demo-idps) listen on loopback over plain http.
    "FEDERATION_LOOPBACK_HTTP": DEBUG,
    "REGION": "us-east-1",
    "LOCAL_POOLS": [{"user_pool_id": EXAMPLE_POOL_ID,
                     "client_ids": [EXAMPLE_CLIENT_ID, EXAMPLE_WEB_CLIENT_ID]}],
}

COGNITO_DEMO = {
    "POOL_ID": EXAMPLE_POOL_ID,
    "CLIENT_ID": EXAMPLE_CLIENT_ID,
    "WEB_CLIENT_ID": EXAMPLE_WEB_CLIENT_ID,
    "USER_PASSWORD": os.environ.get("COGNITO_DEMO_USER_PASSWORD") or "Demo-Passw0rd!",
    "ADMIN_USERNAME": "admin",
    "ADMIN_PASSWORD": os.environ.get("COGNITO_DEMO_ADMIN_PASSWORD") or "admin-Passw0rd!",
    # The access key that signs admin API calls (boto3's aws_access_key_id and
    # aws_secret_access_key); development only, like the passwords above.
    "AWS_ACCESS_KEY_ID": os.environ.get("COGNITO_DEMO_AWS_ACCESS_KEY_ID")
    or "AKIADEMODEMODEMO0000",
    "AWS_SECRET_ACCESS_KEY": os.environ.get("COGNITO_DEMO_AWS_SECRET_ACCESS_KEY")
    or "DevOnly/CognitoDemoSecretKey/NotForProd0",
    # The demo identity pool and the IAM roles it maps (moto accepts any; on AWS, roles whose
    # trust policy names this server's issuer).
    "IDENTITY_POOL_ID": EXAMPLE_AWS["IDENTITY_POOL_ID"],
    "AUTHENTICATED_ROLE_ARN": os.environ.get("EXAMPLE_AWS_AUTHENTICATED_ROLE_ARN")
    or "arn:aws:iam::123456789012:role/cognito-demo-signed-in",
    "UNAUTHENTICATED_ROLE_ARN": os.environ.get("EXAMPLE_AWS_UNAUTHENTICATED_ROLE_ARN")
    or "arn:aws:iam::123456789012:role/cognito-demo-guest",
}

# Argon2id at OWASP's minimum (19 MiB, 2 passes, 1 lane): the recommended hasher for pool
# users and Django users alike; older hashes are upgraded at their next password sign-in.
PASSWORD_HASHERS = [
    "django_cognito.hashers.Argon2idOWASPPasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]

# The API's OpenAPI schema at /api/schema/: each operation lists the scopes and groups its
# permissions require (django_cognito.contrib.rest_framework.openapi and .schema).
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "django_cognito.contrib.rest_framework.schema.CognitoAutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "django_cognito example API",
    "DESCRIPTION": "Views protected by Cognito access tokens of the example's pool.",
    "VERSION": "1.0.0",
    # OpenAPI 3.1 lets a bearer scheme's requirements list what a token must carry (3.0 keeps
    # scopes to OAuth 2.0 schemes; see django_cognito.contrib.rest_framework.openapi).
    "OAS_VERSION": "3.1.0",
}

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "django_cognito.backends.CognitoTokenBackend",
]
LOGIN_URL = "/admin/login/"
# The name authenticator apps show beside the admin's TOTP device.
OTP_TOTP_ISSUER = "django_cognito example"
