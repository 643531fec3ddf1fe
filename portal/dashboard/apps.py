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
        SUPERVISOR: {"snapshot": (*FULL, "recompute_dashboard")},
        MANAGER: {"snapshot": (*FULL, "recompute_dashboard")},
        LIAISON: {"snapshot": ("view_takedown_dashboard",)},
    }

    def ready(self):
        from django.contrib import admin
        from django.db.models import signals

        from portal.dashboard.services import figure_rows_written
        from portal.dashboard.urls import admin_urls
        from portal.signals import rows_written

        admin.site.add_urls(admin_urls)
        # Never stale: a write that moves a figure queues a recompute (services.figures_changed).
        for signal in (signals.post_save, signals.post_delete, signals.m2m_changed, rows_written):
            signal.connect(figure_rows_written, dispatch_uid=f"dashboard-figures-{id(signal)}")
