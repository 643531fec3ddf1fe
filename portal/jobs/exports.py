"""Stream a Resource's export as CSV, so memory stays flat whatever the number of rows.

Three ways to the same cells, the fastest that can write them exactly:

- on PostgreSQL, when every column is a plain value whose widget has an exact SQL equivalent
  (text, whole numbers, dates and times in the widget's format and the current time zone, yes/no,
  foreign keys), the database renders and escapes every cell and writes the CSV itself
  (``COPY (SELECT ...) TO STDOUT``), and the response passes it on as it comes;
- when every column is a plain value, rows are read as tuples (``values_list``) through a
  server-side cursor and rendered by the widgets;
- otherwise model instances are rendered by the Resource's own fields (``dehydrate_*`` included).

Cells are escaped as ``portal.formulas.escape_formula`` does, and sent a chunk at a time.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from functools import partial

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import connections, models
from django.db.models import Case, F, Func, Value, When
from django.db.models.expressions import Col
from django.db.models.functions import Cast, Coalesce
from django.http import StreamingHttpResponse
from django.utils import timezone
from import_export import resources, widgets

from portal.formulas import FORMULA_TRIGGERS, escape_formula

EXPORT_CHUNK_SIZE = 2000
COPY_BUFFER_BYTES = 1 << 16


def _related_paths(model, resource_fields) -> list[str]:
    """``select_related`` paths for the export columns that are or follow foreign keys."""
    paths = set()
    for resource_field in resource_fields:
        attribute = resource_field.attribute or ""
        parts = attribute.split("__")
        current = model
        walked = []
        for part in parts:  # the last part too: a foreign key column renders its object
            try:
                model_field = current._meta.get_field(part)
            except FieldDoesNotExist:
                break
            if not (model_field.many_to_one or model_field.one_to_one):
                break
            walked.append(part)
            current = model_field.related_model
        if walked:
            paths.add("__".join(walked))
    return sorted(paths)


def prepare_queryset(resource, queryset, selected_fields=None):
    fields = resource.get_export_fields(selected_fields)
    if queryset.query.select_related is False:
        paths = _related_paths(queryset.model, fields)
        if paths:
            queryset = queryset.select_related(*paths)
    if not queryset.query.order_by and not queryset.query.default_ordering:
        queryset = queryset.order_by("pk")
    return queryset


def iter_csv(
    resource,
    queryset: models.QuerySet,
    *,
    selected_fields=None,
    chunk_size: int = EXPORT_CHUNK_SIZE,
    bom: bool = True,
) -> Iterator[bytes]:
    """Yield the UTF-8 CSV of ``queryset`` as ``resource`` exports it, a chunk at a time."""
    fields = resource.get_export_fields(selected_fields)
    queryset = prepare_queryset(resource, resource.filter_export(queryset), selected_fields)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([escape_formula(h) for h in resource.get_export_headers(selected_fields)])
    header = ("\ufeff" if bom else "") + buffer.getvalue()
    plan = _values_plan(resource, fields, queryset)
    columns = _sql_columns(fields, queryset, plan[0]) if plan is not None else None
    if columns is not None:
        yield header.replace("\r\n", "\n").encode()  # COPY ends its lines with \n
        yield from _copy_csv(queryset, columns)
        return
    yield header.encode()
    if plan is not None:  # every column is a plain value: no model instances at all
        paths, renders = plan
        source = queryset.prefetch_related(None).values_list(*paths).iterator(chunk_size)
        make_row = lambda values: [  # noqa: E731
            escape_formula(render(value)) for render, value in zip(renders, values, strict=True)
        ]
    else:
        renderers = _renderers(resource, fields)
        source = queryset.iterator(chunk_size=chunk_size)
        make_row = lambda obj: [escape_formula(render(obj)) for render in renderers]  # noqa: E731
    rows = []
    for item in source:
        rows.append(make_row(item))
        if len(rows) == chunk_size:
            yield _render(rows).encode()
            rows = []
    if rows:
        yield _render(rows).encode()


def _copy_csv(queryset, columns) -> Iterator[bytes]:
    """The rows as CSV written by PostgreSQL, each cell already rendered by ``columns``."""
    names = [f"export_cell_{index}" for index in range(len(columns))]
    rows = (
        queryset.prefetch_related(None)
        .annotate(**dict(zip(names, columns, strict=True)))
        .values_list(*names)
    )
    sql, params = rows.query.sql_with_params()
    connection = connections[queryset.db]
    statement = f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)"
    with connection.cursor() as cursor, cursor.cursor.copy(statement, params) as copy:
        buffer = bytearray()
        for data in copy:  # one row each
            buffer += data
            if len(buffer) >= COPY_BUFFER_BYTES:
                yield bytes(buffer)
                buffer.clear()
        if buffer:
            yield bytes(buffer)


# --- cells rendered by PostgreSQL -----------------------------------------------------------

_STRFTIME_TO_CHAR = {"%Y": "YYYY", "%m": "MM", "%d": "DD", "%H": "HH24", "%M": "MI", "%S": "SS"}


def _to_char_format(strftime_format: str) -> str | None:
    """The ``to_char`` pattern for a strftime format of digits and separators, else None."""
    pattern = []
    for part in re.split(r"(%.)", strftime_format):
        if part.startswith("%"):
            if part not in _STRFTIME_TO_CHAR:
                return None
            pattern.append(_STRFTIME_TO_CHAR[part])
        elif part and not re.fullmatch(r"[-/:. T]+", part):
            return None
        else:
            pattern.append(part)
    return "".join(pattern)


class _ToChar(Func):
    function = "to_char"
    output_field = models.TextField()


class _AtTimeZone(Func):
    template = "(%(expressions)s AT TIME ZONE %%s)"
    output_field = models.DateTimeField()

    def __init__(self, expression, zone_name: str):
        super().__init__(expression)
        self.zone_name = zone_name

    def as_sql(self, compiler, connection, **extra_context):
        sql, params = super().as_sql(compiler, connection, **extra_context)
        return sql, (*params, self.zone_name)


class _EscapeFormula(Func):
    """``escape_formula`` in SQL: a cell starting with one of ``FORMULA_TRIGGERS`` (after any
    leading ``'``) gets a ``'``."""

    output_field = models.TextField()
    PATTERN = "^('*[" + "".join(t for t in FORMULA_TRIGGERS if t != "-") + "-])"

    def as_sql(self, compiler, connection, **extra_context):
        (source,) = self.get_source_expressions()
        sql, params = compiler.compile(source)
        if _reads_one_column(source):
            # a plain column is cheap to read three times, and CASE is cheaper than a regex
            triggers = ", ".join(["%s"] * len(FORMULA_TRIGGERS))
            return (
                f"CASE WHEN left(ltrim({sql}, ''''), 1) IN ({triggers}) "
                f"THEN '''' || {sql} ELSE {sql} END",
                (*params, *FORMULA_TRIGGERS, *params, *params),
            )
        return f"regexp_replace({sql}, %s, %s)", (*params, self.PATTERN, "'\\1")


def _reads_one_column(expression) -> bool:
    return all(
        isinstance(part, Col | Value | Cast | Coalesce) and _reads_one_column(part)
        for part in expression.get_source_expressions()
    )


_TEXT_TYPES = {"CharField", "TextField", "EmailField", "URLField", "SlugField"}
_INTEGER_TYPES = {
    "AutoField",
    "BigAutoField",
    "SmallAutoField",
    "IntegerField",
    "BigIntegerField",
    "SmallIntegerField",
    "PositiveIntegerField",
    "PositiveBigIntegerField",
    "PositiveSmallIntegerField",
}
_TEXT = models.TextField()


def _as_text(path: str, internal_type: str):
    """The column as ``force_str`` writes it (blank for NULL), escaped; None for other types."""
    if internal_type in _TEXT_TYPES:
        text = F(path)
    elif internal_type in _INTEGER_TYPES:
        text = Cast(F(path), _TEXT)
    else:
        return None
    return _EscapeFormula(Coalesce(text, Value(""), output_field=_TEXT))


def _sql_cell(widget, internal_type: str, path: str):
    """One cell as ``widget.render`` and ``escape_formula`` write it, in SQL; None if not exact."""
    render = type(widget).render
    if isinstance(widget, widgets.ForeignKeyWidget):
        return _as_text(path, internal_type)  # the related row's id or field, as in _values_plan
    if not getattr(widget, "coerce_to_string", True):
        return None
    if render in (widgets.Widget.render, widgets.CharWidget.render):
        return _as_text(path, internal_type)
    if render is widgets.IntegerWidget.render:
        if settings.USE_THOUSAND_SEPARATOR or internal_type not in _INTEGER_TYPES:
            return None  # number_format would group the digits
        return _as_text(path, internal_type)
    if render is widgets.BooleanWidget.render and internal_type == "BooleanField":
        return Case(
            When(**{path: True}, then=Value(str(widget.TRUE_VALUES[0]))),
            When(**{path: False}, then=Value(str(widget.FALSE_VALUES[0]))),
            default=Value(""),
            output_field=_TEXT,
        )
    if render is widgets.DateWidget.render and internal_type == "DateField":
        source = F(path)
    elif render is widgets.DateTimeWidget.render and internal_type == "DateTimeField":
        zone = getattr(timezone.get_current_timezone(), "key", None)
        if zone is None:
            return None
        source = _AtTimeZone(F(path), zone) if settings.USE_TZ else F(path)
    else:
        return None
    pattern = _to_char_format(widget.formats[0])
    if pattern is None:
        return None
    return Coalesce(_ToChar(source, Value(pattern)), Value(""), output_field=_TEXT)


def _sql_columns(fields, queryset, paths) -> list | None:
    """On PostgreSQL, one expression per column that renders its exact cell; else None."""
    if connections[queryset.db].vendor != "postgresql":
        return None
    columns = []
    for field, path in zip(fields, paths, strict=True):
        query = queryset.values_list(path).query
        selected = query.select or tuple(query.annotation_select.values())
        cell = _sql_cell(field.widget, selected[0].output_field.get_internal_type(), path)
        if cell is None:
            return None
        columns.append(cell)
    return columns


def _blank_if_none(value):
    return "" if value is None else value


def _values_plan(resource, fields, queryset):
    """(value paths, render functions) when no column needs a model instance, else None.

    A column qualifies when it has no ``dehydrate_*`` method, its attribute is a database path
    and its widget is django-import-export's own (a foreign key column reads the widget's field
    through the relation). The output is the same as rendering instances, cell for cell.
    """
    if type(resource).export_field is not resources.Resource.export_field:
        return None
    paths, renders = [], []
    for field in fields:
        name = resource.get_field_name(field)
        if getattr(resource, field.get_dehydrate_method(name), None) is not None:
            return None
        widget = field.widget
        if field.attribute is None or isinstance(widget, widgets.ManyToManyWidget):
            return None
        if isinstance(widget, widgets.ForeignKeyWidget):
            if type(widget).render is not widgets.ForeignKeyWidget.render:
                return None
            if widget.use_natural_foreign_keys:
                return None
            if widget.key_is_id:
                paths.append(field.attribute)
                renders.append(lambda value: value or "")
            else:
                paths.append(f"{field.attribute}__{widget.field}")
                renders.append(_blank_if_none)
            continue
        if type(widget).__module__ not in ("import_export.widgets", "portal.importing"):
            return None
        paths.append(field.attribute)
        renders.append(widget.render)
    try:
        queryset.values_list(*paths).query.get_compiler(queryset.db).as_sql()
    except Exception:  # a property or method, not a column
        return None
    return paths, renders


def _renderers(resource, fields) -> list:
    """One callable per column, doing what ``Resource.export_field`` does, resolved once.

    (``export_field`` looks the field's name up among all fields for every cell.)
    """
    if type(resource).export_field is not resources.Resource.export_field:
        return [partial(resource.export_field, field) for field in fields]
    renderers = []
    for field in fields:
        name = resource.get_field_name(field)
        method = getattr(resource, field.get_dehydrate_method(name), None)
        renderers.append(method if method is not None else field.export)
    return renderers


def _render(rows) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue()


def streaming_csv_response(resource, queryset, *, filename: str, selected_fields=None):
    response = StreamingHttpResponse(
        iter_csv(resource, queryset, selected_fields=selected_fields),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
