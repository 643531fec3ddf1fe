"""Login: lockout after repeated failures (django-axes) and TOTP two-factor (django-otp).

Two-factor is required on the admin site when ``PORTAL_TWO_FACTOR_REQUIRED`` is on (always in
production). Elsewhere it is optional: a user who has set up an authenticator must give its code
at login, a user who has not logs in with the password alone.
"""

from axes.backends import AxesStandaloneBackend
from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice


def two_factor_required() -> bool:
    return bool(getattr(settings, "PORTAL_TWO_FACTOR_REQUIRED", False))


def confirmed_totp_device(user) -> TOTPDevice | None:
    if not user.is_authenticated:
        return None
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def is_verified(user) -> bool:
    """True when this session passed a second factor (set by django_otp's OTPMiddleware)."""
    check = getattr(user, "is_verified", None)
    return bool(check and check())


class LockoutBackend(AxesStandaloneBackend):
    """Axes' lockout check for every login that comes with a request.

    Django's test client and management commands call ``authenticate()`` without a request; there
    is no client address to lock out, so they pass through to the next backend instead of failing.
    Every login through the site carries its request and is checked.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


class PortalLoginForm(AdminAuthenticationForm):
    """The admin login form with the authenticator code of users who have set one up."""

    otp_token = forms.CharField(
        label=_("Authenticator code"),
        required=False,
        max_length=8,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "size": 8}
        ),
        help_text=_("The 6 digits your authenticator app shows, if you have set one up."),
    )

    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "otp_required": _("Enter the code from your authenticator app."),
        "otp_invalid": _("That authenticator code is not valid. Try the current one."),
    }

    def clean(self):
        cleaned_data = super().clean()
        user = self.get_user()
        device = confirmed_totp_device(user) if user else None
        if device is None:
            return cleaned_data
        token = (cleaned_data.get("otp_token") or "").strip()
        if not token:
            raise forms.ValidationError(self.error_messages["otp_required"], code="otp_required")
        allowed, _extra = device.verify_is_allowed()
        if not allowed or not device.verify_token(token):
            raise forms.ValidationError(self.error_messages["otp_invalid"], code="otp_invalid")
        # django_otp marks the session verified when the user logs in with ``otp_device`` set.
        user.otp_device = device
        return cleaned_data
