import base64
import io
import sys

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.admin.exceptions import DisallowedModelAdminLookup
from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseServerError
from django.shortcuts import redirect
from django.template import loader
from django.template.response import TemplateResponse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.security.auth import confirmed_totp_device, is_verified


def _qr_data_uri(text: str) -> str:
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


@never_cache
@csrf_protect
def two_factor_setup(request, site):
    """Set up an authenticator app: scan the QR code, confirm with one code, session verified."""
    user = request.user
    if not (user.is_active and user.is_staff):
        return redirect(f"{site.name}:login")
    context = {**site.each_context(request), "title": _("Two-factor authentication")}
    existing = confirmed_totp_device(user)
    if existing is not None:
        if not is_verified(user):
            return redirect(f"{site.name}:login")
        context["already_set_up"] = True
        return TemplateResponse(request, "security/two_factor_setup.html", context)

    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by(
        "pk"
    ).first() or TOTPDevice.objects.create(user=user, name=_("Authenticator app"), confirmed=False)
    error = ""
    if request.method == "POST":
        token = request.POST.get("otp_token", "").strip()
        if token and device.verify_token(token):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            messages.success(request, _("Two-factor authentication is set up."))
            return redirect(f"{site.name}:index")
        error = _("That code is not valid. Enter the code your app shows now.")

    context.update(
        qr_code=_qr_data_uri(device.config_url),
        secret=base64.b32encode(device.bin_key).decode(),
        error=error,
    )
    return TemplateResponse(request, "security/two_factor_setup.html", context)


def bad_request(request, exception=None):
    """A 400 that says what was refused; a change list's refused filter links to the plain list."""
    context = {}
    if isinstance(exception, DisallowedModelAdminLookup):
        context["list_url"] = request.path
    return TemplateResponse(request, "security/400.html", context, status=400)


def permission_denied(request, exception=None):
    """A 403 that says whose account was refused and offers a way back."""
    referer = request.META.get("HTTP_REFERER", "")
    back_url = (
        referer
        if url_has_allowed_host_and_scheme(
            referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
        and referer != request.build_absolute_uri()
        else ""
    )
    return TemplateResponse(request, "security/403.html", {"back_url": back_url}, status=403)


DATABASE_ERRORS = (OperationalError, InterfaceError)


def server_error(request, template_name=None):
    """A friendly error page with no traceback; 503 and Retry-After when the database is down.

    Renders without a request context so that nothing here touches the database again.
    """
    error = sys.exc_info()[1]
    language = getattr(request, "LANGUAGE_CODE", None)
    context = {"LANGUAGE_CODE": language or "th"}
    if isinstance(error, DATABASE_ERRORS) or (
        isinstance(error, DatabaseError) and "connection" in str(error).lower()
    ):
        body = loader.get_template("security/503.html").render(context)
        response = HttpResponse(body, status=503)
        response["Retry-After"] = "30"
        return response
    return HttpResponseServerError(loader.get_template("security/500.html").render(context))
