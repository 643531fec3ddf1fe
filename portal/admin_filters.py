"""The admin's date-range list filter, for every app: “from” and “to” dates (both inclusive) of a
date or date-time field, and the last 30 days or 12 months in one click.

Use it as ``list_filter = [("field", DateRangeFilter)]``. The query string names
``<field>_after`` and ``<field>_before``, dates as a date input takes them (``portal.dates``:
"30/11/2569" in Thai, or ISO); the inputs and their calendar show the user's era. A date-time
field is compared in the portal's time zone (Bangkok), so a day is the local day.
"""

from datetime import date, datetime, time, timedelta

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy

from portal.dates import DateTextError, input_date, parse_date, typing_era

QUICK_RANGES = ((30, gettext_lazy("Last 30 days")), (365, gettext_lazy("Last 12 months")))


class DateRangeFilter(admin.FieldListFilter):
    template = "admin/date_range_filter.html"
    parameter_suffixes = ("_after", "_before")  # the lookup guard allows these (limited_admin)

    @staticmethod
    def parameters(field_path: str) -> tuple[str, str]:
        """The query parameters of the filter of ``field_path``: from, to."""
        return tuple(f"{field_path}{suffix}" for suffix in DateRangeFilter.parameter_suffixes)

    def __init__(self, field, request, params, model, model_admin, field_path):
        self.after_param, self.before_param = self.parameters(field_path)
        super().__init__(field, request, params, model, model_admin, field_path)
        self.after_value = self._text(self.after_param)
        self.before_value = self._text(self.before_param)
        self.other_params = []

    def expected_parameters(self):
        return [self.after_param, self.before_param]

    def _text(self, name: str) -> str:
        value = self.used_parameters.get(name) or ""
        if isinstance(value, list):
            value = value[-1] if value else ""
        return value

    def _date(self, text: str) -> date | None:
        try:
            return parse_date(text, typing_era())
        except DateTextError as error:
            raise IncorrectLookupParameters(str(error)) from error

    def _shown(self, text: str) -> str:
        """What an input shows for ``text``: its day as date inputs write it, else as typed."""
        try:
            day = parse_date(text, typing_era())
        except DateTextError:
            return text
        return input_date(day) if day else ""

    @property
    def era(self) -> str:
        return typing_era()

    @property
    def after_shown(self) -> str:
        return self._shown(self.after_value)

    @property
    def before_shown(self) -> str:
        return self._shown(self.before_value)

    def queryset(self, request, queryset):
        start, end = self._date(self.after_value), self._date(self.before_value)
        if isinstance(self.field, models.DateTimeField):
            zone = timezone.get_current_timezone()
            start = start and datetime.combine(start, time.min, tzinfo=zone)
            end = end and datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone)
            upper = "lt"
        else:
            upper = "lte"
        if start:
            queryset = queryset.filter(**{f"{self.field_path}__gte": start})
        if end:
            queryset = queryset.filter(**{f"{self.field_path}__{upper}": end})
        return queryset

    def choices(self, changelist):
        own = self.expected_parameters()
        self.other_params = [(k, v) for k, v in changelist.params.items() if k not in own]
        yield {
            "selected": not (self.after_value or self.before_value),
            "query_string": changelist.get_query_string(remove=own),
            "display": gettext_lazy("All"),
        }
        today = timezone.localdate()
        for days, label in QUICK_RANGES:
            since = (today - timedelta(days=days)).isoformat()
            yield {
                "selected": self.after_value == since and not self.before_value,
                "query_string": changelist.get_query_string(
                    {self.after_param: since}, remove=[self.before_param]
                ),
                "display": label,
            }
