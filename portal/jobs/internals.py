"""Where an import job reaches into django-import-export and Django below their public API.

Why: ``FileImporter`` applies a Resource's own rules to 100,000 rows, and the public path (the
admin's ``Resource.import_data``) costs several queries and a list rebuild per row. To keep the same
rules and messages at a fraction of the cost, the job replaces a few steps for the length of one
file: a foreign key widget looks each value up once, the import fields are worked out once,
``Model.full_clean`` skips its per-row queries (the job then runs them per chunk, with Django's own
messages), and the job decides whether rows can be written in bulk from the model's save hooks.

Each of those needs something the libraries do not promise to keep: private methods
(``Resource._check_import_id_fields``, ``Model._get_unique_checks``, ``Signal._live_receivers``),
the shape of ``Model.full_clean`` and of ``ForeignKeyWidget``. They are all here, and only here,
so that an upgrade of Django (5.2) or django-import-export (4.x) is checked in one module; the
import job tests (tests/jobs) fail if one of them changes behaviour.
"""

from __future__ import annotations

import contextlib
import copy

from django.core.exceptions import NON_FIELD_ERRORS, ObjectDoesNotExist, ValidationError
from django.db import models
from django.db.models import signals
from django.db.models.expressions import DatabaseDefault
from import_export import resources, widgets

# --- django-import-export ----------------------------------------------------------------------


def memoized_foreign_key_widget(widget: widgets.ForeignKeyWidget) -> widgets.ForeignKeyWidget:
    """A copy of a foreign key widget that looks each distinct value up once per file.

    Only when the lookup cannot depend on the row: the widget keeps ForeignKeyWidget's
    ``get_queryset`` and ``get_lookup_kwargs`` (it may still change ``clean``).
    """
    cls = type(widget)
    if (
        cls.get_queryset is not widgets.ForeignKeyWidget.get_queryset
        or cls.get_lookup_kwargs is not widgets.ForeignKeyWidget.get_lookup_kwargs
    ):
        return widget
    memo: dict = {}
    clean_once = widget.clean

    def clean(value, row=None, **kwargs):
        key = value if isinstance(value, str | int | float | type(None)) else repr(value)
        if key not in memo:
            try:
                memo[key] = (clean_once(value, row=row, **kwargs), None)
            except (ObjectDoesNotExist, ValueError, ValidationError) as error:
                memo[key] = (None, error)
        result, error = memo[key]
        if error is not None:
            raise error
        return result

    memoized = copy.copy(widget)
    memoized.clean = clean
    return memoized


def freeze_import_fields(resource: resources.ModelResource) -> None:
    """django-import-export works the list of import fields out again twice per row; this
    Resource (made for one file) answers with the list as it is now."""
    import_fields = resource.get_import_fields()
    resource.get_import_fields = lambda: import_fields


def check_import_id_fields(resource: resources.ModelResource, headers) -> None:
    """The file has the Resource's key columns (the check ``import_data`` makes first)."""
    resource._check_import_id_fields(headers)


def resource_overrides(resource, name: str) -> bool:
    """True if the Resource changes ``name`` beyond what ModelResource and PortalResource do.

    (PortalResource's save hook only names the file and user in the audit history, which the
    bulk path records too.)
    """
    from portal.importing import PortalResource

    method = getattr(type(resource), name)
    return all(
        method is not getattr(base, name, None)
        for base in (resources.ModelResource, PortalResource)
    )


# --- Django ------------------------------------------------------------------------------------


def has_save_receivers_besides_history(model) -> bool:
    """Something other than simple-history's audit trail listens to ``model``'s save signals
    (a receiver told of bulk writes by ``portal.signals.rows_written`` does not count)."""
    for signal in (signals.pre_save, signals.post_save):
        for receiver in signal._live_receivers(model)[0]:
            if getattr(receiver, "bulk_notified", False):
                continue
            owner = getattr(receiver, "__self__", None)
            if getattr(receiver, "__module__", "").startswith("simple_history"):
                continue
            if getattr(owner, "__module__", "").startswith("simple_history"):
                continue
            return True
    return False


