"""Login: lockout after repeated failures (django-axes) and TOTP two-factor (django-otp).

Two-factor is required on the admin site when ``PORTAL_TWO_FACTOR_REQUIRED`` is on (always in
production). Elsewhere it is optional: a user who has set up an authenticator must give its code
at login, a user who has not logs in with the password alone.

Lockout counts failures per account and client address (the address the trusted proxies saw,
``client_address``) and per account from every address (``PORTAL_ACCOUNT_FAILURE_LIMIT``). A
lockout stops password guesses, never the account's owner: with a locked account, the password
*and* the code of the account's authenticator still sign in (``SecondFactorLockoutHandler``).
"""

import ipaddress

from axes.backends import AxesStandaloneBackend
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import get_user_model
from django.db.models import Sum
from django.utils import timezone
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


def client_address(request) -> str:
    """The address the request came from, as the trusted proxies in front of the portal saw it.

    With ``PORTAL_TRUSTED_PROXY_COUNT`` = 0 (the default: no proxy trusted) it is the connection's
    own address. With N proxies, each appends the address it received the request from to
    ``X-Forwarded-For``, so the client's is the N-th entry from the right; anything a client wrote
    into the header itself stands further left and is never read. A request that did not pass
    through the proxies (too few entries, or not an address) keeps the connection's address.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    hops = settings.PORTAL_TRUSTED_PROXY_COUNT
    if hops <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < hops:
        return remote
    try:
        return str(ipaddress.ip_address(forwarded[-hops]))
    except ValueError:
        return remote


def account_failures(username: str | None) -> int:
    """Failed logins of this account from every address within the cool-off."""
    if not username:
        return 0
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    attempts = AccessAttempt.objects.filter(username=username, attempt_time__gte=since)
    return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0


def _offers_second_factor(request, username: str | None) -> bool:
    """The login sends an authenticator code for an account that has an authenticator."""
    if not username or not (request.POST.get("otp_token") or "").strip():
        return False
    user = get_user_model()._default_manager.filter(username=username).first()
    return user is not None and confirmed_totp_device(user) is not None


class SecondFactorLockoutHandler(AxesDatabaseHandler):
    """Axes' lockout per account and address, plus one per account from every address, that the
    account's owner passes with the second factor.

    A locked login that sends an authenticator code goes on to the password check; the login form
    then accepts it only with the right password and the right code, and answers anything else
    with the same lockout page (``PortalLoginForm``): a guesser learns nothing, the owner signs in.
    An account without an authenticator waits for the cool-off (or a superuser's unlock).
    """

    def is_locked(self, request, credentials=None) -> bool:
        username = get_client_username(request, credentials)
        locked = super().is_locked(request, credentials) or (
            account_failures(username) >= settings.PORTAL_ACCOUNT_FAILURE_LIMIT
        )
        if locked and _offers_second_factor(request, username):
            request.lockout_needs_second_factor = True
            return False
        return locked

    def user_login_failed(self, sender, credentials, request=None, **kwargs):
        super().user_login_failed(sender, credentials, request=request, **kwargs)
        if request is None or getattr(request, "axes_locked_out", False):
            return
        username = get_client_username(request, credentials)
        if getattr(request, "lockout_needs_second_factor", False) or (
            account_failures(username) >= settings.PORTAL_ACCOUNT_FAILURE_LIMIT
        ):
            request.axes_locked_out = True
            request.axes_credentials = credentials


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
            if getattr(self.request, "lockout_needs_second_factor", False):
                # A locked account: the right password with a wrong code gets the lockout page
                # that a wrong password gets, so the password cannot be guessed through it.
                self.request.axes_locked_out = True
            raise forms.ValidationError(self.error_messages["otp_invalid"], code="otp_invalid")
        # django_otp marks the session verified when the user logs in with ``otp_device`` set.
        user.otp_device = device
        return cleaned_data
