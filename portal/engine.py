"""The one import engine: every file of every model reaches the database through here.

The admin's import page (its preview and its confirmation, ``PortalResource.import_data``), the
background import job and the management commands all run ``FileImporter``, so a file gets the
same outcome and the same messages whatever its size or door: rows numbered as the file numbers
them (the header is row 1), columns named by the file's header.

The rules are the Resource's own: ``file_row`` (formula escapes, headers and choices in Thai or
English, cells a spreadsheet retyped), ``before_import`` (required columns), ``before_import_row``
(keys repeated in the file), widgets, ``import_instance``, ``validate_instance`` and the model's
``full_clean()``. A row that changes nothing is skipped, never updated. What the engine adds is
how few round trips they cost:

- existing rows are looked up by their natural key (one column or several) once per chunk, not
  once per row, with the related rows the file's columns show; a Resource that finds rows its own
  way (``get_instance``) may offer ``get_instances(rows)`` for a chunk at once;
- a plain ``ForeignKeyWidget`` looks each distinct value up once per file; a widget with
  ``preload(values)``, and a Resource with ``before_import_rows(rows)``, look up what a chunk's
  rows name at once;
- ``full_clean()`` runs field validation and ``clean()`` per row as usual, but the checks that need
  the database (a foreign key exists, a unique value is free, conditional unique constraints whose
  condition Python can evaluate) run once per chunk for all its rows, with Django's own messages;
  values repeated inside the file are caught the same way;
- other check and conditional unique constraints are enforced by the database when the file is
  written; if it refuses, the transaction rolls back and the file is checked again row by row with
  the complete ``full_clean()`` to name the rows. After a first bad row nothing more is written,
  and each row's constraints are checked as ``full_clean()`` checks them, in Python where it can.

Rows are checked and written a chunk at a time inside one transaction (with audit history when the
model keeps one), which is rolled back if any row is invalid: a failed or killed import leaves no
trace, and memory holds one chunk of model instances, not the whole file's.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import gc
import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import reduce
from operator import or_

import tablib
from django.core.exceptions import (
    NON_FIELD_ERRORS,
    FieldDoesNotExist,
    MultipleObjectsReturned,
    ObjectDoesNotExist,
    ValidationError,
)
from django.db import DatabaseError, models, transaction
from django.db.models import signals
from django.db.models.base import ModelState
from django.db.models.fields.files import FieldFile
from import_export import resources, widgets

from portal import bulk, internals
from portal.reading import Table, UnreadableFileError, read_table
from portal.signals import rows_written

CHUNK_SIZE = 2000
MAX_STORED_ERRORS = 1000
#: Distinct cell values a column remembers what its widget made of (bounded for unique columns).
REMEMBERED_VALUES = 4096


@dataclass
class RowProblem:
    row: int | None
    column: str
    reason: str


@dataclass
class RowDone:
    """A valid row, kept for the admin's preview and its log (``FileImporter(keep_rows=True)``)."""

    row: int
    import_type: str  # "new", "update" or "skip", as django-import-export names them
    instance: models.Model
    original: models.Model | None


@dataclass
class ImportOutcome:
    total: int = 0
    new: int = 0
    updated: int = 0
    skipped: int = 0
    error_count: int = 0
    errors: list[RowProblem] = field(default_factory=list)
    done: list[RowDone] = field(default_factory=list)
    unreadable: str = ""  # why the file could not be read to its end (then the only error)

    @classmethod
    def of_unreadable_file(cls, message: str) -> ImportOutcome:
        """The outcome of a file that could not be read: that one error, nothing else."""
        outcome = cls(unreadable=message)
        outcome.add_error(RowProblem(None, "", message))
        return outcome

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    def add_error(self, problem: RowProblem) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_STORED_ERRORS:
            self.errors.append(problem)


Progress = Callable[[str, int], None]


#: The library's widgets whose ``clean`` reads the cell alone (not the row, not the database).
_VALUE_ONLY_WIDGETS = (widgets.Widget, widgets.CharWidget, widgets.BooleanWidget)


def _cleans_by_value(widget) -> bool:
    """What the widget makes of a cell depends on the cell alone, so it is worked out once per
    distinct value in a file: the widgets above, those that set ``cleans_value_only``, and a
    foreign key looked up by the cell (one query per distinct value and file, not per row)."""
    if isinstance(widget, widgets.ManyToManyWidget):
        return False
    if isinstance(widget, widgets.ForeignKeyWidget):
        return internals.foreign_key_lookup_is_by_value(widget)
    # a widget class of the project's says so itself (a subclass must say it again)
    return type(widget) in _VALUE_ONLY_WIDGETS or "cleans_value_only" in vars(type(widget))


_KEPT_AS_IS = (str, int, float, type(None))  # cell values a memo keeps as keys (else their repr)


