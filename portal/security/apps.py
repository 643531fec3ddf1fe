from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SecurityConfig(AppConfig):
    """Holds the security screens' templates and their Thai catalogue; it has no models."""

    name = "portal.security"
    label = "portal_security"
    verbose_name = _("Security")

    def ready(self):
        from portal.security import history

        history.install()
