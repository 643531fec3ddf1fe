"""Importing a session's sign-in sheet (CSV/XLSX) through the admin, and exporting the register."""

import pytest
from django.urls import reverse

from training import services
from training.models import Attendance, Participant

from .conftest import XLSX, csv_bytes, import_file, make_participant, page_text, xlsx_bytes

pytestmark = pytest.mark.django_db

HEADER = [
    "session",
    "participant_email",
    "participant_name",
    "division",
    "attended",
    "score",
    "completed",
]


def invalid_rows(response):
    """{row number: set of columns} of the rows the import refused."""
    result = response.context["result"]
    return {row.number: set(row.field_specific_errors) for row in result.invalid_rows}


def sheet(*rows):
    return [HEADER, *rows]


def test_sign_in_sheet_is_imported_and_adds_new_staff(officer, client_for, session, participants):
    rows = sheet(
        ["LIVE-101-A", "staff1@ipthailand.go.th", "", "", "1", "80", "1"],
        [
            "LIVE-101-A",
            "NEW.person@ipthailand.go.th",
            "นายใหม่ มาอบรม",
            "Trademark Office",
            "ใช่",
            "50",
            "0",
        ],
    )
    response = import_file(client_for(officer), "attendance", csv_bytes(rows))
    assert response.status_code == 302
    first = Attendance.objects.get(participant=participants[0])
    assert first.completed and first.certificate_number
    new = Participant.objects.get(email="new.person@ipthailand.go.th")
    assert (new.name, new.division) == ("นายใหม่ มาอบรม", "trademark")
    assert Attendance.objects.get(participant=new).attended


def test_reimporting_updates_rows_and_never_duplicates(officer, client_for, session, participants):
    client = client_for(officer)
    rows = sheet(["LIVE-101-A", "staff1@ipthailand.go.th", "", "", "1", "55", "0"])
    assert import_file(client, "attendance", csv_bytes(rows)).status_code == 302
    rows = sheet(["LIVE-101-A", "Staff1@IPthailand.go.th", "", "", "1", "75", "1"])
    assert import_file(client, "attendance", csv_bytes(rows, bom=False)).status_code == 302
    attendance = Attendance.objects.get()
    assert (attendance.score, attendance.completed) == (75, True)


def test_xlsx_sign_in_sheet(officer, client_for, session, participants):
    rows = sheet(
        ["LIVE-101-A", "staff1@ipthailand.go.th", None, None, 1, 90, 1],
        ["LIVE-101-A", "staff2@ipthailand.go.th", None, None, "x", None, None],
    )
    response = import_file(
        client_for(officer), "attendance", xlsx_bytes(rows), name="sheet.xlsx", file_format=XLSX
    )
    assert response.status_code == 302
    assert Attendance.objects.filter(attended=True).count() == 2
    assert Attendance.objects.filter(completed=True).count() == 1


def test_over_capacity_row_is_refused_and_nothing_is_written(
    officer, client_for, session, participants
):
    rows = sheet(
        *[["LIVE-101-A", p.email, "", "", "1", "", "0"] for p in participants[:2]],
        ["LIVE-101-A", "late@ipthailand.go.th", "นางมา สาย", "gi", "1", "", "0"],
    )
    response = import_file(client_for(officer), "attendance", csv_bytes(rows))
    assert response.status_code == 200
    assert invalid_rows(response) == {4: {"session"}}
    assert "LIVE-101-A เต็มแล้ว" in page_text(response)
    assert not Attendance.objects.exists()
    assert not Participant.objects.filter(email="late@ipthailand.go.th").exists()


def test_unknown_session_is_refused_with_row_and_column(officer, client_for, session, participants):
    rows = sheet(
        ["LIVE-101-A", "staff1@ipthailand.go.th", "", "", "1", "", "0"],
        ["NO-SUCH-SESSION", "staff2@ipthailand.go.th", "", "", "1", "", "0"],
    )
    response = import_file(client_for(officer), "attendance", csv_bytes(rows))
    assert invalid_rows(response) == {3: {"session"}}
    assert "NO-SUCH-SESSION" in page_text(response)
    assert not Attendance.objects.exists()


def test_completion_without_attendance_is_refused(officer, client_for, session, participants):
    rows = sheet(["LIVE-101-A", "staff1@ipthailand.go.th", "", "", "0", "90", "1"])
    response = import_file(client_for(officer), "attendance", csv_bytes(rows))
    assert response.status_code == 200
    assert 2 in invalid_rows(response)
    assert "attended" in page_text(response)
    assert not Attendance.objects.exists()


def test_score_below_pass_mark_cannot_complete(officer, client_for, session, participants):
    rows = sheet(["LIVE-101-A", "staff1@ipthailand.go.th", "", "", "1", "59", "1"])
    response = import_file(client_for(officer), "attendance", csv_bytes(rows))
    assert invalid_rows(response) == {2: {"completed"}}
    assert not Attendance.objects.exists()


