"""The one way an uploaded file leaves the portal: ``/files/<app>/<model>/<pk>/<field>/``.

The rules are the admin's own, so a file is exactly as visible as the page that shows it: the model
must have an admin, the user must be allowed to view that object there (its ``get_queryset()`` and
``has_view_or_change_permission()``: the liaison sees only forwarded cases), and the field must be
one the admin shows that user for that object (``get_fieldsets()``). Anything else is 404, so an id
outside the user's rows tells them nothing.

The file goes out as an attachment with a content type from its (checked) extension, never
sniffed, and a sandboxing policy: a web page or script stored by mistake is never run as the
portal's origin. ``/media/`` is not routed at all (``portal.urls``).
"""

import os

from django.contrib import admin
from django.contrib.admin.utils import flatten_fieldsets, unquote
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import FileResponse, Http404

from portal.internals import registered_model_admins
from portal.security.uploads import safe_content_type

#: No script, plugin, form or same-origin access, whatever the browser makes of the bytes.
SANDBOX_POLICY = "sandbox; default-src 'none'; frame-ancestors 'none'"


def _file_field(model, field_name):
    for field in model._meta.concrete_fields:
        if field.name == field_name and isinstance(field, models.FileField):
            return field
    return None


def file_download(request, app_label, model_name, pk, field_name):
    """Send one stored file to a user whose admin may show it; see the module's docstring.

    ``portal.urls`` routes it through ``admin.site.admin_view``: a visitor is sent to the login
    page (and through two-factor), and the response is never cached.
    """
    found = [
        (model, model_admin)
        for model, model_admin in registered_model_admins(admin.site).items()
        if (model._meta.app_label, model._meta.model_name) == (app_label, model_name)
    ]
    if not found:
        raise Http404
    model, model_admin = found[0]
    if _file_field(model, field_name) is None:
        raise Http404
    if not model_admin.has_view_or_change_permission(request):
        raise PermissionDenied
    obj = model_admin.get_object(request, unquote(pk))
    if obj is None or not model_admin.has_view_or_change_permission(request, obj):
        raise Http404
    if field_name not in flatten_fieldsets(model_admin.get_fieldsets(request, obj)):
        raise Http404
    stored = getattr(obj, field_name)
    if not stored:
        raise Http404
    try:
        handle = stored.storage.open(stored.name, "rb")
    except (FileNotFoundError, IsADirectoryError):
        raise Http404 from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=os.path.basename(stored.name),
        content_type=safe_content_type(stored.name),
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = SANDBOX_POLICY
    return response
