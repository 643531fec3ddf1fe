"""The one place the project reaches below the public API of Django, django-import-export, tablib
and Django REST framework: every private attribute (``_name``) of theirs used or overridden.

Each reach is wrapped here under a name that says what it is for, and listed in ``RELIED_ON``
with the signature it has today; ``tests/portal/test_library_internals.py`` checks that list
against the installed libraries (so an upgrade that breaks one fails there, by name) and that no
other module of the project touches a library's private attribute.

Why each is needed:

- the import engine (``portal.engine``) applies a Resource's own rules to 100,000 rows, and
  the public path (the admin's ``Resource.import_data``) costs several queries and a list rebuild
  per row. To keep the same rules and messages at a fraction of the cost, the job replaces a few
  steps for the length of one file: a foreign key widget looks each value up once, the import
  fields are worked out once, ``Model.full_clean`` skips its per-row queries (the job then runs
  them per chunk, with Django's own messages), and the job decides whether rows can be written in
  bulk from the model's save hooks (``Resource._check_import_id_fields``,
  ``Model._get_unique_checks``, ``Signal._live_receivers``, the shape of ``Model.full_clean`` and
  of ``ForeignKeyWidget``);
- a model form's check that needs the instance as the model's validation left it (a case's
  transition, a session's seats) runs in ``ModelForm._post_clean`` and files its errors with
  ``_update_errors``, as the model's own errors are;
- an export answers with a streamed CSV instead of import-export's ``_do_file_export``, and its
  column checkboxes are labelled by ``_get_field_label``;
- the session form counts the attendance rows its formset deletes (``_should_delete_form``); a
  stored file's link refuses a field with no file as Django does (``FieldFile._require_file``);
- the file download view and the autocomplete's checks find a model's admin in
  ``AdminSite._registry``; the dashboard report
  reads a ``values_list`` query's column names from ``QuerySet._fields``; the API's session check
  hands the admin the ``HttpRequest`` under a DRF ``Request`` (``Request._request``);
- every ``timestamptz`` PostgreSQL sends is parsed by psycopg's C loader: Django's own loader
  (``BaseTzLoader``: the value, then its ``timezone``) derives from psycopg's pure-Python one,
  some 5 µs a value (a 10,000-row decision sheet reads ~60,000 of them; an export of a million
  cases eight million). ``timestamptz_loader_in_c`` keeps Django's rule and the ``timezone``
  attribute its ``create_cursor`` compares (Django ticket #36960);
- a PDF certificate's Thai text copies as it reads (``portal.pdf_text``): WeasyPrint keeps one text
  per glyph of a font (``Font.to_unicode``, filled by its text drawing through ``glyph_id not in
  font.to_unicode`` and an assignment, for each glyph it draws), which cannot say what a cluster of
  several glyphs stands for (SARA AM is drawn as NIKHAHIT and SARA AA). ``record_glyph_clusters``
  hands each font of a document (``Document.fonts``, filled by ``Stream.add_font``) a mapping that
  sees every glyph drawn and so learns each cluster.
"""

from __future__ import annotations

import datetime
import decimal
import functools
import itertools
import operator
import unicodedata
import uuid

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.db.models import signals
from django.db.models.expressions import DatabaseDefault
from import_export import resources, widgets

from portal.validation import check_in_python, condition_holds, related_is_loaded

# --- django-import-export ----------------------------------------------------------------------


def foreign_key_lookup_is_by_value(widget: widgets.ForeignKeyWidget) -> bool:
    """The widget finds its object from the cell alone: it keeps ForeignKeyWidget's
    ``get_queryset`` and ``get_lookup_kwargs`` (which may read the row)."""
    cls = type(widget)
    return (
        cls.get_queryset is widgets.ForeignKeyWidget.get_queryset
        and cls.get_lookup_kwargs is widgets.ForeignKeyWidget.get_lookup_kwargs
    )


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
    method = getattr(type(resource), name)
    return method.__module__ not in ("import_export.resources", "portal.importing")


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


