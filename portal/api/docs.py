"""The schema and its docs page (Swagger UI from drf-spectacular-sidecar's static files, no CDN).

Both are in English, whatever the request's language: the schema is the platform engineers'
contract (and a generator names its classes after its titles)."""

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from drf_spectacular.views import SpectacularAPIView
from rest_framework import exceptions
from rest_framework.authentication import SessionAuthentication
from rest_framework.renderers import JSONRenderer

from portal.api.authentication import PlatformTokenAuthentication
from portal.api.exceptions import exception_handler
from portal.api.permissions import IsStaffOrLiaisonToken


class SchemaView(SpectacularAPIView):
    """OpenAPI 3 schema, generated from the code; for staff in the admin or a liaison's token."""

    authentication_classes = [PlatformTokenAuthentication, SessionAuthentication]
    permission_classes = [IsStaffOrLiaisonToken]

    def initial(self, request, *args, **kwargs):
        translation.activate("en")
        request.LANGUAGE_CODE = "en"
        super().initial(request, *args, **kwargs)

    def handle_exception(self, exc):
        # Errors are plain JSON like every other API error, not an "OpenAPI document".
        translation.activate("en")
        self.request.accepted_renderer = JSONRenderer()
        self.request.accepted_media_type = JSONRenderer.media_type
        return super().handle_exception(exc)


def docs(request):
    """Swagger UI: for a liaison's token (``Authorization: Bearer``), or staff logged in to the
    admin (two-factor verified where it is required); anyone else is sent to the admin's login."""
    with translation.override("en"):
        if request.headers.get("Authorization"):
            return _docs_for_token(request)
        if not admin.site.has_permission(request):
            return redirect_to_login(request.get_full_path(), reverse("admin:login"))
        return render(request, "api/docs.html")


def _docs_for_token(request):
    try:
        user_auth = PlatformTokenAuthentication().authenticate(request)
        if user_auth is None:
            raise exceptions.NotAuthenticated()
        request.user, request.auth = user_auth
        if not IsStaffOrLiaisonToken().has_permission(request, None):
            raise exceptions.PermissionDenied(IsStaffOrLiaisonToken.message)
    except exceptions.APIException as error:
        response = exception_handler(error, {"request": request})
        response.accepted_renderer = JSONRenderer()
        response.accepted_media_type = JSONRenderer.media_type
        response.renderer_context = {}
        if response.status_code == 401:
            response["WWW-Authenticate"] = "Bearer"
        return response.render()
    return render(request, "api/docs.html")
