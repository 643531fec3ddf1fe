from django.contrib import admin
from django.utils.translation import gettext_lazy as _


class PortalAdminSite(admin.AdminSite):
    site_header = _("DIP × TikTok Shop MOU Portal")
    site_title = _("MOU Portal")
    index_title = _("Partnership administration")
