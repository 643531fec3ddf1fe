"""The case Resource's bulk_write (the import job's path) writes what saving each row writes."""

import pytest
from django.db import connection
from django.db.models import Max
from django.test.utils import CaptureQueriesContext

from portal.engine import FileImporter
from portal.importing import CSV
from takedowns.choices import CaseState
from takedowns.models import CaseReferenceCounter, StatusEvent, TakedownCase
from takedowns.resources import TakedownCaseResource

from .conftest import make_case
from .test_import_export import CASE_HEADER

pytestmark = pytest.mark.django_db

REASON = "Import job #1 (cases.csv)"


class RowByRowCaseResource(TakedownCaseResource):
    bulk_write = None  # the importer then saves each row through the Resource's own save


def _csv(right, titles, *, reference=""):
    holder = right.owner.name
    lines = [
        f"{reference},{title},คำอธิบาย,{holder},{right.registration_number},counterfeit,high,"
        f"สมชาย,s@dip.go.th,0812345678,owner,,\r\n"
        for title in titles
    ]
    return (CASE_HEADER + "".join(lines)).encode("utf-8")


def _run(resource_class, raw, user):
    importer = FileImporter(
        resource_class(), CSV().create_dataset(raw), user=user, change_reason=REASON
    )
    return importer, importer.run()


CASE_FIELDS = (
    "title",
    "description",
    "rights_holder_id",
    "right_id",
    "infringement_type",
    "priority",
    "reporter_name",
    "reporter_email",
    "reporter_phone",
    "reporter_basis",
    "state",
    "version",
)


def _snapshot(cases):
    rows = []
    for case in cases:
        events = list(case.events.values_list("from_state", "to_state", "actor_id", "note", "at"))
        history = list(
            case.history.values_list(
                "history_type", "history_user_id", "history_change_reason", "reference", "title"
            )
        )
        rows.append(
            (
                tuple(getattr(case, name) for name in CASE_FIELDS),
                [(f, t, a, n, at == case.created_at) for f, t, a, n, at in events],
                [h[:3] + (h[3] == case.reference, h[4]) for h in history],
            )
        )
    return rows


def test_the_job_uses_bulk_write_and_writes_what_row_by_row_writes(officer, right):
    titles = [f"ข้าวปลอม {i}" for i in range(5)]
    importer, outcome = _run(RowByRowCaseResource, _csv(right, titles), officer)
    assert outcome.ok and outcome.new == 5
    row_by_row = list(TakedownCase.objects.order_by("id"))
    importer, outcome = _run(TakedownCaseResource, _csv(right, titles), officer)
    assert importer.resource.bulk_write is not None
    assert outcome.ok and outcome.new == 5
    bulk = list(TakedownCase.objects.order_by("id"))[5:]

    assert _snapshot(bulk) == _snapshot(row_by_row)
    assert all(c.state == CaseState.DRAFT for c in bulk)
    events = StatusEvent.objects.filter(case__in=bulk)
    assert events.count() == 5 and set(events.values_list("actor", flat=True)) == {officer.pk}
    # one counter: the bulk block follows the row-by-row numbers, in file order
    references = [c.reference for c in row_by_row + bulk]
    year = row_by_row[0].created_at.year
    numbers = [int(ref.rsplit("-", 1)[1]) for ref in references]
    assert all(ref.startswith(f"TD-{year}-") for ref in references)
    assert numbers == list(range(numbers[0], numbers[0] + 10))
    assert [c.title for c in bulk] == titles
    assert CaseReferenceCounter.objects.get(year=year).last_number == numbers[-1]


def _run_in_chunks(raw, user, size):
    importer = FileImporter(
        TakedownCaseResource(), CSV().create_dataset(raw), user=user, chunk_size=size
    )
    return importer.run()


def test_a_file_in_chunks_numbers_its_cases_on_from_its_first_reservation(officer, right):
    """The first chunk reserves the year's numbers (its UPDATE holds the counter's row until the
    transaction ends); later chunks go on from there without asking, and the counter ends at the
    last number given, as one reservation per chunk left it."""
    before = make_case(right, items=0)
    year = before.created_at.year
    start = int(before.reference.rsplit("-", 1)[1]) + 1
    titles = [f"ข้าวปลอม {i}" for i in range(7)]
    with CaptureQueriesContext(connection) as queries:
        outcome = _run_in_chunks(_csv(right, titles), officer, 2)
    assert outcome.ok and outcome.new == 7
    asked = [q["sql"] for q in queries if "casereferencecounter" in q["sql"]]
    assert len(asked) == 2, asked  # the first chunk's UPDATE and SELECT; 4 chunks asked 8
    cases = TakedownCase.objects.exclude(pk=before.pk).order_by("id")
    assert [c.title for c in cases] == titles
    assert [c.reference for c in cases] == [f"TD-{year}-{n:06d}" for n in range(start, start + 7)]
    assert CaseReferenceCounter.objects.get(year=year).last_number == start + 6
    assert CaseReferenceCounter.next_reference(year=year) == f"TD-{year}-{start + 7:06d}"
    # a second file in chunks follows on (after the number next_reference took)
    assert _run_in_chunks(_csv(right, ["อีก 1", "อีก 2", "อีก 3"]), officer, 2).ok
    assert CaseReferenceCounter.objects.get(year=year).last_number == start + 10


