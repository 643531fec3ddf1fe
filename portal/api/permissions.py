from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission

from portal.api.models import ApiToken
from portal.roles import LIAISON, user_roles


class IsPlatformLiaison(BasePermission):
    """The platform endpoints: a valid API token held by an active TikTok Liaison account."""

    message = _("Only a TikTok Liaison account's API token may use the platform API.")
    code = "not_liaison"

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not isinstance(request.auth, ApiToken) or not user or not user.is_authenticated:
            return False
        return user.is_active and LIAISON in user_roles(user)


class IsStaffOrLiaisonToken(BasePermission):
    """The schema and its docs page: a logged-in staff user, or a liaison's token."""

    message = _("Log in to the portal, or send a TikTok Liaison account's API token.")
    code = "not_liaison"

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not user or not user.is_authenticated or not user.is_active:
            return False
        if isinstance(request.auth, ApiToken):
            return LIAISON in user_roles(user)
        return user.is_staff
