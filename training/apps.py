from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from portal.roles import LIAISON, MANAGER, OFFICER, SUPERVISOR

_MODELS = ("course", "trainingsession", "participant", "attendance", "consultation")


class TrainingConfig(AppConfig):
    name = "training"
    verbose_name = _("Training and advisory")
    # Officers create, edit and import; supervisors also delete; managers read, export and
    # download certificates; the TikTok liaison sees nothing of training.
    role_permissions = {
        OFFICER: {model: ("view", "add", "change") for model in _MODELS},
        SUPERVISOR: {model: ("view", "add", "change", "delete") for model in _MODELS},
        MANAGER: {model: ("view",) for model in _MODELS},
        LIAISON: {},
    }