def full_clean_without_queries(
    instance,
    deferred: dict,
    *,
    active: bool = True,
    constraints: bool = False,
    cleaned: dict | None = None,
):
    """For the block, ``instance.full_clean()`` runs field validation and ``clean()`` as usual
    but not its queries: the foreign keys to look up and the unique checks to make are left in
    ``deferred`` (``foreign_keys``, ``unique_exclude``, ``validate_unique``) for the caller to
    run for a whole chunk. ``constraints`` also checks, row by row, the constraints the chunk's
    checks do not (check constraints, conditional unique ones), which the database otherwise
    checks on writing. ``cleaned`` (a dict kept for one file) remembers what a field's own
    validation made of a text or whole number, so a value repeated down a column is validated
    once. ``active=False`` leaves ``full_clean`` as it is."""
    replacement = None
    if active:
        cleaned = {} if cleaned is None else cleaned
        replacement = _full_clean_without_queries(instance, deferred, constraints, cleaned)
    return _FullCleanReplaced(instance, replacement)


class _FullCleanReplaced:
    """The block of ``full_clean_without_queries``: a class rather than a generator, as the
    engine enters it once per row."""

    __slots__ = ("instance", "replacement")

    def __init__(self, instance, replacement):
        self.instance = instance
        self.replacement = replacement

    def __enter__(self) -> None:
        if self.replacement is not None:
            self.instance.full_clean = self.replacement

    def __exit__(self, *exc_info) -> None:
        if self.replacement is not None:
            self.instance.__dict__.pop("full_clean", None)


#: Distinct values remembered per field and file: enough for the columns that repeat (states,
#: holders, e-mail addresses), bounded for those that do not (titles).
CLEANED_VALUES_PER_FIELD = 4096


#: Values whose validation is remembered (and their subclasses: choices' enum members): immutable,
#: compared by value, and repeated down a column. Not dates and times: a default such as "now"
#: differs on every row.
_REMEMBERED_TYPES = (str, int)


def _field_clean(model_field, raw, instance, cleaned: dict):
    """``model_field.clean(raw, instance)``, remembered in ``cleaned`` for a text, a whole number,
    a boolean or a choice (an enum member): a field's ``to_python``, ``validate`` and validators
    depend on the value alone (only a relation's check reads the instance, and relations are not
    cleaned here). Keyed by type too: ``1``, ``True`` and ``"1"`` may not validate alike."""
    if not isinstance(raw, _REMEMBERED_TYPES):
        return model_field.clean(raw, instance)
    memo = cleaned.get(id(model_field))  # a field's own hash is computed in Python, each time
    if memo is None:
        memo = cleaned[id(model_field)] = {}
    key = (type(raw), raw)
    outcome = memo.get(key)
    if outcome is None:
        try:
            outcome = (model_field.clean(raw, instance), None)
        except ValidationError as error:
            outcome = (None, error.error_list)
        if len(memo) < CLEANED_VALUES_PER_FIELD:
            memo[key] = outcome
    value, error_list = outcome
    if error_list is not None:
        raise ValidationError(list(error_list))
    return value


#: Field classes whose ``to_python`` hands back any value of one exact type as it is: with no
#: choices and no validators, ``Field.validate`` then refuses only a blank, which such a value
#: never is, so the field's ``clean`` has nothing to say of it.
_TAKEN_AS_IS = (
    (models.DateTimeField, datetime.datetime),
    (models.DateField, datetime.date),
    (models.BooleanField, bool),
)


def _type_taken_as_is(field) -> type | None:
    """The exact type of the values ``full_clean`` finds valid as they are for ``field``, or
    None when each value must go through the field's checks. A foreign key is checked here
    with its target's ``to_python`` and ``Field.validate`` (its query is the chunk's): an
    integer key takes any int."""
    if field.choices or field.validators:
        return None
    if isinstance(field, models.ForeignKey):
        reads_int = type(field.target_field).to_python is models.IntegerField.to_python
        plain = type(field).to_python is models.ForeignKey.to_python
        return int if reads_int and plain else None
    if type(field).clean is not models.Field.clean or (
        type(field).validate is not models.Field.validate
    ):
        return None
    for field_class, value_type in _TAKEN_AS_IS:
        if type(field).to_python is field_class.to_python:
            return value_type
    return None


@functools.cache
def _validated_fields(model) -> tuple[tuple, ...]:
    """(position, field, name, attname, empty values or None when it may not be blank, is a
    foreign key, its descriptor makes an object of the stored value, the type of the values it
    takes as they are (``_type_taken_as_is``)) of each field ``full_clean`` validates, worked
    out once per model."""
    return tuple(
        (
            position,
            f,
            f.name,
            f.attname,
            f.empty_values if f.blank else None,
            isinstance(f, models.ForeignKey),
            isinstance(f, models.FileField),
            _type_taken_as_is(f),
        )
        for position, f in enumerate(f for f in model._meta.fields if not f.generated)
    )


