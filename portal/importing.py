"""Shared import/export rules for every model that goes in or out as CSV or XLSX.

django-import-export does the row mapping; this module adds what it leaves to us:
- files are read by ``portal.reading``: decoded strictly (UTF-8 with or without BOM; Thai Windows
  cp874 when the bytes are unambiguously Thai text) and bounded while they are read (rows,
  columns, cell and row lengths; what an XLSX unpacks to), or refused with a message that says
  what to do;
- every declared column must be present, and a key repeated inside one file is a row error;
- model validation (fields, ``clean()``, constraints) runs on every row, and one bad row rolls the
  whole file back;
- exported cells that a spreadsheet would run as a formula are prefixed with ``'``, and an
  imported cell loses that prefix again (``unescape_formula``), so an exported file imported
  again changes nothing.
"""

import collections
import copy
import functools

import tablib
from django.conf import settings
from django.core.exceptions import (
    NON_FIELD_ERRORS,
    FieldDoesNotExist,
    MultipleObjectsReturned,
    ObjectDoesNotExist,
    ValidationError,
)
from django.db import models, transaction
from django.utils import translation
from django.utils.encoding import force_str
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from import_export import fields, resources, results, widgets
from import_export.fields import NOT_PROVIDED
from import_export.formats import base_formats

from portal import excel, internals
from portal.dates import parse_date, parse_datetime
from portal.engine import FileImporter, ImportOutcome
from portal.formulas import escape_formula, unescape_formula
from portal.languages import thai_active
from portal.reading import (
    Table,
    UnreadableFileError,  # noqa: F401  (the error of every import path)
    read_table,
)
from portal.xlsx import table_bytes


def unescape_row(row: dict) -> dict:
    """A file row with the export's formula escapes removed (in place; returned for chaining).

    Every import path calls it on each row before any Resource hook reads the row.
    """
    for column, value in row.items():
        row[column] = unescape_formula(value)
    return row


def escape_dataset(dataset: tablib.Dataset) -> tablib.Dataset:
    escaped = tablib.Dataset(headers=dataset.headers, title=dataset.title)
    for row in dataset:
        escaped.append([escape_formula(cell) for cell in row])
    return escaped


class NumberedDataset(tablib.Dataset):
    """A dataset read from a file, with each row's number in the file (the header is row 1)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.row_numbers: list[int] = []


def table_dataset(table: Table) -> NumberedDataset:
    """The rows of a file read by ``portal.reading`` as a dataset, for django-import-export."""
    dataset = NumberedDataset()
    if table.header:
        dataset.headers = list(table.header)
    for number, cells in table:
        dataset.append(cells)
        dataset.row_numbers.append(number)
    return dataset


class CSV(base_formats.CSV):
    """CSV read as bytes by ``portal.reading`` (encoding, bounds), not by tablib."""

    def get_read_mode(self):
        return "rb"

    def is_binary(self):
        return True

    def create_dataset(self, in_stream, **kwargs):
        if isinstance(in_stream, str):
            in_stream = in_stream.encode("utf-8")
        return table_dataset(read_table(in_stream, "csv"))

    def export_data(self, dataset, **kwargs):
        return super().export_data(escape_dataset(dataset), **kwargs)


class XLSX(base_formats.XLSX):
    def create_dataset(self, in_stream):
        """The first sheet, read streaming and bounded by ``portal.reading``."""
        return table_dataset(read_table(in_stream, "xlsx"))

    def export_data(self, dataset, **kwargs):
        """The portal's XLSX layout (``portal.xlsx``), which also escapes the formulas."""
        return table_bytes(dataset.title or "export", dataset.headers or [], dataset)


FORMATS = [CSV, XLSX]


class IntegerWidget(widgets.IntegerWidget):
    """``1.0`` as a spreadsheet writes it is 1; ``1.5`` is a row error, never cut to 1."""

    cleans_value_only = True  # the import engine cleans each distinct cell once

    def clean(self, value, row=None, **kwargs):
        return excel.whole_number(value)


