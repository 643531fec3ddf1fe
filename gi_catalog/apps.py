from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GiCatalogConfig(AppConfig):
    name = "gi_catalog"
    verbose_name = _("GI catalog and sellers")
    role_permissions: dict = {}