def _remembering_widget(widget):
    """A copy of ``widget`` that cleans each distinct cell value once (outcome or refusal)."""
    by_text: dict = {}  # the cells of a CSV file: all text
    by_type_and_value: dict = {}
    clean_once = widget.clean

    def clean(value, row=None, **kwargs):
        if type(value) is str:
            memo, key = by_text, value
        else:  # the type is part of the key: 1, 1.0 and True are equal but may not read the same
            memo = by_type_and_value
            key = (type(value), value if isinstance(value, _KEPT_AS_IS) else repr(value))
        outcome = memo.get(key)
        if outcome is None:
            try:
                outcome = (clean_once(value, row=row, **kwargs), None)
            except (ObjectDoesNotExist, ValueError, ValidationError) as error:
                outcome = (None, error)
            if len(memo) < REMEMBERED_VALUES:
                memo[key] = outcome
        result, error = outcome
        if error is not None:
            # one refusal raised again for many rows: its traceback must not grow with each
            raise error.with_traceback(None)
        return result

    clean.remembered = by_text  # text -> (value, refusal): what a caller may read without a call
    remembering = copy.copy(widget)
    remembering.clean = clean
    remembering.cleans_value_only = True
    return remembering


#: Column types whose values an array parameter carries as they are, with the Python type each
#: value must have (anything else goes through the field's own conversion, ``__in``).
_ARRAY_TYPES = {
    "CharField": str,
    "TextField": str,
    "IntegerField": int,
    "BigIntegerField": int,
    "PositiveIntegerField": int,
    "AutoField": int,
    "BigAutoField": int,
}


def _any_of(model, name: str, values: set):
    """``name IN values`` for a chunk's keys (thousands): one array parameter
    (``bulk.InArray``) when ``name`` is a text or whole-number column of ``model`` and every
    value is of that type, else Django's ``__in`` (a parameter each, which Django compiles
    and psycopg adapts one by one)."""
    try:
        model_field = model._meta.get_field(name)
    except FieldDoesNotExist:
        model_field = None
    kind = None
    if model_field is not None and model_field.concrete and not model_field.is_relation:
        kind = _ARRAY_TYPES.get(model_field.get_internal_type())
    if kind is not None and all(type(value) is kind for value in values):
        prepared = {model_field.get_prep_value(value) for value in values}  # as ``__in`` would
        if all(type(value) is kind for value in prepared):
            return bulk.InArray(models.F(name), prepared)
    return models.Q(**{f"{name}__in": values})


def _blank_instances(model) -> Callable[[], models.Model]:
    """What ``model()`` returns, made quicker for thousands of rows: the values of one blank
    instance copied, each callable default (a time, a token) called again. ``model`` itself
    when something listens to its init signals, or a field has a database default."""
    opts = model._meta
    if signals.pre_init.has_listeners(model) or signals.post_init.has_listeners(model):
        return model
    if any(f.has_db_default() for f in opts.concrete_fields):
        return model
    blank = model()
    values = {name: value for name, value in vars(blank).items() if name != "_state"}
    fresh = [f for f in opts.concrete_fields if f.has_default() and callable(f.default)]

    def new():
        instance = model.__new__(model)
        instance.__dict__.update(values)
        instance._state = ModelState()
        for model_field in fresh:
            instance.__dict__[model_field.attname] = model_field.get_default()
        return instance

    return new


def _snapshot(instance: models.Model) -> models.Model:
    """The existing row as loaded, for comparing with it once the file's row is read into
    ``instance`` (``skip_row``, the columns that change, the preview's diff): Django's copy of
    the instance (its values, its state and its cache of related objects, ``Model.__reduce__``)
    with each mutable value copied deeply. The related objects are shared: a row sets another
    related object, it does not change one in place. The deep copy django-import-export makes
    also copies each related object: a quarter of the preview of a 2,000-row update file."""
    original = copy.copy(instance)
    mutable = {
        name: value
        for name, value in vars(original).items()
        if name not in ("_state", "_prefetched_objects_cache")
        and not isinstance(value, internals.IMMUTABLE_TYPES)
    }
    prefetched = vars(original).get("_prefetched_objects_cache")
    if prefetched is not None:
        # the related rows as loaded, shared (a deep copy drops a queryset's results: the
        # original's many-to-many column was read again for each row); in a dict of its own, as
        # saving the row's many-to-many values forgets the row's entry
        original.__dict__["_prefetched_objects_cache"] = dict(prefetched)
    for name, value in mutable.items():
        original.__dict__[name] = copy.deepcopy(value)
    return original


def _key_attnames(check) -> tuple[tuple[str, bool], ...]:
    """(attname, is the primary key) of each field of a unique check (model, fields, constraint)."""
    model_class, fields, _constraint = check
    key_fields = [model_class._meta.get_field(name) for name in fields]
    return tuple((key_field.attname, key_field.primary_key) for key_field in key_fields)


