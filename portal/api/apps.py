from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from portal.roles import LIAISON, MANAGER, OFFICER, SUPERVISOR


class ApiConfig(AppConfig):
    """The platform's way in: REST API for TikTok's systems and the liaison's bulk decisions."""

    name = "portal.api"
    label = "api"
    verbose_name = _("Platform integration")
    role_permissions = {
        # Supervisors issue and revoke tokens; revoking is a change, a token is never deleted.
        SUPERVISOR: {"apitoken": ("view", "add", "change"), "decisionupload": ("view",)},
        OFFICER: {"decisionupload": ("view",)},
        MANAGER: {"decisionupload": ("view",)},
        LIAISON: {"decisionupload": ("view", "add")},
    }

    def ready(self):
        from portal.api import schema  # noqa: F401  (registers the token scheme with drf-spectacular)