class DecimalWidget(widgets.DecimalWidget):
    cleans_value_only = True  # the import engine cleans each distinct cell once

    def clean(self, value, row=None, **kwargs):
        try:
            return super().clean(value, row=row, **kwargs)
        except ArithmeticError as error:
            raise ValueError(_("“%(value)s” is not a number.") % {"value": value}) from error


class DateWidget(widgets.DateWidget):
    """A day in a file: a date cell, or a text as Thai offices write it, the year in BE or CE
    (``portal.dates.parse_date``); what it cannot read for sure is a row error saying what to
    write. Exports stay ISO (``YYYY-MM-DD``)."""

    cleans_value_only = True  # the import engine cleans each distinct cell once

    def clean(self, value, row=None, **kwargs):
        return parse_date(value)


class DateTimeWidget(widgets.DateTimeWidget):
    """A moment in a file: a day as ``DateWidget`` reads it and a time, in Bangkok time."""

    cleans_value_only = True  # the import engine cleans each distinct cell once

    def clean(self, value, row=None, **kwargs):
        return parse_datetime(value)


class PreloadingForeignKeyWidget(widgets.ForeignKeyWidget):
    """A foreign key by a natural key (``field``) whose values the import engine looks up a
    chunk at a time (``preload``): ``preloaded(value)`` then answers without a query; a value
    that matches no row, or several, is left to the widget's own lookup (and its message)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._preloaded: dict = {}  # shared with shallow copies (the engine's remembering one)

    def lookup_text(self, value) -> str:
        """The text ``field`` is looked up by ("" for a blank cell)."""
        return "" if value in (None, "") else str(value).strip()

    def preloaded(self, value):
        return self._preloaded.get(self.lookup_text(value))

    def preload(self, values, *, reset: bool = False) -> None:
        """Look the values not yet known up in one query (each matching exactly one row is
        kept); ``reset`` forgets what was loaded before (an earlier file, or chunk)."""
        preloaded = self._preloaded
        if reset:
            preloaded.clear()  # in place: the engine's remembering copy shares the dict
        wanted = {self.lookup_text(value) for value in values} - {""} - preloaded.keys()
        if not wanted:
            return
        counts: dict = {}
        found: dict = {}
        for obj in self.model._default_manager.filter(**{f"{self.field}__in": wanted}):
            key = str(getattr(obj, self.field))
            counts[key] = counts.get(key, 0) + 1
            found[key] = obj
        preloaded.update((key, obj) for key, obj in found.items() if counts[key] == 1)


def _loaded_row_setter(model, field: fields.Field):
    """For a column that sets a many-to-one key of ``model`` (``field.attribute``), a function
    ``(instance, value) -> bool`` that sets a saved row of the key's model, loaded from the
    instance's database, as ``setattr`` would, without the database router's per-row checks when
    the project has no router (they then allow it, and name that database), and says whether it
    did; anything else (None, an unsaved row, a row of another database) is left to the caller's
    ``setattr``. None when the column sets no such key, or the project routes databases.
    Django's descriptor took ~9 % of the time of checking a file of new cases (two keys a row);
    this way the checking takes 4 % fewer instructions."""
    if settings.DATABASE_ROUTERS:
        return None
    try:
        model_field = model._meta.get_field(field.attribute)
    except FieldDoesNotExist:
        return None
    if not isinstance(model_field, models.ForeignKey) or model_field.one_to_one:
        return None
    related_model = model_field.remote_field.model._meta.concrete_model
    attname, target_attname = model_field.attname, model_field.target_field.attname

    def set_related(instance, value) -> bool:
        if type(value) is not related_model or value._state.db is None:
            return False
        state = instance._state
        if state.db is not None and state.db != value._state.db:
            return False
        state.db = value._state.db
        instance.__dict__[attname] = getattr(value, target_attname)
        model_field.set_cached_value(instance, value)
        return True

    return set_related


def own_copies(instances: list) -> list:
    """``instances`` (a file's rows' own, None for a new row) with a copy of an instance in place
    of each that an earlier row has already: a row changes its own (a Resource's
    ``get_instances``)."""
    given: set = set()
    owned = []
    for instance in instances:
        if instance is not None and instance.pk in given:
            instance = copy.copy(instance)
        if instance is not None:
            given.add(instance.pk)
        owned.append(instance)
    return owned


class ManyToManyWidget(widgets.ManyToManyWidget):
    """Refuses a value that matches no object instead of silently dropping it.

    The import engine looks up at once the objects a chunk's cells name (``preload``): a cell
    then costs no query, where it cost two each time it was read (the objects, and what of the
    cell they matched), and a row is read twice (its values, then ``skip_row``). A preloaded
    cell gives a list of the objects rather than a queryset."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._preloaded: dict[str, list] = {}  # a chunk's texts -> the objects each matches
        self._preloaded_texts: set[str] = set()

    def _texts(self, value) -> set[str]:
        return {part.strip() for part in str(value).split(self.separator) if part.strip()}

    def preload(self, values) -> None:
        if type(self).clean is not ManyToManyWidget.clean:
            return  # a subclass that finds its objects its own way
        wanted = set()
        for value in values:
            if value and not isinstance(value, float | int):
                wanted |= self._texts(value)
        self._preloaded, self._preloaded_texts = {}, wanted
        if wanted:
            for obj in self.model.objects.filter(**{f"{self.field}__in": wanted}):
                self._preloaded.setdefault(str(getattr(obj, self.field)), []).append(obj)

    def clean(self, value, row=None, **kwargs):
        if value and not isinstance(value, float | int):
            wanted = self._texts(value)
            if wanted and wanted <= self._preloaded_texts:
                self._refuse_unknown(wanted, set(self._preloaded))
                objects = {o.pk: o for text in wanted for o in self._preloaded.get(text, ())}
                return list(objects.values())
        queryset = super().clean(value, row=row, **kwargs)
        if not value or isinstance(value, (float, int)):
            return queryset
        wanted = self._texts(value)
        self._refuse_unknown(wanted, {str(v) for v in queryset.values_list(self.field, flat=True)})
        return queryset

    def _refuse_unknown(self, wanted: set, found: set) -> None:
        unknown = sorted(wanted - found)
        if unknown:
            raise ValueError(
                _("Unknown %(model)s: %(values)s.")
                % {"model": self.model._meta.verbose_name, "values": ", ".join(unknown)}
            )


