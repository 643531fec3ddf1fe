from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission

from portal.api.models import ApiToken
from portal.internals import django_request
from portal.roles import is_platform_user


class IsPlatformLiaison(BasePermission):
    """The platform endpoints: a valid API token held by an active TikTok Liaison account."""

    message = _("Only a TikTok Liaison account's API token may use the platform API.")
    code = "not_liaison"

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not isinstance(request.auth, ApiToken) or not user or not user.is_authenticated:
            return False
        return user.is_active and is_platform_user(user)


class IsStaffOrLiaisonToken(BasePermission):
    """The schema and its docs page: a logged-in staff user, or a liaison's token."""

    message = _("Log in to the portal, or send a TikTok Liaison account's API token.")
    code = "not_liaison"

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not user or not user.is_authenticated or not user.is_active:
            return False
        if isinstance(request.auth, ApiToken):
            return is_platform_user(user)
        # A session: the admin's own test, so two-factor where it is required.
        from django.contrib import admin

        return admin.site.has_permission(django_request(request))
