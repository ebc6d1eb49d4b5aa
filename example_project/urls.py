from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    # Last: the Cognito JSON API answers POST /.
    path("", include("django_cognito.urls")),
]
