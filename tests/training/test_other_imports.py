"""Participants, courses and sessions in and out as CSV/XLSX."""

import pytest

from training.models import Course, Participant, TrainingSession

from .conftest import XLSX, csv_bytes, import_file, xlsx_bytes

pytestmark = pytest.mark.django_db


def invalid_rows(response):
    return {r.number: set(r.field_specific_errors) for r in response.context["result"].invalid_rows}


def test_participants_import_by_email_is_idempotent(officer, client_for):
    client = client_for(officer)
    rows = [
        ["email", "name", "division", "position", "phone"],
        ["Somchai.J@ipthailand.go.th", "นายสมชาย ใจดี", "กองสิ่งบ่งชี้ทางภูมิศาสตร์", "นักวิชาการ", ""],
        ["wipa.s@ipthailand.go.th", "นางวิภา ศรีสุข", "enforcement", "", "02-547-4700"],
    ]
    response = import_file(client, "participant", csv_bytes(rows))
    assert response.status_code == 302, invalid_rows(response)
    rows[1][3] = "นักวิชาการชำนาญการ"
    response = import_file(
        client, "participant", xlsx_bytes(rows), name="staff.xlsx", file_format=XLSX
    )
    assert response.status_code == 302
    assert Participant.objects.count() == 2
    somchai = Participant.objects.get(email="somchai.j@ipthailand.go.th")
    assert (somchai.division, somchai.position) == ("gi", "นักวิชาการชำนาญการ")


def test_participants_bad_rows(officer, client_for):
    rows = [
        ["email", "name", "division", "position", "phone"],
        ["a@ipthailand.go.th", "นาย ก", "gi", "", ""],
        ["not-an-email", "นาย ข", "gi", "", ""],
        ["c@ipthailand.go.th", "นาย ค", "Sales", "", ""],
    ]
    response = import_file(client_for(officer), "participant", csv_bytes(rows))
    assert invalid_rows(response) == {3: {"email"}, 4: {"division"}}
    assert not Participant.objects.exists()


def test_courses_and_sessions_import(officer, client_for):
    client = client_for(officer)
    courses = [
        [
            "code",
            "title_th",
            "title_en",
            "tool",
            "description",
            "duration_hours",
            "pass_mark",
            "is_active",
        ],
        [
            "IPPC-201",
            "การแจ้งละเมิดผ่าน IPPC",
            "Reporting to the IPPC",
            "ippc_reporting",
            "",
            "3",
            "70",
            "1",
        ],
    ]
    assert import_file(client, "course", csv_bytes(courses)).status_code == 302
    sessions = [
        [
            "reference",
            "course",
            "starts_at",
            "ends_at",
            "mode",
            "venue",
            "province",
            "online_url",
            "trainer",
            "capacity",
        ],
        [
            "IPPC-201-01",
            "IPPC-201",
            "2026-05-01 09:00:00",
            "2026-05-01 12:00:00",
            "on_site",
            "กรมทรัพย์สินทางปัญญา",
            "กรุงเทพมหานคร",
            "",
            "TikTok IPPC",
            "30",
        ],
        [
            "IPPC-201-02",
            "IPPC-999",
            "2026-05-02 09:00:00",
            "2026-05-02 12:00:00",
            "online",
            "",
            "",
            "https://meet.example.org/x",
            "TikTok IPPC",
            "thirty",
        ],
    ]
    response = import_file(client, "trainingsession", csv_bytes(sessions))
    assert invalid_rows(response) == {3: {"course", "capacity"}}
    assert not TrainingSession.objects.exists()
    sessions.pop()
    assert import_file(client, "trainingsession", csv_bytes(sessions)).status_code == 302
    session = TrainingSession.objects.get()
    assert session.course == Course.objects.get(code="IPPC-201")
    assert session.province.code == "TH-10"
