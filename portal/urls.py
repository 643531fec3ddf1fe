from django.contrib import admin
from django.shortcuts import redirect
from django.templatetags.static import static as static_url
from django.urls import include, path
from django.views.generic import RedirectView

from portal.health import health
from portal.security.downloads import file_download

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False)),
    path("health/", health, name="health"),
    path("favicon.ico", lambda request: redirect(static_url("portal/favicon.svg"))),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/", include("portal.api.urls")),
    # Uploaded files leave only through this permission-checked view; /media/ is never routed,
    # not even with DEBUG on (portal.security.downloads).
    path(
        "files/<str:app_label>/<str:model_name>/<str:pk>/<str:field_name>/",
        admin.site.admin_view(file_download),
        name="file_download",
    ),
]

handler400 = "portal.security.views.bad_request"
handler403 = "portal.security.views.permission_denied"
handler500 = "portal.security.views.server_error"
