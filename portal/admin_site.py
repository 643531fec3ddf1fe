import functools

from django import forms
from django.contrib import admin
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from portal import dates
from portal.admin_filters import DateRangeFilter
from portal.fields import DATE_INPUTS, LocalDateInput
from portal.people import PeopleByNameMixin
from portal.security.admin_site import TwoFactorAdminSiteMixin
from portal.security.autocomplete import ScopedAutocompleteMixin
from portal.security.limited_admin import ChangeListGuardMixin


def use_local_date_inputs(model_admin) -> None:
    """Dates of ``model_admin``'s forms (a ModelAdmin's or an inline's) typed as people write
    them (``portal.fields.DATE_INPUTS``), unless the admin chose its own inputs for them."""
    own = type(model_admin).formfield_overrides
    for field_class, inputs in DATE_INPUTS.items():
        if field_class not in own:
            model_admin.formfield_overrides[field_class] = dict(inputs)


@functools.cache
def date_column(model, name):
    """The change-list column of the date or moment field ``name``, written by
    ``portal.dates``; ``name`` itself for any other column."""
    try:
        field = model._meta.get_field(name) if isinstance(name, str) else None
    except FieldDoesNotExist:
        field = None
    if not isinstance(field, models.DateField) or field.choices:
        return name

    @admin.display(description=field.verbose_name, ordering=name)
    def column(obj):
        value = getattr(obj, name)
        return None if value is None else dates.format_date(value)

    column.__name__ = name  # the column's CSS class and help text stay the field's
    return column


class LocalDatesAdminMixin:
    """Every admin of the site (``PortalAdminSite.admin_mixins``): its list's dates and its
    forms' date inputs in the user's era (``portal.dates``). Read-only fields go through the
    ``readonly_contents`` filter of the admin's fieldset and tabular templates."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        use_local_date_inputs(self)

    def get_inline_instances(self, request, obj=None):
        inlines = super().get_inline_instances(request, obj)
        for inline in inlines:
            use_local_date_inputs(inline)
        return inlines

    def get_list_display(self, request):
        columns = super().get_list_display(request)
        return [
            name if name in self.list_editable else date_column(self.model, name)
            for name in columns
        ]

    @property
    def media(self):
        """With a date-range filter, the list also loads the date inputs' calendar (and the
        translations and formats it reads, as a change form does)."""
        media = super().media
        if any(
            isinstance(spec, list | tuple) and issubclass(spec[1], DateRangeFilter)
            for spec in self.list_filter
        ):
            catalog = forms.Media(js=[reverse(f"{self.admin_site.name}:jsi18n")])
            media += catalog + LocalDateInput().media
        return media

    def get_list_display_links(self, request, list_display):
        links = super().get_list_display_links(request, list_display)
        return links if links is None else [date_column(self.model, name) for name in links]


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

    #: What every admin of the site gets, whoever wrote it (the libraries' too): people picked and
    #: listed by name (``portal.people``), dates in the user's era (``LocalDatesAdminMixin``), and
    #: change lists that take only their own filters (``limited_admin``).
    admin_mixins = (PeopleByNameMixin, LocalDatesAdminMixin, ChangeListGuardMixin)

    def register(self, model_or_iterable, admin_class=None, **options):
        admin_class = admin_class or admin.ModelAdmin
        missing = tuple(mixin for mixin in self.admin_mixins if not issubclass(admin_class, mixin))
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
