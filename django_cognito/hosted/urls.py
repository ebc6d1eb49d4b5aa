"""The paths of a pool's domain, as Cognito serves them (reference §5)."""

from __future__ import annotations

from django.urls import URLPattern, path

from . import account_pages, assets, federation_oidc, federation_saml, oauth_views, pages

urlpatterns: list[URLPattern] = [
    path("oauth2/authorize", oauth_views.authorize, name="hosted-authorize"),
    path("oauth2/token", oauth_views.token, name="hosted-token"),
    path("oauth2/userInfo", oauth_views.userinfo, name="hosted-userinfo"),
    path("oauth2/revoke", oauth_views.revoke, name="hosted-revoke"),
    path("oauth2/idpresponse", federation_oidc.idp_response, name="hosted-idp-response"),
    path("logout", oauth_views.logout, name="hosted-logout"),
    path("login", pages.login, name="hosted-login"),
    path("signup", account_pages.sign_up, name="hosted-signup"),
    path("confirmUser", account_pages.confirm_user, name="hosted-confirm-user"),
    path("forgotPassword", account_pages.forgot_password, name="hosted-forgot-password"),
    path("confirmforgotPassword", account_pages.confirm_forgot_password,
         name="hosted-confirm-forgot-password"),
    path("saml2/idpresponse", federation_saml.idpresponse, name="hosted-saml-acs"),
    path("saml2/logout", federation_saml.logout, name="hosted-saml-logout"),
    path("saml2/metadata", federation_saml.metadata, name="hosted-saml-metadata"),
    path("assets/hosted.css", assets.stylesheet, name="hosted-css"),
    path("assets/custom.css", assets.custom_stylesheet, name="hosted-custom-css"),
    path("assets/logo", assets.logo, name="hosted-logo"),
]
