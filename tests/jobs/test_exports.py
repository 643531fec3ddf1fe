"""The streamed CSV: the same cells as rendering model instances, escaped, queries per chunk."""

import csv
import io

import pytest

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
    return list(csv.reader(io.StringIO("".join(chunks).lstrip("\ufeff"))))


@pytest.mark.parametrize("resource_class", [TargetResource, TargetImportResource])
def test_the_values_path_writes_what_instances_would(db, targets, resource_class, monkeypatch):
    queryset = Target.objects.all()
    fast = read(exports.iter_csv(resource_class(), queryset, chunk_size=10))
    resource = resource_class()
    assert exports._values_plan(resource, resource.get_export_fields(), queryset)
    monkeypatch.setattr(exports, "_values_plan", lambda *args: None)
    slow = read(exports.iter_csv(resource_class(), queryset, chunk_size=10))
    assert fast == slow
    assert len(fast) == 26
    assert any(cell.startswith("'=cmd") for row in fast for cell in row)


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