@functools.cache
def _stored_values(model) -> operator.itemgetter:
    """The values an instance of ``model`` holds for ``_validated_fields``, read from its
    ``__dict__`` in one call (a KeyError for an instance loaded without one of them)."""
    attnames = [attname for _p, _f, _n, attname, *_rest in _validated_fields(model)]
    getter = operator.itemgetter(*attnames)
    return getter if len(attnames) > 1 else lambda stored: (getter(stored),)


#: No value yet: nothing is passed over for the field until one is found to need nothing.
_NOT_VALIDATED = object()


#: Values that cannot change in place: the same object is the same value.
IMMUTABLE_TYPES = (
    str,
    int,
    float,
    type(None),
    datetime.date,  # and datetime.datetime
    datetime.time,
    decimal.Decimal,
    uuid.UUID,
    bytes,
)


def _full_clean_without_queries(instance, deferred: dict, constraints: bool, cleaned: dict):
    # Per field, the last value validated and what it became: a default of the blank instance
    # that new rows share, or a cell a widget remembered, is the very same object row after row
    # and needs no validation again (3 % of the instructions of checking the bench's rows).
    model = type(instance)
    last_cleaned = cleaned.get(("last cleaned", model))
    # ... and, by position, the last value that needed nothing at all (blank, or valid as it
    # is): the fields still holding that very object are passed over in C, not one by one.
    as_is = cleaned.get(("valid as is", model))
    # The conditional unique constraints to answer, looked up once (they depend on the class).
    conditional_uniques = cleaned.get(("conditional uniques", model))
    if as_is is None:
        last_cleaned = cleaned["last cleaned", model] = {}
        as_is = cleaned["valid as is", model] = [_NOT_VALIDATED] * len(_validated_fields(model))
        conditional_uniques = cleaned["conditional uniques", model] = [
            (model_class, constraint)
            for model_class, constraints in instance.get_constraints()
            for constraint in filter(_is_conditional_unique, constraints)
        ]

    def full_clean(exclude=None, validate_unique=True, validate_constraints=True):
        errors: dict = {}
        exclude = set(exclude or ())
        foreign_keys = []
        stored = instance.__dict__
        checked = _validated_fields(model)
        try:
            values = _stored_values(model)(stored)
        except KeyError:  # a field left out when the row was loaded: each is read
            pass
        else:
            checked = itertools.compress(checked, map(operator.is_not, values, as_is))
        for (
            position,
            model_field,
            name,
            attname,
            blank_values,
            is_foreign_key,
            wraps,
            taken_as_is,
        ) in checked:
            if name in exclude:
                continue
            if wraps and blank_values is not None:
                blank_name = stored.get(attname, 0)
                if blank_name in blank_values:
                    if type(blank_name) is str:
                        as_is[position] = blank_name
                    continue  # a blank file name, read as stored (no file object made of it)
            raw = getattr(instance, attname)
            if blank_values is not None and raw in blank_values:
                if not wraps and isinstance(raw, IMMUTABLE_TYPES):
                    as_is[position] = raw
                continue
            if type(raw) is taken_as_is:  # a date, a time, a boolean, a related row's id
                if is_foreign_key and not related_is_loaded(instance, model_field):
                    foreign_keys.append((model_field, raw))
                continue
            if not is_foreign_key:
                last = last_cleaned.get(attname)
                if last is not None and last[0] is raw:
                    if last[1] is not raw:
                        setattr(instance, attname, last[1])
                    continue
            if isinstance(raw, DatabaseDefault):
                continue
            try:
                if is_foreign_key:
                    value = model_field.to_python(raw)
                    models.Field.validate(model_field, value, instance)
                    model_field.run_validators(value)
                    if value is not raw:  # (setting the id it holds changes nothing)
                        setattr(instance, attname, value)
                    if value is not None and not related_is_loaded(instance, model_field):
                        foreign_keys.append((model_field, value))
                else:
                    value = _field_clean(model_field, raw, instance, cleaned)
                    if value is not raw:
                        setattr(instance, attname, value)
                    if isinstance(raw, IMMUTABLE_TYPES):
                        last_cleaned[attname] = (raw, value)
                        if value is raw and not wraps:
                            as_is[position] = raw
            except ValidationError as error:
                errors[model_field.name] = error.error_list
        try:
            instance.clean()
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        deferred["foreign_keys"] = foreign_keys
        deferred["unique_exclude"] = (
            exclude | {n for n in errors if n != NON_FIELD_ERRORS} if errors else exclude
        )
        deferred["validate_unique"] = validate_unique
        if constraints and validate_constraints:
            errors = _validate_other_constraints(
                instance, deferred["unique_exclude"], errors, deferred
            )
        elif validate_constraints:  # the others are left to the database
            for model_class, constraint in conditional_uniques:
                _conditional_unique_answered(
                    model_class, constraint, instance, deferred["unique_exclude"], deferred
                )
        if errors:
            raise ValidationError(errors)

    return full_clean


