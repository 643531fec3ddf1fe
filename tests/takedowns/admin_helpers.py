"""Turn an admin change page into the POST a browser would send (so tests post real forms)."""

import datetime

from django import forms

from takedowns.choices import ReporterBasis


def _field_values(bound_form, data):
    for name, field in bound_form.fields.items():
        key = bound_form.add_prefix(name)
        value = bound_form[name].value()
        if isinstance(field, forms.FileField):
            continue
        if isinstance(field.widget, forms.CheckboxInput):
            if value:
                data[key] = "on"
            continue
        if isinstance(field, forms.SplitDateTimeField):
            if isinstance(value, list | tuple):
                data[f"{key}_0"], data[f"{key}_1"] = (v or "" for v in value)
            elif isinstance(value, datetime.datetime):
                data[f"{key}_0"], data[f"{key}_1"] = (
                    value.strftime("%Y-%m-%d"),
                    value.strftime("%H:%M:%S"),
                )
            else:
                data[f"{key}_0"] = data[f"{key}_1"] = ""
            continue
        if isinstance(value, datetime.datetime):
            value = value.strftime("%Y-%m-%d %H:%M:%S")
        elif isinstance(value, datetime.date):
            value = value.isoformat()
        data[key] = "" if value is None else value


def post_data(response, **overrides):
    """All fields of the admin form in ``response`` (main form and inlines), then ``overrides``."""
    context = response.context
    data = {}
    _field_values(context["adminform"].form, data)
    for inline in context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = management[name].value()
        for form in formset.forms:
            _field_values(form, data)
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def new_case_data(page, right, **overrides):
    """The new-case page's form filled in as an officer would, for ``right``."""
    fields = {
        "title": "ทุเรียนหมอนทองปลอม",
        "summary_en": "Counterfeit Monthong durian sold under the holder's mark.",
        "rights_holder": right.owner.pk,
        "right": right.pk,
        "infringement_type": "counterfeit",
        "priority": "high",
        "reporter_name": "สมชาย ใจดี",
        "reporter_email": "somchai@ipthailand.go.th",
        "reporter_basis": ReporterBasis.OWNER,
    }
    return post_data(page, **{**fields, **overrides})
