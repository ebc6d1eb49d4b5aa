"""Admin of app clients: the secret never appears unless a user with change rights asks."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet
from django.forms import ModelForm
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import URLPattern, path
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..clock import now
from ..models import AppClient
from ..services import pools
from .base import CognitoModelAdmin, admin_url, adopt, render_page
from .client_oauth import try_hosted_login
from .forms import ClientChangeForm, ClientCreationForm


@admin.register(AppClient)
class AppClientAdmin(CognitoModelAdmin):
    list_display = ("name", "id", "pool", "secret_column", "created_at")
    list_filter = ("pool",)
    list_select_related = ("pool",)
    search_fields = ("=id", "^name")
    form = ClientChangeForm
    add_form = ClientCreationForm
    fieldsets = (
        (None, {"fields": ("id", "pool", "name", "secret_link", "created_at", "modified_at")}),
        (gettext_lazy("Authentication"), {"fields": (
            "explicit_auth_flows", "auth_session_validity", "prevent_user_existence_errors",
            "enable_token_revocation")}),
        (gettext_lazy("Tokens"), {"fields": (
            "access_token_validity", "id_token_validity", "refresh_token_validity",
            "token_validity_units")}),
        (gettext_lazy("Attributes"), {"fields": ("read_attributes", "write_attributes")}),
        (gettext_lazy("OAuth 2.0"), {"fields": (
            "allowed_oauth_flows_user_pool_client", "allowed_oauth_flows",
            "allowed_oauth_scopes", "supported_identity_providers", "callback_urls",
            "logout_urls", "default_redirect_uri", "hosted_login")}),
    )
    add_fieldsets = (
        (None, {"fields": ("pool", "name", "generate_secret")}),
        (gettext_lazy("Authentication"), {"fields": (
            "explicit_auth_flows", "prevent_user_existence_errors", "enable_token_revocation")}),
        (gettext_lazy("Tokens"), {"fields": (
            "access_token_minutes", "id_token_minutes", "refresh_token_days")}),
    )
    readonly_fields = (
        "id", "pool", "secret_link", "created_at", "modified_at", "access_token_validity",
        "id_token_validity", "refresh_token_validity", "token_validity_units", "read_attributes",
        "write_attributes", "hosted_login")

    def get_queryset(self, request: HttpRequest) -> QuerySet[AppClient]:
        # Listing clients must not decrypt every secret just to tick a box.
        return super().get_queryset(request).defer("secret").annotate(
            secret_set=ExpressionWrapper(Q(secret__isnull=False), output_field=BooleanField()))

    def get_fieldsets(self, request: HttpRequest, obj: AppClient | None = None) -> Any:
        return self.add_fieldsets if obj is None else self.fieldsets

    def get_readonly_fields(self, request: HttpRequest, obj: AppClient | None = None) -> Any:
        return () if obj is None else self.readonly_fields

    def get_form(self, request: HttpRequest, obj: AppClient | None = None, change: bool = False,
                 **kwargs: Any) -> Any:
        if obj is None:
            kwargs["form"] = self.add_form
        return super().get_form(request, obj, change, **kwargs)

    def save_model(self, request: HttpRequest, obj: AppClient, form: ModelForm,
                   change: bool) -> None:
        if isinstance(form, ClientCreationForm):
            adopt(obj, pools.create_user_pool_client(obj.pool, obj.name, **form.client_config()))
            return
        obj.modified_at = now()
        obj.save()

    @admin.display(description=gettext_lazy("Managed login"))
    def hosted_login(self, obj: AppClient) -> str:
        return try_hosted_login(obj)

    @admin.display(boolean=True, description=gettext_lazy("Secret"))
    def secret_column(self, obj: AppClient) -> bool:
        return bool(getattr(obj, "secret_set", False))

    @admin.display(description=gettext_lazy("Client secret"))
    def secret_link(self, obj: AppClient) -> str:
        if not getattr(obj, "secret_set", False):
            return _("This client has no secret.")
        return format_html('<a class="button" href="{}">{}</a>',
                           admin_url(AppClient, "secret", obj.pk), _("Show secret"))

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view(self.secret_view)
        return [path("<path:object_id>/secret/", view,
                     name="django_cognito_appclient_secret"), *super().get_urls()]

    def secret_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Reveal the client secret on POST to a user who may change the client, and log it."""
        client = self.get_object(request, unquote(object_id))
        if client is None:
            raise Http404(_("App client not found."))
        if not self.has_change_permission(request, client):
            raise PermissionDenied
        back = admin_url(AppClient, "change", client.pk)
        if client.secret is None:
            return render_page(self, request, _("Client secret"), original=client,
                               intro=_("This client has no secret."), back_url=back)
        if request.method != "POST":
            return render_page(
                self, request, _("Client secret"), original=client, back_url=back,
                intro=_("Reveal the secret of %(client)s? Whoever holds it can act as this "
                        "client; the reveal is recorded in the admin log.") % {"client": client},
                submit_label=_("Show secret"))
        self.log_change(request, client, _("Revealed the client secret."))
        return render_page(self, request, _("Client secret"), original=client, back_url=back,
                           secret=client.secret, secret_label=_("Client secret"))
