"""The job's import path: the Resource's rules, bulk queries, all-or-nothing."""

import datetime

import pytest
import tablib
from django.utils import translation

from portal.engine import FileImporter
from portal.importing import CSV
from portal.models import PublicHoliday, Target
from tests.jobs.conftest import TARGET_HEADERS, holiday_csv, target_rows
from tests.jobs.resources import (
    HolidayByIdResource,
    HolidayLookingAheadResource,
    HolidayResource,
    HolidayWithHookResource,
    TargetImportResource,
)


@pytest.fixture(autouse=True)
def _no_holidays(db):
    PublicHoliday.objects.all().delete()  # the migration seeds Thai holidays
    with translation.override("en"):
        yield


def run(resource_class, raw: bytes, **kwargs):
    dataset = CSV().create_dataset(raw)
    return FileImporter(resource_class(), dataset, **kwargs).run()


def problems(outcome):
    return [(p.row, p.column, p.reason) for p in outcome.errors]


def test_a_good_file_is_written_with_its_history(db, supervisor):
    raw = holiday_csv([("2026-01-01", "วันขึ้นปีใหม่"), ("2026-04-13", "วันสงกรานต์")])
    outcome = run(HolidayResource, raw, user=supervisor, change_reason="job #1")
    assert outcome.ok and (outcome.new, outcome.updated) == (2, 0)
    assert set(PublicHoliday.objects.values_list("name", flat=True)) == {
        "วันขึ้นปีใหม่",
        "วันสงกรานต์",
    }
    record = PublicHoliday.history.get(name="วันสงกรานต์", history_type="+")
    assert record.history_user == supervisor
    assert record.history_change_reason == "job #1"


def test_a_second_import_updates_by_natural_key(db):
    run(HolidayResource, holiday_csv([("2026-01-01", "old")]))
    outcome = run(HolidayResource, holiday_csv([("2026-01-01", "new"), ("2026-01-02", "x")]))
    assert (outcome.new, outcome.updated) == (1, 1)
    assert PublicHoliday.objects.get(date=datetime.date(2026, 1, 1)).name == "new"
    assert PublicHoliday.objects.count() == 2


def test_a_bad_file_writes_nothing_and_names_row_column_and_reason(db, workstream):
    rows = target_rows(workstream, 6)
    rows[1] = ("KPI 1", workstream.pk, "no_such_metric", "10", "cases", "2026-01-01", "2026-12-31")
    rows[2] = ("KPI 2", 999999, rows[2][2], "10", "cases", "2026-01-01", "2026-12-31")
    rows[3] = ("KPI 0", workstream.pk, rows[3][2], "10", "cases", "2026-01-01", "2026-12-31")
    rows[4] = ("KPI 4", workstream.pk, rows[4][2], "abc", "cases", "2026-01-01", "2026-12-31")
    raw = tablib.Dataset(*rows, headers=list(TARGET_HEADERS)).export("csv").encode()
    outcome = run(TargetImportResource, raw)
    assert not outcome.ok
    found = problems(outcome)
    assert {(row, column) for row, column, _ in found} >= {
        (3, "metric"),
        (4, "workstream"),
        (5, "name"),
        (6, "target_value"),
    }
    assert any("no_such_metric" in reason for row, _, reason in found if row == 3)
    assert any("Row 5 repeats name of row 2" in reason for row, _, reason in found if row == 5)
    assert Target.objects.count() == 0


def test_a_value_taken_in_the_table_or_twice_in_the_file_is_a_row_error(db):
    PublicHoliday.objects.create(date=datetime.date(2026, 1, 1), name="taken")
    raw = holiday_csv(
        [("", "2026-01-01", "clash"), ("", "2026-05-01", "a"), ("", "2026-05-01", "b")],
        headers=("id", "date", "name"),
    )
    outcome = run(HolidayByIdResource, raw)
    assert [(row, column) for row, column, _ in problems(outcome)] == [(2, "date"), (4, "date")]
    assert "already exists" in outcome.errors[0].reason
    assert PublicHoliday.objects.count() == 1


def test_a_bad_row_after_written_chunks_leaves_nothing_written(db, workstream):
    rows = target_rows(workstream, 25)
    rows[22] = (*rows[22][:3], "abc", *rows[22][4:])
    raw = tablib.Dataset(*rows, headers=list(TARGET_HEADERS)).export("csv").encode()
    written = []
    outcome = run(
        TargetImportResource,
        raw,
        chunk_size=10,
        progress=lambda phase, done: phase == "writing" and written.append(Target.objects.count()),
    )
    assert written == [10, 20]  # the first two chunks were in the database...
    assert [(row, column) for row, column, _ in problems(outcome)] == [(24, "target_value")]
    assert Target.objects.count() == 0  # ...and were rolled back with the rest


def test_a_value_repeated_chunks_apart_is_a_row_error(db):
    raw = holiday_csv(
        [("", f"2026-05-{day:02d}", "x") for day in range(1, 13)] + [("", "2026-05-02", "again")],
        headers=("id", "date", "name"),
    )
    outcome = run(HolidayByIdResource, raw, chunk_size=5)
    assert [(row, column) for row, column, _ in problems(outcome)] == [(14, "date")]
    assert "already exists" in outcome.errors[0].reason
    assert PublicHoliday.objects.count() == 0


