from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from portal.people import PeopleByNameMixin
from portal.security.admin_site import TwoFactorAdminSiteMixin
from portal.security.autocomplete import ScopedAutocompleteMixin
from portal.security.limited_admin import ChangeListGuardMixin


class PortalAdminSite(ScopedAutocompleteMixin, TwoFactorAdminSiteMixin, admin.AdminSite):
    site_header = _("DIP × TikTok Shop MOU Portal")
    site_title = _("MOU Portal")
    index_title = _("Partnership administration")
    index_template = "dashboard/admin_index.html"  # adds the link to the MOU dashboard

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._url_builders = []

    def add_urls(self, build_urls) -> None:
        """Mount more pages inside the site: ``build_urls(site)`` returns their URL patterns.

        The pages' own app calls this from its ``AppConfig.ready`` (the dashboard does), so the
        core site never imports the apps above it.
        """
        self._url_builders.append(build_urls)

    #: What every admin has, whoever wrote it: people picked and listed by name
    #: (``portal.people``), and change lists that take only their own filters (``limited_admin``).
    EVERY_ADMIN = (PeopleByNameMixin, ChangeListGuardMixin)

    def register(self, model_or_iterable, admin_class=None, **options):
        admin_class = admin_class or admin.ModelAdmin
        missing = tuple(mixin for mixin in self.EVERY_ADMIN if not issubclass(admin_class, mixin))
        if missing:
            admin_class = type(
                admin_class.__name__,
                (*missing, admin_class),
                {
                    "__module__": admin_class.__module__,
                    "__qualname__": admin_class.__qualname__,
                    "__doc__": admin_class.__doc__,
                },
            )
        super().register(model_or_iterable, admin_class, **options)

    def get_urls(self):
        extra = [url for build_urls in self._url_builders for url in build_urls(self)]
        return extra + super().get_urls()