def test_a_file_refused_in_a_later_chunk_leaves_the_counter_as_it_was(officer, right):
    before = make_case(right, items=0)
    year = before.created_at.year
    counted = CaseReferenceCounter.objects.get(year=year).last_number
    raw = _csv(right, [f"ข้าวปลอม {i}" for i in range(6)])
    raw += f",bad,,{right.owner.name},{right.registration_number},nonsense,high,a,a@b.th,,owner,,\r\n".encode()
    outcome = _run_in_chunks(raw, officer, 2)
    assert not outcome.ok and [e.row for e in outcome.errors] == [8]
    assert TakedownCase.objects.count() == 1
    assert CaseReferenceCounter.objects.get(year=year).last_number == counted


def test_bulk_numbers_continue_after_single_cases(right):
    first = make_case(right, items=0)
    year = first.created_at.year
    start = CaseReferenceCounter.reserve(year=year, count=3)
    assert start == int(first.reference.rsplit("-", 1)[1]) + 1
    assert CaseReferenceCounter.next_reference(year=year) == f"TD-{year}-{start + 3:06d}"
    assert CaseReferenceCounter.reserve(year=2041, count=4) == 1
    assert CaseReferenceCounter.objects.get(year=2041).last_number == 4


def test_updates_in_a_bulk_job_go_through_the_resource_save(officer, right):
    case = make_case(right, items=0)
    events_before = case.events.count()
    raw = _csv(right, ["ชื่อใหม่"], reference=case.reference)
    _importer, outcome = _run(TakedownCaseResource, raw, officer)
    assert outcome.ok and outcome.updated == 1, outcome.errors
    case.refresh_from_db()
    assert case.title == "ชื่อใหม่"
    assert case.events.count() == events_before  # no second "created" event
    latest = case.history.order_by("-history_id").first()
    assert (latest.history_type, latest.history_user_id, latest.history_change_reason) == (
        "~",
        officer.pk,
        REASON,
    )


def test_a_bad_file_writes_nothing(officer, right):
    counter_before = CaseReferenceCounter.objects.aggregate(m=Max("last_number"))["m"]
    raw = (
        _csv(right, ["ดี 1", "ดี 2"])
        + (f",,,{right.owner.name},NOPE,counterfeit,high,สมชาย,not-an-email,,owner,,\r\n").encode()
    )
    _importer, outcome = _run(TakedownCaseResource, raw, officer)
    assert not outcome.ok
    assert {p.row for p in outcome.errors} == {4}
    assert TakedownCase.objects.count() == 0
    assert StatusEvent.objects.count() == 0
    assert TakedownCase.history.count() == 0
    assert CaseReferenceCounter.objects.aggregate(m=Max("last_number"))["m"] == counter_before


def test_a_row_refused_by_the_database_rolls_back_the_whole_file(officer, right, monkeypatch):
    def refuse(*args, **kwargs):
        from django.db import IntegrityError

        raise IntegrityError("refused")

    monkeypatch.setattr("takedowns.resources.copy_insert_values", refuse)  # the status events
    _importer, outcome = _run(TakedownCaseResource, _csv(right, ["ก", "ข"]), officer)
    assert not outcome.ok
    assert TakedownCase.objects.count() == 0
    assert TakedownCase.history.count() == 0


def _rights(count):
    from datetime import date

    from takedowns.choices import HolderKind, RightType
    from takedowns.models import ProtectedRight, RightsHolder

    rights = []
    for i in range(count):
        holder = RightsHolder.objects.create(
            name=f"ผู้ทรงสิทธิ {i}", kind=HolderKind.GI_COMMUNITY, contact_email=f"h{i}@b.th"
        )
        rights.append(
            ProtectedRight.objects.create(
                right_type=RightType.TRADEMARK,
                name=f"สิทธิ {i}",
                registration_number=f"TM-{i:05d}",
                owner=holder,
                valid_from=date(2020, 1, 1),
                valid_until=date(2030, 1, 1),
            )
        )
    return rights


def _queries_for(officer, rights):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    raw = b"".join(_csv(right, [f"เรื่อง {i}"]).split(b"\n", 1)[1] for i, right in enumerate(rights))
    with CaptureQueriesContext(connection) as ctx:
        _importer, outcome = _run(TakedownCaseResource, CASE_HEADER.encode() + raw, officer)
    assert outcome.ok, outcome.errors
    return len(ctx.captured_queries)


def test_import_job_queries_do_not_grow_with_distinct_holders_and_rights(officer):
    rights = _rights(25)
    _queries_for(officer, rights[:1])  # creates the year's counter row
    few = _queries_for(officer, rights[1:4])
    many = _queries_for(officer, rights[4:])
    assert many == few
    cases = TakedownCase.objects.filter(title__startswith="เรื่อง").select_related("right")
    assert {c.right.registration_number for c in cases} == {r.registration_number for r in rights}
    assert all(c.rights_holder_id == c.right.owner_id for c in cases)


def test_written_rows_leave_no_cycle_for_the_garbage_collector(right, officer):
    """A case's file field, once read (the checks read it), is a file object that points back
    at the case: the job puts it back as the file's name once the chunk is written, so each
    chunk's cases are freed at once instead of piling up until the collector runs (100,000
    rows: peak memory 129 MB, was ~215 MB)."""
    import gc

    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        _importer, outcome = _run(TakedownCaseResource, _csv(right, ["ก", "ข", "ค"]), officer)
        gc.collect()
        left = [o for o in gc.garbage if isinstance(o, TakedownCase)]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
    assert outcome.ok and TakedownCase.objects.count() == 3
    assert left == []