def _checked_per_chunk(constraint) -> bool:
    """An unconditional unique constraint on plain fields (``unique_checks_of`` covers it)."""
    return (
        isinstance(constraint, models.UniqueConstraint)
        and bool(constraint.fields)
        and constraint.condition is None
        and not constraint.expressions
    )


def _is_conditional_unique(constraint) -> bool:
    """A unique constraint on plain fields under a condition (a partial unique index)."""
    return (
        isinstance(constraint, models.UniqueConstraint)
        and bool(constraint.fields)
        and constraint.condition is not None
        and not constraint.expressions
    )


def _conditional_unique_answered(model_class, constraint, instance, exclude, deferred) -> bool:
    """True when Python knows what a conditional unique constraint asks of this row: nothing
    (its condition does not cover the row, or Django skips it), or a check of its values that
    ``deferred`` keeps for the chunk (``conditional_unique``: (model, constraint)), made with the
    file's other rows and the database's in one query; False when only the database can say."""
    covered = condition_holds(constraint.condition, instance, exclude)
    if covered and not exclude.intersection(constraint.fields):
        deferred.setdefault("conditional_unique", []).append((model_class, constraint))
    return covered is not None


def _validate_other_constraints(instance, exclude: set, errors: dict, deferred: dict) -> dict:
    """``Model.validate_constraints`` for the constraints not checked per chunk, its errors
    merged into ``errors`` the way it merges them. Without a query per row where Python can
    answer (``portal.validation``): a check constraint's condition is evaluated here, a
    conditional unique constraint goes to ``_conditional_unique_answered``. A file whose every
    row is bad was otherwise checked with four queries per row (2,000 sellers: 8 s)."""
    for model_class, constraints in instance.get_constraints():
        for constraint in constraints:
            if _checked_per_chunk(constraint):
                continue
            if _is_conditional_unique(constraint) and _conditional_unique_answered(
                model_class, constraint, instance, exclude, deferred
            ):
                continue
            try:
                if isinstance(constraint, models.CheckConstraint):
                    holds = check_in_python(constraint, instance, exclude)
                    if holds:
                        continue
                    if holds is False:
                        raise ValidationError(
                            constraint.get_violation_error_message(),
                            code=constraint.violation_error_code,
                        )
                constraint.validate(model_class, instance, exclude=exclude)
            except ValidationError as error:
                if getattr(error, "code", None) == "unique" and len(constraint.fields) == 1:
                    errors.setdefault(constraint.fields[0], []).append(error)
                else:
                    errors = error.update_error_dict(errors)
    return errors


def unique_checks_of(instance, exclude: set, validate_unique: bool) -> list[tuple]:
    """(model, fields, constraint or None) that ``full_clean`` would check for this row:
    ``unique``/``unique_together`` and the unconditional unique constraints on plain fields."""
    checks = []
    if validate_unique:
        unique_checks, _date_checks = instance._get_unique_checks(exclude=exclude)
        checks += [(model_class, fields, None) for model_class, fields in unique_checks]
    for model_class, constraints in instance.get_constraints():
        for constraint in constraints:
            if _checked_per_chunk(constraint) and not exclude.intersection(constraint.fields):
                checks.append((model_class, tuple(constraint.fields), constraint))
    return checks


