from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from portal.roles import LIAISON, MANAGER, OFFICER, SUPERVISOR

FULL = ("view_dashboard", "view_takedown_dashboard")


class DashboardConfig(AppConfig):
    """MOU progress dashboard and manager reports: reads every app, imported by none."""

    name = "portal.dashboard"
    label = "dashboard"
    verbose_name = _("MOU dashboard and reports")
    # The custom permissions live on Snapshot (see its Meta); nobody edits snapshots by hand.
    role_permissions = {
        OFFICER: {"snapshot": FULL},
        SUPERVISOR: {"snapshot": FULL},
        MANAGER: {"snapshot": FULL},
        LIAISON: {"snapshot": ("view_takedown_dashboard",)},
    }

    def ready(self):
        from django.contrib import admin

        from portal.dashboard.urls import admin_urls

        admin.site.add_urls(admin_urls)
