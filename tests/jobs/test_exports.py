"""The streamed CSV: the same cells whichever path writes them, escaped, queries per chunk."""

import csv
import io

import pytest
from django.db import connection

from portal.jobs import exports
from portal.models import Target
from portal.resources import TargetResource
from tests.jobs.resources import TargetImportResource


@pytest.fixture
def targets(workstream):
    rows = [
        Target(
            workstream=workstream,
            name=f"=cmd{i}" if i % 3 == 0 else f"KPI {i}",
            metric="gi_products_listed",
            target_value=10 + i,
            unit="cases",
            period_start="2026-01-01",
            due_date="2026-12-31",
        )
        for i in range(25)
    ]
    return Target.objects.bulk_create(rows)


def read(chunks):
    return list(csv.reader(io.StringIO(b"".join(chunks).decode("utf-8-sig"))))


def every_path(resource_class, queryset, monkeypatch, *, sql_expected: bool):
    """The file as each path writes it: SQL (PostgreSQL), values, model instances."""
    resource = resource_class()
    fields = resource.get_export_fields()
    prepared = exports.prepare_queryset(resource, resource.filter_export(queryset))
    plan = exports._values_plan(resource, fields, prepared)
    assert plan is not None
    sql = exports._sql_columns(fields, prepared, plan[0])
    assert (sql is not None) == (sql_expected and connection.vendor == "postgresql")
    written = [read(exports.iter_csv(resource_class(), queryset, chunk_size=10))]
    monkeypatch.setattr(exports, "_sql_columns", lambda *args: None)
    written.append(read(exports.iter_csv(resource_class(), queryset, chunk_size=10)))
    monkeypatch.setattr(exports, "_values_plan", lambda *args: None)
    written.append(read(exports.iter_csv(resource_class(), queryset, chunk_size=10)))
    monkeypatch.undo()
    return written


@pytest.mark.parametrize("resource_class", [TargetResource, TargetImportResource])
def test_every_path_writes_the_same_cells(db, targets, resource_class, monkeypatch):
    by_sql, by_values, by_instances = every_path(
        resource_class, Target.objects.all(), monkeypatch, sql_expected=False
    )
    assert by_sql == by_values == by_instances
    assert len(by_values) == 26
    assert any(cell.startswith("'=cmd") for row in by_values for cell in row)


def test_a_dehydrate_method_keeps_the_instance_path(db):
    class WithDehydrate(TargetResource):
        def dehydrate_name(self, target):
            return target.name.upper()

    resource = WithDehydrate()
    assert exports._values_plan(resource, resource.get_export_fields(), None) is None


def test_queries_are_per_chunk_not_per_row(db, targets, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        rows = read(exports.iter_csv(TargetImportResource(), Target.objects.all(), chunk_size=10))
    assert len(rows) == 26
