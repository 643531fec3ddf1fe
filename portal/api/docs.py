"""The schema and its docs page (Swagger UI from drf-spectacular-sidecar's static files, no CDN)."""

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import render
from django.urls import reverse
from drf_spectacular.views import SpectacularAPIView
from rest_framework.authentication import SessionAuthentication
from rest_framework.renderers import JSONRenderer

from portal.api.authentication import PlatformTokenAuthentication
from portal.api.permissions import IsStaffOrLiaisonToken


class SchemaView(SpectacularAPIView):
    """OpenAPI 3 schema, generated from the code; for staff in the admin or a liaison's token."""

    authentication_classes = [PlatformTokenAuthentication, SessionAuthentication]
    permission_classes = [IsStaffOrLiaisonToken]

    def handle_exception(self, exc):
        # Errors are plain JSON like every other API error, not an "OpenAPI document".
        self.request.accepted_renderer = JSONRenderer()
        self.request.accepted_media_type = JSONRenderer.media_type
        return super().handle_exception(exc)


def docs(request):
    # The admin's own test: staff, and two-factor verified where it is required.
    if not admin.site.has_permission(request):
        return redirect_to_login(request.get_full_path(), reverse("admin:login"))
    return render(request, "api/docs.html")
