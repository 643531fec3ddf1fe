from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from portal.roles import LIAISON, MANAGER, OFFICER, SUPERVISOR


class JobsConfig(AppConfig):
    name = "portal.jobs"
    label = "jobs"
    verbose_name = _("Background jobs")
    # Officers see (and cancel or retry) their own import jobs; supervisors and managers see
    # everyone's, and supervisors may cancel or retry anyone's.
    role_permissions = {
        OFFICER: {"job": ("view",)},
        SUPERVISOR: {"job": ("view", "delete", "view_all_jobs", "manage_all_jobs")},
        MANAGER: {"job": ("view", "view_all_jobs")},
        LIAISON: {},
    }
