from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

from portal.roles import LIAISON, MANAGER, OFFICER, SUPERVISOR


class PortalAdminConfig(AdminConfig):
    default_site = "portal.admin_site.PortalAdminSite"


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("MOU and reference data")
    # role -> {model_name: actions}; see portal.roles. Every app declares its own.
    role_permissions = {
        OFFICER: {
            "province": ("view",),
            "agreement": ("view",),
            "workstream": ("view",),
            "target": ("view",),
            "publicholiday": ("view",),
        },
        SUPERVISOR: {
            "province": ("view",),
            "agreement": ("view", "add", "change", "delete"),
            "workstream": ("view", "add", "change", "delete"),
            "target": ("view", "add", "change", "delete"),
            "publicholiday": ("view", "add", "change", "delete"),
        },
        MANAGER: {
            "province": ("view",),
            "agreement": ("view",),
            "workstream": ("view",),
            "target": ("view",),
            "publicholiday": ("view",),
        },
        LIAISON: {},
    }

    def ready(self):
        from portal.internals import timestamptz_loader_in_c
        from portal.signals import sync_roles_after_migrate

        post_migrate.connect(sync_roles_after_migrate, dispatch_uid="portal_sync_roles")
        connection_created.connect(timestamptz_loader_in_c, dispatch_uid="portal_timestamptz")