@contextlib.contextmanager
def full_clean_without_queries(instance, deferred: dict, *, active: bool = True):
    """For the block, ``instance.full_clean()`` runs field validation and ``clean()`` as usual
    but not its queries: the foreign keys to look up and the unique checks to make are left in
    ``deferred`` (``foreign_keys``, ``unique_exclude``, ``validate_unique``) for the caller to
    run for a whole chunk. ``active=False`` leaves ``full_clean`` as it is."""
    if not active:
        yield
        return
    instance.full_clean = _full_clean_without_queries(instance, deferred)
    try:
        yield
    finally:
        instance.__dict__.pop("full_clean", None)


def _full_clean_without_queries(instance, deferred: dict):
    def full_clean(exclude=None, validate_unique=True, validate_constraints=True):
        errors: dict = {}
        exclude = set(exclude or ())
        foreign_keys = []
        for model_field in instance._meta.fields:
            if model_field.name in exclude or model_field.generated:
                continue
            raw = getattr(instance, model_field.attname)
            if model_field.blank and raw in model_field.empty_values:
                continue
            if isinstance(raw, DatabaseDefault):
                continue
            try:
                if isinstance(model_field, models.ForeignKey):
                    value = model_field.to_python(raw)
                    models.Field.validate(model_field, value, instance)
                    model_field.run_validators(value)
                    setattr(instance, model_field.attname, value)
                    if value is not None and not _known_to_exist(instance, model_field):
                        foreign_keys.append((model_field, value))
                else:
                    setattr(instance, model_field.attname, model_field.clean(raw, instance))
            except ValidationError as error:
                errors[model_field.name] = error.error_list
        try:
            instance.clean()
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        deferred["foreign_keys"] = foreign_keys
        deferred["unique_exclude"] = exclude | {n for n in errors if n != NON_FIELD_ERRORS}
        deferred["validate_unique"] = validate_unique
        if errors:
            raise ValidationError(errors)

    return full_clean


def _known_to_exist(instance, model_field) -> bool:
    """The related object is cached on the instance, saved and is the one the key names."""
    if model_field.get_limit_choices_to() or not model_field.is_cached(instance):
        return False
    related = model_field.get_cached_value(instance)
    return (
        related is not None
        and not related._state.adding
        and getattr(related, model_field.target_field.attname)
        == getattr(instance, model_field.attname)
    )


def unique_checks_of(instance, exclude: set, validate_unique: bool) -> list[tuple]:
    """(model, fields, constraint or None) that ``full_clean`` would check for this row:
    ``unique``/``unique_together`` and the unconditional unique constraints on plain fields."""
    checks = []
    if validate_unique:
        unique_checks, _date_checks = instance._get_unique_checks(exclude=exclude)
        checks += [(model_class, fields, None) for model_class, fields in unique_checks]
    for model_class, constraints in instance.get_constraints():
        for constraint in constraints:
            if (
                isinstance(constraint, models.UniqueConstraint)
                and constraint.fields
                and constraint.condition is None
                and not constraint.expressions
                and not exclude.intersection(constraint.fields)
            ):
                checks.append((model_class, tuple(constraint.fields), constraint))
    return checks


def unique_message(instance, model_class, fields, constraint) -> tuple[str, ValidationError]:
    """(error key, message) as ``full_clean`` words a clash of ``fields``."""
    if constraint is None or (
        constraint.violation_error_message == constraint.default_violation_error_message
    ):
        message = instance.unique_error_message(model_class, fields)
    else:
        message = ValidationError(
            constraint.get_violation_error_message(),
            code=constraint.violation_error_code,
        )
    key = fields[0] if len(fields) == 1 else NON_FIELD_ERRORS
    return key, message
