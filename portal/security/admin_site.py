"""The admin site's side of login: the OTP form, the set-up page and two-factor where required.

Apart from ``portal.security.auth`` because it routes to ``portal.security.views``, which uses
``auth``'s checks: the imports run one way.
"""

from django.shortcuts import redirect
from django.urls import path

from portal.security.auth import (
    PortalLoginForm,
    confirmed_totp_device,
    is_verified,
    two_factor_required,
)
from portal.security.views import two_factor_setup


class TwoFactorAdminSiteMixin:
    """Mix into the AdminSite: OTP login form, set-up page, and two-factor where required."""

    login_form = PortalLoginForm
    login_template = "security/login.html"

    def has_permission(self, request):
        if not super().has_permission(request):
            return False
        return not two_factor_required() or is_verified(request.user)

    def login(self, request, extra_context=None):
        user = request.user
        if (
            two_factor_required()
            and user.is_active
            and user.is_staff
            and not is_verified(user)
            and confirmed_totp_device(user) is None
        ):
            return redirect(f"{self.name}:two_factor_setup")
        return super().login(request, extra_context)

    def get_urls(self):
        return [
            path("two-factor/", two_factor_setup, {"site": self}, name="two_factor_setup"),
            *super().get_urls(),
        ]
