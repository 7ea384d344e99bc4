"""URL configuration: the admin for set-up, and the pages people work in."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("leadledger.desk.urls")),
    path("", include("leadledger.web.urls")),
]
