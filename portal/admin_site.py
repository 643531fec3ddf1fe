from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from portal.security.auth import TwoFactorAdminSiteMixin


class PortalAdminSite(TwoFactorAdminSiteMixin, admin.AdminSite):
    site_header = _("DIP × TikTok Shop MOU Portal")
    site_title = _("MOU Portal")
    index_title = _("Partnership administration")
