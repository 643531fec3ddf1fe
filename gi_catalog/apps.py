from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from portal.roles import LIAISON, MANAGER, OFFICER, SUPERVISOR

EDITED_MODELS = (
    "giproduct",
    "seller",
    "giauthorization",
    "onboardingapplication",
    "promotionactivity",
)


class GiCatalogConfig(AppConfig):
    name = "gi_catalog"
    verbose_name = _("GI catalog and sellers")
    # Officers create, edit and import; supervisors also delete; managers read and export;
    # the TikTok liaison sees nothing of the catalog. Onboarding steps are written only by the service.
    role_permissions = {
        OFFICER: {
            **{model: ("view", "add", "change") for model in EDITED_MODELS},
            "onboardingstep": ("view",),
        },
        SUPERVISOR: {
            **{model: ("view", "add", "change", "delete") for model in EDITED_MODELS},
            "onboardingstep": ("view",),
        },
        MANAGER: {model: ("view",) for model in (*EDITED_MODELS, "onboardingstep")},
        LIAISON: {},
    }
