"""List filters for the training admin."""

from datetime import date, datetime, time, timedelta

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _


class DateRangeFilter(admin.FieldListFilter):
    """“From” and “to” dates (both inclusive) for a date or date-time field, as a small GET form."""

    template = "training/admin/date_range_filter.html"

    def __init__(self, field, request, params, model, model_admin, field_path):
        self.lookup_from = f"{field_path}__from"
        self.lookup_to = f"{field_path}__to"
        self.other_params = [
            (key, value)
            for key, values in request.GET.lists()
            if key not in (self.lookup_from, self.lookup_to, "p")
            for value in values
        ]
        super().__init__(field, request, params, model, model_admin, field_path)

    def expected_parameters(self):
        return [self.lookup_from, self.lookup_to]

    def value(self, lookup: str) -> str:
        value = self.used_parameters.get(lookup) or ""
        if isinstance(value, list):
            value = value[-1] if value else ""
        return value

    def parse(self, lookup: str) -> date | None:
        text = self.value(lookup)
        if not text:
            return None
        try:
            return date.fromisoformat(text)
        except ValueError as error:
            raise IncorrectLookupParameters(
                _("“%(value)s” is not a date (YYYY-MM-DD).") % {"value": text}
            ) from error

    def queryset(self, request, queryset):
        start, end = self.parse(self.lookup_from), self.parse(self.lookup_to)
        if isinstance(self.field, models.DateTimeField):
            tz = timezone.get_current_timezone()
            if start:
                queryset = queryset.filter(
                    **{f"{self.field_path}__gte": datetime.combine(start, time.min, tzinfo=tz)}
                )
            if end:
                queryset = queryset.filter(
                    **{
                        f"{self.field_path}__lt": datetime.combine(
                            end + timedelta(days=1), time.min, tzinfo=tz
                        )
                    }
                )
        else:
            if start:
                queryset = queryset.filter(**{f"{self.field_path}__gte": start})
            if end:
                queryset = queryset.filter(**{f"{self.field_path}__lte": end})
        return queryset

    def choices(self, changelist):
        yield {
            "from_name": self.lookup_from,
            "to_name": self.lookup_to,
            "from_value": self.value(self.lookup_from),
            "to_value": self.value(self.lookup_to),
            "hidden": self.other_params,
            "active": bool(self.value(self.lookup_from) or self.value(self.lookup_to)),
            "reset_url": changelist.get_query_string(remove=[self.lookup_from, self.lookup_to]),
        }
