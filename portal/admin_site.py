from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from portal.security.auth import TwoFactorAdminSiteMixin


class PortalAdminSite(TwoFactorAdminSiteMixin, admin.AdminSite):
    site_header = _("DIP × TikTok Shop MOU Portal")
    site_title = _("MOU Portal")
    index_title = _("Partnership administration")
    index_template = "dashboard/admin_index.html"  # adds the link to the MOU dashboard

    def get_urls(self):
        from portal.dashboard.urls import admin_urls

        return admin_urls(self) + super().get_urls()
