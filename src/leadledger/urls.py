"""URL configuration: the admin for set-up, and the pages people work in."""

from django.contrib import admin
from django.urls import include, path

from leadledger.api.main import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("", include("leadledger.desk.urls")),
    path("", include("leadledger.channel.urls")),
    path("", include("leadledger.money.urls")),
    path("", include("leadledger.bench.urls")),
    path("", include("leadledger.sales.urls")),
    path("", include("leadledger.web.urls")),
]

handler400 = "leadledger.web.errors.bad_request"
handler403 = "leadledger.web.errors.forbidden"
handler404 = "leadledger.web.errors.not_found"
handler500 = "leadledger.web.errors.server_error"