@dataclass
class _Chunk:
    """Rows of the file read and accepted by its file-level rules, with the existing rows they
    name (``FileImporter._existing_for``); ``count`` rows were read."""

    rows: list[tuple[int, dict]]
    count: int
    existing: dict


class _RefusedOnWrite(Exception):
    """A row's own save refused it (``ValidationError``): the file is rolled back."""

    def __init__(self, row_number: int | None, error: ValidationError):
        super().__init__(row_number, error)
        self.row_number = row_number
        self.error = error


@contextlib.contextmanager
def fewer_collections(*, bounded: bool = False):
    """An import allocates millions of short-lived objects (and its page's preview, thousands of
    cells): collecting the youngest generation every 700 allocations (Python's default), and with
    it the older ones now and then, costs about a tenth of the run. Cycles are still collected,
    less often.

    ``bounded``, for a request's import of at most 2,000 rows (the import page's preview and
    confirmation): no collection at all inside the block. The file's objects stay alive until
    the request ends, so each collection walked them all again for nothing: a full one cost
    250–450 ms, every other confirmation of a 2,000-row file; what the request leaves is freed
    when it ends, and the collector takes over from there."""
    if bounded:
        enabled = gc.isenabled()
        gc.disable()
        try:
            yield
        finally:
            if enabled:
                gc.enable()
        return
    before = gc.get_threshold()
    gc.set_threshold(20_000, *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)


class FileRows:
    """The rows of an uploaded CSV or XLSX file, read once by ``portal.reading``, a chunk at a
    time.

    Decoded and bounded as an upload in a request is (its header is read, and a file that cannot
    be opened is refused, when it is made; a bad row is refused as the rows are read), but a
    100,000-row file costs a chunk of rows in memory, not the whole table. How many rows it
    holds is known once they have been read (``total``); until then ``expected()`` tells it
    from the share of the file read so far, for the job's progress.
    """

    def __init__(self, binary_file, file_format: str = "csv"):
        self.file = binary_file
        self.file_format = file_format
        self._table = self._open()
        self._unread = True
        self.headers: list = list(self._table.header)
        self.read = 0  # rows read so far
        self.total: int | None = None

    def _open(self) -> Table:
        self.file.seek(0)
        return read_table(self.file, self.file_format)

    def header_dataset(self) -> tablib.Dataset:
        """The file's columns with no rows, for the Resource's file-level hooks."""
        return tablib.Dataset(headers=self.headers)

    def chunks(self, size: int) -> Iterator[list]:
        if not self._unread:  # read again (to name the rows the database refused)
            self._table = self._open()
        self._unread = False
        rows = iter(self._table)  # (the file's row number, cells)
        self.read = 0
        while chunk := list(itertools.islice(rows, size)):
            self.read += len(chunk)
            yield chunk
        self.total = self.read

    def expected(self) -> int:
        """The rows in the file: exact once they have been read, else the rows read so far in
        proportion to the share of the file read (never fewer than those rows)."""
        if self.total is not None:
            return self.total
        share = self._table.share_read()
        if not (self.read and share):
            return self.read
        return max(self.read, round(self.read / share))


class DatasetRows:
    """The rows of a dataset already in memory (an XLSX file, or a file read in a request)."""

    def __init__(self, dataset: tablib.Dataset):
        self.dataset = dataset
        self.total = len(dataset)

    @property
    def headers(self) -> list[str]:
        return self.dataset.headers or []

    @headers.setter
    def headers(self, columns: list[str]) -> None:
        if self.dataset.headers:
            self.dataset.headers = columns

    def header_dataset(self) -> tablib.Dataset:
        return self.dataset  # the hooks may read whole columns (to look values up at once)

    def chunks(self, size: int) -> Iterator[list]:
        # the file's own row numbers where its reader kept them; else the header is row 1
        numbers = getattr(self.dataset, "row_numbers", None) or range(2, self.total + 2)
        rows = zip(numbers, self.dataset, strict=True)
        while chunk := list(itertools.islice(rows, size)):
            yield chunk