@pytest.mark.parametrize(
    "row, column",
    [
        (["LIVE-101-A", "nobody@ipthailand.go.th", "", "", "1", "", "0"], "participant_name"),
        (["LIVE-101-A", "staff1@ipthailand.go.th", "", "", "maybe", "", "0"], "attended"),
        (["LIVE-101-A", "staff1@ipthailand.go.th", "", "", "1", "eighty", "0"], "score"),
        (["LIVE-101-A", "staff1@ipthailand.go.th", "", "", "1", "101", "0"], "score"),
        (["LIVE-101-A", "x@ipthailand.go.th", "นาย ก", "Marketing", "1", "", "0"], "division"),
    ],
)
def test_bad_cells_name_their_column(officer, client_for, session, participants, row, column):
    response = import_file(client_for(officer), "attendance", csv_bytes(sheet(row)))
    assert response.status_code == 200
    assert column in invalid_rows(response)[2]
    assert not Attendance.objects.exists()


def test_the_same_person_twice_in_one_file_is_refused(officer, client_for, session, participants):
    rows = sheet(
        ["LIVE-101-A", "staff1@ipthailand.go.th", "", "", "1", "", "0"],
        ["LIVE-101-A", "STAFF1@ipthailand.go.th", "", "", "1", "", "0"],
    )
    response = import_file(client_for(officer), "attendance", csv_bytes(rows))
    assert 3 in invalid_rows(response)
    assert not Attendance.objects.exists()


def test_a_file_without_the_key_columns_is_refused(officer, client_for, session):
    response = import_file(
        client_for(officer), "attendance", csv_bytes([["participant_email", "attended"]])
    )
    assert response.status_code == 200
    assert "session" in page_text(response)
    assert not Attendance.objects.exists()


def test_export_escapes_formulas(manager, client_for, session):
    participant = make_participant(1)
    participant.name = '=HYPERLINK("http://evil.example","x")'
    participant.save()
    services.attendance_register(session=session, participant=participant)
    client = client_for(manager)
    response = client.post(
        reverse("admin:training_attendance_export"),
        {
            "format": "0",
            "resource": "0",
            "attendanceresource_participant_name": "on",
            "attendanceresource_session": "on",
        },
    )
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "'=HYPERLINK" in body
    assert "\n=HYPERLINK" not in body and ",=HYPERLINK" not in body


def test_manager_and_liaison_cannot_import(manager, liaison, client_for, session):
    rows = sheet(["LIVE-101-A", "staff1@ipthailand.go.th", "คน", "gi", "1", "", "0"])
    for user in (manager, liaison):
        response = import_file(client_for(user), "attendance", csv_bytes(rows))
        assert response.status_code == 403
    assert not Attendance.objects.exists()


def test_the_import_page_runs_its_import_without_garbage_collection(
    officer, client_for, session, participants, monkeypatch
):
    """The page's preview and confirmation (at most 2,000 rows) run the engine with the
    collector off: its full collections walked the file's live objects for nothing, 250–450 ms
    a 2,000-row confirmation. It is on again once the page is answered."""
    import gc

    from portal.engine import FileImporter

    seen = []
    run = FileImporter.run

    def recording_run(self, **kwargs):
        seen.append(gc.isenabled())
        return run(self, **kwargs)

    monkeypatch.setattr(FileImporter, "run", recording_run)
    rows = sheet(["LIVE-101-A", "staff1@ipthailand.go.th", "", "", "1", "80", "1"])
    assert import_file(client_for(officer), "attendance", csv_bytes(rows)).status_code == 302
    assert seen == [False, False]  # preview, confirmation
    assert gc.isenabled()


@pytest.mark.parametrize("count", [10, 40])
def test_a_register_is_read_with_queries_per_chunk_not_per_row(officer, client_for, course, count):
    """Each session, person and existing row is looked up once per chunk of the file, not
    once per row."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from .conftest import make_session

    session = make_session(course, capacity=100, reference="REG-1")
    people = [make_participant(n) for n in range(1, count + 1)]
    for person in people:
        services.attendance_save(
            attendance=Attendance(session=session, participant=person, attended=True)
        )
    rows = sheet(*[["REG-1", p.email, "", "", "1", "70", "0"] for p in people])
    with CaptureQueriesContext(connection) as queries:
        response = import_file(client_for(officer), "attendance", csv_bytes(rows), confirm=False)
    assert response.status_code == 200 and not response.context["result"].has_errors()
    sqls = [q["sql"] for q in queries]
    existing = [q for q in sqls if 'FROM "training_attendance"' in q and '"session_id" IN' in q]
    by_email = [q for q in sqls if '"training_participant"."email" =' in q]
    by_reference = [q for q in sqls if '"training_trainingsession"."reference" =' in q]
    assert len(existing) == 1 and not by_email and len(by_reference) <= 1, (
        existing,
        by_email[:2],
        by_reference[:2],
    )


def test_a_new_person_on_two_rows_is_added_once(officer, client_for, course):
    from .conftest import make_session

    make_session(course, capacity=10, reference="S-1")
    make_session(course, capacity=10, reference="S-2", days_ago=5)
    rows = sheet(
        ["S-1", "new.person@ipthailand.go.th", "นายใหม่ มาอบรม", "Trademark Office", "1", "", "0"],
        ["S-2", "New.Person@ipthailand.go.th", "นายใหม่ มาอบรม", "Trademark Office", "1", "", "0"],
    )
    response = import_file(client_for(officer), "attendance", csv_bytes(rows))
    assert response.status_code == 302
    person = Participant.objects.get(email="new.person@ipthailand.go.th")
    assert Attendance.objects.filter(participant=person).count() == 2
