"""The schema and its docs page (Swagger UI from drf-spectacular-sidecar's static files, no CDN)."""

from django.contrib.admin.views.decorators import staff_member_required
from django.shortcuts import render
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


@staff_member_required
def docs(request):
    return render(request, "api/docs.html")
