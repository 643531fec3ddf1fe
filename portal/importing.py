"""Shared import/export rules for every model that goes in or out as CSV or XLSX.

django-import-export does the row mapping; this module adds what it leaves to us:
- files are decoded strictly (UTF-8 with or without BOM; Thai Windows cp874 when the bytes are
  unambiguously Thai text) or refused with a message that says what to do;
- every declared column must be present, and a key repeated inside one file is a row error;
- model validation (fields, ``clean()``, constraints) runs on every row, and one bad row rolls the
  whole file back;
- exported cells that a spreadsheet would run as a formula are prefixed with ``'``.
"""

import re

import tablib
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from import_export import resources, widgets
from import_export.admin import ExportMixin, ImportExportMixin
from import_export.formats import base_formats

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
THAI_LETTERS = re.compile("[\u0e01-\u0e2e]")
# A Thai vowel or tone mark always follows a Thai character; bytes of another code page (é, è in
# Latin-1) decode to such marks standing after a Latin letter, which tells the two apart.
STRAY_THAI_MARK = re.compile("(?<![\u0e01-\u0e4e])[\u0e31\u0e34-\u0e3a\u0e47-\u0e4e]")


class UnreadableFileError(ValueError):
    """The upload is not text we can read; the message tells the user what to do."""


def decode_text(data: bytes) -> str:
    """Decode an uploaded text file: UTF-8 (BOM optional), else Thai cp874, else refuse."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as utf8_error:
        try:
            text = data.decode("cp874")
        except UnicodeDecodeError:
            text = ""
        if THAI_LETTERS.search(text) and not STRAY_THAI_MARK.search(text):
            return text
        raise UnreadableFileError(
            _(
                "The file is not UTF-8 text (byte %(position)s cannot be read). "
                "Save it from Excel as “CSV UTF-8 (Comma delimited)” or upload it as XLSX."
            )
            % {"position": utf8_error.start + 1}
        ) from utf8_error


def escape_formula(value):
    """Prefix ``'`` to a text cell a spreadsheet would evaluate; other values pass unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def escape_dataset(dataset: tablib.Dataset) -> tablib.Dataset:
    escaped = tablib.Dataset(headers=dataset.headers, title=dataset.title)
    for row in dataset:
        escaped.append([escape_formula(cell) for cell in row])
    return escaped


class CSV(base_formats.CSV):
    """CSV read as bytes so that we, not the temp storage, choose the encoding."""

    def get_read_mode(self):
        return "rb"

    def is_binary(self):
        return True

    def create_dataset(self, in_stream, **kwargs):
        if isinstance(in_stream, bytes):
            in_stream = decode_text(in_stream)
        return tablib.import_set(in_stream, format="csv", **kwargs)

    def export_data(self, dataset, **kwargs):
        return super().export_data(escape_dataset(dataset), **kwargs)


class XLSX(base_formats.XLSX):
    def export_data(self, dataset, **kwargs):
        return super().export_data(escape_dataset(dataset), **kwargs)


FORMATS = [CSV, XLSX]


class IntegerWidget(widgets.IntegerWidget):
    """Raises ValueError (a row error naming the column) instead of decimal.InvalidOperation."""

    def clean(self, value, row=None, **kwargs):
        try:
            return super().clean(value, row=row, **kwargs)
        except ArithmeticError as error:
            raise ValueError(_("“%(value)s” is not a whole number.") % {"value": value}) from error


class DecimalWidget(widgets.DecimalWidget):
    def clean(self, value, row=None, **kwargs):
        try:
            return super().clean(value, row=row, **kwargs)
        except ArithmeticError as error:
            raise ValueError(_("“%(value)s” is not a number.") % {"value": value}) from error


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
    def widget_from_django_field(cls, f, default=widgets.Widget):
        widget = super().widget_from_django_field(f, default)
        if widget is widgets.IntegerWidget:
            return IntegerWidget
        if widget in (widgets.DecimalWidget, widgets.FloatWidget):
            return DecimalWidget
        return widget

    def key_columns(self) -> list[str]:
        return [self.fields[name].column_name for name in self._meta.import_id_fields]

    def before_import(self, dataset, **kwargs):
        headers = {(header or "").strip() for header in dataset.headers or []}
        expected = [field.column_name for field in self.get_import_fields()]
        missing = [c for c in expected if c not in headers and c not in self.optional_columns]
        if missing:
            raise ValidationError(
                _("The file has no column %(columns)s. Expected columns: %(expected)s.")
                % {"columns": ", ".join(missing), "expected": ", ".join(expected)}
            )
        self._first_row_of_key: dict[tuple, int] = {}

    def before_import_row(self, row, row_number=None, **kwargs):
        columns = self.key_columns()
        key = tuple(str(row.get(column) or "").strip() for column in columns)
        if not any(key):
            return
        first = self._first_row_of_key.setdefault(key, row_number)
        if first != row_number:
            raise ValidationError(
                {
                    self._meta.import_id_fields[0]: _(
                        "Row %(row)s repeats %(columns)s of row %(first)s."
                    )
                    % {"row": row_number, "columns": ", ".join(columns), "first": first}
                }
            )


class _PortalFormatsMixin:
    formats = FORMATS


class PortalExportMixin(_PortalFormatsMixin, ExportMixin):
    """Export in CSV/XLSX with formula escaping; permission: the model's view permission."""


class PortalImportExportMixin(_PortalFormatsMixin, ImportExportMixin):
    """Import and export; an import writes all rows of a file or none of them."""

    def get_import_data_kwargs(self, **kwargs):
        kwargs = super().get_import_data_kwargs(**kwargs)
        kwargs["rollback_on_validation_errors"] = True
        return kwargs

    def add_data_read_fail_error_to_form(self, form, e):
        if isinstance(e, UnreadableFileError):
            form.add_error("import_file", str(e))
        else:
            super().add_data_read_fail_error_to_form(form, e)