def column_label(resource_class, field_name: str) -> str:
    """A resource column as the admin names its model field, in the user's language ("สถานะ",
    not import-export's "State"); a column with no model field is named by the resource's
    ``column_labels``, else keeps its header."""
    if field_name in getattr(resource_class, "column_labels", {}):
        return capfirst(resource_class.column_labels[field_name])
    field = resource_class.fields.get(field_name)
    path = ((field.attribute if field else None) or field_name).split("__")
    model = resource_class._meta.model
    try:
        for name in path[:-1]:
            model = model._meta.get_field(name).related_model
        return capfirst(model._meta.get_field(path[-1]).verbose_name)
    except (FieldDoesNotExist, AttributeError):
        return field.column_name if field else field_name


def headers_for_people(resource, headers) -> list[str]:
    """An XLSX export's headers: in Thai, each column as ``column_label`` names it (as the export
    form's checkboxes do); otherwise the codes. A label the import would not read back as its
    own column (two columns named alike) stays a code."""
    if not thai_active():
        return list(headers)
    names = {field.column_name: name for name, field in resource.fields.items()}
    people = []
    for header in headers:
        label = str(column_label(type(resource), names[header])) if header in names else header
        people.append(label if resource.column_names_of([label]) == [header] else header)
    return people


#: Rows the import page checks and writes at a time (the background job takes more at once).
PAGE_CHUNK_SIZE = 500


