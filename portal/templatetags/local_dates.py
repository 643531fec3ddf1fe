"""Dates in templates through ``portal.dates``: a built-in of every template (settings.TEMPLATES), so
``{{ value|date:"SHORT_DATE_FORMAT" }}`` writes a Thai year in the Buddhist era in the portal's
templates and in Django's and the libraries' alike.

``{{ value }}`` of a date writes the Christian-era year (Django's own rendering): a template shows a
date with ``|date`` (tests/portal/test_dates_shown.py reads every page for a date left in CE).
"""

from django import template
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist
from django.db import models

from portal import dates
from portal.people import person_name

register = template.Library()


@register.filter(expects_localtime=True)
def date(value, format_name=None):
    """Django's ``date`` filter, with the year of the portal's dates (``portal.dates``)."""
    if value in (None, ""):
        return ""
    try:
        return dates.format_date(value, format_name or "DATE_FORMAT")
    except AttributeError:
        return ""


@register.filter
def readonly_contents(field):
    """What the admin shows for a read-only field (``AdminReadonlyField``): a model's date or
    moment through ``portal.dates``, a person by name (``portal.people``), anything else as
    Django shows it."""
    name, instance = field.field["field"], field.form.instance
    if isinstance(name, str):
        try:
            model_field = instance._meta.get_field(name)
        except FieldDoesNotExist:
            model_field = None
        value = getattr(instance, name, None) if model_field else None
        if isinstance(model_field, models.DateField) and value is not None:
            return dates.format_date(value)
        if isinstance(value, get_user_model()):
            return person_name(value)
    return field.contents()
