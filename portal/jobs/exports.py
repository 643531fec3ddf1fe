"""Stream a Resource's export as CSV, so memory stays flat whatever the number of rows.

Rows are read through a server-side cursor (``QuerySet.iterator(chunk_size=...)``), rendered by the
Resource's own fields and widgets (its ``dehydrate_*`` methods included), escaped with
``portal.importing.escape_formula`` and sent a chunk at a time.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from functools import partial

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.http import StreamingHttpResponse
from import_export import resources, widgets

from portal.importing import escape_formula

EXPORT_CHUNK_SIZE = 2000


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
) -> Iterator[str]:
    """Yield the CSV text of ``queryset`` as ``resource`` exports it, a chunk of rows at a time."""
    fields = resource.get_export_fields(selected_fields)
    queryset = prepare_queryset(resource, resource.filter_export(queryset), selected_fields)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([escape_formula(h) for h in resource.get_export_headers(selected_fields)])
    header = buffer.getvalue()
    yield ("\ufeff" + header) if bom else header
    plan = _values_plan(resource, fields, queryset)
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
            yield _render(rows)
            rows = []
    if rows:
        yield _render(rows)


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
        (
            chunk.encode("utf-8")
            for chunk in iter_csv(resource, queryset, selected_fields=selected_fields)
        ),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
