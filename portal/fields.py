"""Model and form fields shared by the apps (the core: any app may import them)."""

import datetime

from django import forms
from django.contrib.admin.widgets import AdminDateWidget, AdminSplitDateTime, AdminTimeWidget
from django.core.exceptions import ValidationError
from django.db import models

from portal import dates
from portal.validators import validate_web_url


class WebURLFormField(forms.URLField):
    """A web address typed in a form: http or https only; typed without a scheme it is read as
    https (TikTok links are)."""

    default_validators = [validate_web_url]

    def __init__(self, *, assume_scheme="https", **kwargs):
        super().__init__(assume_scheme=assume_scheme, **kwargs)


class WebURLField(models.URLField):
    """A stored web address: http or https only (never ``javascript:``, ``data:`` or ``ftp:``),
    so that a page may show it as a link; every form of the model gets ``WebURLFormField``."""

    default_validators = [validate_web_url]

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": WebURLFormField, **kwargs})


class LocalDateInput(AdminDateWidget):
    """The admin's date input and calendar, in the year people type: BE for a Thai user (its
    calendar too: ``portal/js/buddhist_era_calendar.js``), the Christian era in English."""

    class Media:  # after the admin's calendar, which it adapts
        js = [
            "admin/js/calendar.js",
            "admin/js/admin/DateTimeShortcuts.js",
            "portal/buddhist-era-calendar.js",
        ]

    def format_value(self, value):
        if isinstance(value, datetime.date):
            return dates.input_date(value)
        return super().format_value(value)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"]["data-era"] = dates.typing_era()
        return context


class LocalDateField(forms.DateField):
    """A day typed in a form, read by ``portal.dates.parse_date`` in the user's era (BE in Thai);
    a year of the other era is refused with what to type, never stored as typed."""

    widget = LocalDateInput

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        try:
            return dates.parse_date(value, dates.typing_era())
        except dates.DateTextError as error:
            raise ValidationError(str(error), code="invalid") from error


class LocalSplitDateTimeWidget(AdminSplitDateTime):
    """The admin's date and time inputs, the date as ``LocalDateInput`` shows it."""

    def __init__(self, attrs=None):
        forms.MultiWidget.__init__(self, [LocalDateInput, AdminTimeWidget], attrs)


class LocalSplitDateTimeField(forms.SplitDateTimeField):
    """A moment typed as a day (``LocalDateField``) and a time of day, in Bangkok time."""

    widget = LocalSplitDateTimeWidget

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        day = LocalDateField(required=False, disabled=self.disabled)
        day.error_messages.setdefault("incomplete", self.error_messages["incomplete"])
        self.fields = (day, self.fields[1])


#: What a date or a moment of a model is typed with in every admin form (``PortalAdminSite``).
DATE_INPUTS = {
    models.DateTimeField: {
        "form_class": LocalSplitDateTimeField,
        "widget": LocalSplitDateTimeWidget,
    },
    models.DateField: {"form_class": LocalDateField, "widget": LocalDateInput},
}
