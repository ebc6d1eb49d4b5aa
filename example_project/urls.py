from django.urls import include, path

from . import api, aws, dev, passwordless, rp, totp  # noqa: F401  (passwordless connects receivers)
from .otp_admin import otp_admin_site

urlpatterns = [
    path("admin/", otp_admin_site().urls),
    path("api/me/", api.Me.as_view(), name="api-me"),
    path("api/admins/", api.AdminsOnly.as_view(), name="api-admins"),
    path("api/reports/", api.ReportsReader.as_view(), name="api-reports"),
    path("api/schema/", api.Schema.as_view(), name="api-schema"),
    path("session/login/", api.session_login, name="session-login"),
    path("session/me/", api.session_me, name="session-me"),
    path("dev/sms/", dev.sms_outbox, name="dev-sms-outbox"),
    path("dev/totp/", totp.totp_enrolment, name="dev-totp"),
    # A relying party of the demo pool, signing in through its managed login.
    path("rp/", rp.home, name="rp-home"),
    path("rp/login/", rp.login, name="rp-login"),
    path("rp/callback/", rp.callback, name="rp-callback"),
    path("rp/logout/", rp.logout, name="rp-logout"),
    # Temporary AWS credentials from the demo identity pool, and S3 with them.
    path("aws/", aws.page, name="example-aws"),
    # Last: the Cognito JSON API answers POST /.
    path("", include("django_cognito.urls")),
]
