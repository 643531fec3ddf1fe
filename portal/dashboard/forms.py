from datetime import timedelta

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.choices import WorkstreamCode
from portal.dashboard.choices import ReportFormat
from portal.dashboard.selectors import ALL_SECTIONS, Scope
from portal.fields import LocalDateField

MAX_RANGE = timedelta(days=366 * 10)


class ScopeForm(forms.Form):
    """The dashboard's filters: a date range and a workstream (the liaison has no workstream).

    The dates are typed as in every admin form (``LocalDateField``: BE for a Thai user, with the
    admin's calendar in BE; CE in English); a query string's ISO dates (links, bookmarks) are read
    in either language, and ``query()`` writes the filters back as ISO.
    """

    date_from = LocalDateField(label=_("From"), required=False)
    date_to = LocalDateField(label=_("To"), required=False)
    workstream = forms.ChoiceField(
        label=_("Workstream"),
        required=False,
        choices=[("", _("All workstreams")), *WorkstreamCode.choices],
    )

    def __init__(self, *args, platform_only: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.platform_only = platform_only
        if platform_only:
            del self.fields["workstream"]

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end:
            if start > end:
                raise forms.ValidationError(_("The start date must not be after the end date."))
            if end - start > MAX_RANGE:
                raise forms.ValidationError(_("Choose a range of at most ten years."))
        return data

    def query(self) -> dict[str, str]:
        """The filters of a valid form as a query string's values: dates in ISO, empty ones left
        out, so a link or a bookmark reads the same in Thai and in English."""
        query = {}
        for name in self.fields:
            value = self.cleaned_data.get(name)
            if value:
                query[name] = value.isoformat() if hasattr(value, "isoformat") else str(value)
        return query

    def scope(self) -> Scope:
        """The scope of a valid form; an invalid or empty form gives the unfiltered view."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return Scope(
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            workstream=None if self.platform_only else (data.get("workstream") or None),
            platform_only=self.platform_only,
        )


class ReportForm(ScopeForm):
    format = forms.ChoiceField(label=_("Format"), choices=ReportFormat.choices)
    section = forms.ChoiceField(
        label=_("Part"), required=False, choices=[("", "")] + [(s, s) for s in ALL_SECTIONS]
    )
