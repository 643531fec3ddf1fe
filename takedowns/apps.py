from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from portal.roles import LIAISON, MANAGER, OFFICER, SUPERVISOR

_VIEW = ("view",)
_EDIT = ("view", "add", "change")
_ALL = ("view", "add", "change", "delete")


class TakedownsConfig(AppConfig):
    name = "takedowns"
    verbose_name = _("Notice and takedown")
    # Who may make which transition is decided in takedowns.transitions.TRANSITIONS by these
    # custom permissions: submit_case (DIP), approve_forwarding (Supervisor),
    # record_platform_decision (Liaison).
    role_permissions = {
        OFFICER: {
            "rightsholder": _EDIT,
            "protectedright": _EDIT,
            "reasoncode": _VIEW,
            "takedowncase": (*_EDIT, "submit_case"),
            "infringingitem": _ALL,
            "evidence": _ALL,
            "statusevent": _VIEW,
            "platformseller": _VIEW,
            "monitoringsweep": _EDIT,
            "sweepfinding": _EDIT,
        },
        SUPERVISOR: {
            "rightsholder": _ALL,
            "protectedright": _ALL,
            "reasoncode": _ALL,
            "takedowncase": (*_ALL, "submit_case", "approve_forwarding"),
            "infringingitem": _ALL,
            "evidence": _ALL,
            "statusevent": _VIEW,
            "platformseller": _VIEW,
            "monitoringsweep": _ALL,
            "sweepfinding": _ALL,
        },
        LIAISON: {
            "protectedright": _VIEW,
            "reasoncode": _VIEW,
            "takedowncase": ("view", "change", "record_platform_decision"),
            "infringingitem": ("view", "change"),
            "evidence": _VIEW,
            "statusevent": _VIEW,
        },
        MANAGER: {
            "rightsholder": _VIEW,
            "protectedright": _VIEW,
            "reasoncode": _VIEW,
            "takedowncase": _VIEW,
            "infringingitem": _VIEW,
            "evidence": _VIEW,
            "statusevent": _VIEW,
            "platformseller": _VIEW,
            "monitoringsweep": _VIEW,
            "sweepfinding": _VIEW,
        },
    }

    def ready(self):
        from takedowns import signals  # noqa: F401
