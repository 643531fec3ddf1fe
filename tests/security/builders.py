"""Build one saved row of any model with only its required fields, for the generated tests.

Values are dull but valid for the database (constraints, unique fields, foreign keys); model
validators are not run. A model the generic rules cannot build gets an entry in OVERRIDES.
"""

import datetime
import itertools
from decimal import Decimal

from django.db import IntegrityError, models, transaction
from django.utils import timezone

_counter = itertools.count(1)

# model label -> {field name: value or callable(n)} for values the generic rules get wrong.
OVERRIDES: dict[str, dict] = {
    "gi_catalog.GIProduct": {"name_th": lambda n: f"สินค้า GI {n}", "name_en": lambda n: f"GI {n}"},
    "django_celery_beat.PeriodicTask": {
        "interval": lambda n: _interval(),
        "task": "portal.tasks.ping",
    },
    "takedowns.MonitoringSweep": {"searched_product_search": True},
    # the seeded Thai holidays hold today on some days (7 December 2026): a day none of them is
    "portal.PublicHoliday": {"date": lambda n: datetime.date(2100, 1, 1) + datetime.timedelta(n)},
}


def _interval():
    from django_celery_beat.models import IntervalSchedule

    return IntervalSchedule.objects.create(every=1, period=IntervalSchedule.HOURS)


def _value(field, n):
    if field.choices:
        return field.choices[0][0]
    if isinstance(field, models.EmailField):
        return f"trust{n}@example.org"
    if isinstance(field, models.URLField):
        return f"https://example.org/trust/{n}"
    if isinstance(field, models.UUIDField):
        import uuid

        return uuid.uuid4()
    if isinstance(field, models.GenericIPAddressField):
        return "127.0.0.1"
    if isinstance(field, models.CharField | models.TextField | models.SlugField):
        text = f"T{n:06d}"
        return text[: field.max_length] if field.max_length else text
    if isinstance(field, models.BooleanField):
        return False
    if isinstance(field, models.DecimalField):
        return Decimal(1)
    if isinstance(field, models.FloatField):
        return 1.0
    if isinstance(field, models.IntegerField):  # all integer kinds
        return 1
    if isinstance(field, models.DateTimeField):
        return timezone.now()
    if isinstance(field, models.DateField):
        return datetime.date.today()
    if isinstance(field, models.DurationField):
        return datetime.timedelta(0)
    if isinstance(field, models.FileField):
        return f"trust/file{n}.txt"
    if isinstance(field, models.JSONField):
        return {}
    return None


def build(model, **given):
    """Save and return one row of ``model``; ``given`` values win over generated ones."""
    n = next(_counter)
    overrides = OVERRIDES.get(model._meta.label, {})
    values = {}
    for field in model._meta.concrete_fields:
        if field.primary_key and field.auto_created or field.name in given:
            continue
        if field.name in overrides:
            value = overrides[field.name]
            values[field.name] = value(n) if callable(value) else value
            continue
        if field.has_default() or field.null or getattr(field, "auto_now", False):
            continue
        if getattr(field, "auto_now_add", False):
            continue
        if field.is_relation:
            related = field.related_model
            existing = None if field.one_to_one else related.objects.order_by("pk").first()
            values[field.name] = existing or build(related)
            continue
        if field.blank and isinstance(field, models.CharField | models.TextField):
            continue
        values[field.name] = _value(field, n)
    values.update(given)
    try:
        with transaction.atomic():
            return model._base_manager.create(**values)
    except IntegrityError as error:
        raise AssertionError(
            f"cannot build {model._meta.label} generically ({error}); add it to OVERRIDES"
        ) from error