def unique_message(instance, model_class, fields, constraint) -> tuple[str, ValidationError]:
    """(error key, message) as ``full_clean`` words a clash of ``fields``."""
    if constraint is not None and constraint.condition is not None:
        # Django words a conditional constraint's clash by its own message, code and key
        message = ValidationError(
            constraint.get_violation_error_message(), code=constraint.violation_error_code
        )
        unique_code = message.code == "unique" and len(fields) == 1
        return (fields[0] if unique_code else NON_FIELD_ERRORS), message
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


# --- Django: forms, admin, querysets ------------------------------------------------------------


class ValidateAfterModelMixin:
    """A ModelForm whose ``validate_after_model()`` runs once the model's own validation passed
    (Django's ``_post_clean``); a ValidationError it raises goes to its fields, as the model's
    own errors do (``_update_errors``)."""

    def _post_clean(self):
        super()._post_clean()
        if self.errors:
            return
        try:
            self.validate_after_model()
        except ValidationError as error:
            self._update_errors(error)

    def validate_after_model(self) -> None:
        """Checks of the validated instance; raise ValidationError (by field) to refuse it."""


def require_file(field_file) -> None:
    """Raise ValueError, as a FieldFile with no file does when its ``url`` is asked for."""
    field_file._require_file()


def formset_deletes(formset, form) -> bool:
    """The formset will delete ``form`` (its "delete" box is ticked and it may delete)."""
    return formset._should_delete_form(form)


def registered_model_admins(site) -> dict:
    """Every model registered on an admin ``site``, with its ModelAdmin."""
    return dict(site._registry)


def values_list_names(queryset) -> tuple[str, ...]:
    """The column names of a ``values_list`` query, in its order."""
    return tuple(queryset._fields)


def django_request(request):
    """The Django ``HttpRequest`` under a Django REST framework ``Request``."""
    return request._request


# --- django-import-export: the admin's export ---------------------------------------------------


class FileExportResponseMixin:
    """An ExportMixin whose ``file_export_response()`` may answer an export itself (None: the
    library's own export, ``_do_file_export``)."""

    def _do_file_export(self, file_format, request, queryset, export_form=None):
        response = self.file_export_response(file_format, request, queryset, export_form)
        if response is None:
            response = super()._do_file_export(
                file_format, request, queryset, export_form=export_form
            )
        return response

    def file_export_response(self, file_format, request, queryset, export_form):
        return None


class ExportFieldLabelMixin:
    """An export form whose column checkboxes are labelled by ``field_label()`` (the library's
    ``_get_field_label``)."""

    def _get_field_label(self, resource, field_name):
        return self.field_label(resource, field_name)

    def field_label(self, resource, field_name) -> str:
        raise NotImplementedError


# --- Django and psycopg: timestamps parsed in C ---------------------------------------------------


def timestamptz_loader_in_c(sender, connection, **kwargs) -> None:
    """``connection_created`` receiver: a new PostgreSQL connection parses ``timestamptz``
    values with psycopg's C loader and then does what Django's loader does (the value in the
    loader's ``timezone``, which Django's ``create_cursor`` compares with the connection's)."""
    if connection.vendor != "postgresql":
        return
    from psycopg import adapters
    from psycopg.pq import Format

    raw = connection.connection
    oid = adapters.types["timestamptz"].oid
    django_loader = raw.adapters.get_loader(oid, Format.TEXT)
    parser = adapters.get_loader(oid, Format.TEXT)  # psycopg's own: C when it is installed
    if django_loader is None or parser is None or django_loader.__module__ == __name__:
        return
    raw.adapters.register_loader(oid, _timestamptz_loader(parser, django_loader.timezone))


@functools.cache  # one class per parser and time zone, not one per connection
def _timestamptz_loader(parser, zone):
    from psycopg.adapt import Loader

    class TimestamptzLoader(Loader):
        timezone = zone

        def __init__(self, oid, context=None):
            super().__init__(oid, context)
            self.parse = parser(oid, context).load

        def load(self, data):
            return self.parse(data).replace(tzinfo=self.timezone)

    return TimestamptzLoader


# --- WeasyPrint: the text of the glyphs it draws -------------------------------------------------


class _FontsRecordingClusters(dict):
    """``Document.fonts`` whose every new font records the clusters of glyphs drawn with it."""

    def __setitem__(self, key, font):
        if not isinstance(font.to_unicode, GlyphClusters):
            font.to_unicode = GlyphClusters()
        super().__setitem__(key, font)