class FileImporter:
    """Validate ``rows`` with ``resource`` and, when every row is valid, write them.

    ``rows`` is a ``FileRows``, a ``DatasetRows`` or a tablib dataset.
    """

    def __init__(
        self,
        resource: resources.ModelResource,
        rows,
        *,
        user=None,
        change_reason: str = "",
        progress: Progress | None = None,
        chunk_size: int = CHUNK_SIZE,
        keep_rows: bool = False,
        file_name: str = "",
    ):
        self.resource = resource
        self.keep_done_rows = keep_rows
        self.file_name = file_name
        self.rows = rows if hasattr(rows, "chunks") else DatasetRows(rows)
        # Rows are read by the Resource's column names; errors name the file's own headers.
        file_headers = list(self.rows.headers or [])
        columns = resource.column_names_of(file_headers)
        self._file_header = dict(zip(columns, file_headers, strict=True))
        self.rows.headers = columns
        self.dataset = self.rows.header_dataset()
        self.user = user
        self.change_reason = change_reason
        self.progress = progress or (lambda phase, done: None)
        self.chunk_size = chunk_size
        self.model = resource._meta.model
        self.opts = self.model._meta
        self.outcome = ImportOutcome(total=self.rows.total or 0)  # a file's: counted as read
        self._unique_checks_memo: dict = {}
        self._cleaned_values: dict = {}  # per model field: what its validation made of a value
        self._check_constraints = False  # after a bad row: see _check_and_write
        self._column_of = self._columns_by_attribute()
        self._file_attnames = [
            f.attname for f in self.opts.concrete_fields if isinstance(f, models.FileField)
        ]
        if internals.resource_overrides(resource, "init_instance"):
            self._new_instance = resource.init_instance
        else:
            blank_instance = _blank_instances(self.model)
            self._new_instance = lambda row: blank_instance()
        self._own_bulk = getattr(resource, "bulk_write", None)
        self._bulk = self._own_bulk is None and self.bulk_writable()
        self._keep_rows = self._own_bulk is None and not self._bulk  # saved row by row
        for name, resource_field in list(resource.fields.items()):
            if _cleans_by_value(resource_field.widget):
                memo_field = copy.copy(resource_field)
                memo_field.widget = _remembering_widget(resource_field.widget)
                resource.fields[name] = memo_field
        internals.freeze_import_fields(resource)

    # --- public -------------------------------------------------------------------------------

    def run(self, *, write: bool = True) -> ImportOutcome:
        """Check every row; if all are valid and ``write``, they are written, else nothing is.

        The file is taken a chunk at a time: each chunk is checked and, while every row so far is
        valid, written at once, all inside one transaction that is rolled back if any row fails.
        Memory stays at a chunk's worth of model instances, and rows written by earlier chunks
        are seen by the checks of later ones (a key repeated far apart in the file is caught).
        """
        try:
            self.resource.before_import(self.dataset, user=self.user, file_name=self.file_name)
            internals.check_import_id_fields(self.resource, self.dataset.headers)
        except ValidationError as error:
            for message in error.messages:
                self.outcome.add_error(RowProblem(None, "", message))
            return self.outcome
        except Exception as error:  # the Resource's own file-level refusal
            self.outcome.add_error(RowProblem(None, "", str(error)))
            return self.outcome

        try:
            self._run(write=write)
        except UnreadableFileError as error:
            # a row further down the file cannot be read: rolled back, the file refused as a
            # request refuses it (its header was read when the file was opened)
            self.outcome = ImportOutcome.of_unreadable_file(str(error))
        return self.outcome

    def _run(self, *, write: bool) -> None:
        try:
            with fewer_collections(), transaction.atomic(), bulk.copies_in_background():
                self._check_and_write(write=write)
                if not (write and self.outcome.ok):
                    transaction.set_rollback(True)
        except _RefusedOnWrite as refused:
            # the save refused a row the checks let through: rolled back, nothing written
            self.outcome = ImportOutcome(total=self.outcome.total)
            self._add_validation_error(refused.row_number, refused.error)
        except DatabaseError as error:
            # The database refused a row the fast checks let through (a check constraint, a
            # conditional unique constraint): the transaction is rolled back; name the rows.
            self.outcome = ImportOutcome(total=self.outcome.total)
            self._check_and_write(write=False, exact=True)
            if self.outcome.ok:
                self.outcome.add_error(RowProblem(None, "", str(error).strip()))

    # --- validation ---------------------------------------------------------------------------

    def _check_and_write(self, *, write: bool, exact: bool = False) -> None:
        """Each chunk is read and its lookups made (``_read_chunk``) before the previous chunk
        is written: the database stores a chunk (``copies_in_background``) while Python checks
        the next, and no query of the next chunk has to wait for that store to end."""
        written = read = 0
        chunks = self.rows.chunks(self.chunk_size)
        chunk = self._read_chunk(next(chunks, None))
        while chunk is not None:
            read += chunk.count
            self.outcome.total = max(self.outcome.total, read)
            errors_before, error_count_before = len(self.outcome.errors), self.outcome.error_count
            pending = self._validate_chunk(chunk, exact=exact)
            if not (exact or self._check_constraints or self.outcome.ok):
                # The first bad row: nothing more is written, so the database checks no more
                # constraints. From this chunk on, each row's are checked as full_clean() does.
                self._check_constraints = True
                del self.outcome.errors[errors_before:]
                self.outcome.error_count = error_count_before
                chunk.existing = self._existing_for(chunk.rows)  # the first pass changed them
                pending = self._validate_chunk(chunk, exact=exact)
            self.progress("validating", read)
            valid = self.outcome.ok
            following = self._read_chunk(next(chunks, None))
            if write and valid:
                self._write(pending)
                self._release(pending)
                written += len(chunk.rows)
                self.progress("writing", written)
            chunk = following

    def _read_chunk(self, rows) -> _Chunk | None:
        """The rows of ``rows`` the Resource's file-level rules accept (the others are
        reported), with the values and the existing rows they name looked up; None at the end
        of the file."""
        if rows is None:
            return None
        headers = self.rows.headers
        cells = [
            (row_number, dict(zip(headers, values, strict=False))) for row_number, values in rows
        ]
        prepare = getattr(self.resource, "before_import_rows", None)
        if prepare is not None:  # the Resource looks up what the chunk's rows name, at once
            prepare([row for _row_number, row in cells])  # read before file_row changes them
        accepted = []
        for row_number, row in cells:  # numbered as the file numbers them: header = 1
            try:
                row = self.resource.file_row(row)
                # before the lookup of existing rows: a hook may normalise the key (e-mails)
                self.resource.before_import_row(row, row_number=row_number)
            except ValidationError as error:
                self._add_validation_error(row_number, error)
                continue
            except Exception as error:  # a Resource hook's own refusal
                self._add_row_error(row_number, "", str(error))
                continue
            accepted.append((row_number, row))
        self._preload(accepted)
        return _Chunk(accepted, len(rows), self._existing_for(accepted))

    def _preload(self, chunk) -> None:
        """A widget with ``preload(values)`` looks the chunk's values up at once (one query)."""
        for resource_field in self.resource.get_import_fields():
            preload = getattr(resource_field.widget, "preload", None)
            if preload is not None and resource_field.column_name in self.rows.headers:
                preload([row.get(resource_field.column_name) for _number, row in chunk])

    def _validate_chunk(self, chunk: _Chunk, *, exact: bool) -> list[tuple]:
        resource = self.resource
        existing = chunk.existing
        checked: list[tuple] = []  # (row_number, instance, is_new, row, errors)
        for row_number, row in chunk.rows:
            try:
                instance, new = self._instance_for(row_number, row, existing)
                resource.after_init_instance(instance, new, row, row_number=row_number)
                original = None if new else _snapshot(instance)
                errors: dict = {}
                try:
                    resource.import_instance(instance, row, row_number=row_number, user=self.user)
                except ValidationError as error:
                    errors = error.update_error_dict(errors)
                # compared as stored, before the rules: 38.0 a spreadsheet typed is the 38 there
                if not new and not errors and self._unchanged(instance, original, row):
                    self.outcome.skipped += 1
                    self._done(row_number, "skip", instance, original)
                    continue
                deferred: dict = {"original": original}
                with internals.full_clean_without_queries(
                    instance,
                    deferred,
                    active=not exact,
                    constraints=self._check_constraints,
                    cleaned=self._cleaned_values,
                ):
                    resource.validate_instance(instance, errors)
                checked.append((row_number, instance, new, row, deferred))
            except ValidationError as error:
                self._add_validation_error(row_number, error)
            except Exception as error:
                self._add_row_error(row_number, "", str(error))
        if not exact:
            self._check_foreign_keys(checked)
            self._check_unique(checked)
        pending = []
        for row_number, instance, new, row, deferred in checked:
            if deferred.get("failed"):
                continue
            self.outcome.new += new
            self.outcome.updated += not new
            self._done(row_number, "new" if new else "update", instance, deferred["original"])
            pending.append(
                (instance, new, row if self._keep_rows else None, row_number, deferred["original"])
            )
        return pending

    def _unchanged(self, instance, original, row) -> bool:
        """The Resource's ``skip_row`` on the row's values as the database would store them."""
        for model_field in self.opts.concrete_fields:
            value = getattr(instance, model_field.attname)
            try:
                setattr(instance, model_field.attname, model_field.to_python(value))
            except ValidationError:
                return False  # the rules will say why
        return self.resource.skip_row(instance, original, row, {})

    def _done(self, row_number: int, import_type: str, instance, original) -> None:
        if self.keep_done_rows:
            self.outcome.done.append(RowDone(row_number, import_type, instance, original))

    def _check_foreign_keys(self, checked) -> None:
        wanted: dict = {}
        for _row_number, _instance, _new, _row, deferred in checked:
            for model_field, value in deferred.get("foreign_keys", ()):
                wanted.setdefault(model_field, set()).add(value)
        found = {}
        for model_field, values in wanted.items():
            target = model_field.target_field.attname
            queryset = model_field.remote_field.model._base_manager.complex_filter(
                model_field.get_limit_choices_to()
            )
            found[model_field] = set(
                queryset.filter(**{f"{target}__in": values}).values_list(target, flat=True)
            )
        for row_number, _instance, _new, _row, deferred in checked:
            errors = {}
            for model_field, value in deferred.get("foreign_keys", ()):
                if value not in found[model_field]:
                    errors[model_field.name] = [
                        ValidationError(
                            model_field.error_messages["invalid"],
                            code="invalid",
                            params={
                                "model": model_field.remote_field.model._meta.verbose_name,
                                "pk": value,
                                "field": model_field.remote_field.field_name,
                                "value": value,
                            },
                        )
                    ]
            if errors:
                deferred["failed"] = True
                self._add_validation_error(row_number, ValidationError(errors))

    def _unique_checks(self, instance, exclude: set, validate_unique: bool) -> list[tuple]:
        """((model, fields, constraint or None), the fields' (attname, is the primary key)) of
        each check ``full_clean`` would make for this row.

        They depend on the model and the excluded fields only: worked out once for each.
        """
        key = (type(instance), frozenset(exclude), validate_unique)
        checks = self._unique_checks_memo.get(key)
        if checks is None:
            checks = self._unique_checks_memo[key] = [
                (check, _key_attnames(check))
                for check in internals.unique_checks_of(instance, exclude, validate_unique)
            ]
        return checks

    def _check_unique(self, checked) -> None:
        by_check: dict = {}
        for index, (_row_number, instance, _new, _row, deferred) in enumerate(checked):
            if deferred.get("failed"):
                continue
            exclude = deferred.get("unique_exclude", set())
            checks = self._unique_checks(instance, exclude, deferred.get("validate_unique", True))
            conditional = deferred.get("conditional_unique", ())
            if conditional:
                conditional_checks = ((model, tuple(c.fields), c) for model, c in conditional)
                checks = [*checks, *((c, _key_attnames(c)) for c in conditional_checks)]
            adding = instance._state.adding
            for check, attnames in checks:
                values = []
                for attname, primary_key in attnames:
                    value = getattr(instance, attname)
                    # "" is skipped too: a blank key or number is often filled in by save()
                    if value is None or value == "" or (primary_key and not adding):
                        break
                    values.append(value)
                else:
                    model_class, fields, constraint = check
                    # keyed by the constraint's name: UniqueConstraint defines __eq__, not
                    # __hash__; a conditional one is checked apart from the same fields' others
                    condition_name = constraint.name if constraint and constraint.condition else ""
                    key = (model_class, fields, condition_name)
                    by_check.setdefault(key, (check, []))[1].append((index, tuple(values)))
        failed: dict[int, dict] = {}
        for (model_class, fields, constraint), entries in by_check.values():
            taken = self._taken_values(
                model_class,
                fields,
                [values for _, values in entries],
                condition=getattr(constraint, "condition", None),
            )
            first_in_file: dict = {}
            for index, values in entries:
                instance = checked[index][1]
                owner = taken.get(values)
                clash = owner is not None and (instance._state.adding or owner != instance.pk)
                clash = clash or first_in_file.setdefault(values, index) != index
                if clash:
                    key, message = internals.unique_message(
                        instance, model_class, fields, constraint
                    )
                    failed.setdefault(index, {}).setdefault(key, []).append(message)
        for index, errors in failed.items():
            row_number, _instance, _new, _row, deferred = checked[index]
            deferred["failed"] = True
            self._add_validation_error(row_number, ValidationError(errors))

    def _taken_values(self, model_class, fields, value_tuples, *, condition=None) -> dict:
        """Rows holding each of ``value_tuples`` in ``fields`` (and covered by a conditional
        constraint's ``condition``): values -> primary key."""
        rows = model_class._default_manager.all()
        if condition is not None:
            rows = rows.filter(condition)
        if len(fields) == 1:
            name = fields[0]
            found = rows.filter(_any_of(model_class, name, {v[0] for v in value_tuples}))
            return {(value,): pk for value, pk in found.values_list(name, "pk")}
        matching = reduce(
            or_, (models.Q(**dict(zip(fields, v, strict=True))) for v in set(value_tuples))
        )
        found = rows.filter(matching).values_list(*fields, "pk")
        return {tuple(row[:-1]): row[-1] for row in found}

    @functools.cached_property
    def _key_fields(self) -> list | None:
        """The Resource fields rows are found by, when ModelResource finds them (not the
        Resource's own ``get_instance``), so that a chunk's can be looked up at once; else
        None. Worked out at the first row, once the fields are in place."""
        names = self.resource.get_import_id_fields()
        if (
            not names
            or self.resource._meta.force_init_instance
            or internals.resource_overrides(self.resource, "get_instance")
        ):
            return None
        return [self.resource.fields[name] for name in names]

    def _existing_for(self, chunk) -> dict:
        """The existing row of each row of this chunk, by row number (None: a new row), found in
        one query instead of one per row: by the Resource's key columns, or by its own
        ``get_instances(rows)`` when it finds rows its own way (``get_instance``). A row left
        out (its key cannot be read, or a key of several columns has a blank part) is found by
        the library's loader, as ModelResource finds it."""
        if self._finds_chunks_itself:
            found = self.resource.get_instances([row for _row_number, row in chunk])
            if self._related_columns:  # compared with the file's cells: loaded with the rows
                models.prefetch_related_objects(
                    [obj for obj in found if obj is not None], *self._related_columns
                )
            return dict(zip((row_number for row_number, _row in chunk), found, strict=True))
        key_fields = self._key_fields
        if key_fields is None:
            return {}
        if any(field.column_name not in self.dataset.headers for field in key_fields):
            return dict.fromkeys(row_number for row_number, _row in chunk)  # all new
        key_of = {}
        for row_number, row in chunk:
            try:
                key = tuple(field.clean(row) for field in key_fields)
            except Exception:  # reported with its row when the row itself is imported
                continue
            if len(key) == 1 or None not in key:
                key_of[row_number] = key
        keys = {key for key in key_of.values() if None not in key}
        by_key = {}
        if keys:
            filters = [
                _any_of(self.model, field.attribute, {key[i] for key in keys})
                for i, field in enumerate(key_fields)
            ]
            queryset = self.resource.get_queryset().filter(*filters)
            if self._related_columns:  # compared with the file's cells: loaded with the rows
                queryset = queryset.select_related(*self._related_columns)
            found = ((tuple(f.get_value(obj) for f in key_fields), obj) for obj in queryset)
            by_key = {key: obj for key, obj in found if key in keys}
        return {row_number: by_key.get(key) for row_number, key in key_of.items()}

    @functools.cached_property
    def _related_columns(self) -> list[str]:
        """The foreign keys the file's columns set through a ``ForeignKeyWidget``, and the
        relations to the related rows whose values other columns show: an existing row's related
        objects are read to compare them with the cells (one query per row and relation if they
        were not loaded with the row)."""
        names = []
        for resource_field in self.resource.fields.values():
            attribute = resource_field.attribute or ""
            if resource_field.column_name not in self.dataset.headers:
                continue
            if isinstance(resource_field.widget, widgets.ForeignKeyWidget) and not isinstance(
                resource_field.widget, widgets.ManyToManyWidget
            ):
                path = attribute.split("__")
            else:  # a column of a related row's (a person's name): the relations to it
                path = attribute.split("__")[:-1]
            if path and path != [""] and self._follows_foreign_keys(path):
                names.append("__".join(path))
        return names

    def _follows_foreign_keys(self, path: list[str]) -> bool:
        opts = self.opts
        for name in path:
            try:
                model_field = opts.get_field(name)
            except FieldDoesNotExist:
                return False
            if not (model_field.many_to_one or model_field.one_to_one) or not model_field.concrete:
                return False
            opts = model_field.related_model._meta
        return True

    @functools.cached_property
    def _finds_chunks_itself(self) -> bool:
        return hasattr(self.resource, "get_instances") and not (
            self.resource._meta.force_init_instance
        )

    def _instance_for(self, row_number: int, row, existing: dict):
        if row_number in existing:
            instance = existing[row_number]
            return (instance, False) if instance is not None else (self._new_instance(row), True)
        for key_field in self._key_fields or ():  # a key cell that cannot be read: its column
            try:
                key_field.clean(row)
            except (ObjectDoesNotExist, MultipleObjectsReturned, ValueError) as error:
                cell_error = self.resource.cell_error(key_field, row, error)
                raise ValidationError({key_field.attribute: cell_error}) from error
        loader = self.resource._meta.instance_loader_class(self.resource, self.dataset)
        return self.resource.get_or_init_instance(loader, row)

    # --- writing ------------------------------------------------------------------------------

    def bulk_writable(self) -> bool:
        """Bulk INSERT/UPDATE only where it does exactly what saving each row would do.

        Not when the model overrides ``save()`` (it may number or derive fields), when something
        other than the audit history listens to its save signals, or when the Resource has its
        own save hooks: then each row goes through the Resource's own save, in the same single
        transaction. A Resource may offer ``bulk_write(created, updated, *, user, change_reason)``
        to write its rows in bulk itself.
        """
        if self.model.save is not models.Model.save:
            return False
        if internals.has_save_receivers_besides_history(self.model):
            return False
        return not any(
            internals.resource_overrides(self.resource, name)
            for name in (
                "before_save_instance",
                "after_save_instance",
                "save_instance",
                "do_instance_save",
                "save_m2m",
            )
        )

    def _write(self, pending) -> None:
        """Write one checked chunk (the caller holds the transaction)."""
        created = [instance for instance, new, *_rest in pending if new]
        updated = [instance for instance, new, *_rest in pending if not new]
        if self._own_bulk is not None:
            try:
                self._own_bulk(created, updated, user=self.user, change_reason=self.change_reason)
            except ValidationError as error:  # e.g. an item URL reported at the same moment
                raise _RefusedOnWrite(None, error) from error
        elif self._bulk:
            originals = [original for _i, new, _r, _n, original in pending if not new]
            self._bulk_write(created, updated, originals)
        else:
            self._save_each(pending)
            return
        rows_written.send(sender=self.model)

    def _release(self, pending) -> None:
        """Written rows go as soon as the chunk does: a file field's value, once read, is a file
        object that points back at its row (a cycle, which only the garbage collector frees);
        unless the caller keeps the rows, it is put back as the file's name (read again, the
        field makes the file object again)."""
        if self.keep_done_rows or not self._file_attnames:
            return
        written = [instance for instance, *_rest in pending]
        originals = [original for *_rest, original in pending if original is not None]
        for held, name in itertools.product(written + originals, self._file_attnames):
            value = held.__dict__.get(name)
            if isinstance(value, FieldFile):
                held.__dict__[name] = value.name

    def _save_each(self, chunk) -> None:
        """The Resource's own save path, row by row (what the admin's import does)."""
        for instance, new, row, row_number, _original in chunk:
            if self.change_reason:
                instance._change_reason = self.change_reason  # read by simple-history
            if self.user is not None:
                instance._history_user = self.user
            kwargs = {
                "row_number": row_number,
                "user": self.user,
                "using_transactions": True,
                "dry_run": False,
            }
            try:
                self.resource.save_instance(instance, new, row, **kwargs)
                self.resource.save_m2m(instance, row, **kwargs)
            except ValidationError as error:  # found only on writing (a concurrent report)
                raise _RefusedOnWrite(row_number, error) from error

    def _bulk_write(self, created, updated, originals) -> None:
        """``updated`` rows set only the columns some row of the chunk changes (a bulk UPDATE
        spells out every column it sets for every row)."""
        model = self.model
        history = hasattr(model._meta, "simple_history_manager_attribute")
        if created:
            if history:
                bulk.copy_insert_with_history(
                    model, created, user=self.user, change_reason=self.change_reason
                )
            else:
                model._default_manager.bulk_create(created, batch_size=self.chunk_size)
        update_fields = self._changed_fields(updated, originals)
        if updated and update_fields:
            if history and bulk.update_with_history(
                model, updated, update_fields, user=self.user, change_reason=self.change_reason
            ):
                return
            if history:
                from simple_history.utils import bulk_update_with_history

                bulk_update_with_history(
                    updated,
                    model,
                    update_fields,
                    batch_size=self.chunk_size,
                    default_user=self.user,
                    default_change_reason=self.change_reason,
                )
            else:
                model._default_manager.bulk_update(
                    updated, update_fields, batch_size=self.chunk_size
                )

    def _changed_fields(self, updated, originals) -> list[str]:
        """The import's columns that at least one of ``updated`` changes from its original."""
        pairs = list(zip(updated, originals, strict=True))
        changed = []
        for name in self._update_fields():
            attname = self.opts.get_field(name).attname
            if any(getattr(new, attname) != getattr(old, attname) for new, old in pairs):
                changed.append(name)
        return changed

    def _update_fields(self) -> list[str]:
        names = []
        key_names = set(self.resource.get_import_id_fields())
        for name, resource_field in self.resource.fields.items():
            attribute = resource_field.attribute
            if name in key_names or not attribute or "__" in attribute:
                continue
            if resource_field.readonly or isinstance(
                resource_field.widget, widgets.ManyToManyWidget
            ):
                continue
            try:
                model_field = self.opts.get_field(attribute)
            except Exception:
                continue
            if model_field.concrete and not model_field.primary_key:
                names.append(model_field.name)
        return names

    # --- errors -------------------------------------------------------------------------------

    def _columns_by_attribute(self) -> dict[str, str]:
        columns = {}
        for name, resource_field in self.resource.fields.items():
            columns.setdefault(name, resource_field.column_name)
            if resource_field.attribute:
                columns.setdefault(resource_field.attribute, resource_field.column_name)
                columns.setdefault(
                    resource_field.attribute.split("__")[0], resource_field.column_name
                )
        return columns

    def _add_validation_error(self, row_number: int | None, error: ValidationError) -> None:
        if hasattr(error, "error_dict"):
            for key, messages in error.message_dict.items():
                column = "" if key == NON_FIELD_ERRORS else self._column_of.get(key, key)
                for message in messages:
                    self._add_row_error(row_number, column, message)
        else:
            for message in error.messages:
                self._add_row_error(row_number, "", message)

    def _add_row_error(self, row_number: int | None, column: str, reason: str) -> None:
        column = self._file_header.get(column, column)
        self.outcome.add_error(RowProblem(row_number, column, reason))
