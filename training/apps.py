from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from portal.roles import LIAISON, MANAGER, OFFICER, SUPERVISOR

_MODELS = ("course", "trainingsession", "participant", "attendance", "consultation")
_ALL = (*_MODELS, "certificatesignatory")


class TrainingConfig(AppConfig):
    name = "training"
    verbose_name = _("Training and advisory")
    # Officers create, edit and import; supervisors also delete; managers read, export and
    # download certificates; only supervisors keep who signs the certificates. The TikTok liaison
    # sees nothing of training.
    role_permissions = {
        OFFICER: {
            **{model: ("view", "add", "change") for model in _MODELS},
            "certificatesignatory": ("view",),
        },
        SUPERVISOR: {model: ("view", "add", "change", "delete") for model in _ALL},
        MANAGER: {model: ("view",) for model in _ALL},
        LIAISON: {},
    }

    def warm_up(self):
        """Called as the web server's process starts (``portal.wsgi``)."""
        from training.certificates import pdf_renderer_warm_up

        pdf_renderer_warm_up()
