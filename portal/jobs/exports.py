"""Stream a Resource's export as CSV, so memory stays flat whatever the number of rows.

Rows are read through a server-side cursor (``QuerySet.iterator(chunk_size=...)``), rendered by the
Resource's own fields and widgets (its ``dehydrate_*`` methods included), escaped with
``portal.importing.escape_formula`` and sent a chunk at a time.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.http import StreamingHttpResponse

from portal.importing import escape_formula

EXPORT_CHUNK_SIZE = 2000


def _related_paths(model, resource_fields) -> list[str]:
    """``select_related`` paths for the export columns that follow foreign keys."""
    paths = set()
    for resource_field in resource_fields:
        attribute = resource_field.attribute or ""
        parts = attribute.split("__")
        current = model
        walked = []
        for part in parts[:-1]:
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
    export_field = resource.export_field
    rows = []
    for obj in queryset.iterator(chunk_size=chunk_size):
        rows.append([escape_formula(export_field(field, obj)) for field in fields])
        if len(rows) == chunk_size:
            yield _render(rows)
            rows = []
    if rows:
        yield _render(rows)


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