def test_a_check_constraint_refused_by_the_database_is_traced_to_its_row(db, workstream):
    rows = target_rows(workstream, 3)
    rows[2] = (*rows[2][:3], "0", *rows[2][4:])  # target_value must be > 0
    raw = tablib.Dataset(*rows, headers=list(TARGET_HEADERS)).export("csv").encode()
    outcome = run(TargetImportResource, raw)
    assert problems(outcome) == [(4, "", "The target value must be greater than zero.")]
    assert Target.objects.count() == 0


def test_a_missing_column_is_a_file_error(db):
    outcome = run(HolidayResource, holiday_csv([("2026-01-01",)], headers=("date",)))
    assert outcome.errors[0].row is None
    assert "name" in outcome.errors[0].reason


@pytest.mark.parametrize("count", [40, 400])
def test_queries_do_not_grow_with_rows(db, workstream, count, django_assert_max_num_queries):
    raw = (
        tablib.Dataset(*target_rows(workstream, count), headers=list(TARGET_HEADERS))
        .export("csv")
        .encode()
    )
    # per chunk: existing keys, foreign keys, one insert and one history insert (+ savepoints)
    with django_assert_max_num_queries(12):
        outcome = run(TargetImportResource, raw, chunk_size=500)
    assert outcome.ok and Target.objects.count() == count


@pytest.mark.parametrize("count", [40, 400])
def test_updates_take_the_same_queries_whatever_the_rows(
    db, workstream, supervisor, count, django_assert_max_num_queries
):
    def raw(value):
        rows = target_rows(workstream, count, value=value)
        return tablib.Dataset(*rows, headers=list(TARGET_HEADERS)).export("csv").encode()

    assert run(TargetImportResource, raw("10")).ok
    # per chunk: existing keys, foreign keys, one UPDATE and one history INSERT (+ savepoints)
    with django_assert_max_num_queries(12):
        outcome = run(TargetImportResource, raw("12.5"), user=supervisor, chunk_size=500)
    assert outcome.ok and outcome.updated == count
    assert {str(value) for value in Target.objects.values_list("target_value", flat=True)} == {
        "12.50"
    }
    changed = Target.history.filter(history_type="~")
    assert changed.count() == count and {r.history_user for r in changed} == {supervisor}


def test_a_chunk_s_keys_go_to_the_database_as_one_array(db, workstream):
    """The existing rows and the taken unique values of a chunk are asked for with one array
    parameter, not a placeholder per key; a key of another type (a text id) goes through
    Django's ``__in`` and is still found."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def raw(value):
        rows = target_rows(workstream, 300, value=value)
        return tablib.Dataset(*rows, headers=list(TARGET_HEADERS)).export("csv").encode()

    assert run(TargetImportResource, raw("10")).ok
    with CaptureQueriesContext(connection) as queries:
        outcome = run(TargetImportResource, raw("11"))
    assert outcome.ok and outcome.updated == 300
    lookups = [q["sql"] for q in queries if q["sql"].startswith("SELECT") and '"name"' in q["sql"]]
    assert lookups and all("= ANY(" in sql and "KPI 299" in sql for sql in lookups)
    assert all(sql.count("KPI ") <= 300 for sql in lookups)

    holiday = PublicHoliday.objects.create(date=datetime.date(2026, 5, 1), name="old")
    outcome = run(HolidayByIdResource, f"id,date,name\n{holiday.pk},2026-05-01,new\n".encode())
    assert outcome.ok and outcome.updated == 1
    assert PublicHoliday.objects.get(pk=holiday.pk).name == "new"


def test_a_resource_with_save_hooks_is_saved_row_by_row_through_them(db, supervisor):
    HolidayWithHookResource.saved = []
    raw = holiday_csv([("2026-01-01", "a"), ("2026-01-02", "b")])
    importer = FileImporter(HolidayWithHookResource(), CSV().create_dataset(raw), user=supervisor)
    assert not importer.bulk_writable()
    assert importer.run().ok
    assert [row for _pk, row in HolidayWithHookResource.saved] == [2, 3]
    assert all(pk for pk, _row in HolidayWithHookResource.saved)
    assert PublicHoliday.history.filter(history_user=supervisor).count() == 2


def test_plain_models_are_written_in_bulk(db):
    importer = FileImporter(HolidayResource(), CSV().create_dataset(holiday_csv([])))
    assert importer.bulk_writable()


def test_before_import_rows_sees_each_chunk_as_the_file_has_it_before_the_row_checks(db):
    """Once per chunk, the cells as written (the export's formula escape still on), then each
    row is read and checked as any other: its name unescaped, a bad date reported."""
    HolidayLookingAheadResource.chunks = []
    rows = [("2026-01-01", "'=New year"), ("2026-01-02", "b"), ("not a date", "c")]
    importer = FileImporter(
        HolidayLookingAheadResource(), CSV().create_dataset(holiday_csv(rows)), chunk_size=2
    )
    outcome = importer.run()
    assert HolidayLookingAheadResource.chunks == [
        [{"date": "2026-01-01", "name": "'=New year"}, {"date": "2026-01-02", "name": "b"}],
        [{"date": "not a date", "name": "c"}],
    ]
    assert [(p.row, p.column) for p in outcome.errors] == [(4, "date")]
    outcome = FileImporter(
        HolidayLookingAheadResource(), CSV().create_dataset(holiday_csv(rows[:2]))
    ).run()
    assert outcome.ok
    assert PublicHoliday.objects.get(date="2026-01-01").name == "=New year"
