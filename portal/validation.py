"""A model's own validation without a query per row, where the answer is already known.

Django's ``Model.full_clean`` asks the database twice for things a form's rows often know: each
foreign key is looked up again (``ForeignKey.validate``) although the form has just loaded the
object it names, and each check constraint is a ``SELECT`` in a savepoint (``Q.check``) although
most conditions compare a field with a constant. Saving a session's 36 attendance rows cost
about 250 such queries.

``QuietValidationMixin`` (for a model) answers both in Python when it can, with Django's own
rules and messages, and leaves every other case to Django:

- a foreign key whose related object is loaded on the instance, saved, is the one the key names
  and has no ``limit_choices_to`` exists: its value is still checked (``blank``, ``null``,
  validators), without the lookup;
- a check constraint whose condition is made of plain comparisons of the model's own fields with
  constants (``exact``, ``isnull``, ``lt``/``lte``/``gt``/``gte`` on numbers and dates, ``in``)
  is evaluated in Python with SQL's three-valued logic (an unknown result passes, as
  ``Q.check``'s ``COALESCE(..., true)`` does). A constraint on an excluded field is skipped, as
  Django skips it; any other condition goes to the database as before.
"""

from __future__ import annotations

import datetime
import decimal

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models, router
from django.db.models.constants import LOOKUP_SEP

_ORDERED_TYPES = (int, float, decimal.Decimal, datetime.date, datetime.datetime)


class _Unsupported(Exception):
    """The condition needs the database."""


class _Skipped(Exception):
    """The condition names an excluded field: Django skips the constraint."""


def related_is_loaded(instance, field) -> bool:
    """``field``'s related object is loaded on ``instance``, saved, and is the one it names."""
    if field.get_limit_choices_to():
        return False
    related = field.get_cached_value(instance, None)
    return (
        related is not None
        and not related._state.adding
        and getattr(related, field.target_field.attname) == getattr(instance, field.attname)
    )


def _leaf(instance, key: str, value, exclude: set):
    parts = key.split(LOOKUP_SEP)
    if len(parts) > 2:
        raise _Unsupported
    name, lookup = parts[0], parts[1] if len(parts) == 2 else "exact"
    if lookup not in ("exact", "isnull", "in", "lt", "lte", "gt", "gte"):
        raise _Unsupported
    try:
        field = instance._meta.get_field(name)
    except FieldDoesNotExist as error:
        raise _Unsupported from error
    if not field.concrete or field.is_relation or getattr(field, "generated", False):
        raise _Unsupported
    if name in exclude:
        raise _Skipped
    if hasattr(value, "resolve_expression"):
        raise _Unsupported
    try:
        current = field.to_python(getattr(instance, field.attname))
    except ValidationError as error:
        raise _Unsupported from error
    if lookup == "isnull":
        return (current is None) == bool(value)
    if lookup == "exact" and value is None:
        return current is None
    if lookup == "in":
        values = list(value)
        if any(v is None for v in values):
            raise _Unsupported
        return None if current is None else current in values
    if value is None:
        raise _Unsupported
    if current is None:
        return None  # NULL compared: unknown
    if lookup == "exact":
        if type(current) is not type(value) and not (
            isinstance(current, _ORDERED_TYPES) and isinstance(value, _ORDERED_TYPES)
        ):
            raise _Unsupported
        return current == value
    if lookup in ("lt", "lte", "gt", "gte"):
        if not (isinstance(current, _ORDERED_TYPES) and isinstance(value, _ORDERED_TYPES)):
            raise _Unsupported
        try:
            return {
                "lt": current < value,
                "lte": current <= value,
                "gt": current > value,
                "gte": current >= value,
            }[lookup]
        except TypeError as error:  # e.g. a naive and an aware datetime
            raise _Unsupported from error
    raise _Unsupported


def _evaluate(condition, instance, exclude: set):
    """True, False or None (unknown) for a ``Q`` on ``instance``'s own fields."""
    if not isinstance(condition, models.Q):
        raise _Unsupported
    results = []
    for child in condition.children:
        if isinstance(child, models.Q):
            results.append(_evaluate(child, instance, exclude))
        elif isinstance(child, tuple) and len(child) == 2:
            results.append(_leaf(instance, child[0], child[1], exclude))
        else:
            raise _Unsupported
    if condition.connector == models.Q.AND:
        result = False if False in results else (None if None in results else True)
    elif condition.connector == models.Q.OR:
        result = True if True in results else (None if None in results else False)
    else:
        raise _Unsupported
    if condition.negated and result is not None:
        result = not result
    return result


def condition_holds(condition, instance, exclude: set) -> bool | None:
    """Whether a ``UniqueConstraint``'s ``condition`` covers ``instance``: True or False (an
    unknown result does not, as a partial index leaves such a row out; nor does a condition on
    an excluded field, which Django skips), None when only the database can say."""
    try:
        return _evaluate(condition, instance, exclude) is True
    except _Skipped:
        return False
    except _Unsupported:
        return None


def check_in_python(constraint, instance, exclude: set) -> bool | None:
    """True: ``constraint`` holds (or Django would skip it); False: it is violated; None: only
    the database can say."""
    try:
        return _evaluate(constraint.condition, instance, exclude) is not False
    except _Skipped:
        return True
    except _Unsupported:
        return None


class QuietValidationMixin:
    """For a model: ``full_clean`` without the lookups whose answer is known (module docstring)."""

    def clean_fields(self, exclude=None):
        exclude = set(exclude or ())
        loaded = [
            field
            for field in self._meta.concrete_fields
            if isinstance(field, models.ForeignKey)
            and field.name not in exclude
            and related_is_loaded(self, field)
        ]
        errors = {}
        try:
            super().clean_fields(exclude=exclude | {field.name for field in loaded})
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        for field in loaded:
            value = getattr(self, field.attname)
            try:
                models.Field.validate(field, value, self)  # all but ForeignKey's lookup
                field.run_validators(value)
            except ValidationError as error:
                errors[field.name] = error.error_list
        if errors:
            raise ValidationError(errors)

    def validate_constraints(self, exclude=None):
        """``Model.validate_constraints``, a check constraint answered in Python where it can be."""
        using = router.db_for_write(self.__class__, instance=self)
        errors = {}
        for model_class, constraints in self.get_constraints():
            for constraint in constraints:
                try:
                    if isinstance(constraint, models.CheckConstraint):
                        holds = check_in_python(constraint, self, set(exclude or ()))
                        if holds is False:
                            raise ValidationError(
                                constraint.get_violation_error_message(),
                                code=constraint.violation_error_code,
                            )
                        if holds:
                            continue
                    constraint.validate(model_class, self, exclude=exclude, using=using)
                except ValidationError as error:
                    if getattr(error, "code", None) == "unique" and len(constraint.fields) == 1:
                        errors.setdefault(constraint.fields[0], []).append(error)
                    else:
                        errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)