class Diff(resources.Diff):
    """The preview's cells as the library's ``Diff`` writes them, a value shown unchanged (every
    cell of a new row, most of a changed one) without running the text diff on it: the same
    ``<span>`` with the same escapes (``diff_prettyHtml`` of one equal part)."""

    def as_html(self):
        cells = []
        for left, right in zip(self.left, self.right, strict=False):
            left, right = force_str(left), force_str(right)
            if left != right:
                cells.extend(self._changed(left, right))
            elif left:
                text = left.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                cells.append(mark_safe(f"<span>{text.replace(chr(10), '&para;<br>')}</span>"))
            else:
                cells.append(mark_safe(""))
        return cells

    def _changed(self, left, right) -> list:
        """The library's cell for a changed value (its text diff)."""
        changed = resources.Diff.__new__(resources.Diff)
        changed.left, changed.right, changed.new = [left], [right], self.new
        return resources.Diff.as_html(changed)


class PortalResource(resources.ModelResource):
    """Base for every Resource: strict columns, in-file duplicate keys, full model validation."""

    #: Columns a file may leave out; every other import column is required in the header.
    optional_columns: tuple[str, ...] = ()

    class Meta:
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True
        widgets = {}

    @classmethod
    def get_diff_class(cls):
        return Diff

    @classmethod
    def widget_from_django_field(cls, f, default=widgets.Widget):
        if isinstance(f, models.TextField) and not f.choices:
            return widgets.CharWidget
        widget = super().widget_from_django_field(f, default)
        if widget is widgets.IntegerWidget:
            return IntegerWidget
        if widget in (widgets.DecimalWidget, widgets.FloatWidget):
            return DecimalWidget
        if widget is widgets.DateTimeWidget:
            return DateTimeWidget
        if widget is widgets.DateWidget:
            return DateWidget
        return widget

    @classmethod
    def widget_kwargs_for_field(cls, field_name, django_field):
        kwargs = super().widget_kwargs_for_field(field_name, django_field)
        if isinstance(django_field, models.TextField) and django_field.blank:
            # An empty XLSX cell is None; a blank text column stores "" (as CharFields already do).
            kwargs.update({"coerce_to_string": True, "allow_blank": True})
        return kwargs

    @classmethod
    def get_m2m_widget(cls, field):
        return functools.partial(ManyToManyWidget, model=field.related_model)

    def template_examples(self, queryset):
        """The objects an import template may show as its example row: those a file may still
        change (a Resource whose rows some objects refuse narrows this)."""
        return queryset

    def before_diffs(self, instances: list) -> None:
        """Called with every row's object before the preview shows what each row changes: a
        Resource whose export columns read related rows loads them here for all rows at once."""

    #: A made-up row (column: value, values as the import reads them; a choice by its code) for
    #: the import template of a user who can see no object of the model yet. The template shows it
    #: on a sheet of its own, marked as an example, which the import never reads (it reads the
    #: first sheet only), so it never creates a made-up object.
    template_example: dict = {}

    def template_example_row(self, columns) -> list:
        """``template_example`` in the order of ``columns``: a choice is written as its label in
        the user's language, as the XLSX export writes it (the import reads either)."""
        row = []
        for column in columns:
            value = self.template_example.get(column, "")
            model_field = self.model_field_of(column)
            if model_field is not None and model_field.choices and value != "":
                value = str(dict(model_field.flatchoices).get(value, value))
            row.append(value)
        return row

    def model_field_of(self, column):
        """The model field a column writes, if it writes one."""
        for field in self.fields.values():
            if field.column_name == column and field.attribute:
                try:
                    return self._meta.model._meta.get_field(field.attribute)
                except FieldDoesNotExist:
                    return None
        return None

    def key_columns(self) -> list[str]:
        return [self.fields[name].column_name for name in self._meta.import_id_fields]

    def row_key(self, row) -> tuple:
        """The natural key of a file row, to find a key repeated inside one file."""
        return tuple(str(row.get(column) or "").strip() for column in self.key_columns())

    def import_data(
        self,
        dataset,
        dry_run=False,
        raise_errors=False,
        use_transactions=None,
        collect_failed_rows=False,
        rollback_on_validation_errors=False,
        **kwargs,
    ):
        """Every import of a file, whatever its door, runs the one engine (``portal.engine``).

        All or nothing: one bad row and nothing is written. A dry run (the admin's preview)
        writes and rolls back, so the preview finds what the write would. The answer is
        django-import-export's ``Result``, for its admin pages and log.
        """
        file_name = kwargs.get("file_name") or ""
        importer = FileImporter(
            self,
            dataset,
            user=kwargs.get("user"),
            change_reason=_("Import of %(file)s") % {"file": file_name} if file_name else "",
            keep_rows=True,
            file_name=file_name,
            # the page waits for the last chunk's store: smaller chunks, less of it left at the end
            chunk_size=PAGE_CHUNK_SIZE,
        )
        with transaction.atomic():
            outcome = importer.run()
            result = self._result_of(outcome, diffs=dry_run)
            if dry_run or not outcome.ok:
                transaction.set_rollback(True)
        if raise_errors and not outcome.ok:
            raise ValidationError([problem.reason for problem in outcome.errors])
        return result

    def _result_of(self, outcome: ImportOutcome, *, diffs: bool) -> results.Result:
        """The engine's outcome as django-import-export's ``Result``: file errors, each bad row
        with its errors by column (the file's header), and each valid row, with its diff when
        ``diffs`` (the preview shows them; a confirmed import only logs its rows)."""
        result = self.get_result_class()()
        result.diff_headers = self.get_diff_headers()
        result.total_rows = outcome.total
        by_row: dict[int, dict[str, list[str]]] = {}
        for problem in outcome.errors:
            if problem.row is None:
                result.append_base_error(results.Error(ValidationError(problem.reason)))
            else:
                column = problem.column or NON_FIELD_ERRORS
                by_row.setdefault(problem.row, {}).setdefault(column, []).append(problem.reason)
        for number, errors in sorted(by_row.items()):
            result.invalid_rows.append(
                results.InvalidRow(
                    number=number, validation_error=ValidationError(errors), values=()
                )
            )
            result.totals[results.RowResult.IMPORT_TYPE_INVALID] += 1
        if not outcome.ok:
            return result
        if diffs:
            self.before_diffs(
                [done.instance for done in outcome.done]
                + [done.original for done in outcome.done if done.original is not None]
            )
        for done in outcome.done:
            row_result = self.get_row_result_class()()
            row_result.import_type = done.import_type
            row_result.instance, row_result.original = done.instance, done.original
            row_result.add_instance_info(done.instance)
            if diffs:
                new = done.import_type == results.RowResult.IMPORT_TYPE_NEW
                diff = self.get_diff_class()(self, done.instance if new else done.original, new)
                if new or done.import_type == results.RowResult.IMPORT_TYPE_SKIP:
                    # shown against itself (a skipped row changes no column): read once
                    diff.right = diff.left
                else:
                    diff.compare_with(self, done.instance)
                row_result.diff = diff.as_html()
            result.append_row_result(row_result)
            result.increment_row_result_total(row_result)
        return result

    def get_diff_headers(self):
        """The preview's columns as the admin names their fields, in the user's language."""
        names = {id(field): name for name, field in self.fields.items()}
        return [column_label(type(self), names[id(f)]) for f in self.get_import_fields()]

    def column_names_of(self, headers) -> list[str]:
        """A file's headers as this Resource's column names: a header may be the column's code
        (``tax_id``) or its label in Thai or English, as an XLSX export writes it."""
        names = self._column_names_by_header
        return [names.get(str(h or "").strip().casefold(), str(h or "").strip()) for h in headers]

    @functools.cached_property
    def _column_names_by_header(self) -> dict[str, str]:
        names = {}
        for language in ("th", "en"):
            with translation.override(language):
                for name, field in self.fields.items():
                    if field.column_name:
                        label = column_label(type(self), name)
                        names.setdefault(str(label).casefold(), field.column_name)
        names.update((f.column_name.casefold(), f.column_name) for f in self.fields.values())
        return names

    def file_row(self, row: dict) -> dict:
        """A file row as the Resource reads it (in place; returned): the export's formula
        escapes removed, each cell a spreadsheet retyped restored (``portal.excel``), each choice
        label turned into its code. A cell that cannot be restored for sure is a row error."""
        errors = {}
        readers = self._cell_readers
        texts_read = self._texts_read
        for column, value in row.items():
            read = readers.get(column)
            if type(value) is str:
                if read is None:
                    if value[:1] == "'":  # the call only for an escape
                        row[column] = unescape_formula(value)
                    continue
                # a text read before in this column (a holder's name, an e-mail address): its
                # reading, without the calls (a refusal is not kept: it is raised each time)
                known = texts_read[column].get(value)
                if known is not None:
                    row[column] = known
                    continue
            original = value
            if isinstance(value, str) and value.startswith("'"):
                value = unescape_formula(value)
            if read is not None:
                try:
                    value = read(value)
                except ValueError as error:
                    errors[column] = str(error)
                else:
                    if type(original) is str and value is not None:
                        remembered = texts_read[column]
                        if len(remembered) < internals.CLEANED_VALUES_PER_FIELD:
                            remembered[original] = value
            row[column] = value
        if errors:
            raise ValidationError(errors)
        return self._choice_codes(row)

    @functools.cached_property
    def _texts_read(self) -> collections.defaultdict:
        """Per column, what ``file_row`` made of each text it has read (for this Resource's
        file): its readers depend on the cell alone."""
        return collections.defaultdict(dict)

    @functools.cached_property
    def _cell_readers(self) -> dict:
        """Per column, how its cell is read back from a spreadsheet, from the model field."""
        readers = {}
        for field in self.get_import_fields():
            widget = field.widget
            if isinstance(widget, widgets.ForeignKeyWidget):
                lookup = getattr(widget, "field", "")
                readers[field.column_name] = (
                    excel.thai_tax_id if lookup == "tax_id" else excel.cell_text
                )
                continue
            try:
                model_field = self._meta.model._meta.get_field(field.attribute or "")
            except FieldDoesNotExist:
                continue
            if isinstance(model_field, models.DateTimeField):
                continue
            if isinstance(model_field, models.DateField):
                readers[field.column_name] = excel.date_cell
            elif isinstance(model_field, models.CharField | models.TextField):
                if model_field.name == "tax_id":
                    readers[field.column_name] = excel.thai_tax_id
                elif model_field.name.endswith("phone"):
                    readers[field.column_name] = excel.thai_phone
                else:
                    readers[field.column_name] = excel.cell_text
        return readers

    def _choice_columns(self) -> dict[str, models.Field]:
        """The columns whose model field has choices (a code stored, a label shown)."""
        columns = {}
        for field in self.fields.values():
            if not field.attribute or "__" in field.attribute:
                continue
            try:
                model_field = self._meta.model._meta.get_field(field.attribute)
            except FieldDoesNotExist:
                continue
            if model_field.choices and not model_field.is_relation:
                columns[field.column_name] = model_field
        return columns

    @functools.cached_property
    def _codes_by_name(self) -> dict[str, dict[str, str]]:
        """Per choice column: its codes by code and by Thai and English label (lower case)."""
        codes = {}
        for column, model_field in self._choice_columns().items():
            names = {}
            for language in ("en", "th"):
                with translation.override(language):
                    names.update(
                        (str(label).strip().lower(), code)
                        for code, label in model_field.flatchoices
                    )
            names.update((str(code).lower(), code) for code, _label in model_field.flatchoices)
            codes[column] = names
        return codes

    def _choice_codes(self, row: dict) -> dict:
        """A file row with each choice column's label (in Thai or English, as an XLSX export
        writes it) turned back into its code; a code stays as it is (in place)."""
        for column, names in self._codes_by_name.items():
            value = row.get(column)
            if type(value) is str and names.get(value) == value:
                continue  # a code as it is written
            text = str(value or "").strip().lower()
            if text in names:
                row[column] = names[text]
        return row

    def export(self, queryset=None, **kwargs):
        """Rows for an XLSX export (CSV is streamed by ``portal.jobs.exports``, with codes):
        a choice column shows its label in the user's language, which imports back."""
        dataset = super().export(queryset=queryset, **kwargs)
        labels = {
            index: {str(code): str(label) for code, label in model_field.flatchoices}
            for column, model_field in self._choice_columns().items()
            if column in (dataset.headers or [])
            for index in [dataset.headers.index(column)]
        }
        if not labels:
            return dataset
        labelled = tablib.Dataset(headers=dataset.headers, title=dataset.title)
        for row in dataset:
            labelled.append(
                [labels[i].get(str(v), v) if i in labels else v for i, v in enumerate(row)]
            )
        return labelled

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        """An unknown foreign key is a row error naming the column, not a traceback.

        A row that repeats what an existing row's foreign key exports as (an exported file
        imported again) keeps that object, even where the value finds no single object on
        import: a right with no registration number yet, a name two holders share.
        """
        if self._exports_as_current(field, instance, row):
            return
        try:
            super().import_field(field, instance, row, is_m2m, **kwargs)
        except (ObjectDoesNotExist, MultipleObjectsReturned) as error:
            raise self._no_single_object(field, row) from error

    @staticmethod
    def _no_single_object(field, row) -> ValueError:
        model = getattr(field.widget, "model", None)
        return ValueError(
            _("No single %(model)s matches “%(value)s”.")
            % {
                "model": model._meta.verbose_name if model else field.column_name,
                "value": row.get(field.column_name),
            }
        )

    def _import_fields(self, instance, row, **kwargs) -> None:
        """What ``ModelResource.import_instance`` does through ``import_field`` and
        ``Field.save`` for every cell, in one loop: a file of 100,000 rows runs it for each of
        its cells. A field that saves its own way (its own class, a nested attribute) and a
        Resource with its own ``import_field`` take the library's path."""
        if type(self).import_field is not PortalResource.import_field:
            super().import_instance(instance, row, **kwargs)
            return
        errors = {}
        adding = instance._state.adding
        for (
            field,
            column,
            attribute,
            direct,
            clean_cell,
            remembered,
            relation,
            default,
            set_related,
        ) in self._import_plan:
            if column not in row or (
                relation and not adding and self._exports_as_current(field, instance, row)
            ):
                continue
            try:
                if not direct:
                    field.save(instance, row, **kwargs)
                    continue
                if clean_cell is not None:
                    cell = row[column]
                    # a text the widget has read without a refusal: its value, without a call
                    known = remembered.get(cell) if type(cell) is str else None
                    if known is not None and known[1] is None:
                        value = known[0]
                    else:
                        value = clean_cell(cell, row=row)
                    if default is not NOT_PROVIDED and value in field.empty_values:
                        value = default() if callable(default) else default  # as Field.clean
                else:
                    value = field.clean(row, **kwargs)
                if set_related is not None and set_related(instance, value):
                    continue
                if value is not None or field.saves_null_values:
                    setattr(instance, attribute, value)
            except (ObjectDoesNotExist, MultipleObjectsReturned, ValueError) as error:
                errors[attribute] = self.cell_error(field, row, error)
        if errors:
            raise ValidationError(errors)

    def cell_error(self, field, row, error: Exception) -> ValidationError:
        """What a row's error says of a cell ``field``'s widget could not read (``error``)."""
        if isinstance(error, ObjectDoesNotExist | MultipleObjectsReturned):
            error = self._no_single_object(field, row)
        return ValidationError(force_str(error), code="invalid")

    @functools.cached_property
    def _import_plan(self) -> list[tuple]:
        """(field, column, attribute, set here rather than by ``Field.save``, the widget's
        ``clean`` when ``Field.clean`` would add nothing to it but the field's default (the
        cell's value alone is read), what that ``clean`` has made of the texts it read
        (``remembered``, as the import engine's widgets keep it; else empty), a foreign key, the
        field's default for a blank cell, how a foreign key is set (``_loaded_row_setter``)) of
        each column ``_import_fields`` fills, worked out at the first row (after the engine's
        changes)."""
        plan = []
        for field in self.get_import_fields():
            if isinstance(field.widget, widgets.ManyToManyWidget) or not field.attribute:
                continue
            direct = type(field).save is fields.Field.save and "__" not in field.attribute
            if direct and field.readonly:
                continue  # Field.save sets nothing
            plain = type(field).clean is fields.Field.clean
            value_only = getattr(field.widget, "cleans_value_only", False)
            relation = isinstance(field.widget, widgets.ForeignKeyWidget)
            clean_cell = field.widget.clean if plain and value_only else None
            remembered = getattr(clean_cell, "remembered", None)
            if remembered is None:
                remembered = {}
            plan.append(
                (
                    field,
                    field.column_name,
                    field.attribute,
                    direct,
                    clean_cell,
                    remembered,
                    relation,
                    field.default,
                    _loaded_row_setter(self._meta.model, field) if direct else None,
                )
            )
        return plan

    @staticmethod
    def _exports_as_current(field, instance, row) -> bool:
        if (
            instance._state.adding
            or field.readonly
            or field.column_name not in row
            or not isinstance(field.widget, widgets.ForeignKeyWidget)
            or isinstance(field.widget, widgets.ManyToManyWidget)
        ):
            return False
        current = field.get_value(instance)
        if current is None:
            return False
        cell = row.get(field.column_name)
        return str("" if cell is None else cell).strip() == str(field.widget.render(current))

    def import_instance(self, instance, row, **kwargs):
        """Also check many-to-many columns now, so a bad value is a row error before any save."""
        errors = {}
        try:
            self._import_fields(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        for field in self.get_import_fields():
            if isinstance(field.widget, widgets.ManyToManyWidget) and field.column_name in row:
                try:
                    field.clean(row, **kwargs)
                except ValueError as error:
                    errors[field.attribute] = ValidationError(str(error), code="invalid")
        if errors:
            raise ValidationError(errors)

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        """Errors name the file's column, not the model field behind it."""
        try:
            super().validate_instance(instance, import_validation_errors, validate_unique)
        except ValidationError as error:
            columns = {
                field.attribute: field.column_name
                for field in self.get_import_fields()
                if field.attribute and field.column_name
            }
            raise ValidationError(
                {
                    columns.get(key, key): self._with_allowed_values(key, messages)
                    for key, messages in error.error_dict.items()
                }
            ) from error

    def _with_allowed_values(self, field_name: str, errors: list) -> list:
        """A value that is not one of a field's choices says which values are: label (code)."""
        try:
            choices = self._meta.model._meta.get_field(field_name).flatchoices
        except FieldDoesNotExist:
            return errors
        allowed = ", ".join(f"{label} ({value})" for value, label in choices)
        return [
            ValidationError(
                _("“%(value)s” is not one of: %(allowed)s."),
                code="invalid_choice",
                params={"value": error.params["value"], "allowed": allowed},
            )
            if error.code == "invalid_choice" and choices and error.params
            else error
            for error in errors
        ]

    def before_import(self, dataset, **kwargs):
        headers = {(header or "").strip() for header in dataset.headers or []}
        # A readonly field is export-only: a file need not (and cannot usefully) carry it.
        expected = [f.column_name for f in self.get_import_fields() if not f.readonly]
        missing = [c for c in expected if c not in headers and c not in self.optional_columns]
        if missing:
            raise ValidationError(
                _("The file has no column %(columns)s. Expected columns: %(expected)s.")
                % {"columns": ", ".join(missing), "expected": ", ".join(expected)}
            )
        self._first_row_of_key: dict[tuple, int] = {}

    def before_import_row(self, row, row_number=None, **kwargs):
        key = self.row_key(row)
        if not any(key):
            return
        first = self._first_row_of_key.setdefault(key, row_number)
        if first != row_number:
            columns = ", ".join(self.key_columns())
            raise ValidationError(
                {
                    self._meta.import_id_fields[0]: _(
                        "Row %(row)s repeats %(columns)s of row %(first)s."
                    )
                    % {"row": row_number, "columns": columns, "first": first}
                }
            )

    def before_save_instance(self, instance, row, **kwargs):
        """The audit history names the file a row came from (and who imported it)."""
        super().before_save_instance(instance, row, **kwargs)
        file_name = kwargs.get("file_name")
        if file_name and not getattr(instance, "_change_reason", None):
            instance._change_reason = _("Import of %(file)s") % {"file": file_name}
        user = kwargs.get("user")
        if user is not None and getattr(user, "is_authenticated", False):
            instance._history_user = user
