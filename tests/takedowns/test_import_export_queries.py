"""The case export fetches item URLs with the cases: its query count does not grow with rows."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.jobs.exports import iter_csv
from takedowns.models import InfringingItem, TakedownCase
from takedowns.resources import TakedownCaseResource, with_item_urls

from .conftest import make_case
from .test_import_export import body, export

pytestmark = pytest.mark.django_db


def _rows(text):
    return list(csv.DictReader(io.StringIO(text)))


def _admin_export_queries(client):
    with CaptureQueriesContext(connection) as ctx:
        text = body(export(client, "takedowncase", TakedownCaseResource))
    return len(ctx.captured_queries), _rows(text)


def _expected_urls():
    return {
        case.reference: "\n".join(
            InfringingItem.objects.filter(case=case)
            .order_by("id")
            .values_list("normalized_url", flat=True)
        )
        for case in TakedownCase.objects.all()
    }


def test_admin_csv_export_query_count_does_not_grow_with_rows(officer, right, client_for):
    client = client_for(officer)
    for _ in range(3):
        make_case(right, items=2)
    make_case(right, items=0)
    few, rows = _admin_export_queries(client)
    assert {r["reference"]: r["item_urls"] for r in rows} == _expected_urls()
    assert all(r["item_urls"].count("\n") == 1 for r in rows if r["item_urls"])
    for _ in range(27):
        make_case(right, items=3)
    many, rows = _admin_export_queries(client)
    assert len(rows) == 31
    assert {r["reference"]: r["item_urls"] for r in rows} == _expected_urls()
    assert many == few


def test_admin_xlsx_export_query_count_does_not_grow_with_rows(officer, right, client_for):
    client = client_for(officer)
    for _ in range(3):
        make_case(right, items=2)
    with CaptureQueriesContext(connection) as ctx:
        assert export(client, "takedowncase", TakedownCaseResource, fmt="xlsx").status_code == 200
    few = len(ctx.captured_queries)
    for _ in range(20):
        make_case(right, items=2)
    with CaptureQueriesContext(connection) as ctx:
        assert export(client, "takedowncase", TakedownCaseResource, fmt="xlsx").status_code == 200
    assert len(ctx.captured_queries) == few


def _streamed(resource):
    with CaptureQueriesContext(connection) as ctx:
        chunks = iter_csv(resource, TakedownCase.objects.all(), chunk_size=2, bom=False)
        text = b"".join(chunks).decode()
    return len(ctx.captured_queries), _rows(text)


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="elsewhere the item URLs come by one prefetch per chunk (the fallback test below)",
)
def test_streamed_export_query_count_does_not_grow_with_rows(right):
    resource = TakedownCaseResource()
    for _ in range(2):
        make_case(right, items=2)
    few, rows = _streamed(resource)
    assert {r["reference"]: r["item_urls"] for r in rows} == _expected_urls()
    for _ in range(9):
        make_case(right, items=2)
    many, rows = _streamed(resource)
    assert len(rows) == 11
    assert {r["reference"]: r["item_urls"] for r in rows} == _expected_urls()
    assert many == few


def test_prefetch_fallback_gives_the_same_urls(right, django_assert_num_queries, monkeypatch):
    for _ in range(4):
        make_case(right, items=2)
    monkeypatch.setattr(connection, "vendor", "other")
    queryset = with_item_urls(TakedownCase.objects.all())
    resource = TakedownCaseResource()
    with django_assert_num_queries(2):
        got = {case.reference: resource.fields["items"].export(case) for case in queryset}
    assert got == _expected_urls()


def test_a_chunk_of_new_cases_asks_nothing_of_the_database(right, django_assert_num_queries):
    """The import engine asks the Resource for a chunk's cases at once: rows with no reference
    are new cases and cost no query (the chunk's checks then need not wait for the store of the
    chunk before); rows with references get their cases, with the item URLs, in one query, and
    rows that name one case share it."""
    first, second = make_case(right, items=2), make_case(right)
    resource = TakedownCaseResource()
    with django_assert_num_queries(0):
        assert resource.get_instances([{"reference": ""}, {"reference": "  "}, {}]) == [None] * 3
    rows = [{"reference": first.reference}, {"reference": ""}, {"reference": f" {first.reference}"}]
    rows.append({"reference": second.reference})
    with django_assert_num_queries(1):
        found = resource.get_instances(rows)
        urls = resource.fields["items"].export(found[0])
    assert [case and case.pk for case in found] == [first.pk, None, first.pk, second.pk]
    assert found[0] is found[2]
    assert urls == _expected_urls()[first.reference]