#: Thai and Lao NIKHAHIT: HarfBuzz draws SARA AM as NIKHAHIT, the tone marks, then SARA AA.
NIKHAHITS = "\u0e4d\u0ecd"


class GlyphClusters(dict):
    """A font's ``to_unicode`` (glyph id: its text) that also keeps, in ``drawn``, each cluster
    drawn with the font, in drawing order: (its glyph ids, the text it stands for).

    WeasyPrint gives the text of a cluster to the cluster's last glyph and an empty text to the
    others; it assigns one only to a glyph it finds missing here, so this answers "missing" to
    see them all. The text kept for a glyph is that of the first cluster of its own (as
    WeasyPrint keeps the first text it meets); a glyph only ever drawn inside longer clusters keeps
    its share of the cluster's compatibility decomposition (SARA AM: NIKHAHIT, SARA AA), for the
    readers that take the glyphs' texts.
    """

    def __init__(self):
        super().__init__()
        self.drawn: list[tuple[tuple[int, ...], str]] = []
        self.alone: set[int] = set()
        self.pending: list[int] = []

    def __contains__(self, glyph):
        return False

    def __setitem__(self, glyph, text):
        if not text:  # not the cluster's last glyph
            self.pending.append(glyph)
            return
        cluster, self.pending = (*self.pending, glyph), []
        self.drawn.append((cluster, text))
        if len(cluster) == 1:
            if glyph not in self.alone:
                self.alone.add(glyph)
                super().__setitem__(glyph, text)
            return
        known = [dict.get(self, g) if g in self.alone else None for g in cluster]
        rest = list(unicodedata.normalize("NFKD", text))
        rest.sort(key=lambda char: char not in NIKHAHITS)  # HarfBuzz draws it first (stable sort)
        for char in known:
            if char is not None and char in rest:
                rest.remove(char)
        for g, char in zip(cluster, known, strict=True):
            if char is None:
                share = rest.pop(0) if rest else ""
                if not dict.__contains__(self, g):
                    super().__setitem__(g, share)


def record_glyph_clusters(document) -> None:
    """Before ``document.write_pdf()``: its fonts will keep the clusters of glyphs they draw."""
    document.fonts = _FontsRecordingClusters(document.fonts)
    for key, font in list(document.fonts.items()):
        document.fonts[key] = font


#: (module, class, attribute, its parameters today; None for an attribute of an instance) —
#: what this module relies on, checked against the installed libraries by
#: tests/portal/test_library_internals.py. ``full_clean`` is public, but the job replaces it
#: with one of the same parameters.
RELIED_ON = [
    ("import_export.resources", "Resource", "_check_import_id_fields", ("self", "headers")),
    (
        "import_export.admin",
        "ExportMixin",
        "_do_file_export",
        ("self", "file_format", "request", "queryset", "export_form"),
    ),
    (
        "import_export.forms",
        "SelectableFieldsExportForm",
        "_get_field_label",
        ("self", "resource", "field_name"),
    ),
    (
        "django.db.models",
        "Model",
        "_get_unique_checks",
        ("self", "exclude", "include_meta_constraints"),
    ),
    (
        "django.db.models",
        "Model",
        "full_clean",
        ("self", "exclude", "validate_unique", "validate_constraints"),
    ),
    ("django.dispatch", "Signal", "_live_receivers", ("self", "sender")),
    ("django.forms.models", "BaseModelForm", "_post_clean", ("self",)),
    ("django.forms.models", "BaseModelForm", "_update_errors", ("self", "errors")),
    ("django.db.models.fields.files", "FieldFile", "_require_file", ("self",)),
    ("django.forms.formsets", "BaseFormSet", "_should_delete_form", ("self", "form")),
    ("django.contrib.admin.sites", "AdminSite", "_registry", None),
    ("django.db.models.query", "QuerySet", "_fields", None),
    ("rest_framework.request", "Request", "_request", None),
    ("weasyprint.pdf.stream", "Stream", "add_font", ("self", "pango_font")),
    ("django.db.backends.postgresql.psycopg_any", "BaseTzLoader", "timezone", None),
    ("django.db.backends.postgresql.psycopg_any", "BaseTzLoader", "load", ("self", "data")),
]
